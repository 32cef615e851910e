/**
 * Worker threads started with the parent's Node flags (a `--import` or `--conditions` the user
 * gave must reach the code a worker runs) but for those Node refuses in a worker: V8 and
 * per-process flags such as `--max-old-space-size`, `--stack-size`, `--trace-gc` or
 * `--input-type`. Those already hold for the whole process, workers included. Without this,
 * `node --max-old-space-size=8192 harness run` ended in an internal error.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The flags a worker was refused, learnt from the first refusal (Node names them). */
let refused: ReadonlySet<string> | null = null;

const isInputType = (a: string): boolean => a.startsWith('--input-type');

const flagsFor = (): string[] =>
  process.execArgv.filter((a) => !isInputType(a) && !(refused?.has(a) ?? false));

/**
 * The names in Node's ERR_WORKER_INVALID_EXEC_ARGV message, "Initiated Worker with invalid
 * execArgv flags: --a, --b"; null when the message does not read so.
 */
export function refusedFlags(err: unknown): string[] | null {
  if ((err as { code?: unknown } | null)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return null;
  const listed = /flags: (.+)$/.exec(String((err as Error).message))?.[1];
  return listed ? listed.split(', ').map((f) => f.trim()) : null;
}

/** A worker thread on `entry` with the parent's flags that a worker accepts (see above). */
export function startWorker(entry: URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  try {
    return new Worker(entry, { ...options, execArgv: flagsFor() });
  } catch (err) {
    const names = refusedFlags(err);
    if (names === null || names.length === 0) throw err;
    refused = new Set([...(refused ?? []), ...names]);
    return new Worker(entry, { ...options, execArgv: flagsFor() });
  }
}
