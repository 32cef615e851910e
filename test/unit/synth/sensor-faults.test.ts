import { describe, expect, it } from 'vitest';
import { PHYSICAL_LIMITS, SENSORS, type ScenarioTag } from '../../../src/data/schema.ts';
import { SENSOR_FULL_SCALE } from '../../../src/synth/bounds.ts';
import { cleanChannels, generateSystem } from '../../../src/synth/generate.ts';
import { planFleet } from '../../../src/synth/plan.ts';
import { createRng } from '../../../src/synth/random.ts';
import {
  applyStuckSensor,
  applyTimestampGaps,
  quantize,
  type Channels,
} from '../../../src/synth/sensor-faults.ts';
import type { SystemPlan } from '../../../src/synth/types.ts';
import { col, NO_FAULTS, scenario } from './helpers.ts';

const sc = scenario({
  systems: 6,
  days: 10,
  anomalyRate: 0,
  dataQuality: NO_FAULTS,
  seed: 'faults',
});
const base = planFleet(sc)[0]!;
const withTags = (tags: ScenarioTag[]): SystemPlan => ({ ...base, tags });

describe('sensor faults', () => {
  it('quantizes to the sensor resolution without binary artefacts', () => {
    expect(quantize(3.28549, 0.001)).toBe(3.285);
    expect(quantize(25.06, 0.1)).toBe(25.1);
  });

  it('spike adds single-sample outliers of 0, full scale or ×10 (saturating at full scale) to one or two sensors only', () => {
    const clean = generateSystem(withTags([]), sc);
    const spiked = generateSystem(withTags(['spike']), sc);
    const changed = SENSORS.filter((s) =>
      col(clean.columns, s).some((v, i) => v !== col(spiked.columns, s)[i]),
    );
    expect(changed.length).toBeGreaterThanOrEqual(1);
    expect(changed.length).toBeLessThanOrEqual(2);
    for (const s of changed) {
      const a = col(clean.columns, s);
      const b = col(spiked.columns, s);
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        const fs = SENSOR_FULL_SCALE[s];
        expect([0, fs, Math.max(-fs, Math.min(fs, (a[i] as number) * 10))]).toContain(b[i]);
        // still a value a working sensor can report, so `harness validate` accepts the file
        const limits = PHYSICAL_LIMITS[s];
        if (limits)
          (expect(b[i]).toBeGreaterThanOrEqual(limits.min),
            expect(b[i]).toBeLessThanOrEqual(limits.max));
      }
    }
  });

  it('stuck sensor holds one value for a while and keeps the pair ordered', () => {
    const ch = cleanChannels(base) as Channels;
    const before = Object.fromEntries(SENSORS.map((s) => [s, ch[s].slice()])) as Channels;
    applyStuckSensor(ch, base.intervalSeconds, createRng('stuck'));
    const changed = SENSORS.filter((s) => ch[s].some((v, i) => v !== before[s][i]));
    // The frozen sensor, plus at most its pair partner (bounded by the frozen value).
    expect(changed.length).toBeGreaterThanOrEqual(1);
    expect(changed.length).toBeLessThanOrEqual(2);
    for (const s of changed) {
      const idx = Array.from(ch[s].keys()).filter((i) => ch[s][i] !== before[s][i]);
      expect(new Set(idx.map((i) => ch[s][i])).size).toBe(1);
    }
    for (const [lo, hi] of [
      ['temp_cell_min_c', 'temp_cell_max_c'],
      ['cell_voltage_min_v', 'cell_voltage_max_v'],
    ] as const) {
      expect(ch[lo].every((v, i) => v <= (ch[hi][i] as number))).toBe(true);
    }
  });

  it('timestamp gaps remove 1–3 runs of rows but never the first or last row', () => {
    for (let k = 0; k < 20; k++) {
      const keep = new Uint8Array(2000).fill(1);
      applyTimestampGaps(keep, 300, createRng(`gap${k}`));
      expect(keep[0]).toBe(1);
      expect(keep[1999]).toBe(1);
      expect(keep.filter((v) => v === 0).length).toBeGreaterThan(0);
      let runs = 0;
      for (let i = 1; i < keep.length; i++) if (keep[i] === 0 && keep[i - 1] === 1) runs++;
      expect(runs).toBeLessThanOrEqual(3);
    }
  });

  it('dropout empties fields and removes rows; the series still ends on its last sample', () => {
    const g = generateSystem(withTags(['sensor_dropout']), sc);
    expect(g.timestamps.length).toBeLessThan(base.samples);
    expect(SENSORS.some((s) => col(g.columns, s).some(Number.isNaN))).toBe(true);
    expect(g.timestamps[g.timestamps.length - 1]).toBe(
      base.startMs + (base.samples - 1) * base.intervalSeconds * 1000,
    );
  });

  it('noisy_normal raises the measurement noise', () => {
    const rough = (tags: ScenarioTag[]): number => {
      const v = col(generateSystem(withTags(tags), sc).columns, 'cell_voltage_max_v');
      let s = 0;
      for (let i = 2; i < v.length; i++)
        s += Math.abs((v[i] as number) - 2 * (v[i - 1] as number) + (v[i - 2] as number));
      return s;
    };
    expect(rough(['noisy_normal'])).toBeGreaterThan(1.3 * rough([]));
  });
});
