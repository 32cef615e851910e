/**
 * Least time a plugin's teardown is given, whatever its timeout: a process model is asked to end
 * and killed 5 s later (process-plugin.ts), which must not count against a shorter timeout.
 */
export const TEARDOWN_MIN_MS = 10_000;

/** A plugin call that ran past its deadline. */
export class CallTimeout extends Error {
  override readonly name = 'CallTimeout';
}

/**
 * Told when each plugin call starts and ends. A scoring worker reports its calls to the pool's
 * watchdog (pool.ts), which stops the whole thread when a call does not return in time: the one
 * way to end a plugin stuck in a synchronous loop.
 */
export interface CallObserver {
  /** `who`: the plugin whose call it is (its name), when the call is one plugin's. */
  start(what: string, timeoutMs: number, who?: string): void;
  end(): void;
}

let observer: CallObserver | null = null;

/** Sets (or clears, with null) the observer of every plugin call in this thread. */
export function observeCalls(o: CallObserver | null): void {
  observer = o;
}

/**
 * Runs a plugin call with a deadline. The signal is aborted when it passes; an async plugin is
 * abandoned then. A synchronous loop cannot be interrupted from inside its thread: in a worker
 * the pool's watchdog stops the thread (see {@link CallObserver}); in this process it is caught
 * (as a timeout) only when it returns.
 */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => T | Promise<T>,
  ms: number,
  what: string,
  /** The plugin whose call it is (its name): a watchdog that stops the thread knows whose fault it was. */
  who?: string,
): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new CallTimeout(`${what} ran past its ${ms} ms timeout`));
    }, ms);
  });
  observer?.start(what, ms, who);
  try {
    const result = await Promise.race([Promise.resolve().then(() => fn(ac.signal)), deadline]);
    if (performance.now() - started > ms)
      throw new CallTimeout(`${what} ran past its ${ms} ms timeout`);
    return result;
  } finally {
    clearTimeout(timer);
    observer?.end();
  }
}
