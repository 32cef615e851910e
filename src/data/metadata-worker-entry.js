// Entry of the metadata-reading thread (metadata-prefetch.ts). It runs the compiled harness
// (dist/, see bin/compile.js), natively, without tsx: this file's copy in dist/src/data/ finds the
// compiled metadata-worker.js beside itself; under vitest, which runs the harness from source,
// this file in src/ takes the one in dist/ (vitest's global setup compiles it).
import { existsSync } from 'node:fs';

await import(
  existsSync(new URL('./metadata-worker.js', import.meta.url))
    ? new URL('./metadata-worker.js', import.meta.url).href
    : new URL('../../dist/src/data/metadata-worker.js', import.meta.url).href
);
