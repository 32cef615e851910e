/**
 * A worker's score progress, thinned out before it crosses to the main thread. A message per
 * system made the main thread's queue grow with the fleet while it was busy (17,700 messages,
 * 2.4 MB, waiting at 10,000 systems) and cost a postMessage each; a progress bar moves as
 * smoothly to the eye with one message a tenth of a second.
 */

/** The least time between two progress messages of one model. */
export const PROGRESS_EVERY_MS = 100;

/**
 * An onProgress that passes `(model, done)` to `send` at most every PROGRESS_EVERY_MS per model,
 * and always at a model's last system (`done === total`), so the final count is never lost.
 * `now` is the clock (injectable for tests).
 */
export function progressPoster(
  send: (model: string, done: number) => void,
  now: () => number = () => performance.now(),
): (model: string, done: number, total: number) => void {
  const last = new Map<string, number>();
  return (model, done, total) => {
    const t = now();
    if (done < total && t - (last.get(model) ?? -Infinity) < PROGRESS_EVERY_MS) return;
    last.set(model, t);
    send(model, done);
  };
}
