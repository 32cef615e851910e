import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES, type FailureType } from '../../../src/data/schema.ts';
import { failureIntensity, intensitySeries } from '../../../src/synth/failures.ts';
import { generateSystem } from '../../../src/synth/generate.ts';
import { planFleet } from '../../../src/synth/plan.ts';
import type { GeneratedSystem, SystemPlan } from '../../../src/synth/types.ts';
import { col, rackCurrent, mean, NO_FAULTS, scenario } from './helpers.ts';

describe('failureIntensity', () => {
  it('decreases with the time to failure and scales with severity', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FAILURE_TYPES),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (type, tau, extra, severity) => {
          const near = failureIntensity(type, tau, severity);
          const far = failureIntensity(type, tau + extra, severity);
          expect(near).toBeGreaterThanOrEqual(far);
          expect(near).toBeLessThanOrEqual(severity + 1e-12);
          expect(failureIntensity(type, tau, severity / 2)).toBeCloseTo(near / 2, 12);
          expect(failureIntensity(type, tau, 0)).toBe(0);
        },
      ),
    );
  });

  it('is full at the event and grows along the series', () => {
    for (const type of FAILURE_TYPES) {
      expect(failureIntensity(type, 0, 1)).toBeCloseTo(1, 12);
      const x = intensitySeries(type, 5, 1, 100, 3600);
      expect(x[99]).toBeCloseTo(failureIntensity(type, 5, 1), 12);
      expect(x[99]! > x[0]!).toBe(true);
    }
  });
});

/** The key feature of each failure type over the last day of a series; larger = stronger signature. */
const FEATURES: Readonly<
  Record<
    FailureType,
    {
      readonly name: string;
      readonly margin: number;
      readonly of: (g: GeneratedSystem, from: number) => number;
    }
  >
> = {
  thermal_runaway: {
    name: 'max cell-temperature rise over ambient (°C)',
    margin: 3,
    of: (g, from) => maxOf(g, from, (c, i) => c('temp_cell_max_c')[i]! - c('temp_ambient_c')[i]!),
  },
  internal_short: {
    name: 'max cell ΔV (mV)',
    margin: 20,
    of: (g, from) =>
      1000 * maxOf(g, from, (c, i) => c('cell_voltage_max_v')[i]! - c('cell_voltage_min_v')[i]!),
  },
  // Mid-SOC modes (frequency regulation) hide imbalance behind LFP's flat OCV: a smaller margin.
  cell_imbalance: {
    name: 'max cell ΔV (mV)',
    margin: 15,
    of: (g, from) =>
      1000 * maxOf(g, from, (c, i) => c('cell_voltage_max_v')[i]! - c('cell_voltage_min_v')[i]!),
  },
  capacity_fade: { name: 'SOC moved per Ah (%/Ah)', margin: 0.03, of: socPerAh },
  cooling_failure: {
    name: 'mean cell temperature over ambient (°C)',
    margin: 0.8,
    of: (g, from) =>
      meanOf(
        g,
        from,
        (c, i) =>
          (c('temp_cell_max_c')[i]! + c('temp_cell_min_c')[i]!) / 2 - c('temp_ambient_c')[i]!,
      ),
  },
  insulation_fault: {
    name: 'min insulation, negated (kΩ)',
    margin: 1500,
    of: (g, from) => -Math.min(...col(g.columns, 'insulation_resistance_kohm').subarray(from)),
  },
};

type Getter = (name: string) => Float64Array;
function series(g: GeneratedSystem, from: number, f: (c: Getter, i: number) => number): number[] {
  const c: Getter = (name) => col(g.columns, name);
  const out: number[] = [];
  for (let i = from; i < g.timestamps.length; i++) out.push(f(c, i));
  return out;
}
const maxOf = (g: GeneratedSystem, from: number, f: (c: Getter, i: number) => number): number =>
  Math.max(...series(g, from, f));
const meanOf = (g: GeneratedSystem, from: number, f: (c: Getter, i: number) => number): number =>
  mean(series(g, from, f));
function socPerAh(g: GeneratedSystem, from: number): number {
  const soc = col(g.columns, 'soc_pct');
  const cur = rackCurrent(g);
  let moved = 0;
  let ah = 0;
  for (let i = from + 1; i < soc.length; i++) {
    moved += Math.abs(soc[i]! - soc[i - 1]!);
    ah += (Math.abs(cur[i - 1]!) * g.plan.intervalSeconds) / 3600;
  }
  return moved / ah;
}

describe('failure signatures', () => {
  const sc = scenario({
    systems: 10,
    days: 30,
    anomalyRate: 0,
    dataQuality: NO_FAULTS,
    seed: 'signatures',
  });
  // Cycling modes in three climates; backup barely moves SOC, so it cannot show capacity fade.
  const bases: SystemPlan[] = planFleet(sc)
    .filter((p) => p.mode !== 'backup')
    .slice(0, 3)
    .map((p, k) => ({ ...p, climate: (['temperate', 'hot', 'cold'] as const)[k]!, tags: [] }));

  it.each(FAILURE_TYPES)('%s grows as the lead time shrinks, and a normal shows none', (type) => {
    const feature = FEATURES[type];
    for (const base of bases) {
      const from = base.samples - 86400 / base.intervalSeconds;
      const at = (leadTimeDays: number | null): number =>
        feature.of(
          generateSystem(
            {
              ...base,
              failure: leadTimeDays === null ? null : { type, leadTimeDays, severity: 1 },
            },
            sc,
          ),
          from,
        );
      const [normal, far, mid, near] = [at(null), at(90), at(30), at(1)];
      const where = `${type} on ${base.systemId} (${base.mode}, ${base.climate}) — ${feature.name}: normal ${normal}, 90 d ${far}, 30 d ${mid}, 1 d ${near}`;
      expect(near, where).toBeGreaterThan(mid);
      expect(mid, where).toBeGreaterThanOrEqual(far);
      expect(far, where).toBeGreaterThanOrEqual(normal);
      expect(near - normal, where).toBeGreaterThan(feature.margin);
    }
  });
});
