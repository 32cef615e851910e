/**
 * Lead-time metrics: how well failures are caught as a function of how far ahead of the failure
 * the series ends. Each bucket's anomalies are ranked against ALL normals (a bucket holds
 * anomalies only), and recall is measured at the decision threshold.
 */
import { HarnessError } from '../errors.ts';
import { evaluateCell, type StratumCell } from './cell.ts';
import { rankSet, type RankedSet } from './ranked-set.ts';
import { prepareBinary } from './input.ts';
import { defined, undefinedMetric, type MetricValue } from './types.ts';

/** A lead-time bucket in days, [lo, hi). */
export interface LeadTimeBucket {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
}

/** Input of {@link leadTimeMetrics}. */
export interface LeadTimeInput {
  readonly y: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  /** Days from the end of the series to the failure, per sample; NaN or null for normals. */
  readonly leadTimes: ArrayLike<number | null>;
  /** Decision threshold (score ≥ threshold ⇒ flagged). */
  readonly threshold: number;
  /** The buckets, e.g. the data schema's `LEAD_TIME_BUCKETS`: an argument so that metrics imports nothing of the data layer. */
  readonly buckets: readonly LeadTimeBucket[];
  /** DeLong CI level. Default 0.95. */
  readonly level?: number;
  /** Cells with fewer anomalies are marked `too_few`. Default 5. */
  readonly minPositives?: number;
  /** The evaluated set ranked once ({@link rankSet}), when the caller has it already. */
  readonly ranked?: RankedSet;
}

/** One bucket's cell: the stratum cell plus its bounds. */
export interface LeadTimeCell extends StratumCell {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Per lead-time bucket: recall at the threshold among the bucket's anomalies and the AUC (with
 * DeLong CI) of those anomalies against all normals. Anomalies without a lead time fall in no
 * bucket. O(B·N log N) for B buckets.
 */
export function leadTimeMetrics(input: LeadTimeInput): readonly LeadTimeCell[] {
  const { y, scores, leadTimes } = input;
  if (leadTimes.length !== y.length)
    throw new HarnessError(
      'E_METRIC',
      `leadTimeMetrics: y has ${y.length} entries but leadTimes has ${leadTimes.length}`,
    );
  if (!input.ranked) prepareBinary(y, scores, undefined, 'leadTimeMetrics');
  const buckets = input.buckets;
  const members: number[][] = buckets.map(() => []);
  // Cells on the set in score order (see breakdownCoded): members are positions, each bucket's
  // anomalies come sorted and its cell merges them with the sorted normals.
  const ranked = input.ranked ?? rankSet(y, scores);
  for (let p = 0; p < y.length; p++) {
    if (ranked.y[p] === 0) continue;
    const lt = leadTimes[ranked.order[p]!];
    if (lt === null || lt === undefined || Number.isNaN(lt)) continue;
    const b = buckets.findIndex((k) => lt >= k.lo && lt < k.hi);
    if (b >= 0) members[b]!.push(p);
  }
  return buckets.map((b, k) => ({
    ...evaluateCell(b.name, {
      y: ranked.y,
      scores: ranked.scores,
      members: members[k]!,
      comparison: 'vs_all_normals',
      threshold: input.threshold,
      level: input.level ?? 0.95,
      minPositives: input.minPositives ?? 5,
      allNormals: ranked.normalPositions,
      ranked,
    }),
    lo: b.lo,
    hi: b.hi,
  }));
}

/**
 * Share of failures caught with at least `k` days of warning: detected and lead time ≥ k, over
 * all failures. Entries with a NaN lead time are not failures and are skipped. Undefined with
 * no failures.
 */
export function caughtWithWarning(
  leadTimes: ArrayLike<number>,
  detected: ArrayLike<boolean | number>,
  k: number,
): MetricValue {
  if (leadTimes.length !== detected.length)
    throw new HarnessError(
      'E_METRIC',
      `caughtWithWarning: ${leadTimes.length} lead times but ${detected.length} detections`,
    );
  if (Number.isNaN(k)) throw new HarnessError('E_METRIC', 'caughtWithWarning: k is NaN');
  let failures = 0;
  let caught = 0;
  for (let i = 0; i < leadTimes.length; i++) {
    const lt = leadTimes[i]!;
    if (Number.isNaN(lt)) continue;
    failures++;
    if (detected[i] && lt >= k) caught++;
  }
  if (failures === 0)
    return undefinedMetric('no_positives', 'caught-with-warning is undefined: no failures');
  return defined(caught / failures);
}
