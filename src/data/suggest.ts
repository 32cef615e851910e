/**
 * "Did you mean" for column names and enum values: most bad names in a CSV are typos.
 */

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment), as a
 * typo like `fiel` for `file` is one slip of the fingers, not two. Three rows of memory.
 */
function distance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        cur[j] = Math.min(cur[j] ?? 0, (before[j - 2] ?? 0) + 1);
    }
    before = prev;
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

/**
 * The first key of `obj` not in `known`, as a message naming the known ones
 * (`unknown suite key \`modles\` (did you mean "models"?) (known: …)`), or undefined. `at`: the
 * path of `obj` in a nested object, shown before the key (`severity.mx`); the bare key is matched,
 * as a long path would make any key look close enough to a typo.
 */
export function unknownKey(
  obj: object,
  known: Readonly<Record<string, true>>,
  what: string,
  at = '',
): string | undefined {
  const bad = Object.keys(obj).find((k) => !Object.hasOwn(known, k));
  if (bad === undefined) return undefined;
  const names = Object.keys(known);
  const shown = at === '' ? bad : `${at}.${bad}`;
  return `unknown ${what === '' ? '' : `${what} `}key \`${shown}\`${didYouMean(bad, names)} (known: ${names.join(', ')})`;
}
