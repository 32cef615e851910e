import { describe, expect, it } from 'vitest';
import {
  FAILURE_TYPES,
  OPERATIONAL_MODES,
  SEASONS,
  SENSORS,
  type Sensor,
} from '../../../src/data/schema.ts';
import { CLEAN_BOUNDS } from '../../../src/synth/bounds.ts';
import { generateFleet, generateSystem } from '../../../src/synth/generate.ts';
import { planFleet } from '../../../src/synth/plan.ts';
import { CELL_AH } from '../../../src/synth/rack.ts';
import type { GeneratedSystem, ResolvedScenario } from '../../../src/synth/types.ts';
import { col, rackCurrent, NO_EVENTS, NO_FAULTS, sameBytes, scenario } from './helpers.ts';

function checkShape(g: GeneratedSystem): void {
  expect(Object.keys(g.columns).sort()).toEqual([...SENSORS].sort());
  for (const s of SENSORS) expect(col(g.columns, s).length).toBe(g.timestamps.length);
  let unordered = 0;
  for (let i = 1; i < g.timestamps.length; i++)
    if (!((g.timestamps[i] as number) > (g.timestamps[i - 1] as number))) unordered++;
  expect(unordered).toBe(0);
  // The last sample anchors the lead time, so faults never remove it.
  expect(g.timestamps[g.timestamps.length - 1]).toBe(
    g.plan.startMs + (g.plan.samples - 1) * g.plan.intervalSeconds * 1000,
  );
}

/** Every finite value within bounds.ts and the aggregate pairs ordered. */
function checkBounds(g: GeneratedSystem): void {
  const bad: string[] = [];
  for (const s of SENSORS as readonly Sensor[]) {
    const { min, max } = CLEAN_BOUNDS[s];
    const c = col(g.columns, s);
    for (let i = 0; i < c.length; i++) {
      const v = c[i] as number;
      if (Number.isFinite(v) ? v < min || v > max : !Number.isNaN(v))
        bad.push(`${g.plan.systemId} ${s}[${i}] = ${v}`);
    }
  }
  for (const [lo, hi] of [
    ['cell_voltage_min_v', 'cell_voltage_max_v'],
    ['temp_cell_min_c', 'temp_cell_max_c'],
  ] as const) {
    const a = col(g.columns, lo);
    const b = col(g.columns, hi);
    for (let i = 0; i < a.length; i++)
      if ((a[i] as number) > (b[i] as number)) bad.push(`${g.plan.systemId} ${lo} > ${hi} at ${i}`);
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('generateSystem', () => {
  const s = scenario({ systems: 12, days: 7 });

  it('is deterministic: the same seed gives identical arrays, another seed different ones', () => {
    const plans = planFleet(s);
    for (const p of plans.slice(0, 4)) {
      const a = generateSystem(p, s);
      const b = generateSystem(p, s);
      expect(sameBytes(a.timestamps, b.timestamps)).toBe(true);
      for (const name of SENSORS)
        expect(sameBytes(col(a.columns, name), col(b.columns, name))).toBe(true);
    }
    const other = generateSystem(planFleet({ ...s, seed: 'other' })[0]!, s);
    const first = generateSystem(plans[0]!, s);
    expect(
      sameBytes(col(first.columns, 'temp_ambient_c'), col(other.columns, 'temp_ambient_c')),
    ).toBe(false);
  });

  it('does not depend on generation order: a system alone equals the same system in the fleet', () => {
    const fleet = [...generateFleet(s)];
    const alone = generateSystem(planFleet(s)[7]!, s);
    for (const name of SENSORS)
      expect(sameBytes(col(alone.columns, name), col(fleet[7]!.columns, name))).toBe(true);
  });

  it('integrates SOC from current (coulomb counting) on a clean system', () => {
    const clean = scenario({
      systems: 10,
      days: 5,
      anomalyRate: 0,
      dataQuality: NO_FAULTS,
      events: NO_EVENTS,
    });
    for (const p of planFleet(clean)) {
      const g = generateSystem(p, clean);
      const soc = col(g.columns, 'soc_pct');
      const cur = rackCurrent(g);
      const perDay = 86400 / p.intervalSeconds;
      let worst = 0;
      for (let start = 0; start + perDay < soc.length; start += perDay) {
        let ah = 0;
        for (let i = start; i < start + perDay; i++)
          ah += ((cur[i] as number) * p.intervalSeconds) / 3600;
        const predicted = (-ah / CELL_AH) * 100;
        worst = Math.max(
          worst,
          Math.abs((soc[start + perDay] as number) - (soc[start] as number) - predicted),
        );
      }
      // 0.1 % SOC quantization at both ends plus the integrated current noise.
      expect(worst, `${p.systemId} ${p.mode}`).toBeLessThan(0.5);
    }
  });
});

describe('physical bounds', () => {
  function fleetWithin(sc: ResolvedScenario): GeneratedSystem[] {
    const out: GeneratedSystem[] = [];
    for (const g of generateFleet(sc)) {
      checkShape(g);
      checkBounds(g);
      out.push(g);
    }
    return out;
  }

  it('holds for every system of a faulty fleet without spikes', () => {
    const sc = scenario({
      systems: 40,
      days: 10,
      anomalyRate: 0.5,
      noise: 2,
      leadTimeDays: { kind: 'uniform', min: 0, max: 3 },
      severity: { min: 1, max: 1 },
      dataQuality: {
        spike: 0,
        sensorDropout: 0.5,
        stuckSensor: 0.5,
        timestampGap: 0.5,
        noisyNormal: 0.5,
      },
    });
    const fleet = fleetWithin(sc);
    expect(fleet.some((g) => g.plan.tags.includes('stuck_sensor'))).toBe(true);
    expect(fleet.some((g) => g.timestamps.length < g.plan.samples)).toBe(true);
  });

  it('holds in the hottest and coldest corners with failures at the event', () => {
    for (const [climates, seasons] of [
      [{ hot: 1 }, { summer: 1 }],
      [{ cold: 1 }, { winter: 1 }],
    ] as const) {
      fleetWithin(
        scenario({
          systems: 12,
          days: 14,
          anomalyRate: 0.5,
          climates,
          seasons,
          failureTypes: {
            cooling_failure: 2,
            thermal_runaway: 1,
            capacity_fade: 1,
            internal_short: 1,
            cell_imbalance: 1,
          },
          leadTimeDays: { kind: 'uniform', min: 0, max: 0.1 },
          severity: { min: 1, max: 1 },
          dataQuality: NO_FAULTS,
        }),
      );
    }
  });
});

describe('fleet coverage', () => {
  it('the default scenario with 60 systems holds both labels, all types, modes, seasons and missing rows', () => {
    const sc = scenario({ systems: 60 });
    const fleet = [...generateFleet(sc)];
    const plans = fleet.map((g) => g.plan);
    expect(new Set(plans.map((p) => (p.failure ? 'anomaly' : 'normal')))).toEqual(
      new Set(['normal', 'anomaly']),
    );
    expect(new Set(plans.flatMap((p) => (p.failure ? [p.failure.type] : [])))).toEqual(
      new Set(FAILURE_TYPES),
    );
    expect(new Set(plans.map((p) => p.mode))).toEqual(new Set(OPERATIONAL_MODES));
    expect(new Set(plans.map((p) => p.season))).toEqual(new Set(SEASONS));
    expect(fleet.some((g) => g.timestamps.length < g.plan.samples)).toBe(true);
    expect(fleet.some((g) => SENSORS.some((s) => col(g.columns, s).some(Number.isNaN)))).toBe(true);
  });

  // Speed is measured by the benchmark, not asserted here; this checks that data-quality
  // faults remove only a small share of the default fleet's rows.
  it('keeps at least 95 % of the rows of the full default fleet', () => {
    const sc = scenario({ systems: 200 });
    let rows = 0;
    for (const g of generateFleet(sc)) rows += g.timestamps.length;
    expect(rows).toBeGreaterThan(200 * 8640 * 0.95);
    expect(rows).toBeLessThan(200 * 8640);
  });
});
