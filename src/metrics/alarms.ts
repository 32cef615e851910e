/**
 * Alarm-level metrics: when did a detector warn, and how often did it cry wolf. Each system's
 * alarms are judged by `judgeSystemAlarms` (alarm-events.ts: event window, detection, debounce,
 * observability); this module aggregates them. Pure; O(total alarms + reps·systems).
 *
 * Metrics (names as results.json carries them under `metrics`):
 * - `warning_days`: mean over caught failures of failure_at − detection (days); the detection
 *   is the first alarm in the event window, so alarms after failure_at never count.
 *   `median_warning_days` is its median; `distributions.warning_days` its quantiles.
 * - `caught_with_1d_warning`, `caught_with_7d_warning`, `caught_with_30d_warning`: share of the
 *   observable failures detected at least 1, 7, 30 days before failure_at (warning ≥ k, ties in).
 * - `false_alarms_per_system_month`: debounced alarms on normal systems / their observed
 *   system-months (span = last − first instant, gaps included, 30.44-day months). A normal
 *   marked `unscored` adds neither; when every normal is, the rate and event precision are
 *   undefined: no false alarm could have been seen, and "0 per month" would pass any gate.
 * - `event_recall`: caught / observable failures (an event counts once, however many alarms).
 *   `event_precision`: caught / (caught + false alarms), false alarms being the debounced alarms
 *   on normals plus those of failing systems outside their event window.
 * - With `weighting: 'nab'`: `event_recall_weighted` = Σ w / observable failures and
 *   `event_precision_weighted` = Σ w / (Σ w + false alarms), w = NAB's true-positive weight of
 *   the detection's place in its window, σ(y)/σ(−1) (1 at the window's start, 0 at failure_at).
 * - `detection_delay_days`: mean over caught failures with a known onset of detection − onset_at
 *   (≥ 0: an alarm before the onset is early, a false alarm, not a detection).
 *
 * CIs: Wilson for the shares (caught_with_*, event recall and precision); a seeded percentile
 * bootstrap over systems for the others (caught failures for warning and delay, normal systems
 * for the false-alarm rate: a ratio of sums on each replicate), or above
 * {@link BOOTSTRAP_MAX_UNITS} units their asymptotic forms (AlarmCi), so a million windows take
 * seconds. A metric without data is null
 * with its reason under `undefined`, never a made-up number.
 */
import seedrandom from 'seedrandom';
import { HarnessError } from '../errors.ts';
import { judgeSystemAlarms, type SystemAlarmResult } from './alarm-events.ts';
import type {
  AlarmBreakdownCell,
  AlarmCi,
  AlarmMetricSet,
  AlarmOptions,
  AlarmSummary,
  AlarmSystem,
  DaysDistribution,
} from './alarm-types.ts';
import { quantileType7 } from './bootstrap.ts';
import { twoSidedZ } from './normal.ts';
import { wilsonInterval } from './wilson.ts';

/** Days in the month of `false_alarms_per_system_month` (the mean Gregorian month). */
export const MONTH_DAYS = 30.44;
/**
 * Above this many units (caught failures, normal systems) a bootstrap would cost reps × units
 * (a million windows: minutes); the asymptotic intervals (see AlarmCi) are used instead.
 */
export const BOOTSTRAP_MAX_UNITS = 10_000;
/** Warning horizons of `caught_with_<k>d_warning`, in days. */
export const WARNING_HORIZONS_DAYS = [1, 7, 30] as const;

class MetricSink {
  readonly metrics: Record<string, number | null> = {};
  readonly ci: Record<string, AlarmCi | null> = {};
  readonly undefined: Record<string, string> = {};
  put(
    name: string,
    value: number | null,
    reason: string,
    ci: AlarmCi | null,
    ciReason?: string,
  ): void {
    this.metrics[name] = value;
    if (value === null) this.undefined[name] = reason;
    this.ci[name] = ci;
    if (ci === null) this.undefined[`ci.${name}`] = value === null ? reason : (ciReason ?? reason);
  }
}

function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

function median(values: ArrayLike<number>): number {
  return quantileType7(Float64Array.from(values).sort(), 0.5);
}

function distribution(values: readonly number[]): DaysDistribution | null {
  if (values.length === 0) return null;
  const s = sortedCopy(values);
  const q = (p: number) => quantileType7(s, p);
  return {
    n: s.length,
    min: s[0] as number,
    p10: q(0.1),
    p25: q(0.25),
    median: q(0.5),
    p75: q(0.75),
    p90: q(0.9),
    max: s[s.length - 1] as number,
  };
}

interface Settings {
  readonly level: number;
  readonly reps: number;
  readonly seed: string;
}

/**
 * Percentile bootstrap over units (systems): `stat` gets the indices of one replicate (drawn
 * with replacement, as many as units) and returns null when undefined on it. Seeded per metric
 * (`<seed>:<name>`), so adding a metric never moves another one's interval.
 */
function bootstrapUnits(
  n: number,
  stat: (idx: Uint32Array) => number | null,
  name: string,
  s: Settings,
): AlarmCi | null {
  if (n < 2) return null;
  const rng = seedrandom.alea(`${s.seed}:${name}`);
  const idx = new Uint32Array(n);
  const values = new Float64Array(s.reps);
  let used = 0;
  for (let r = 0; r < s.reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    const v = stat(idx);
    if (v !== null && Number.isFinite(v)) values[used++] = v;
  }
  if (used === 0) return null;
  const sorted = values.subarray(0, used).sort();
  const alpha = 1 - s.level;
  return {
    method: 'bootstrap',
    level: s.level,
    low: quantileType7(sorted, alpha / 2),
    high: quantileType7(sorted, 1 - alpha / 2),
    reps: s.reps,
    dropped: s.reps - used,
    seed: `${s.seed}:${name}`,
  };
}

function wilsonCi(successes: number, trials: number, level: number): AlarmCi | null {
  const w = wilsonInterval(successes, trials, level);
  return w === null ? null : { method: 'wilson', level, low: w.low, high: w.high };
}

/** CLT interval of a mean: mean ± z·sd/√n. */
function meanNormalCi(values: readonly number[], level: number): AlarmCi {
  const n = values.length;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  const half = twoSidedZ(level) * Math.sqrt(ss / (n - 1) / n);
  return { method: 'normal', level, low: m - half, high: m + half };
}

/**
 * Distribution-free interval of a median: the order statistics of ranks n/2 ∓ z·√n/2 (the
 * normal approximation of Binomial(n, ½)), 1-based, clamped to [1, n].
 */
function medianOrderCi(values: readonly number[], level: number): AlarmCi {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const half = (twoSidedZ(level) * Math.sqrt(n)) / 2;
  const lo = Math.max(1, Math.floor(n / 2 - half));
  const hi = Math.min(n, Math.ceil(n / 2 + half + 1));
  return {
    method: 'order_statistic',
    level,
    low: sorted[lo - 1] as number,
    high: sorted[hi - 1] as number,
  };
}

/** Bootstrap a statistic of a list of per-system values (mean or median); asymptotic past BOOTSTRAP_MAX_UNITS. */
function valueCi(
  values: readonly number[],
  f: (v: Float64Array) => number,
  name: string,
  s: Settings,
): AlarmCi | null {
  if (values.length > BOOTSTRAP_MAX_UNITS)
    return f === median ? medianOrderCi(values, s.level) : meanNormalCi(values, s.level);
  const buf = new Float64Array(values.length);
  return bootstrapUnits(
    values.length,
    (idx) => {
      for (let i = 0; i < idx.length; i++) buf[i] = values[idx[i] as number] as number;
      return f(buf);
    },
    name,
    s,
  );
}

const ONE_UNIT = 'a bootstrap needs at least 2 systems';

/** Failure-side metrics of judged failures (all of one type, or all). */
function failureMetrics(
  failures: readonly SystemAlarmResult[],
  sink: MetricSink,
  s: Settings,
  prefix: string,
): AlarmMetricSet['distributions'] {
  const observable = failures.filter((f) => f.observable);
  const caught = observable.filter((f) => f.detectionAt === f.detectionAt);
  const warnings = caught.map((f) => f.warningDays);
  const delays = caught.map((f) => f.delayDays).filter((d) => d === d);
  const noCaught =
    observable.length === 0
      ? 'no observable failure (no failure with a failure_at whose data reaches its event window)'
      : 'no failure was caught (no alarm inside any event window)';
  sink.put(
    'warning_days',
    warnings.length ? mean(warnings) : null,
    noCaught,
    warnings.length ? valueCi(warnings, mean, `${prefix}warning_days`, s) : null,
    ONE_UNIT,
  );
  sink.put(
    'median_warning_days',
    warnings.length ? median(warnings) : null,
    noCaught,
    warnings.length ? valueCi(warnings, median, `${prefix}median_warning_days`, s) : null,
    ONE_UNIT,
  );
  const noObservable =
    'no observable failure (no failure with a failure_at whose data reaches its event window)';
  for (const k of WARNING_HORIZONS_DAYS) {
    const hits = warnings.filter((w) => w >= k).length;
    sink.put(
      `caught_with_${k}d_warning`,
      observable.length ? hits / observable.length : null,
      noObservable,
      wilsonCi(hits, observable.length, s.level),
    );
  }
  sink.put(
    'event_recall',
    observable.length ? caught.length / observable.length : null,
    noObservable,
    wilsonCi(caught.length, observable.length, s.level),
  );
  const noDelay = caught.length === 0 ? noCaught : 'no caught failure has an onset_at';
  sink.put(
    'detection_delay_days',
    delays.length ? mean(delays) : null,
    noDelay,
    delays.length ? valueCi(delays, mean, `${prefix}detection_delay_days`, s) : null,
    ONE_UNIT,
  );
  return { warning_days: distribution(warnings), detection_delay_days: distribution(delays) };
}

/**
 * Judges every system's alarms and aggregates the alarm metrics (see the module comment for
 * each rule), overall and by failure type.
 */
export function evaluateAlarms(
  systems: readonly AlarmSystem[],
  options: AlarmOptions = {},
): AlarmSummary {
  const cooldownDays = options.cooldownDays ?? 0;
  const preWindowDays = options.preWindowDays ?? null;
  const weighting = options.weighting ?? 'none';
  const s: Settings = {
    level: options.level ?? 0.95,
    reps: options.reps ?? 2000,
    seed: options.seed ?? 'alarms',
  };
  if (!(cooldownDays >= 0 && Number.isFinite(cooldownDays)))
    throw new HarnessError(
      'E_METRIC',
      `evaluateAlarms: cooldownDays must be a number ≥ 0, got ${String(cooldownDays)}`,
    );
  if (preWindowDays !== null && !(preWindowDays >= 0 && Number.isFinite(preWindowDays)))
    throw new HarnessError(
      'E_METRIC',
      `evaluateAlarms: preWindowDays must be a number ≥ 0, got ${String(preWindowDays)}`,
    );
  const alarmsInsideData = options.alarmsInsideData === true;
  const judged = systems.map((sys) =>
    judgeSystemAlarms(sys, { cooldownDays, preWindowDays, alarmsInsideData }),
  );
  // A normal the model never scored was not watched: it is in no false-alarm count or time.
  const allNormals = judged.filter((j) => j.kind === 'normal');
  const normals = judged.filter((j, i) => j.kind === 'normal' && systems[i]!.unscored !== true);
  const unwatched =
    allNormals.length > 0 && normals.length === 0
      ? `no normal system was scored (the model gave no score at any instant of the ${allNormals.length} normal${allNormals.length === 1 ? '' : 's'}), so no false alarm could be seen`
      : '';
  const failures = judged.filter((j) => j.kind === 'failure');
  const sink = new MetricSink();
  const distributions = failureMetrics(failures, sink, s, '');

  // False alarms per system-month on normals: a ratio of sums, bootstrapped over normal systems.
  const spanless = normals.filter((n) => !(n.spanDays >= 0));
  const months = normals.reduce((a, n) => a + (n.spanDays >= 0 ? n.spanDays : 0), 0) / MONTH_DAYS;
  const fpNormals = normals.reduce((a, n) => a + n.falseAlarms, 0);
  let rateReason = '';
  if (unwatched) rateReason = unwatched;
  else if (normals.length === 0) rateReason = 'no normal systems';
  else if (spanless.length > 0)
    rateReason = `the observed span of ${spanless.length} normal system${spanless.length === 1 ? '' : 's'} is unknown (e.g. ${spanless[0]!.systemId})`;
  else if (!(months > 0))
    rateReason = 'the normal systems were observed for no time (each has one timestamp)';
  const rateOk = rateReason === '';
  // Columns, not result objects, in the bootstrap's hot loop (reps × normals iterations).
  const normalAlarms = Float64Array.from(normals, (n) => n.falseAlarms);
  const normalDays = Float64Array.from(normals, (n) => n.spanDays);
  const rateCi = (): AlarmCi | null => {
    if (normals.length <= BOOTSTRAP_MAX_UNITS)
      return bootstrapUnits(
        normals.length,
        (idx) => {
          let a = 0;
          let d = 0;
          for (let i = 0; i < idx.length; i++) {
            const k = idx[i] as number;
            a += normalAlarms[k] as number;
            d += normalDays[k] as number;
          }
          return d > 0 ? a / (d / MONTH_DAYS) : null;
        },
        'false_alarms_per_system_month',
        s,
      );
    // Delta method for a ratio of sums R = Σa/Σd: Var R ≈ n/(n−1)·Σ(a − R·d)² / (Σd)².
    const n = normals.length;
    let sumD = 0;
    let sumA = 0;
    for (let i = 0; i < n; i++) {
      sumA += normalAlarms[i] as number;
      sumD += normalDays[i] as number;
    }
    const r = sumA / sumD;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const z = (normalAlarms[i] as number) - r * (normalDays[i] as number);
      ss += z * z;
    }
    const half = ((twoSidedZ(s.level) * Math.sqrt((n / (n - 1)) * ss)) / sumD) * MONTH_DAYS;
    const rate = r * MONTH_DAYS;
    return { method: 'normal', level: s.level, low: Math.max(0, rate - half), high: rate + half };
  };
  sink.put(
    'false_alarms_per_system_month',
    rateOk ? fpNormals / months : null,
    rateReason,
    rateOk ? rateCi() : null,
    ONE_UNIT,
  );

  const fpFailures = failures.reduce((a, f) => a + f.falseAlarms, 0);
  const fp = fpNormals + fpFailures;
  const caughtList = failures.filter((f) => f.observable && f.detectionAt === f.detectionAt);
  const tp = caughtList.length;
  const noAlarm = 'no alarm counted (no detection and no false alarm)';
  sink.put(
    'event_precision',
    !unwatched && tp + fp > 0 ? tp / (tp + fp) : null,
    unwatched || noAlarm,
    unwatched ? null : wilsonCi(tp, tp + fp, s.level),
  );
  if (weighting === 'nab') {
    const observable = failures.filter((f) => f.observable).length;
    const w = caughtList.reduce((a, f) => a + f.nabWeight, 0);
    sink.put(
      'event_recall_weighted',
      observable ? w / observable : null,
      'no observable failure',
      null,
      'a weighted share has no Wilson interval',
    );
    sink.put(
      'event_precision_weighted',
      !unwatched && w + fp > 0 ? w / (w + fp) : null,
      unwatched || noAlarm,
      null,
      'a weighted share has no Wilson interval',
    );
  }

  const types = [...new Set(failures.map((f) => f.failureType))].sort();
  const cells: AlarmBreakdownCell[] = types.map((t) => {
    const cell = new MetricSink();
    const of = failures.filter((f) => f.failureType === t);
    const dist = failureMetrics(of, cell, s, `${t}:`);
    return {
      stratum: t,
      failures: of.length,
      metrics: cell.metrics,
      ci: cell.ci,
      undefined: cell.undefined,
      distributions: dist,
    };
  });

  return {
    metrics: sink.metrics,
    ci: sink.ci,
    undefined: sink.undefined,
    distributions,
    counts: {
      systems: systems.length,
      normals: allNormals.length,
      failures: failures.length,
      failures_without_failure_at: judged.length - allNormals.length - failures.length,
      unobservable: failures.filter((f) => !f.observable).length,
      caught: tp,
      alarms: systems.reduce((a, x) => a + x.alarms.length, 0),
      false_alarms_on_normals: fpNormals,
      false_alarms_on_failures: fpFailures,
      normal_system_months: months,
    },
    breakdown: { failure_type: cells },
    per_failure: failures.map((f) => ({
      system_id: f.systemId,
      failure_type: f.failureType,
      observable: f.observable,
      caught: f.detectionAt === f.detectionAt,
      detection_at: f.detectionAt === f.detectionAt ? f.detectionAt : null,
      warning_days: f.warningDays === f.warningDays ? f.warningDays : null,
      detection_delay_days: f.delayDays === f.delayDays ? f.delayDays : null,
    })),
    options: {
      cooldown_days: cooldownDays,
      pre_window_days: preWindowDays,
      weighting,
      level: s.level,
      reps: s.reps,
      seed: s.seed,
      month_days: MONTH_DAYS,
    },
  };
}
