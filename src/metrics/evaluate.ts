/**
 * The full evaluation of one set of scores: headline metrics, threshold metrics, DeLong CI
 * (and optionally a bootstrap CI), lead-time buckets and breakdowns, as one JSON-ready object.
 * Undefined metrics are `null` in `metrics`/`ci`, with their reason under `undefined`; this is
 * the object `harness evaluate --json` prints.
 */
import { HarnessError } from '../errors.ts';
import { bootstrapCi, rocAucMetric, type BootstrapOptions } from './bootstrap.ts';
import { breakdownCoded, codeStrata, type CodedStrata } from './breakdown.ts';
import type { CellComparison, StratumCell } from './cell.ts';
import {
  averagePrecisionOfSorted,
  rankSet,
  recallAtFprOfSorted,
  type RankedSet,
} from './ranked-set.ts';
import { delongOfSorted } from './delong.ts';
import { wilsonInterval } from './wilson.ts';
import { prepareBinary } from './input.ts';
import { caughtWithWarning, leadTimeMetrics, type LeadTimeBucket } from './lead-time.ts';
import { averagePrecision, recallAtFpr, rocAuc } from './ranking.ts';
import { chooseThreshold, confusionAt, thresholdMetrics, type ThresholdSpec } from './threshold.ts';
import { isUndefinedMetric, type MetricValue } from './types.ts';

/** A strata column aligned with `y`: one value, several values (a system in each), or missing. */
export type StrataColumn = ArrayLike<string | readonly string[] | null | undefined>;

function isCodedStrata(v: StrataColumn | CodedStrata): v is CodedStrata {
  return (v as CodedStrata).codes instanceof Int32Array;
}

/** Input of {@link evaluateScores}. */
export interface EvaluateInput {
  /** 1 = anomaly, 0 = normal. */
  readonly y: ArrayLike<number>;
  /** Higher = more anomalous; must be finite. */
  readonly scores: ArrayLike<number>;
  /** A fixed threshold or a way to choose one. Default: fixed 0.5. */
  readonly threshold?: number | ThresholdSpec;
  /** Columns to break the metrics down by, aligned with `y` (e.g. failure_type, season). */
  readonly strata?: Readonly<Record<string, StrataColumn | CodedStrata>>;
  /** Per-column comparison override for breakdowns (default `auto`). */
  readonly comparison?: Readonly<Record<string, CellComparison | 'auto'>>;
  /** Lead times in days (NaN/null for normals): adds the `lead_time` section. */
  readonly leadTimes?: ArrayLike<number | null>;
  /** The lead-time buckets (the data schema's `LEAD_TIME_BUCKETS`); required with `leadTimes`. */
  readonly leadTimeBuckets?: readonly LeadTimeBucket[];
  /** With `leadTimes`: report the share of failures caught with at least k days of warning, for each k. Default [1, 7, 30]. */
  readonly warningDays?: readonly number[];
  /** Confidence level of every CI. Default 0.95. */
  readonly ciLevel?: number;
  /** Also compute a stratified bootstrap CI of ROC AUC (`true` = defaults). */
  readonly bootstrap?: boolean | BootstrapOptions;
  /** Breakdown cells with fewer anomalies are marked `too_few`. Default 5. */
  readonly minPositives?: number;
  /**
   * `rankSet(y, scores)` of these very `y` and `scores`, when the caller ranked them already (to
   * do it while waiting for something else); computed here otherwise.
   */
  readonly ranked?: RankedSet;
  /** System ids, aligned with `y` (callers pass them for their own records; the metrics do not read them). */
  readonly systemIds?: readonly string[];
}

/** A CI as JSON. */
export interface JsonCi {
  readonly method: 'delong' | 'bootstrap' | 'wilson';
  readonly level: number;
  readonly low: number;
  readonly high: number;
  /** Bootstrap only: replicates used / dropped, seed. */
  readonly reps?: number;
  readonly dropped?: number;
  readonly seed?: string;
}

/** A breakdown or lead-time cell as JSON. */
export interface JsonCell {
  readonly stratum: string;
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly comparison: CellComparison;
  readonly compared_negatives: number;
  readonly too_few: boolean;
  /** The cell's metrics; a suite with `alarms` adds the alarm metrics of the stratum's systems. */
  readonly metrics: Readonly<Record<'roc_auc' | 'average_precision' | 'recall', number | null>> &
    Readonly<Record<string, number | null>>;
  readonly ci: { readonly roc_auc: JsonCi | null } & Readonly<Record<string, JsonCi | null>>;
  readonly undefined: Readonly<Record<string, string>>;
}

/** The evaluation summary (JSON-ready: numbers, strings, booleans, null). */
export interface EvaluationSummary {
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly threshold: {
    readonly value: number | null;
    readonly kind: ThresholdSpec['kind'];
    readonly oracle: boolean;
    readonly note?: string;
  };
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly confusion: {
    readonly tp: number;
    readonly fp: number;
    readonly tn: number;
    readonly fn: number;
  };
  readonly ci: Readonly<Record<string, JsonCi | null>>;
  /** Metric name → why it is undefined (its value is `null`). */
  readonly undefined: Readonly<Record<string, string>>;
  /** Metric name → convention that produced its value (e.g. `zero_division`). */
  readonly notes: Readonly<Record<string, string>>;
  readonly breakdown: Readonly<Record<string, readonly JsonCell[]>>;
  readonly lead_time?: readonly (JsonCell & { readonly lo: number; readonly hi: number | null })[];
  /** Share of failures flagged at the threshold with at least k days of warning, keyed by k (`"7"`). */
  readonly caught_with_warning?: Readonly<Record<string, number | null>>;
}

/** JSON has no Infinity: an open bound or an unreachable threshold is `null`. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Collects metric values into the `metrics` / `undefined` / `notes` maps. */
class Sink {
  readonly values: Record<string, number | null> = {};
  readonly undefined: Record<string, string> = {};
  readonly notes: Record<string, string> = {};
  put(name: string, m: MetricValue): void {
    this.values[name] = m.value;
    if (m.value === null) this.undefined[name] = m.reason;
    else if (m.note !== undefined) this.notes[name] = m.note;
  }
}

function cellJson(c: StratumCell): JsonCell {
  const sink = new Sink();
  sink.put('roc_auc', c.metrics.roc_auc);
  sink.put('average_precision', c.metrics.average_precision);
  sink.put('recall', c.metrics.recall);
  const ci = c.ci.roc_auc;
  if (isUndefinedMetric(ci)) sink.undefined['ci.roc_auc'] = ci.reason;
  return {
    stratum: c.stratum,
    n: c.n,
    positives: c.positives,
    negatives: c.negatives,
    comparison: c.comparison,
    compared_negatives: c.comparedNegatives,
    too_few: c.too_few,
    metrics: sink.values as JsonCell['metrics'],
    ci: {
      roc_auc: isUndefinedMetric(ci)
        ? null
        : { method: ci.method, level: ci.level, low: ci.low, high: ci.high },
    },
    undefined: sink.undefined,
  };
}

/**
 * Evaluate scores against labels: everything a report or `harness evaluate --json` shows.
 * O(N log N) plus O(S·N log N) for S breakdown strata (and O(reps·N) with the bootstrap).
 */
export function evaluateScores(input: EvaluateInput): EvaluationSummary {
  const { y, scores } = input;
  const level = input.ciLevel ?? 0.95;
  const checked = prepareBinary(y, scores, undefined, 'evaluateScores');
  const spec: ThresholdSpec =
    input.threshold === undefined
      ? { kind: 'fixed', value: 0.5 }
      : typeof input.threshold === 'number'
        ? { kind: 'fixed', value: input.threshold }
        : input.threshold;
  const choice = chooseThreshold(spec, { y, scores });
  const counts = confusionAt(y, scores, choice.threshold);
  const tm = thresholdMetrics(counts);
  const sink = new Sink();
  // Ranked once: the headline, every breakdown cell and lead-time bucket read the sorted classes.
  const ranked = input.ranked ?? rankSet(checked.y, checked.s);
  const sorted = { pos: ranked.positives, neg: ranked.normals };
  // DeLong's pass yields the AUC too; rocAuc runs only where DeLong is undefined (< 2 per class).
  const dl = delongOfSorted(sorted, level);
  sink.put('roc_auc', dl.value !== null ? { value: dl.auc } : rocAuc(y, scores));
  sink.put(
    'average_precision',
    checked.positives > 0
      ? averagePrecisionOfSorted(sorted.pos, sorted.neg)
      : averagePrecision(y, scores),
  );
  sink.put('precision', tm.precision);
  sink.put('recall', tm.recall);
  sink.put('f1', tm.f1);
  sink.put('fpr', tm.fpr);
  sink.put('specificity', tm.specificity);
  for (const [name, target] of [
    ['recall_at_fpr_1pct', 0.01],
    ['recall_at_fpr_5pct', 0.05],
  ] as const) {
    if (checked.positives > 0 && checked.negatives > 0) {
      sink.put(name, { value: recallAtFprOfSorted(sorted.pos, sorted.neg, target) });
      continue;
    }
    const r = recallAtFpr(y, scores, target);
    sink.put(name, r.value === null ? r : { value: r.value });
  }
  sink.values['threshold'] = finiteOrNull(choice.threshold);
  if (choice.oracle)
    sink.notes['threshold'] = 'oracle: chosen on the test labels, metrics at it are optimistic';

  const ci: Record<string, JsonCi | null> = {};
  if (dl.value === null) {
    ci['roc_auc'] = null;
    sink.undefined['ci.roc_auc'] = dl.reason;
  } else {
    ci['roc_auc'] = { method: 'delong', level, low: dl.ci[0], high: dl.ci[1] };
  }
  // The false-alarm rate's interval: a binomial share of the test normals (Wilson, see wilson.ts).
  const fprCi = wilsonInterval(counts.fp, counts.fp + counts.tn, level);
  if (fprCi === null) {
    ci['fpr'] = null;
    sink.undefined['ci.fpr'] = 'no normals in the test set';
  } else {
    ci['fpr'] = { method: 'wilson', level, low: fprCi.low, high: fprCi.high };
  }
  if (input.bootstrap) {
    const opts: BootstrapOptions =
      input.bootstrap === true ? { level } : { level, ...input.bootstrap };
    const b = bootstrapCi(y, scores, rocAucMetric, opts);
    if (isUndefinedMetric(b)) {
      ci['roc_auc_bootstrap'] = null;
      sink.undefined['ci.roc_auc_bootstrap'] = b.reason;
    } else {
      ci['roc_auc_bootstrap'] = {
        method: 'bootstrap',
        level: b.level,
        low: b.low,
        high: b.high,
        reps: b.used,
        dropped: b.dropped,
        seed: b.seed,
      };
    }
  }

  const cells: Record<string, readonly JsonCell[]> = {};
  if (input.strata) {
    for (const [column, values] of Object.entries(input.strata)) {
      const coded = isCodedStrata(values) ? values : codeStrata(values);
      const length = coded.start ? coded.start.length - 1 : coded.codes.length;
      if (length !== y.length)
        throw new HarnessError(
          'E_METRIC',
          `evaluateScores: strata column "${column}" has ${length} entries, y has ${y.length}`,
        );
      cells[column] = breakdownCoded(y, scores, coded, {
        threshold: choice.threshold,
        level,
        minPositives: input.minPositives ?? 5,
        comparison: input.comparison?.[column] ?? 'auto',
        ranked,
      }).map(cellJson);
    }
  }
  const summary: EvaluationSummary = {
    n: checked.y.length,
    positives: checked.positives,
    negatives: checked.negatives,
    threshold: {
      value: finiteOrNull(choice.threshold),
      kind: choice.kind,
      oracle: choice.oracle,
      ...(choice.note !== undefined ? { note: choice.note } : {}),
    },
    metrics: sink.values,
    confusion: counts,
    ci,
    undefined: sink.undefined,
    notes: sink.notes,
    breakdown: cells,
  };
  if (input.leadTimes === undefined) return summary;
  if (input.leadTimeBuckets === undefined)
    throw new HarnessError(
      'E_METRIC',
      'evaluateScores: leadTimes needs leadTimeBuckets (e.g. LEAD_TIME_BUCKETS of the data schema)',
    );
  const lead = leadTimeMetrics({
    y,
    scores,
    leadTimes: input.leadTimes,
    threshold: choice.threshold,
    level,
    minPositives: input.minPositives ?? 5,
    buckets: input.leadTimeBuckets,
    ranked,
  });
  // Plain loops, not Array.from with a callback: a million calls cost more than the metric.
  const leadTimes = new Float64Array(y.length);
  const detected = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) {
    leadTimes[i] = y[i] === 1 ? Number(input.leadTimes[i] ?? NaN) : NaN;
    detected[i] = scores[i]! >= choice.threshold ? 1 : 0;
  }
  const caught: Record<string, number | null> = {};
  for (const k of input.warningDays ?? [1, 7, 30])
    caught[String(k)] = caughtWithWarning(leadTimes, detected, k).value;
  return {
    ...summary,
    lead_time: lead.map((c) => ({ ...cellJson(c), lo: c.lo, hi: finiteOrNull(c.hi) })),
    caught_with_warning: caught,
  };
}
