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

  it('rejects a bad override', () => {
    expect(errorOf({ name: 'x' }, { interval: '0s' }).message).toContain('interval');
    expect(errorOf({ name: 'x' }, { days: 0.001, interval: '1h' }).message).toContain('days');
  });
});
