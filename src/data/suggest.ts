/**
 * "Did you mean" for column names and enum values: most bad names in a CSV are typos.
 */

/** Levenshtein distance, two rows of memory. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate closest to `value` when it is close enough to be a typo (case-insensitive,
 * at most a third of the length edited), else undefined.
 */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  const v = value.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(v, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(value.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(value: string, candidates: Iterable<string>): string {
  const c = closest(value, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
