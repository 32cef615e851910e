/**
 * Resolving a MetricRef against the graded cases. Every way a reference can be wrong (unknown
 * model, metric, column or stratum; a model that crashed) becomes an `errored` outcome whose
 * message lists what does exist, so the suite author can fix the typo without reading code.
 */
import type { EvaluationSummary, JsonCell, JsonCi } from '../metrics/index.ts';
import { refLabel } from './format.ts';
import type { GradedCase, MetricRef } from './types.ts';

/** Names of the alarm metrics (metrics/alarms.ts), which only a scoreOverTime model's case has. */
const ALARM_METRIC =
  /^(?:median_)?warning_days$|^caught_with_\d+d_warning$|^false_alarms_per_system_month$|^event_(?:precision|recall)(?:_weighted)?$|^detection_delay_days$/;

/** A case that produced scores. */
export type ScoredCase = Extract<GradedCase, { state: 'scored' }>;

/** A value, or why an assertion could not get one. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly state: 'errored' | 'failed'; readonly message: string };

/** What one metric reference reads. */
export interface Reading {
  /** `zscore roc_auc`, `pca recall[failure_type=short]`, `zscore roc_auc CI low`. */
  readonly label: string;
  /** The value (or CI bound when `ref.ci` is set); null when undefined. */
  readonly value: number | null;
  /** Why `value` is null. */
  readonly reason?: string;
  /** The metric's CI: absent when the metric has none, null when it is undefined here. */
  readonly ci?: JsonCi | null;
  /** Why `ci` is null. */
  readonly ciReason?: string;
}

/** What summaries and breakdown cells share: metric values, CIs and reasons. */
export interface MetricSource {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly ci: Readonly<Record<string, JsonCi | null>>;
  readonly undefined: Readonly<Record<string, string>>;
  /** Metric → the convention that gave its value (`zero_division`); a summary has it (a cell's zero denominators are null). */
  readonly notes?: Readonly<Record<string, string>>;
}

/** What a zero denominator means, per threshold metric. */
const ZERO_DENOMINATOR: Readonly<Record<string, string>> = {
  recall: 'no anomaly',
  fpr: 'no normal',
  specificity: 'no normal',
  precision: 'nothing flagged',
  f1: 'no anomaly and nothing flagged',
};

/** An `errored` outcome: the assertion cannot be graded as written. */
export function errored(message: string): Outcome<never> {
  return { ok: false, state: 'errored', message };
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

/** The scored case of `model`, or why there is none. */
export function resolveCase(
  model: string,
  cases: Readonly<Record<string, GradedCase>>,
): Outcome<ScoredCase> {
  const c = Object.hasOwn(cases, model) ? cases[model] : undefined;
  if (c === undefined)
    return errored(`unknown model "${model}" (models in this suite: ${list(Object.keys(cases))})`);
  if (c.state === 'errored') return errored(`model "${model}" did not produce scores: ${c.error}`);
  return { ok: true, value: c };
}

/** The cells of breakdown column `by`, or why there are none. */
export function resolveColumn(
  summary: EvaluationSummary,
  model: string,
  by: string,
): Outcome<readonly JsonCell[]> {
  const cells = Object.hasOwn(summary.breakdown, by) ? summary.breakdown[by] : undefined;
  if (cells === undefined) {
    return errored(
      `unknown breakdown column "${by}" for ${model} (columns in this suite: ${list(Object.keys(summary.breakdown))}); add it to the suite's breakdown or fix the name`,
    );
  }
  return { ok: true, value: cells };
}

/** One metric of a summary or a cell, with its CI when it has one, read as `ref` asks. */
export function readSource(
  source: MetricSource,
  ref: MetricRef,
  label: string,
  where: string,
): Outcome<Reading> {
  if (!Object.hasOwn(source.metrics, ref.metric)) {
    const hint = ALARM_METRIC.test(ref.metric)
      ? `; "${ref.metric}" is an alarm metric, measured only in a suite with \`alarms\` for a model with scoreOverTime`
      : '';
    return errored(
      `unknown metric "${ref.metric}" for ${where} (known metrics: ${list(Object.keys(source.metrics))})${hint}`,
    );
  }
  const hasCi = Object.hasOwn(source.ci, ref.metric);
  const ci = hasCi ? (source.ci[ref.metric] ?? null) : undefined;
  const ciReason = source.undefined[`ci.${ref.metric}`];
  const withCi = {
    ...(ci !== undefined ? { ci } : {}),
    ...(ciReason !== undefined ? { ciReason } : {}),
  };
  if (ref.ci === undefined) {
    // A zero denominator is reported as 0 (scikit-learn's zero_division), but no bound can be
    // judged on it: `fpr < 0.05` on a test split with no normals passed. It reads as undefined.
    const zeroDivision = source.notes?.[ref.metric] === 'zero_division';
    const value = zeroDivision ? null : (source.metrics[ref.metric] ?? null);
    const reason = zeroDivision
      ? `its denominator is 0 (${ZERO_DENOMINATOR[ref.metric] ?? 'no case to count'}), reported as 0 by scikit-learn's zero_division convention: no bound can be judged on it`
      : source.undefined[ref.metric];
    return {
      ok: true,
      value: { label, value, ...(reason !== undefined ? { reason } : {}), ...withCi },
    };
  }
  if (ci === undefined) {
    return errored(
      `${label}: ${ref.metric} has no confidence interval (metrics with one: ${list(Object.keys(source.ci))}); drop ci: '${ref.ci}'`,
    );
  }
  const value = ci === null ? null : ci[ref.ci];
  return {
    ok: true,
    value: { label, value, ...(ciReason !== undefined ? { reason: ciReason } : {}), ...withCi },
  };
}

/**
 * Read a reference to one number: a whole-set metric, or one named stratum of a breakdown column.
 * A `by` without a `stratum` is an error here; `.each` reads the column cell by cell itself.
 */
export function readRef(
  ref: MetricRef,
  cases: Readonly<Record<string, GradedCase>>,
): Outcome<Reading> {
  const c = resolveCase(ref.model, cases);
  if (!c.ok) return c;
  const summary = c.value.summary;
  if (ref.by === undefined) {
    if (ref.stratum !== undefined)
      return errored(
        `${refLabel(ref)}: stratum "${ref.stratum}" needs a breakdown column; add by: '<column>'`,
      );
    return readSource(summary, ref, refLabel(ref), ref.model);
  }
  const column = resolveColumn(summary, ref.model, ref.by);
  if (!column.ok) return column;
  if (ref.stratum === undefined) {
    return errored(
      `${refLabel(ref)} is broken down by ${ref.by} (strata: ${list(column.value.map((cell) => cell.stratum))}): pick one with stratum: '<name>' or use .each to check every stratum`,
    );
  }
  const cell = column.value.find((x) => x.stratum === ref.stratum);
  if (cell === undefined) {
    return errored(
      `no stratum "${ref.stratum}" in ${ref.by} for ${ref.model} (strata: ${list(column.value.map((x) => x.stratum))})`,
    );
  }
  return readSource(cell, ref, refLabel(ref), `${ref.model} ${ref.by}=${ref.stratum}`);
}

/** Read one cell of a column as `ref` (with `ref.by` set) for `.each`. */
export function readCell(cell: JsonCell, ref: MetricRef): Outcome<Reading> {
  return readSource(
    cell,
    ref,
    refLabel(ref, cell.stratum),
    `${ref.model} ${ref.by ?? ''}=${cell.stratum}`,
  );
}
