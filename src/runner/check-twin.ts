import type { EdgeFleet } from '../arbitraries/index.ts';
import type { PassOptions, PassOutcome, Twin } from '../check/index.ts';
import type { CheckOptions } from '../check/types.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { WorkerPool } from './pool.ts';
import type { PluginOrigin, WorkerRequest } from './worker-protocol.ts';

/**
 * The contract check's twins in worker threads of their own (see check/twin.ts): the plugin made
 * again there from its origin, so from that worker's own import of its module, as a scoring
 * worker of a run makes it. Two workers, each started on its first pass (about a second) and
 * kept for every fleet: one fits and scores (`nondeterministic`), the other only restores and
 * scores (`state_roundtrip`). The restoring one never fits, like a scoring worker that receives
 * a state, so what a restored copy scores depends on the fleet and the state alone, not on the
 * fleets fitted before it, and a replay of one counterexample gives what the search saw. The
 * pool's watchdog stops a call that never returns; such a pass is reported as a hang. `close`
 * stops both.
 */
export function workerTwin(
  origin: PluginOrigin,
  config: ResolvedConfig,
  assume: CheckOptions['assume'],
): Twin & { close(): Promise<void> } {
  const fits = new WorkerPool(1);
  const restores = new WorkerPool(1);
  const send = async (
    fleet: EdgeFleet,
    options: PassOptions,
    restore?: { readonly state: unknown },
  ): Promise<PassOutcome> => {
    const req: WorkerRequest = {
      type: 'twin',
      origin,
      config,
      ...(assume ? { assume } : {}),
      systems: fleet.systems,
      options,
      ...(restore ? { restore } : {}),
    };
    const reply = await (restore ? restores : fits).request(req, () => undefined);
    if (reply.type === 'twinned') return reply.outcome;
    const message = reply.type === 'failed' ? reply.message : `it answered ${reply.type}`;
    // The twin's worker was stopped (a call that hung) or could not make the plugin: either way
    // every later pass would meet the same, so the check stops as it does on a hang.
    return { kind: 'threw', message: `the twin in another worker failed: ${message}`, hung: true };
  };
  return {
    describe: 'an instance of another import of the plugin (another worker)',
    pass: (fleet, options) => send(fleet, options),
    restored: (fleet, state, options) => send(fleet, options, { state }),
    close: async () => {
      await Promise.all([fits.close(), restores.close()]);
    },
  };
}
