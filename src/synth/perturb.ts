import type { Rng } from './random.ts';

/**
 * Sensor dropouts for the dropout-robustness law: empties a share `rate` of the readings of
 * every column (NaN), and removes about as many rows in a few contiguous gaps, keeping the first
 * and last rows (the last one anchors the label's lead time). Returns new arrays; the input is
 * left alone. Pure: every draw comes from `rng`.
 */
export function withDropouts(
  timestamps: Float64Array,
  columns: Readonly<Record<string, Float64Array>>,
  rate: number,
  rng: Rng,
): { timestamps: Float64Array; columns: Record<string, Float64Array> } {
  const n = timestamps.length;
  const keep = new Uint8Array(n).fill(1);
  if (n > 2) {
    const gaps = 3;
    const perGap = Math.max(0, Math.floor((rate * n) / gaps));
    for (let g = 0; g < gaps && perGap > 0; g++) {
      const start = rng.int(1, Math.max(1, n - 1 - perGap));
      for (let i = start; i < Math.min(n - 1, start + perGap); i++) keep[i] = 0;
    }
  }
  const kept = keep.reduce((a, b) => a + b, 0);
  const outT = new Float64Array(kept);
  const out: Record<string, Float64Array> = {};
  for (const name of Object.keys(columns)) out[name] = new Float64Array(kept);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    outT[j] = timestamps[i]!;
    for (const [name, col] of Object.entries(columns))
      out[name]![j] = rng.next() < rate ? NaN : col[i]!;
    j++;
  }
  return { timestamps: outT, columns: out };
}
