/**
 * `items.map(fn)` awaited, with at most `limit` calls running at a time: each call that opens a
 * file holds it until it settles, and a Promise.all over hundreds of files ran out of descriptors
 * (EMFILE) at a limit of 1024, or at the 256 of a macOS shell. Results are in the order of `items`;
 * the first rejection rejects the whole, as Promise.all's does, and no call starts after it.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
