/**
 * The unweighted ROC AUC and its DeLong placements need no argsort: only each class's scores in
 * ascending order. Sorting the two classes' values apart (a radix sort on the float bits, no
 * index array) and merging them is several times faster than ranking all samples together, which
 * is what makes AUC + DeLong on a million scores cheaper than scikit-learn's roc_auc_score alone.
 */
import type { BinaryInput } from './input.ts';
import { digitOffsets, MASK, RADIX } from './sort.ts';

/** Below this size the engine's comparison sort beats the radix sort's fixed histogram cost. */
const RADIX_MIN = 512;
/** Index of the high 32-bit word of a double in a Uint32Array view (platform byte order). */
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Each class's scores, ascending. */
export interface SortedClasses {
  readonly pos: Float64Array;
  readonly neg: Float64Array;
}

export function sortedByClass(input: BinaryInput): SortedClasses {
  const pos = new Float64Array(input.positives);
  const neg = new Float64Array(input.negatives);
  let p = 0;
  let q = 0;
  const { y, s } = input;
  for (let i = 0; i < y.length; i++) {
    // `+ 0` turns -0 into +0, so that the bit-level sort puts them in one tie block.
    if (y[i] === 1) pos[p++] = s[i]! + 0;
    else neg[q++] = s[i]! + 0;
  }
  return { pos: sortAscending(pos), neg: sortAscending(neg) };
}

/**
 * Sorts finite values ascending, in place, and returns them (values must be free of -0). An LSD
 * radix sort on the high 32 bits of each double (sign, exponent and 20 bits of mantissa) in
 * three 11-bit digits, moving the doubles themselves; values that share their high word (ties,
 * or values within about 1e-6 relative of each other) are then put in order by a comparison sort
 * of each such run, which is short unless the scores are tied, where it is already sorted.
 */
export function sortAscending(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  const counts = new Uint32Array(RADIX * 3);
  const hiOf = (w: Uint32Array, i: number): number => {
    const h = w[2 * i + HI]!;
    // Unsigned ascending order = numeric ascending: negatives flip every bit, the others the sign.
    return h & 0x80000000 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
  };
  let src: Float64Array = values;
  let srcW: Uint32Array = new Uint32Array(src.buffer, src.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const k = hiOf(srcW, i);
    counts[k & MASK]!++;
    counts[RADIX + ((k >>> 11) & MASK)]!++;
    counts[2 * RADIX + (k >>> 22)]!++;
  }
  let dst: Float64Array = new Float64Array(n);
  let dstW: Uint32Array = new Uint32Array(dst.buffer);
  const offsets = new Uint32Array(RADIX);
  for (let pass = 0; pass < 3; pass++) {
    if (!digitOffsets(counts, pass * RADIX, n, offsets)) continue;
    const shift = pass * 11;
    for (let i = 0; i < n; i++) dst[offsets[(hiOf(srcW, i) >>> shift) & MASK]!++] = src[i]!;
    [src, dst] = [dst, src];
    [srcW, dstW] = [dstW, srcW];
  }
  // Runs sharing a high word are in input order: sort each one.
  let start = 0;
  let key = hiOf(srcW, 0);
  for (let i = 1; i <= n; i++) {
    const k = i < n ? hiOf(srcW, i) : -1;
    if (k === key) continue;
    if (i - start > 1) sortRun(src, start, i);
    start = i;
    key = k;
  }
  if (src !== values) values.set(src);
  return values;
}

/** Sorts src[from, to): insertion sort for short runs (and tied ones, already in order), else the engine's. */
function sortRun(src: Float64Array, from: number, to: number): void {
  if (to - from > 32) {
    src.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = src[i]!;
    let j = i - 1;
    while (j >= from && src[j]! > v) {
      src[j + 1] = src[j]!;
      j--;
    }
    src[j + 1] = v;
  }
}

/**
 * DeLong's placements from the sorted classes: V10_i = share of negatives below positive i
 * (ties ½), V01_j = share of positives above negative j (ties ½). Listed in sorted order, which
 * is all the one-scorer variance needs (the paired test aligns them by sample instead). The AUC
 * is the Mann–Whitney count Σ (2·#below + #tied) over the positives, an integer exact in a
 * double up to 2^53, divided by 2·m·n.
 */
export function sortedPlacements(c: SortedClasses): {
  readonly auc: number;
  readonly v10: Float64Array;
  readonly v01: Float64Array;
} {
  const { pos, neg } = c;
  const m = pos.length;
  const n = neg.length;
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let below = 0;
  let upto = 0;
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const v = pos[i]!;
    while (below < n && neg[below]! < v) below++;
    if (upto < below) upto = below;
    while (upto < n && neg[upto]! <= v) upto++;
    sum += below + upto;
    v10[i] = (below + upto) / (2 * n);
  }
  // Positives above negative j: m − #(positives ≤ v), ties ½.
  let pBelow = 0;
  let pUpto = 0;
  for (let j = 0; j < n; j++) {
    const v = neg[j]!;
    while (pBelow < m && pos[pBelow]! < v) pBelow++;
    if (pUpto < pBelow) pUpto = pBelow;
    while (pUpto < m && pos[pUpto]! <= v) pUpto++;
    v01[j] = (2 * m - pBelow - pUpto) / (2 * m);
  }
  return { auc: sum / (2 * m * n), v10, v01 };
}
