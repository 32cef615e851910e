/**
 * Plugins run in threads of the harness (and some calls in its own process): a plugin that ends
 * the process or its thread would end the run without a verdict, or with a green one. So
 * `process.exit` throws instead: the plugin call that made it fails its own case, with the
 * system's id, and the harness decides the exit code.
 */
export function forbidProcessExit(): void {
  process.exit = ((code?: number | string | null) => {
    throw new Error(
      `process.exit was called${code === undefined || code === null ? '' : ` with code ${code}`}, by a plugin or a module it loaded: only the harness ends the run`,
    );
  }) as typeof process.exit;
}
