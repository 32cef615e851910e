/**
 * The one ranking primitive every metric shares: a stable descending argsort of scores, and the
 * blocks of tied scores in that order. Ties matter for every ranking metric (a tie block is a
 * single operating point), so they are found once, here.
 */

/** Below this size a comparison sort beats the radix sort's fixed histogram cost. */
const RADIX_MIN = 256;

// Radix keys are read from the raw IEEE-754 bits; the word order depends on the platform.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Indices of `scores` ordered by score descending; equal scores keep their input order
 * (stable). For n ≥ 256 an LSD radix sort on the high 32 bits of each double (11 bits a pass,
 * passes where every key has the same digit skipped), then each run of keys sharing their high
 * word ordered by the low word; O(n log n) below. Scores must be free of NaN (checked by the
 * callers); `-0` sorts equal to `0`.
 */
export function argsortDescending(scores: ArrayLike<number>): Uint32Array {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < RADIX_MIN) {
    const s = Float64Array.from(scores);
    // Index tie-break makes the result stable whatever the engine's sort guarantees.
    order.sort((a, b) => s[b]! - s[a]! || a - b);
    return order;
  }
  const bits = new Float64Array(n);
  for (let i = 0; i < n; i++) bits[i] = scores[i]! + 0; // `+ 0` turns -0 into +0
  const words = new Uint32Array(bits.buffer);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  const loOff = LITTLE_ENDIAN ? 0 : 1;
  const hiOff = 1 - loOff;
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + hiOff]!;
    const l = words[2 * i + loOff]!;
    // Map the float so that unsigned ascending order = numeric descending order:
    // negatives keep their bits (larger magnitude → larger key), non-negatives flip all but the sign.
    if (h & 0x80000000) {
      hi[i] = h;
      lo[i] = l;
    } else {
      hi[i] = (h ^ 0x7fffffff) >>> 0;
      lo[i] = ~l >>> 0;
    }
  }
  // The high words in three 11-bit digits (2048 buckets stay in cache while the scatter is
  // sequential in the source); keys travel with their indices so every pass reads sequentially.
  // Keys that share a high word (ties, or scores within about 1e-6 relative) are then put in
  // order of their low word, run by run: the runs are short unless the scores are tied, where
  // they are in order already.
  const counts = new Uint32Array(RADIX * 3);
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    counts[h & MASK]!++;
    counts[RADIX + ((h >>> 11) & MASK)]!++;
    counts[2 * RADIX + (h >>> 22)]!++;
  }
  let idx = order;
  let kLo = lo;
  let kHi = hi;
  let idx2 = new Uint32Array(n);
  let kLo2 = new Uint32Array(n);
  let kHi2 = new Uint32Array(n);
  const offsets = new Uint32Array(RADIX);
  for (let pass = 0; pass < 3; pass++) {
    if (!digitOffsets(counts, pass * RADIX, n, offsets)) continue;
    const shift = pass * 11;
    for (let i = 0; i < n; i++) {
      const h = kHi[i]!;
      const p = offsets[(h >>> shift) & MASK]!++;
      kLo2[p] = kLo[i]!;
      kHi2[p] = h;
      idx2[p] = idx[i]!;
    }
    [idx, idx2] = [idx2, idx];
    [kLo, kLo2] = [kLo2, kLo];
    [kHi, kHi2] = [kHi2, kHi];
  }
  // Within a run of one high word the indices ascend (every pass is stable): ordering the run
  // by low word, stably, gives the order of the full 64-bit keys with ties by index.
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && kHi[i] === kHi[start]) continue;
    if (i - start > 1) sortRunByLow(kLo, idx, start, i);
    start = i;
  }
  return idx;
}

/** Orders positions [from, to) by `lo`, stably, moving `idx` along. */
function sortRunByLow(lo: Uint32Array, idx: Uint32Array, from: number, to: number): void {
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) sorted = lo[i - 1]! <= lo[i]!;
  if (sorted) return;
  if (to - from <= 32) {
    for (let i = from + 1; i < to; i++) {
      const l = lo[i]!;
      const x = idx[i]!;
      let j = i - 1;
      while (j >= from && lo[j]! > l) {
        lo[j + 1] = lo[j]!;
        idx[j + 1] = idx[j]!;
        j--;
      }
      lo[j + 1] = l;
      idx[j + 1] = x;
    }
    return;
  }
  const runLo = lo.slice(from, to);
  const runIdx = idx.slice(from, to);
  const perm = Uint32Array.from({ length: to - from }, (_, k) => k);
  perm.sort((a, b) => runLo[a]! - runLo[b]! || a - b);
  for (let k = 0; k < perm.length; k++) {
    lo[from + k] = runLo[perm[k]!]!;
    idx[from + k] = runIdx[perm[k]!]!;
  }
}

export const RADIX = 2048;
export const MASK = RADIX - 1;

/**
 * Turns one digit's histogram (`counts[base …]`, RADIX buckets over n keys) into the start
 * offset of each bucket. Returns false when every key has the same digit: that radix pass would
 * not move anything and is skipped.
 */
export function digitOffsets(
  counts: Uint32Array,
  base: number,
  n: number,
  offsets: Uint32Array,
): boolean {
  let sum = 0;
  for (let d = 0; d < offsets.length; d++) {
    const c = counts[base + d]!;
    if (c === n) return false;
    offsets[d] = sum;
    sum += c;
  }
  return true;
}

/**
 * End positions (inclusive) of the blocks of equal scores in a descending `order`: scikit-learn's
 * `threshold_idxs`. `ends[k]` is the last position of the k-th distinct score, so the
 * thresholds are `scores[order[ends[k]]]`, strictly decreasing.
 */
export function tieBlockEnds(scores: ArrayLike<number>, order: Uint32Array): Uint32Array {
  const n = order.length;
  if (n === 0) return new Uint32Array(0);
  const ends = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n - 1; i++) {
    if (scores[order[i]!] !== scores[order[i + 1]!]) ends[k++] = i;
  }
  ends[k++] = n - 1;
  return ends.subarray(0, k);
}

/** Scores ranked once: what every ranking metric needs. */
export interface Ranking {
  /** Indices by score descending, stable. */
  readonly order: Uint32Array;
  /** `scores[order[i]]`, gathered once so later passes read memory sequentially. */
  readonly sorted: Float64Array;
  /** Inclusive end position of each block of tied scores (see {@link tieBlockEnds}). */
  readonly ends: Uint32Array;
}

/** Sort once and find the tie blocks. O(n) for n ≥ 256 (radix), O(n log n) below. */
export function rankScores(scores: ArrayLike<number>): Ranking {
  const order = argsortDescending(scores);
  const n = order.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = scores[order[i]!]!;
  const ends = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n - 1; i++) if (sorted[i] !== sorted[i + 1]) ends[k++] = i;
  if (n > 0) ends[k++] = n - 1;
  return { order, sorted, ends: ends.subarray(0, k) };
}
