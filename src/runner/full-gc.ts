/**
 * A full garbage collection on demand, for a scoring worker between the requests of a session.
 *
 * Why: a worker lives on about 14 MB, but each young collection promotes the series in flight,
 * and V8 collects a worker's old generation only once it has grown to a multiple of its live
 * size (35–45 MB measured). Over a long run each worker therefore sat on 20–30 MB of dead
 * batches, and the peak RSS of `harness run` grew with the fleet: 607 MB at 100k systems, 444 MB
 * with a collection before each request (bench figures in the README). One collection of a
 * 14 MB heap costs a few milliseconds, once per batch of SCORE_BATCH systems.
 *
 * V8 gives JavaScript a `gc` function only under `--expose-gc`, a V8 flag that Node refuses in a
 * worker's execArgv. The flag is set for as long as it takes to make one context (which is then
 * handed `gc`) and unset again, so no other context gets a `gc` global. If this Node refuses
 * (flags frozen after start-up), there is no collection on demand and V8 collects as it would.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = () => void;

function exposedGc(): Collect | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Collect; // node --expose-gc
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

let collect: Collect | null | undefined;

/** Collects this thread's whole heap now; true when it could (see the module comment). */
export function fullGc(): boolean {
  collect ??= exposedGc();
  if (collect === null) return false;
  collect();
  return true;
}
