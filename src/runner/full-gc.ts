/**
 * A full garbage collection on demand, for a scoring worker between the requests of a session.
 *
 * Why: a worker lives on about 14 MB, but each young collection promotes the series in flight,
 * and V8 collects a worker's old generation only once it has grown to a multiple of its live
 * size (35–45 MB measured). Over a long run each worker therefore sat on 20–30 MB of dead
 * batches, and the peak RSS of `harness run` grew with the fleet: at 100k systems 607 MB, and
 * 390–430 MB with a collection before each open and batch (README, Performance). One takes
 * 15–35 ms, once per batch of SCORE_BATCH systems.
 *
 * V8 gives JavaScript a `gc` function only under `--expose-gc`, a V8 flag that Node refuses in a
 * worker's execArgv. The flag is set for as long as it takes to make one context (which is then
 * handed `gc`) and unset again, so no other context gets a `gc` global (under `node --expose-gc`
 * it is left on). If this Node refuses (flags frozen after start-up), there is no collection on
 * demand and V8 collects as it would.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = () => void;

/** A new context's `gc`, when the flag gives contexts one. */
function contextGc(): Collect | null {
  const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
  return typeof gc === 'function' ? (gc as Collect) : null;
}

function exposedGc(): Collect | null {
  try {
    // Under `node --expose-gc` every context has it already, and the flag is left as it is. A
    // global `gc` is not trusted: a plugin's module may have set one.
    const given = contextGc();
    if (given) return given;
    v8.setFlagsFromString('--expose-gc');
    try {
      return contextGc();
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  } catch {
    return null;
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
