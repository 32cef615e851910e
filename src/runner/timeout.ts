/** A plugin call that ran past its deadline. */
export class CallTimeout extends Error {
  override readonly name = 'CallTimeout';
}

/**
 * Runs a plugin call with a deadline. The signal is aborted when it passes; an async plugin is
 * abandoned then. A synchronous loop cannot be interrupted in this process: it is caught (as a
 * timeout) when it returns.
 */
export async function withTimeout<T>(fn: (signal: AbortSignal) => T | Promise<T>, ms: number, what: string): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new CallTimeout(`${what} ran past its ${ms} ms timeout`));
    }, ms);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => fn(ac.signal)), deadline]);
    if (performance.now() - started > ms) throw new CallTimeout(`${what} ran past its ${ms} ms timeout`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
