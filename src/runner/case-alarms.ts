/**
 * The alarm-level evaluation of a scored case whose model has `scoreOverTime`: alarms raised
 * from each test system's score over time at the case's alarm threshold (alarms-from-scores.ts),
 * judged against the labels' `failure_at` / `onset_at` (alarms.ts), a few timelines kept for the
 * plots, and the metrics merged into the case summary so that assertions read them by name.
 */
import { failureAtDisagreement } from '../data/index.ts';
import type { SystemRecord } from '../data/types.ts';
import { HarnessError } from '../errors.ts';
import {
  cooldownDaysOf,
  DEFAULT_COOLDOWN_DAYS,
  DEFAULT_MIN_DURATION,
  evaluateAlarms,
  momentsOf,
  type AlarmSummary,
  type AlarmSystem,
  type CaseAlarms,
  type Debounce,
  type EvaluationSummary,
  type JsonCell,
  type JsonCi,
  type ScoreTimeline,
  type StrataColumn,
  type AlarmMetricSet,
  alarmBreakdown,
  type AlarmStratumValue,
  rackStratumValue,
} from '../metrics/index.ts';
import { alarmUnits, type AlarmUnit } from './alarm-units.ts';
import type { AlarmInput } from './cross-validate.ts';
import type { OverTime } from './over-time.ts';
import type { SuiteAlarms } from './suite.ts';

/** Timelines kept per case: failures first, then the normals with the most false alarms. */
export const TIMELINE_FAILURES = 6;
export const TIMELINE_NORMALS = 2;
/** Most points of a kept timeline (more is more than a chart's width can show). */
export const TIMELINE_MAX_POINTS = 2000;

/** A suite's `alarms` with defaults filled and checked; `where` names the suite in messages. */
export function resolveDebounce(spec: SuiteAlarms | undefined, where: string): Debounce {
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || Array.isArray(spec)))
    throw new HarnessError(
      'E_SUITE',
      `${where}: alarms must be true or { minDuration?, cooldown? }, got ${JSON.stringify(spec)}`,
    );
  const unknown = Object.keys(spec ?? {}).filter((k) => k !== 'minDuration' && k !== 'cooldown');
  if (unknown.length > 0)
    throw new HarnessError(
      'E_SUITE',
      `${where}: alarms has no option ${unknown.map((k) => JSON.stringify(k)).join(', ')} (options: minDuration, cooldown)`,
    );
  const minDuration = spec?.minDuration ?? DEFAULT_MIN_DURATION;
  if (!Number.isInteger(minDuration) || minDuration < 1)
    throw new HarnessError(
      'E_SUITE',
      `${where}: alarms.minDuration must be a whole number ≥ 1 (consecutive scored instants at or above the threshold), got ${JSON.stringify(minDuration)}`,
    );
  const cooldownDays =
    spec?.cooldown === undefined ? DEFAULT_COOLDOWN_DAYS : cooldownDaysOf(spec.cooldown, where);
  return { minDuration, cooldownDays };
}

/**
 * Alarms, metrics and timelines of one case. Systems without a score over time (none, unless
 * the run stopped) are left out; the windows of one rack are judged as one unit
 * (alarm-units.ts). `seed` seeds the metrics' bootstrap.
 */
export function caseAlarms(
  input: AlarmInput,
  test: readonly SystemRecord[],
  debounce: Debounce,
  seed: string,
  strata: Readonly<Record<string, StrataColumn>> = {},
): { readonly alarms: CaseAlarms; readonly cells: AlarmCells } {
  assertFailuresAgree(test, input.overTime);
  const units = alarmUnits(test, input.overTime, input.threshold, debounce);
  const systems = units.map((u) => u.system);
  // The guard reads each system's own scores, windows too: the training windows that set the
  // threshold are judged one by one (cross-validate.ts), so a window too short to hold a run
  // gives a threshold no training window could reach, and alarms raised on a rack's merged
  // timeline against it would measure nothing.
  const series = input.overTime.filter((o): o is OverTime => !!o);
  // A model's alarms fire at scored instants, inside the data (over-time.ts checks each t), so
  // a failure whose data ends before its event window could not be caught: unobservable.
  const judged = evaluateAlarms(systems, {
    cooldownDays: debounce.cooldownDays,
    alarmsInsideData: true,
    seed: `${seed}:alarms`,
  });
  const judgedCells = alarmCells(units, strata, debounce, seed);
  // When no alarm could fire at all, "0 false alarms, nothing caught" measures the setup, not
  // the model: every alarm metric is undefined with the reason, so an assertion on it fails.
  const blocked = noAlarmPossible(series, input.threshold, debounce.minDuration);
  const summary =
    blocked === null
      ? judged
      : {
          ...judged,
          ...voided(judged, blocked),
          breakdown: {
            failure_type: judged.breakdown.failure_type.map((c) => ({
              ...c,
              ...voided(c, blocked),
            })),
          },
        };
  const cells: AlarmCells =
    blocked === null
      ? judgedCells
      : Object.fromEntries(
          Object.entries(judgedCells).map(([column, m]) => [
            column,
            new Map([...m].map(([stratum, set]) => [stratum, { ...set, ...voided(set, blocked) }])),
          ]),
        );
  const alarms: CaseAlarms = {
    threshold: input.threshold,
    minDuration: debounce.minDuration,
    cooldownDays: debounce.cooldownDays,
    summary,
    // No threshold (no training normals: nothing may alarm) leaves nothing to draw a timeline
    // against, and results.json could not hold it (Infinity is null there).
    timelines: Number.isFinite(input.threshold)
      ? keptTimelines(
          systems,
          units.map((u) => u.overTime),
          input.threshold,
        )
      : [],
  };
  return { alarms, cells };
}

/**
 * Refuses (E_DATA) anomaly labels whose `failure_at` disagrees with their series, by the rule
 * `harness validate` and the label app apply (lead-time.ts): alarms are judged against
 * failure_at, so one typed a year wrong, or far from lead_time_days after the data, measured
 * warning time from a date the series does not support, while validate refused the same files.
 */
function assertFailuresAgree(
  test: readonly SystemRecord[],
  overTime: readonly (OverTime | null)[],
): void {
  const problems: string[] = [];
  test.forEach((s, i) => {
    const o = overTime[i];
    const failureAt = s.label.failure_at;
    if (!o || s.label.label !== 'anomaly' || failureAt === undefined) return;
    const why = failureAtDisagreement(s.systemId, s.label.lead_time_days, failureAt, {
      first: o.spanStart,
      last: o.spanEnd,
    });
    if (why !== undefined) problems.push(why);
  });
  if (problems.length === 0) return;
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  throw new HarnessError(
    'E_DATA',
    `${problems.length} anomaly label(s) disagree with their series, so their alarms cannot be judged: ${problems.slice(0, 3).join('; ')}${more}; \`harness validate\` names their lines in labels.csv`,
  );
}

/**
 * Why no test system could raise an alarm whatever its scores, or null when one could: the
 * threshold is not a number a score reaches (Infinity: no training normal system with a
 * scored instant to set it from), or no score over time holds `minDuration` scored moments
 * (distinct instants) in a row (a window scenario
 * whose windows are shorter than the model's rolling window gets one instant per window). Then
 * "0 false alarms per system-month" would pass a gate on a model that was never able to alarm.
 */
export function noAlarmPossible(
  series: readonly OverTime[],
  threshold: number,
  minDuration: number,
): string | null {
  if (series.length === 0) return null;
  if (threshold === Infinity)
    return 'no alarm could fire: the alarm threshold is Infinity (no training normal system with a scored instant to set it from)';
  let longest = 0;
  for (const o of series) {
    // Tied instants are one moment, as alarmsFromScores counts them: three scores at one
    // timestamp are no run of three.
    const score = momentsOf(o).score;
    let run = 0;
    for (let i = 0; i < score.length; i++) {
      run = score[i] === score[i] ? run + 1 : 0;
      if (run > longest) longest = run;
    }
    if (longest >= minDuration) return null;
  }
  return `no alarm could fire: no test system's score over time has ${minDuration} scored instants in a row (alarms.minDuration; tied instants are one), the most is ${longest}; lower alarms.minDuration or score more instants per system (a series shorter than a rolling window gets one instant)`;
}

/** A metric set with every metric and CI undefined for `reason` (see {@link noAlarmPossible}). */
function voided(
  set: Pick<AlarmMetricSet, 'metrics' | 'ci' | 'distributions'>,
  reason: string,
): Pick<AlarmMetricSet, 'metrics' | 'ci' | 'undefined' | 'distributions'> {
  const names = Object.keys(set.metrics);
  return {
    metrics: Object.fromEntries(names.map((n) => [n, null])),
    ci: Object.fromEntries(Object.keys(set.ci).map((n) => [n, null])),
    undefined: Object.fromEntries(
      names.flatMap((n) => [
        [n, reason],
        [`ci.${n}`, reason],
      ]),
    ),
    distributions: { warning_days: null, detection_delay_days: null },
  };
}

/** The alarm metrics of each stratum of each breakdown column: column → stratum → metrics. */
export type AlarmCells = Readonly<Record<string, ReadonlyMap<string, AlarmMetricSet>>>;

/** The alarm metrics of each stratum of each breakdown column (alarm-breakdown.ts), by name. */
function alarmCells(
  units: readonly AlarmUnit[],
  strata: Readonly<Record<string, StrataColumn>>,
  debounce: Debounce,
  seed: string,
): AlarmCells {
  const out: Record<string, Map<string, AlarmMetricSet>> = {};
  const systems = units.map((u) => u.system);
  for (const [column, values] of Object.entries(strata)) {
    const cells = alarmBreakdown(column, systems, (k) => unitValue(units[k]!, values), {
      cooldownDays: debounce.cooldownDays,
      alarmsInsideData: true,
      seed: `${seed}:alarms`,
    });
    out[column] = new Map(cells.map((c) => [c.stratum, c]));
  }
  return out;
}

/** A unit's value in a column: its members' values, each once (a rack's windows share theirs). */
function unitValue(unit: AlarmUnit, values: StrataColumn): AlarmStratumValue {
  return rackStratumValue(unit.members.map((i) => values[i]));
}

/** The failures (in test order) and the normals with most false alarms, downsampled. */
function keptTimelines(
  systems: readonly AlarmSystem[],
  series: readonly OverTime[],
  threshold: number,
): ScoreTimeline[] {
  const failures = systems
    .map((_, i) => i)
    .filter((i) => systems[i]!.anomaly && Number.isFinite(systems[i]!.failureAt))
    .slice(0, TIMELINE_FAILURES);
  // False alarms of a normal are its alarms (a normal never detects anything); ties keep test order.
  const normals = systems
    .map((_, i) => i)
    .filter((i) => !systems[i]!.anomaly)
    .sort((a, b) => systems[b]!.alarms.length - systems[a]!.alarms.length || a - b)
    .slice(0, TIMELINE_NORMALS);
  return [...failures, ...normals].map((i) => {
    const s = systems[i]!;
    const { t, score } = downsample(series[i]!, TIMELINE_MAX_POINTS);
    return {
      systemId: s.systemId,
      failureType: s.failureType,
      anomaly: s.anomaly,
      t,
      score,
      alarms: Array.from(s.alarms),
      failureAt: Number.isFinite(s.failureAt) ? s.failureAt : null,
      onsetAt: Number.isFinite(s.onsetAt) ? s.onsetAt : null,
      threshold,
    };
  });
}

/**
 * At most `max` points of a score over time: consecutive instants in equal buckets, each
 * bucket kept as its highest score (at its instant), so that a peak that crossed the threshold
 * still crosses it on the chart. NaN becomes null (JSON).
 */
export function downsample(
  o: Pick<OverTime, 't' | 'score'>,
  max: number,
): { t: number[]; score: (number | null)[] } {
  const n = o.t.length;
  const t: number[] = [];
  const score: (number | null)[] = [];
  const buckets = Math.min(n, max);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let best = from;
    for (let i = from; i < to; i++) {
      const v = o.score[i] as number;
      const kept = o.score[best] as number;
      if (v === v && (kept !== kept || v > kept)) best = i;
    }
    const v = o.score[best] as number;
    t.push(o.t[best] as number);
    score.push(v === v ? v : null);
  }
  return { t, score };
}

const CASE_CI_METHODS: readonly string[] = ['delong', 'bootstrap', 'wilson'];

/** What a summary and a breakdown cell share: metric values, CIs and why a value is null. */
interface MetricSource {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly ci: Readonly<Record<string, JsonCi | null>>;
  readonly undefined: Readonly<Record<string, string>>;
}

/**
 * The case summary with the alarm metrics merged into `metrics`, `ci` and `undefined` under
 * their own names (`median_warning_days`, `false_alarms_per_system_month`, …), so that
 * `metric(m, 'median_warning_days')` asserts on them and results.json carries them.
 *
 * Names: the alarm metrics never share a name with a one-score metric (checked: a clash is a
 * bug, not a value to overwrite). In particular the one-score `caught_with_warning` (its own
 * field, keyed by days: failures *flagged at the threshold* whose data ends ≥ k days before the
 * failure) is not `caught_with_7d_warning` (a metric: failures whose first *alarm* in time came
 * ≥ 7 days before failure_at); both stay, each under its own name.
 *
 * An asymptotic interval (a set past BOOTSTRAP_MAX_UNITS) has no place among a case's CI
 * methods: its value stays in `alarms.summary.ci` and the case's `ci` says where.
 */
export function withAlarmMetrics(
  summary: EvaluationSummary,
  alarms: AlarmSummary,
  cells: AlarmCells = {},
): EvaluationSummary {
  const breakdown: Record<string, readonly JsonCell[]> = {};
  for (const [column, list] of Object.entries(summary.breakdown)) {
    const sets = cells[column];
    breakdown[column] = sets
      ? list.map((cell) => {
          const set = sets.get(cell.stratum);
          return set ? { ...cell, ...mergedMetrics(cell, set) } : cell;
        })
      : list;
  }
  return { ...summary, ...mergedMetrics(summary, alarms), breakdown };
}

/** A summary's or a cell's metrics, CIs and reasons with an alarm metric set added under its own names. */
function mergedMetrics<S extends MetricSource>(
  source: S,
  alarms: Pick<AlarmMetricSet, 'metrics' | 'ci' | 'undefined'>,
): Pick<S, 'metrics' | 'ci' | 'undefined'> {
  const clash = Object.keys(alarms.metrics).find((k) => k in source.metrics);
  if (clash !== undefined)
    throw new Error(`alarm metric "${clash}" has the name of a one-score metric`);
  const ci: Record<string, JsonCi | null> = { ...source.ci };
  const undefinedReasons: Record<string, string> = { ...source.undefined, ...alarms.undefined };
  for (const [name, c] of Object.entries(alarms.ci)) {
    if (c === null || CASE_CI_METHODS.includes(c.method)) ci[name] = c as JsonCi | null;
    else {
      ci[name] = null;
      undefinedReasons[`ci.${name}`] =
        `a ${c.method} interval (large set): see alarms.summary.ci.${name}`;
    }
  }
  return {
    metrics: { ...source.metrics, ...alarms.metrics },
    ci,
    undefined: undefinedReasons,
  } as Pick<S, 'metrics' | 'ci' | 'undefined'>;
}
