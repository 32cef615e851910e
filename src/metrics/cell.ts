/**
 * The metrics of one stratum (a breakdown cell or a lead-time bucket), computed with the right
 * comparison: `within` ranks the stratum's own anomalies against its own normals; `vs_all_normals`
 * ranks the stratum's anomalies against every normal of the evaluated set, because a stratum of
 * anomalies only (a failure type, a lead-time bucket) has no normals of its own to be ranked against.
 */
import type { SortedClasses } from './class-sort.ts';
import { delongAuc, delongOfSorted, delongOfSortedGrouped, delongTooFew } from './delong.ts';
import { averagePrecisionOfSorted, type RankedSet } from './ranked-set.ts';
import { averagePrecision, rocAuc } from './ranking.ts';
import {
  defined,
  isUndefinedMetric,
  undefinedMetric,
  type ConfidenceInterval,
  type MetricValue,
  type UndefinedMetric,
} from './types.ts';

/** How a stratum's anomalies are compared. */
export type CellComparison = 'within' | 'vs_all_normals';

/** Metrics of one stratum. */
export interface StratumMetrics {
  readonly roc_auc: MetricValue;
  readonly average_precision: MetricValue;
  /** Share of the stratum's anomalies flagged at the threshold. */
  readonly recall: MetricValue;
}

/** One stratum's result. */
export interface StratumCell {
  readonly stratum: string;
  /** Members of the stratum (anomalies + normals in it). */
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly comparison: CellComparison;
  /** Normals the anomalies were ranked against (all normals for `vs_all_normals`). */
  readonly comparedNegatives: number;
  readonly metrics: StratumMetrics;
  readonly ci: { readonly roc_auc: ConfidenceInterval | UndefinedMetric };
  /** Fewer anomalies than `minPositives`: show it, but do not read much into it. */
  readonly too_few: boolean;
}

/** What a cell is computed from. */
export interface CellInput {
  readonly y: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  /** Indices of the stratum's members into y/scores. */
  readonly members: ArrayLike<number>;
  /** `auto`: `vs_all_normals` when the stratum has anomalies but no normals, else `within`. */
  readonly comparison: CellComparison | 'auto';
  readonly threshold: number;
  readonly level: number;
  readonly minPositives: number;
  /** Indices of all normals of the evaluated set (computed once by the caller). */
  readonly allNormals: ArrayLike<number>;
  /**
   * The evaluated set ranked once ({@link rankSet}), with `members` listed in its ascending
   * score order: the cell's metrics are then merged from sorted scores, without a sort of its own.
   */
  readonly ranked?: RankedSet;
}

/** Compute one stratum's cell. O(k log k) in the size of the compared set. */
export function evaluateCell(stratum: string, c: CellInput): StratumCell {
  let positives = 0;
  let detected = 0;
  // With a ranked set (members in ascending score order), the pass that counts also splits the
  // scores by class: anomalies ascending from the front, normals descending from the back.
  const split = c.ranked ? new Float64Array(c.members.length) : undefined;
  let back = c.members.length;
  for (let i = 0; i < c.members.length; i++) {
    const j = c.members[i]!;
    const v = c.scores[j]!;
    if (c.y[j] === 1) {
      // `+ 0` turns -0 into +0, as the sorted classes have it.
      if (split) split[positives] = v + 0;
      positives++;
      if (v >= c.threshold) detected++;
    } else if (split) split[--back] = v + 0;
  }
  const negatives = c.members.length - positives;
  const comparison: CellComparison =
    c.comparison === 'auto'
      ? positives > 0 && negatives === 0
        ? 'vs_all_normals'
        : 'within'
      : c.comparison;
  const recall: MetricValue =
    positives === 0
      ? undefinedMetric('no_positives', `recall is undefined: no anomalies in stratum "${stratum}"`)
      : defined(detected / positives);
  const cell = {
    stratum,
    n: c.members.length,
    positives,
    negatives,
    comparison,
    too_few: positives < c.minPositives,
  };
  const fast: SortedClasses | undefined =
    split && c.ranked && positives >= 2
      ? {
          pos: split.subarray(0, positives),
          // The normals of the stratum in ascending order, or every normal of the set.
          neg: comparison === 'within' ? split.subarray(positives).reverse() : c.ranked.normals,
        }
      : undefined;
  if (fast && fast.neg.length >= 2) {
    // Against all normals, the anomalies are few and the normals many: the grouped form reads
    // O(m log n) of the shared sorted normals instead of all of them.
    const dl =
      comparison === 'vs_all_normals'
        ? delongOfSortedGrouped(fast, c.level)
        : delongOfSorted(fast, c.level);
    if (!isUndefinedMetric(dl)) {
      return {
        ...cell,
        comparedNegatives: fast.neg.length,
        metrics: {
          roc_auc: defined(dl.auc),
          average_precision: averagePrecisionOfSorted(fast.pos, fast.neg),
          recall,
        },
        ci: { roc_auc: { method: 'delong', level: dl.level, low: dl.ci[0], high: dl.ci[1] } },
      };
    }
  }
  if (positives === 0) {
    // No anomalies to rank: the answers depend only on the class counts. ROC AUC and AP say
    // only whether there are normals at all, so one normal stands in for the compared set; the
    // DeLong reason names the counts.
    const comparedNegatives = comparison === 'within' ? negatives : c.allNormals.length;
    const probe = Math.min(1, comparedNegatives);
    const ys = new Uint8Array(probe);
    const ss = new Float64Array(probe);
    return {
      ...cell,
      comparedNegatives,
      metrics: { roc_auc: rocAuc(ys, ss), average_precision: averagePrecision(ys, ss), recall },
      ci: { roc_auc: delongTooFew(0, comparedNegatives)! },
    };
  }
  // The compared set: the stratum itself, or its anomalies plus all normals.
  const ys: number[] = [];
  const ss: number[] = [];
  for (let i = 0; i < c.members.length; i++) {
    const j = c.members[i]!;
    if (comparison === 'within' || c.y[j] === 1) {
      ys.push(c.y[j]!);
      ss.push(c.scores[j]!);
    }
  }
  if (comparison === 'vs_all_normals') {
    for (let i = 0; i < c.allNormals.length; i++) {
      const j = c.allNormals[i]!;
      ys.push(0);
      ss.push(c.scores[j]!);
    }
  }
  const comparedNegatives = ys.length - positives;
  // DeLong's pass yields the AUC too; rocAuc runs only where DeLong is undefined (< 2 per class).
  const dl = delongAuc(ys, ss, { level: c.level });
  const auc: MetricValue = dl.value !== null ? defined(dl.auc) : rocAuc(ys, ss);
  const ci: ConfidenceInterval | UndefinedMetric = isUndefinedMetric(dl)
    ? dl
    : { method: 'delong', level: dl.level, low: dl.ci[0], high: dl.ci[1] };
  return {
    ...cell,
    comparedNegatives,
    metrics: { roc_auc: auc, average_precision: averagePrecision(ys, ss), recall },
    ci: { roc_auc: ci },
  };
}
