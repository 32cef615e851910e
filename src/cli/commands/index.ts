/** A CLI command: a name, a one-line summary for `harness --help`, and its runner. */
export interface Command {
  readonly summary: string;
  /** The command's help text, printed for `harness <command> --help`. */
  readonly usage: string;
  /** Returns the exit code. Throws HarnessError for a user mistake (exit 2). */
  run(argv: readonly string[]): Promise<number>;
}

/**
 * The commands by name, each loaded on first use: `harness validate` starts without importing
 * Ink, React or Vega, which only `run`, `labels` and friends need.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  init: async () => (await import('./init.ts')).initCommand,
  run: async () => (await import('./run.ts')).runCommand,
  runs: async () => (await import('./runs.ts')).runsCommand,
  compare: async () => (await import('./compare.ts')).compareCommand,
  generate: async () => (await import('./generate.ts')).generateCommand,
  validate: async () => (await import('./validate.ts')).validateCommand,
  import: async () => (await import('./import.ts')).importCommand,
  sample: async () => (await import('./sample.ts')).sampleCommand,
  labels: async () => (await import('./labels.ts')).labelsCommand,
  label: async () => (await import('./label.ts')).labelCommand,
  plots: async () => (await import('./plots.ts')).plotsCommand,
  evaluate: async () => (await import('./evaluate.ts')).evaluateCommand,
  check: async () => (await import('./check.ts')).checkCommand,
};

/** `harness --help`: every command with its one-line summary (loads them all). */
export async function helpText(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = await Promise.all(
    Object.entries(COMMANDS).map(
      async ([name, load]) => `  ${name.padEnd(width)}  ${(await load()).summary}`,
    ),
  );
  return `Usage: harness <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "harness <command> --help" for a command's options.\n`;
}
