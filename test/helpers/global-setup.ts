/**
 * Before any test: the compiled harness (dist/) up to date with src/. The CLI compiles it itself
 * (bin/harness.js), but tests also start threads from src/ (a pool's workers, the metadata
 * thread), which run the compiled code, and many CLIs starting at once would compile it at once.
 */
import { ensureCompiled } from '../../bin/compile.js';

export default async function setup(): Promise<void> {
  await ensureCompiled();
}
