import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FAILURE_TYPES,
  OPERATIONAL_MODES,
  SEASONS,
  SYSTEM_ID_PATTERN,
} from '../../../src/data/schema.ts';
import {
  allocateCounts,
  anomalyCount,
  planFleet,
  SEASON_MONTHS,
  systemId,
} from '../../../src/synth/plan.ts';
import { planToLabel, planToMetadata } from '../../../src/synth/generate.ts';
import { scenario } from './helpers.ts';

describe('allocateCounts', () => {
  it('sums to n, follows the weights, and covers every positive key when n allows', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
          fc.double({ min: 0.01, max: 10, noNaN: true }),
          { minKeys: 1 },
        ),
        fc.integer({ min: 0, max: 500 }),
        (weights, n) => {
          const counts = allocateCounts(weights, n);
          const keys = Object.keys(weights);
          expect(Object.values(counts).reduce((s, c) => s + c, 0)).toBe(n);
          if (n >= keys.length) for (const k of keys) expect(counts[k]).toBeGreaterThanOrEqual(1);
          const total = Object.values(weights).reduce((s, w) => s + w, 0);
          // Largest remainder is within one of the quota, plus the coverage donations.
          for (const k of keys)
            expect(
              Math.abs((counts[k] ?? 0) - (n * (weights[k] ?? 0)) / total),
            ).toBeLessThanOrEqual(1 + keys.length);
        },
      ),
    );
  });
});

describe('planFleet', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const s = scenario({ systems: 30 });
    expect(planFleet(s)).toEqual(planFleet(s));
    expect(planFleet({ ...s, seed: 'other' })).not.toEqual(planFleet(s));
  });

  it('names systems sys-0001… and gives each its own seed', () => {
    const plans = planFleet(scenario({ systems: 12 }));
    expect(plans.map((p) => p.systemId).slice(0, 3)).toEqual(['sys-0001', 'sys-0002', 'sys-0003']);
    expect(plans.every((p) => SYSTEM_ID_PATTERN.test(p.systemId))).toBe(true);
    expect(plans.map((p) => p.seed)).toEqual(plans.map((_, i) => `bess:${i}`));
    expect(systemId(12344, 12345)).toBe('sys-12345');
  });

  it('covers every failure type, mode, season and both labels in a 60-system default fleet', () => {
    const plans = planFleet(scenario({ systems: 60 }));
    const anomalies = plans.filter((p) => p.failure);
    expect(anomalies.length).toBe(15);
    expect(new Set(anomalies.map((p) => p.failure?.type))).toEqual(new Set(FAILURE_TYPES));
    expect(new Set(plans.map((p) => p.mode))).toEqual(new Set(OPERATIONAL_MODES));
    expect(new Set(plans.map((p) => p.season))).toEqual(new Set(SEASONS));
  });

  it('guarantees coverage at the smallest sizes', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), (seed) => {
        const plans = planFleet(scenario({ systems: 24, seed }));
        expect(new Set(plans.filter((p) => p.failure).map((p) => p.failure?.type)).size).toBe(6);
        expect(new Set(planFleet(scenario({ systems: 5, seed })).map((p) => p.mode)).size).toBe(5);
        expect(new Set(planFleet(scenario({ systems: 4, seed })).map((p) => p.season)).size).toBe(
          4,
        );
      }),
      { numRuns: 20 },
    );
    expect(anomalyCount(60, 0.001)).toBe(1);
    expect(anomalyCount(60, 0.999)).toBe(59);
    expect(anomalyCount(10, 0.01)).toBe(0);
  });

  it('starts each system at a midnight inside its season of the scenario year', () => {
    for (const p of planFleet(scenario({ systems: 80, year: 2026 }))) {
      const d = new Date(p.startMs);
      expect(d.getUTCFullYear()).toBe(2026);
      expect(SEASON_MONTHS[p.season]).toContain(d.getUTCMonth() + 1);
      expect(p.startMs % (p.intervalSeconds * 1000)).toBe(0);
      expect(p.samples).toBe(8640);
    }
  });

  it('tags: noisy_normal only on normals, subtle only on anomalies with reduced severity', () => {
    const s = scenario({
      systems: 400,
      subtleRate: 0.5,
      severity: { min: 0.5, max: 1 },
      dataQuality: { noisyNormal: 0.5 },
    });
    const plans = planFleet(s);
    const subtle = plans.filter((p) => p.tags.includes('subtle'));
    expect(subtle.length).toBeGreaterThan(20);
    for (const p of subtle) expect(p.failure?.severity).toBeLessThanOrEqual(0.4);
    for (const p of plans.filter((q) => q.tags.includes('noisy_normal')))
      expect(p.failure).toBeNull();
    expect(plans.some((p) => p.failure && p.tags.includes('timestamp_gap'))).toBe(true);
    expect(plans.some((p) => !p.failure && p.tags.includes('timestamp_gap'))).toBe(true);
    for (const p of plans)
      if (p.failure)
        expect(p.failure.leadTimeDays).toBe(Math.round(p.failure.leadTimeDays * 100) / 100);
  });

  it('maps plans to metadata and label rows', () => {
    const plans = planFleet(scenario({ systems: 8 }));
    const normal = plans.find((p) => !p.failure);
    const anomaly = plans.find((p) => p.failure);
    if (!normal || !anomaly?.failure) throw new Error('fleet lacks a normal or an anomaly');
    expect(planToLabel(normal)).toEqual({
      system_id: normal.systemId,
      label: 'normal',
      failure_type: 'none',
      lead_time_days: null,
      source: 'synthetic',
      label_version: 1,
    });
    expect(planToLabel(anomaly)).toMatchObject({
      label: 'anomaly',
      failure_type: anomaly.failure.type,
      lead_time_days: anomaly.failure.leadTimeDays,
    });
    expect(planToMetadata(anomaly)).toMatchObject({
      system_id: anomaly.systemId,
      source: 'synthetic',
      operational_mode: anomaly.mode,
      season: anomaly.season,
      chemistry: 'LFP',
      scenario_tags: anomaly.tags,
    });
  });
});
