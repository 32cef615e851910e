import type { CheckOptions, ContractReport } from '../check/types.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { WorkerPool } from './pool.ts';
import type { PluginOrigin } from './worker-protocol.ts';

/**
 * Checks one plugin against the plugin contract in a worker thread of its own, where the pool's
 * watchdog stops a call that never returns: the report, or why the check could not finish
 * (the plugin could not be made, its worker was stopped, it called process.exit, …).
 */
export async function checkInWorker(
  origin: PluginOrigin,
  config: ResolvedConfig,
  options: CheckOptions,
  runPool?: WorkerPool,
): Promise<ContractReport | string> {
  // The run's pool when there is one (its workers are warm), else a worker for this check.
  const pool = runPool ?? new WorkerPool(1);
  try {
    const reply = await pool.request(
      { type: 'contract', origin, config, options },
      () => undefined,
    );
    if (reply.type === 'checked') return reply.report;
    return reply.type === 'failed' ? reply.message : `the worker answered ${reply.type}`;
  } finally {
    if (!runPool) await pool.close();
  }
}
