/**
 * Scenario fixtures: the identity helper for authors and the resolver that fills defaults and
 * rejects bad fields with an `E_SCENARIO` error naming the field.
 */
import { DEFAULT_SEED } from '../defaults.ts';
import {
  CHEMISTRIES,
  CLIMATES,
  didYouMean,
  FAILURE_TYPES,
  OPERATIONAL_MODES,
  SEASONS,
  unknownKey,
} from '../data/index.ts';
import { PACK_SIZES } from './pack.ts';
import { HarnessError } from '../errors.ts';
import { resolveWindow } from './windows.ts';
import type {
  DataQualitySpec,
  LeadTimeDistribution,
  OperationalEventsSpec,
  ResolvedScenario,
  ScenarioSpec,
  Weights,
  WindowSpec,
} from './types.ts';

/** Identity helper: returns its argument, typed, so a fixture file gets completion and checks. */
export function defineScenario(spec: ScenarioSpec): ScenarioSpec {
  return spec;
}

/** Command-line or suite overrides applied on top of a fixture before validation. */
export interface ScenarioOverrides {
  readonly systems?: number;
  readonly days?: number;
  readonly interval?: number | string;
  readonly seed?: number | string;
}

/**
 * Default failure-type weights. domain.md §3: most grid BESS faults are balance-of-system,
 * thermal management and insulation; cell-internal faults are rare (11 % of classified
 * incidents). Every type keeps a non-zero weight so each one is evaluated.
 */
export const DEFAULT_FAILURE_WEIGHTS: Readonly<Record<(typeof FAILURE_TYPES)[number], number>> = {
  cooling_failure: 0.24,
  insulation_fault: 0.24,
  cell_imbalance: 0.16,
  thermal_runaway: 0.14,
  capacity_fade: 0.12,
  internal_short: 0.1,
};

/** Default lead-time buckets (days): most anomalies are caught close to the event. */
export const DEFAULT_LEAD_TIME: LeadTimeDistribution = {
  kind: 'buckets',
  buckets: [
    { lo: 0, hi: 7, weight: 0.4 },
    { lo: 7, hi: 30, weight: 0.35 },
    { lo: 30, hi: 90, weight: 0.2 },
    { lo: 90, hi: 180, weight: 0.05 },
  ],
};

/** Default per-system data-quality probabilities (domain.md §4 faults are common in real exports). */
export const DEFAULT_DATA_QUALITY: Required<DataQualitySpec> = {
  sensorDropout: 0.1,
  stuckSensor: 0.05,
  spike: 0.08,
  timestampGap: 0.08,
  noisyNormal: 0.1,
};

/**
 * Default per-system rates of normal operational events (field-stats.md): the LFP bank's
 * timestamps jitter and the FCR unit's SOC is recalibrated in steps, so about half the fleet has
 * each; one of the bank's 12 strings tripped in a day; the EV export repeated a few timestamps.
 */
export const DEFAULT_EVENTS: Required<OperationalEventsSpec> = {
  jitter: 0.5,
  socRecalibration: 0.5,
  stringTrip: 0.1,
  repeatedRows: 0.05,
  idleDays: 0.1,
};

/** The default scenario with every field filled; `resolveScenario` starts from it. */
export const DEFAULT_SCENARIO: ResolvedScenario = {
  name: 'default',
  description: '',
  systems: 200,
  days: 30,
  intervalSeconds: 300,
  seed: DEFAULT_SEED,
  year: 2025,
  // Equal mode and season weights keep every breakdown cell populated.
  modes: { frequency_regulation: 1, arbitrage: 1, peak_shaving: 1, solar_smoothing: 1, backup: 1 },
  seasons: { winter: 1, spring: 1, summer: 1, autumn: 1 },
  climates: { temperate: 0.5, hot: 0.25, cold: 0.25 },
  // One chemistry and one rack size keep the default fleet's character (and its baselines) as
  // they were; a scenario opts into NMC, LTO and smaller racks.
  chemistries: { LFP: 1, NMC: 0, LTO: 0 },
  packs: { '600V': 0, '700V': 0, '768V': 1 },
  anomalyRate: 0.25,
  failureTypes: DEFAULT_FAILURE_WEIGHTS,
  leadTimeDays: DEFAULT_LEAD_TIME,
  severity: { min: 0.5, max: 1 },
  subtleRate: 0.15,
  noise: 1,
  dataQuality: DEFAULT_DATA_QUALITY,
  events: DEFAULT_EVENTS,
};

const UNITS: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
};

/** Most rows one generated series may have: 10 M (a year at 3 s). */
export const MAX_SAMPLES_PER_SYSTEM = 10_000_000;

/**
 * A sampling interval in seconds from a number of seconds or a duration string
 * (`'30s'`, `'5m'`, `'1h'`, `'1.5h'`, `'1d'`). Throws a RangeError on anything else.
 */
export function parseInterval(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0)
      throw new RangeError(`interval must be a positive number of seconds (got ${value})`);
    return value;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)?\s*$/.exec(value);
  if (!m)
    throw new RangeError(
      `interval must look like 30s, 5m, 1h or a number of seconds (got "${value}")`,
    );
  const seconds = Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1);
  if (!(seconds > 0)) throw new RangeError(`interval must be positive (got "${value}")`);
  return seconds;
}

/** Where a scenario was written, for its error messages. */
export interface ScenarioSource {
  /** The fixture's file (a `.scenario.ts`, or the suite file of an inline scenario): each message starts with it. */
  readonly file?: string;
  /** Where the overrides were written (a suite file), named instead of `file` when an override is bad. */
  readonly overrides?: string;
}

/** The keys a fixture may have: exactly those of ScenarioSpec (README, "Scenario fixtures"). */
const SCENARIO_KEYS = {
  name: true,
  description: true,
  systems: true,
  days: true,
  interval: true,
  seed: true,
  year: true,
  modes: true,
  seasons: true,
  climates: true,
  chemistries: true,
  packs: true,
  anomalyRate: true,
  failureTypes: true,
  leadTimeDays: true,
  severity: true,
  subtleRate: true,
  noise: true,
  dataQuality: true,
  events: true,
  window: true,
} as const satisfies Record<keyof ScenarioSpec, true>;

const SEVERITY_KEYS = { min: true, max: true } as const satisfies Record<
  keyof NonNullable<ScenarioSpec['severity']>,
  true
>;
const WINDOW_KEYS = { length: true, precursorDays: true } as const satisfies Record<
  keyof WindowSpec,
  true
>;
/** The keys of each kind of lead-time distribution. */
const LEAD_TIME_KEYS: Readonly<
  Record<LeadTimeDistribution['kind'], Readonly<Record<string, true>>>
> = {
  uniform: { kind: true, min: true, max: true },
  lognormal: { kind: true, median: true, sigma: true, max: true },
  buckets: { kind: true, buckets: true },
};
const BUCKET_KEYS = { lo: true, hi: true, weight: true } as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first key of `obj` not in `known`, at the path `at` (see unknownKey); undefined when every key is known. */
const unknownKeyAt = (
  obj: Record<string, unknown>,
  known: Readonly<Record<string, true>>,
  at: string,
): string | undefined => unknownKey(obj, known, '', at);

/**
 * Why the keys of a scenario fixture are wrong, or undefined: a key it does not know, at the top
 * or inside `severity`, `window`, `leadTimeDays` (per kind) and its buckets, `dataQuality` and
 * `events`, or a key set to null. `at` is the fixture's own key path (`dataset.scenario` inline in
 * a suite), prefixed to the keys named. Such a key was ignored, so a typo (`failuretypes`) generated
 * the default fleet instead of the one asked for. Weight maps' names are checked by
 * `resolveScenario`, with the values.
 */
export function scenarioKeyProblem(spec: unknown, at = ''): string | undefined {
  const p = (key: string): string => (at === '' ? key : `${at}.${key}`);
  if (!isPlainObject(spec))
    return `a scenario must be an object such as { name: 'mine', anomalyRate: 0.1 } (got ${show(spec)})`;
  const top = unknownKeyAt(spec, SCENARIO_KEYS, at);
  if (top && Object.hasOwn(spec, 'extends'))
    return `${top}; a fixture does not extend another: import it and spread it, { ...smoke, name: 'mine', … }`;
  if (top) return top;
  for (const [key, value] of Object.entries(spec))
    if (value === null)
      return `\`${p(key)}\` is null: leave the key out for the default, or give a value`;
  const nested: [string, unknown, Readonly<Record<string, true>>][] = [
    ['severity', spec['severity'], SEVERITY_KEYS],
    ['dataQuality', spec['dataQuality'], asKeys(DEFAULT_DATA_QUALITY)],
    ['events', spec['events'], asKeys(DEFAULT_EVENTS)],
  ];
  for (const [key, value, known] of nested) {
    if (value === undefined) continue;
    if (!isPlainObject(value))
      return `\`${p(key)}\` must be an object of ${Object.keys(known).join(', ')} (got ${show(value)})`;
    const bad = unknownKeyAt(value, known, p(key));
    if (bad) return bad;
  }
  const window = spec['window'];
  if (isPlainObject(window)) {
    const bad = unknownKeyAt(window, WINDOW_KEYS, p('window'));
    if (bad) return bad;
  }
  const lt = spec['leadTimeDays'];
  if (lt !== undefined) {
    if (!isPlainObject(lt))
      return `\`${p('leadTimeDays')}\` must be an object such as { kind: 'uniform', min: 0, max: 30 } (got ${show(lt)})`;
    const kind = lt['kind'];
    // An unknown kind is a value error, which checkLeadTime reports with the kinds.
    if (typeof kind === 'string' && Object.hasOwn(LEAD_TIME_KEYS, kind)) {
      const bad = unknownKeyAt(
        lt,
        LEAD_TIME_KEYS[kind as LeadTimeDistribution['kind']],
        p('leadTimeDays'),
      );
      if (bad) return bad;
    }
    if (lt['kind'] === 'buckets' && Array.isArray(lt['buckets'])) {
      for (const [i, b] of (lt['buckets'] as unknown[]).entries()) {
        if (!isPlainObject(b))
          return `\`${p(`leadTimeDays.buckets[${i}]`)}\` must be an object { lo, hi, weight } (got ${show(b)})`;
        const bad = unknownKeyAt(b, BUCKET_KEYS, p(`leadTimeDays.buckets[${i}]`));
        if (bad) return bad;
      }
    }
  }
  return undefined;
}

const asKeys = (o: object): Readonly<Record<string, true>> =>
  Object.fromEntries(Object.keys(o).map((k) => [k, true]));

/**
 * Fills a scenario's defaults, applies overrides and validates every field. Weight maps given
 * in the spec replace the default map entirely (a missing key weighs 0), so
 * `modes: { backup: 1 }` means a backup-only fleet. A key it does not know is an error (see
 * {@link scenarioKeyProblem}), never ignored.
 * @param source where the fixture and the overrides were written, named in each message.
 * @throws HarnessError `E_SCENARIO` naming the file, the scenario and the field.
 */
export function resolveScenario(
  spec: ScenarioSpec,
  overrides: ScenarioOverrides = {},
  source: ScenarioSource = {},
): ResolvedScenario {
  const name = isPlainObject(spec) && typeof spec.name === 'string' ? spec.name : '';
  const overridden = new Set(
    Object.entries(overrides)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k),
  );
  const where = (field: string): string => {
    // A bad override was not written in the fixture: name where it was, or no file (a flag).
    const file = overridden.has(field) ? source.overrides : source.file;
    return file === undefined ? '' : `${file}: `;
  };
  const fail = (field: string, problem: string, got: unknown): never => {
    throw new HarnessError(
      'E_SCENARIO',
      `${where(field)}scenario "${name}": ${field} ${problem} (got ${show(got)})`,
    );
  };
  const keyProblem = scenarioKeyProblem(spec);
  if (keyProblem)
    throw new HarnessError('E_SCENARIO', `${where('')}scenario "${name}": ${keyProblem}`);
  if (name.trim() === '') fail('name', 'must be a non-empty string', spec.name);
  const d = DEFAULT_SCENARIO;

  const systems = overrides.systems ?? spec.systems ?? d.systems;
  if (!Number.isInteger(systems) || systems < 1)
    fail('systems', 'must be a positive integer', systems);
  const days = overrides.days ?? spec.days ?? d.days;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0)
    fail('days', 'must be a positive number', days);

  const rawInterval = overrides.interval ?? spec.interval ?? d.intervalSeconds;
  let intervalSeconds = 0;
  try {
    intervalSeconds = parseInterval(rawInterval);
  } catch (e) {
    // parseInterval's message already names the field and shows the value.
    throw new HarnessError(
      'E_SCENARIO',
      `${where('interval')}scenario "${name}": ${(e as Error).message}`,
    );
  }
  if (!Number.isInteger(intervalSeconds * 1000))
    fail('interval', 'must be a whole number of milliseconds', rawInterval);
  const samples = Math.floor((days * 86400) / intervalSeconds);
  if (samples < 2) fail('days', `must span at least two samples of ${intervalSeconds} s`, days);
  // A series is held as typed arrays: past this many rows it would not fit, and no BMS logs so densely for so long.
  if (samples > MAX_SAMPLES_PER_SYSTEM)
    fail(
      'interval',
      `gives ${samples.toLocaleString('en-US')} samples per system over ${days} days; at most ${MAX_SAMPLES_PER_SYSTEM.toLocaleString('en-US')} (use a longer interval or fewer days)`,
      rawInterval,
    );

  const rawSeed = overrides.seed ?? spec.seed ?? d.seed;
  if (
    !(typeof rawSeed === 'string' && rawSeed !== '') &&
    !(typeof rawSeed === 'number' && Number.isFinite(rawSeed))
  )
    fail('seed', 'must be a non-empty string or a finite number', rawSeed);
  if (spec.description !== undefined && typeof spec.description !== 'string')
    fail('description', 'must be a string', spec.description);
  const year = spec.year ?? d.year;
  if (!Number.isInteger(year) || year < 1970 || year > 9999)
    fail('year', 'must be an integer between 1970 and 9999', year);

  const anomalyRate = spec.anomalyRate ?? d.anomalyRate;
  checkShare('anomalyRate', anomalyRate, fail);
  const subtleRate = spec.subtleRate ?? d.subtleRate;
  checkShare('subtleRate', subtleRate, fail);
  const noise = spec.noise ?? d.noise;
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0)
    fail('noise', 'must be a number ≥ 0', noise);

  const severity = spec.severity ?? d.severity;
  checkShare('severity.min', severity.min, fail);
  checkShare('severity.max', severity.max, fail);
  if (severity.min > severity.max) fail('severity', 'must have min ≤ max', severity);

  const dq: Required<DataQualitySpec> = {
    ...d.dataQuality,
    ...stripUndefined(spec.dataQuality ?? {}),
  };
  for (const key of Object.keys(dq)) {
    if (!(key in d.dataQuality))
      fail(
        `dataQuality.${key}`,
        `is not a known fault${didYouMean(key, Object.keys(d.dataQuality))} (one of ${Object.keys(d.dataQuality).join(', ')})`,
        key,
      );
    checkShare(`dataQuality.${key}`, dq[key as keyof DataQualitySpec], fail);
  }

  const events: Required<OperationalEventsSpec> = {
    ...d.events,
    ...stripUndefined(spec.events ?? {}),
  };
  for (const key of Object.keys(events)) {
    if (!(key in d.events))
      fail(
        `events.${key}`,
        `is not a known event${didYouMean(key, Object.keys(d.events))} (one of ${Object.keys(d.events).join(', ')})`,
        key,
      );
    checkShare(`events.${key}`, events[key as keyof OperationalEventsSpec], fail);
  }

  const leadTimeDays = spec.leadTimeDays ?? d.leadTimeDays;
  checkLeadTime(leadTimeDays, fail);
  const window =
    spec.window === undefined
      ? undefined
      : resolveWindow(spec.window, intervalSeconds, samples, parseInterval, fail);

  return {
    name,
    description: spec.description ?? d.description,
    systems,
    days,
    intervalSeconds,
    seed: String(rawSeed),
    year,
    modes: weights('modes', OPERATIONAL_MODES, spec.modes, d.modes, fail),
    seasons: weights('seasons', SEASONS, spec.seasons, d.seasons, fail),
    climates: weights('climates', CLIMATES, spec.climates, d.climates, fail),
    chemistries: weights('chemistries', CHEMISTRIES, spec.chemistries, d.chemistries, fail),
    packs: weights('packs', PACK_SIZES, spec.packs, d.packs, fail),
    anomalyRate,
    failureTypes: weights('failureTypes', FAILURE_TYPES, spec.failureTypes, d.failureTypes, fail),
    leadTimeDays,
    severity: { min: severity.min, max: severity.max },
    subtleRate,
    noise,
    dataQuality: dq,
    events,
    ...(window ? { window } : {}),
  };
}

type Fail = (field: string, problem: string, got: unknown) => never;

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null)
    return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function checkShare(field: string, v: unknown, fail: Fail): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
    fail(field, 'must be between 0 and 1', v);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function weights<K extends string>(
  field: string,
  names: readonly K[],
  given: Weights<K> | undefined,
  fallback: Readonly<Record<K, number>>,
  fail: Fail,
): Record<K, number> {
  if (given === undefined) return { ...fallback };
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    return fail(field, 'must be an object of weights', given);
  const out = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  for (const [key, w] of Object.entries(given) as [string, unknown][]) {
    if (!(names as readonly string[]).includes(key))
      fail(
        `${field}.${key}`,
        `is not a known name${didYouMean(key, names)} (one of ${names.join(', ')})`,
        key,
      );
    if (w === undefined) continue;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      fail(`${field}.${key}`, 'must be a weight ≥ 0', w);
    out[key as K] = w as number;
  }
  if (!names.some((n) => out[n] > 0))
    fail(field, 'must give at least one name a positive weight', given);
  return out;
}

function checkLeadTime(lt: LeadTimeDistribution, fail: Fail): void {
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  switch (lt?.kind) {
    case 'uniform':
      if (!num(lt.min) || !num(lt.max) || lt.min < 0 || lt.max < lt.min)
        fail('leadTimeDays', 'uniform needs 0 ≤ min ≤ max', lt);
      return;
    case 'lognormal':
      if (!num(lt.median) || lt.median <= 0 || !num(lt.sigma) || lt.sigma < 0)
        fail('leadTimeDays', 'lognormal needs median > 0 and sigma ≥ 0', lt);
      if (lt.max !== undefined && (!num(lt.max) || lt.max <= 0))
        fail('leadTimeDays.max', 'must be a positive number', lt.max);
      return;
    case 'buckets': {
      if (!Array.isArray(lt.buckets) || lt.buckets.length === 0)
        fail('leadTimeDays.buckets', 'must be a non-empty array', lt.buckets);
      lt.buckets.forEach((b, i) => {
        if (!num(b.lo) || !num(b.hi) || b.lo < 0 || b.hi <= b.lo)
          fail(`leadTimeDays.buckets[${i}]`, 'needs 0 ≤ lo < hi', b);
        if (!num(b.weight) || b.weight < 0)
          fail(`leadTimeDays.buckets[${i}].weight`, 'must be a weight ≥ 0', b.weight);
      });
      if (!lt.buckets.some((b) => b.weight > 0))
        fail('leadTimeDays.buckets', 'must give at least one bucket a positive weight', lt.buckets);
      return;
    }
    default:
      fail(
        'leadTimeDays.kind',
        'must be uniform, lognormal or buckets',
        (lt as { kind?: unknown } | undefined)?.kind,
      );
  }
}
