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
const { registerTsxOnDemand } = await import('../dist/src/module/tsx-on-demand.js');
registerTsxOnDemand(new URL('../dist/src/index.js', import.meta.url));
await import('../dist/src/cli/main.js');
