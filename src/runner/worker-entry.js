// Entry of a scoring worker thread (pool.ts). Workers run the compiled harness (dist/, see
// bin/compile.js): this file's copy in dist/src/runner/ finds the compiled worker-main.js beside
// itself; under vitest, which runs the harness from source, pool.ts starts this file in src/,
// and it takes the one in dist/ (vitest's global setup compiles it).
// tsx's loader hooks are registered when the worker first imports a user's module (a suite, a
// plugin), after the harness's own modules loaded natively (src/module/load-user-module.ts).
import { existsSync } from 'node:fs';

const compiled = existsSync(new URL('./worker-main.js', import.meta.url))
  ? new URL('./', import.meta.url)
  : new URL('../../dist/src/runner/', import.meta.url);
const { registerTsxOnDemand } = await import(new URL('../module/tsx-on-demand.js', compiled).href);
registerTsxOnDemand(new URL('../index.js', compiled));
await import(new URL('./worker-main.js', compiled).href);
