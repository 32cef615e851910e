// Entry of the metadata-reading thread (metadata-prefetch.ts). The thread runs the harness's
// TypeScript source, as the CLI does: tsx's loader hooks are registered in this thread (hooks
// registered in the parent do not reach a worker on Node 20), then the TS module runs.
import { register } from 'tsx/esm/api';

register();
await import('./metadata-worker.ts');
