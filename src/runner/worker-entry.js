// Entry of a scoring worker thread (pool.ts). Workers run the harness's TypeScript source, as
// the CLI does: tsx's loader hooks are registered in this thread, then the TS module runs.
import { register } from 'tsx/esm/api';

register();
// Told to the user-module loader (src/module): ES modules can go through this hook.
globalThis[Symbol.for('bess-harness.tsx-hook')] = true;
await import('./worker-main.ts');
