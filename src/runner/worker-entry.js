// Entry of a scoring worker thread (pool.ts). Workers run the harness's TypeScript source, as
// the CLI does: tsx's loader hooks are registered in this thread, then the TS module runs.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
