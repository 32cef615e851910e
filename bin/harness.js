#!/usr/bin/env node
// The `harness` command. The harness is written in TypeScript and runs compiled: dist/ holds
// src/ and plugins/ as JavaScript, compiled again here whenever the sources changed
// (bin/compile.js), so its modules load natively. tsx's loader hooks are registered only when a
// user's module (a config, a suite, a plugin in TypeScript) is first imported.
import { ensureCompiled } from './compile.js';

try {
  await ensureCompiled();
} catch (err) {
  process.stderr.write(
    `harness: the harness's sources could not be compiled (node bin/compile.js): ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(2);
}
// Read first, while files can still be opened: the limit is named if the harness runs out of them.
const { openFilesLimit, openFilesProblem } = await import('../dist/src/open-files.js');
openFilesLimit();
// main.js makes process.exit throw (a plugin must not end the run): this file's own exit is kept.
const exit = process.exit.bind(process);
try {
  const { registerTsxOnDemand } = await import('../dist/src/module/tsx-on-demand.js');
  registerTsxOnDemand(new URL('../dist/src/index.js', import.meta.url));
  // main.js reports what fails once it runs; this catches only its own modules failing to load,
  // which was a stack trace and exit 1, the code of a failed assertion.
  await import('../dist/src/cli/main.js');
} catch (err) {
  const why = openFilesProblem(err);
  process.stderr.write(
    why !== undefined
      ? `harness: ${why}\n`
      : `harness: internal error: the harness's modules could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (please report it)\n`,
  );
  exit(2);
}
