/**
 * The metrics of one stratum (a breakdown cell or a lead-time bucket), computed with the right
 * comparison: `within` ranks the stratum's own anomalies against its own normals; `vs_all_normals`
 * ranks the stratum's anomalies against every normal of the evaluated set, because a stratum of
 * anomalies only (a failure type, a lead-time bucket) has no normals of its own to be ranked against.
 */
import { delongAuc } from './delong.ts';
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
}

/** Compute one stratum's cell. O(k log k) in the size of the compared set. */
export function evaluateCell(stratum: string, c: CellInput): StratumCell {
  let positives = 0;
  let detected = 0;
  for (let i = 0; i < c.members.length; i++) {
    const j = c.members[i]!;
    if (c.y[j] === 1) {
      positives++;
      if (c.scores[j]! >= c.threshold) detected++;
    }
  }
  const negatives = c.members.length - positives;
  const comparison: CellComparison =
    c.comparison === 'auto'
      ? positives > 0 && negatives === 0
        ? 'vs_all_normals'
        : 'within'
      : c.comparison;
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
  const recall: MetricValue =
    positives === 0
      ? undefinedMetric('no_positives', `recall is undefined: no anomalies in stratum "${stratum}"`)
      : defined(detected / positives);
  return {
    stratum,
    n: c.members.length,
    positives,
    negatives,
    comparison,
    comparedNegatives,
    metrics: { roc_auc: auc, average_precision: averagePrecision(ys, ss), recall },
    ci: { roc_auc: ci },
    too_few: positives < c.minPositives,
  };
}
