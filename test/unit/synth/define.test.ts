import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { DEFAULT_SCENARIO, parseInterval, resolveScenario } from '../../../src/synth/define.ts';
import type { ScenarioSpec } from '../../../src/synth/types.ts';
import defaultFixture from '../../../suites/scenarios/default.scenario.ts';
import smokeFixture from '../../../suites/scenarios/smoke.scenario.ts';
import hardFixture from '../../../suites/scenarios/hard-cases.scenario.ts';

function errorOf(
  spec: ScenarioSpec,
  overrides?: Parameters<typeof resolveScenario>[1],
): HarnessError {
  try {
    resolveScenario(spec, overrides);
  } catch (e) {
    if (e instanceof HarnessError) return e;
    throw e;
  }
  throw new Error('resolveScenario accepted a bad scenario');
}

describe('parseInterval', () => {
  it.each([
    ['5m', 300],
    ['30s', 30],
    ['1h', 3600],
    ['1.5h', 5400],
    ['15min', 900],
    [300, 300],
    ['45', 45],
  ] as const)('%s → %d s', (input, seconds) => {
    expect(parseInterval(input)).toBe(seconds);
  });
  it.each(['', '5 minutes', '-5m', 'abc', 0, -1, NaN])('rejects %s', (input) => {
    expect(() => parseInterval(input)).toThrow(RangeError);
  });
});

describe('resolveScenario', () => {
  it('fills the defaults', () => {
    const s = resolveScenario({ name: 'x' });
    expect(s).toMatchObject({
      systems: 200,
      days: 30,
      intervalSeconds: 300,
      anomalyRate: 0.25,
      seed: 'bess',
      subtleRate: 0.15,
      noise: 1,
    });
    expect(Object.values(s.failureTypes).every((w) => w > 0)).toBe(true);
    expect(s.failureTypes.cooling_failure).toBeGreaterThan(s.failureTypes.internal_short);
    expect(s.failureTypes.insulation_fault).toBeGreaterThan(s.failureTypes.internal_short);
  });

  it('the default fixture spells out exactly the defaults', () => {
    const s = resolveScenario(defaultFixture);
    expect({ ...s, description: '' }).toEqual(DEFAULT_SCENARIO);
  });

  it('resolves the smoke and hard-case fixtures', () => {
    expect(resolveScenario(smokeFixture)).toMatchObject({
      systems: 24,
      days: 7,
      intervalSeconds: 900,
    });
    const hard = resolveScenario(hardFixture);
    expect(hard.anomalyRate).toBeCloseTo(0.1);
    expect(hard.subtleRate).toBeGreaterThan(DEFAULT_SCENARIO.subtleRate);
  });

  it('names a bad interval once: the scenario, the field and the value', () => {
    expect(() => resolveScenario({ name: 'x' }, { interval: '0m' })).toThrow(
      /^scenario "x": interval must be positive \(got "0m"\)$/,
    );
  });

  it('applies overrides and replaces weight maps', () => {
    const s = resolveScenario(
      { name: 'x', systems: 10, modes: { backup: 2 } },
      { systems: 5, days: 2, interval: '1h', seed: 7 },
    );
    expect(s).toMatchObject({ systems: 5, days: 2, intervalSeconds: 3600, seed: '7' });
    expect(s.modes).toEqual({
      frequency_regulation: 0,
      arbitrage: 0,
      peak_shaving: 0,
      solar_smoothing: 0,
      backup: 2,
    });
  });

  it.each<[string, ScenarioSpec, string]>([
    [
      'anomalyRate',
      { name: 'x', anomalyRate: 1.5 },
      'scenario "x": anomalyRate must be between 0 and 1 (got 1.5)',
    ],
    ['systems', { name: 'x', systems: 0 }, 'systems'],
    ['systems (fraction)', { name: 'x', systems: 2.5 }, 'systems'],
    ['days', { name: 'x', days: -1 }, 'days'],
    ['interval', { name: 'x', interval: 'soon' }, 'interval'],
    ['name', { name: '' }, 'name'],
    ['modes key', { name: 'x', modes: { dancing: 1 } as never }, 'modes.dancing'],
    ['modes all zero', { name: 'x', modes: { backup: 0 } }, 'modes'],
    [
      'failure weight',
      { name: 'x', failureTypes: { cell_imbalance: -1 } },
      'failureTypes.cell_imbalance',
    ],
    ['severity', { name: 'x', severity: { min: 0.9, max: 0.2 } }, 'severity'],
    ['subtleRate', { name: 'x', subtleRate: -0.1 }, 'subtleRate'],
    ['noise', { name: 'x', noise: -1 }, 'noise'],
    ['dataQuality', { name: 'x', dataQuality: { spike: 2 } }, 'dataQuality.spike'],
    [
      'dataQuality key',
      { name: 'x', dataQuality: { gremlins: 0.1 } as never },
      'dataQuality.gremlins',
    ],
    [
      'lead buckets',
      { name: 'x', leadTimeDays: { kind: 'buckets', buckets: [{ lo: 5, hi: 1, weight: 1 }] } },
      'leadTimeDays.buckets[0]',
    ],
    ['lead kind', { name: 'x', leadTimeDays: { kind: 'gamma' } as never }, 'leadTimeDays.kind'],
    ['year', { name: 'x', year: 1900 }, 'year'],
  ])('rejects a bad %s with E_SCENARIO naming the field', (_, spec, fragment) => {
    const e = errorOf(spec);
    expect(e.code).toBe('E_SCENARIO');
    expect(e.message).toContain(fragment);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a top-level typo',
      { failuretypes: { thermal_runaway: 1 } },
      'unknown key `failuretypes` (did you mean "failureTypes"?)',
    ],
    [
      'anomalyrate',
      { anomalyrate: 0.9 },
      'unknown key `anomalyrate` (did you mean "anomalyRate"?)',
    ],
    ['extends', { extends: 'smoke' }, 'unknown key `extends` (known: name, description,'],
    [
      'a severity key',
      { severity: { min: 0.9, max: 1, mx: 2 } },
      'unknown key `severity.mx` (did you mean "max"?) (known: min, max)',
    ],
    [
      'a window key',
      { window: { length: '12h', precursordays: 0.1 } },
      'unknown key `window.precursordays` (did you mean "precursorDays"?)',
    ],
    [
      'a uniform lead time with a median',
      { leadTimeDays: { kind: 'uniform', min: 1, max: 5, median: 9 } },
      'unknown key `leadTimeDays.median` (known: kind, min, max)',
    ],
    [
      'a bucket key',
      { leadTimeDays: { kind: 'buckets', buckets: [{ lo: 0, hi: 1, weigth: 1 }] } },
      'unknown key `leadTimeDays.buckets[0].weigth` (did you mean "weight"?)',
    ],
    [
      'a bucket that is no object',
      { leadTimeDays: { kind: 'buckets', buckets: [null] } },
      '`leadTimeDays.buckets[0]` must be an object',
    ],
    [
      'a dataQuality typo',
      { dataQuality: { spikes: 0.1 } },
      'unknown key `dataQuality.spikes` (did you mean "spike"?)',
    ],
    [
      'an events typo',
      { events: { jiter: 0 } },
      'unknown key `events.jiter` (did you mean "jitter"?)',
    ],
    ['dataQuality that is no object', { dataQuality: 5 }, '`dataQuality` must be an object'],
    ['severity: null', { severity: null }, '`severity` is null: leave the key out'],
    ['seed: NaN', { seed: NaN }, 'seed must be a non-empty string or a finite number (got NaN)'],
    ['seed: Infinity', { seed: Infinity }, 'seed must be'],
    [
      'a failure type typo',
      { failureTypes: { thermal_runway: 1 } },
      'failureTypes.thermal_runway is not a known name (did you mean "thermal_runaway"?)',
    ],
    ['a description that is no string', { description: 3 }, 'description must be a string'],
  ])('rejects %s, naming the key path', (_, extra, fragment) => {
    const e = errorOf({ name: 'x', ...extra } as never);
    expect(e.code).toBe('E_SCENARIO');
    expect(e.message).toContain(fragment);
  });

  it('accepts every key the README documents, and nothing else', () => {
    const spec = {
      name: 'all',
      description: 'every key',
      systems: 3,
      days: 2,
      interval: '1h',
      seed: 'k',
      year: 2024,
      modes: { backup: 1 },
      seasons: { winter: 1 },
      climates: { hot: 1 },
      chemistries: { NMC: 1 },
      packs: { '600V': 1 },
      anomalyRate: 0.5,
      failureTypes: { cell_imbalance: 1 },
      leadTimeDays: { kind: 'lognormal', median: 3, sigma: 0.5, max: 20 },
      severity: { min: 0.2, max: 0.4 },
      subtleRate: 0.1,
      noise: 1,
      dataQuality: { sensorDropout: 0, stuckSensor: 0, spike: 0, timestampGap: 0, noisyNormal: 0 },
      events: { jitter: 0, socRecalibration: 0, stringTrip: 0, repeatedRows: 0, idleDays: 0 },
      window: { length: '12h', precursorDays: 1 },
    } satisfies Required<ScenarioSpec>;
    expect(resolveScenario(spec).window).toEqual({ seconds: 43200, precursorDays: 1 });
    expect(
      resolveScenario({ name: 'u', leadTimeDays: { kind: 'uniform', min: 0, max: 1 } }).leadTimeDays
        .kind,
    ).toBe('uniform');
    // undefined is absent, as a spread of optional values leaves it
    expect(resolveScenario({ name: 'u', severity: undefined }).severity).toEqual(
      DEFAULT_SCENARIO.severity,
    );
  });

  it("names the file: the fixture for its own fields, the overrides' file for an override", () => {
    const source = { file: 'suites/scenarios/x.scenario.ts', overrides: 'suites/a.suite.ts' };
    expect(() => resolveScenario({ name: 'x', subtleRate: 1.5 }, {}, source)).toThrow(
      /^suites\/scenarios\/x\.scenario\.ts: scenario "x": subtleRate must be between 0 and 1 \(got 1\.5\)$/,
    );
    expect(() => resolveScenario({ name: 'x', anomalyrate: 1 } as never, {}, source)).toThrow(
      /^suites\/scenarios\/x\.scenario\.ts: scenario "x": unknown key `anomalyrate`/,
    );
    expect(() => resolveScenario({ name: 'x' }, { systems: -3 }, source)).toThrow(
      /^suites\/a\.suite\.ts: scenario "x": systems must be a positive integer/,
    );
    expect(() => resolveScenario({ name: 'x' }, { seed: NaN }, source)).toThrow(
      /^suites\/a\.suite\.ts: scenario "x": seed must be/,
    );
    // an override from a flag names no file: it was not written in the fixture
    expect(() => resolveScenario({ name: 'x' }, { interval: '0m' }, { file: 'f.ts' })).toThrow(
      /^scenario "x": interval must be positive/,
    );
  });

  it('rejects a bad override', () => {
    expect(errorOf({ name: 'x' }, { interval: '0s' }).message).toContain('interval');
    expect(errorOf({ name: 'x' }, { days: 0.001, interval: '1h' }).message).toContain('days');
  });
});
