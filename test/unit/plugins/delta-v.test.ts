import { describe, expect, it } from 'vitest';
import { withDerived } from '../../../src/data/in-memory.ts';
import { percentileOfFinite } from '../../../src/features/index.ts';
import { rocAuc } from '../../../src/metrics/index.ts';
import type { ModelPlugin } from '../../../src/plugin/model.ts';
import deltaV, { restDeltaV } from '../../../plugins/delta-v/index.ts';
import zscore from '../../../plugins/zscore/index.ts';
import {
  datasetOf,
  scoreContext,
  smallDefaultFleet,
  type InMemoryFleet,
} from '../../helpers/in-memory-dataset.ts';
import { shortCircuitCase, type ShortCircuitWindow } from '../../helpers/short-circuit-case.ts';
import { recordOf } from '../../../src/data/in-memory.ts';
import { checkContract } from '../../../src/check/contract.ts';

const signal = new AbortController().signal;

/** Synthetic training normals from the generator: a small all-normal fleet. */
let normals: InMemoryFleet | undefined;
function syntheticNormals(): InMemoryFleet {
  normals ??= smallDefaultFleet({ systems: 24, days: 3, anomalyRate: 0 });
  return normals;
}

function windowMedianDeltaV(w: ShortCircuitWindow): number {
  const hi = w.series.sensors.cell_voltage_max_v!;
  const lo = w.series.sensors.cell_voltage_min_v!;
  return percentileOfFinite(
    hi.map((h, i) => (h - lo[i]!) * 1000),
    0.5,
  );
}

/** Fits on the given records and returns the ROC AUC over the short-circuit windows. */
async function aucOnCase(
  plugin: ModelPlugin<any>,
  train: Parameters<typeof datasetOf>[0],
  windows: readonly ShortCircuitWindow[],
): Promise<number> {
  await plugin.fit?.(datasetOf(train), { seed: 'x', signal });
  const scores: number[] = [];
  for (const w of windows)
    scores.push(
      await plugin.score(withDerived(w.series, plugin.derive ?? []), scoreContext('x', w.metadata)),
    );
  return rocAuc(
    windows.map((w) => (w.label.label === 'anomaly' ? 1 : 0)),
    scores,
  ).value!;
}

describe('the 12-cell short-circuit case (field-stats.md)', () => {
  const windows = shortCircuitCase();

  it('is built like the field case: 30 s windows at 10 Hz, ΔV ~3.2 mV healthy, 4.8–7.6 mV and rising after the short', () => {
    expect(windows).toHaveLength(60);
    expect(windows[0]!.series.timestamps).toHaveLength(300);
    const healthy = windows.filter((w) => w.startS < 900).map(windowMedianDeltaV);
    const shorted = windows.filter((w) => w.startS >= 900).map(windowMedianDeltaV);
    expect(healthy).toHaveLength(30);
    for (const v of healthy) (expect(v).toBeGreaterThan(2.8), expect(v).toBeLessThan(3.7));
    for (const v of shorted) (expect(v).toBeGreaterThan(4.3), expect(v).toBeLessThan(8));
    // Rising: the last five windows sit well above the first five.
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(shorted.slice(-5)) - mean(shorted.slice(0, 5))).toBeGreaterThan(2);
    for (const w of windows) expect(w.label.label).toBe(w.startS >= 900 ? 'anomaly' : 'normal');
  });

  it('is seeded: the same seed gives the same bytes, another seed other ones', () => {
    const again = shortCircuitCase();
    expect(again[40]!.series.sensors.cell_voltage_min_v).toEqual(
      windows[40]!.series.sensors.cell_voltage_min_v,
    );
    const other = shortCircuitCase({ seed: 'other' });
    expect(other[40]!.series.sensors.cell_voltage_min_v).not.toEqual(
      windows[40]!.series.sensors.cell_voltage_min_v,
    );
  });

  it('delta-v trained on synthetic normals ranks the windows with ROC AUC ≥ 0.9', async () => {
    const fleet = syntheticNormals();
    const auc = await aucOnCase(
      deltaV(),
      fleet.systems.map((s) => s.record),
      windows,
    );
    // Measured 1.000 (the generator's rest ΔV is ~16 mV today: the level does not matter).
    expect(auc).toBeGreaterThanOrEqual(0.9);
  });

  // A healthy module with 5 mV noise: rest ΔV ~16 mV, five times the case's (the level of the
  // fleet field-stats.md trained on). Built here, not taken from the generator, so the contrast
  // holds whatever level the generator's rest ΔV is calibrated to.
  const noisyTrain = (): Parameters<typeof datasetOf>[0] => {
    const noisy = shortCircuitCase({ seed: 'noisy', shortAtS: Infinity, noiseV: 0.005 });
    expect(
      percentileOfFinite(Float64Array.from(noisy.map(windowMedianDeltaV)), 0.5),
    ).toBeGreaterThan(12);
    return noisy.map((w) => recordOf(w.label, w.metadata, (d) => withDerived(w.series, d)));
  };

  it('zscore with its two-sided default, trained on a ~16 mV healthy level, ranks the windows backwards', async () => {
    // What field-stats.md saw: |z| around a 16 mV centre rewards the windows nearer 16 mV.
    expect(await aucOnCase(zscore(), noisyTrain(), windows)).toBeLessThan(0.5);
  });

  it('delta-v trained on the same ~16 mV level keeps its ranking', async () => {
    expect(await aucOnCase(deltaV(), noisyTrain(), windows)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('delta-v plugin', () => {
  it('validates its options and needs fit first', () => {
    expect(deltaV()).toMatchObject({ name: 'delta-v', version: '1' });
    expect(() => deltaV({ maxPool: 1 })).toThrow(/maxPool/);
    expect(() => deltaV({ minRest: 0 })).toThrow(/minRest/);
    const w = shortCircuitCase({ seconds: 30 })[0]!;
    expect(() => deltaV().score(w.series, scoreContext('x', w.metadata))).toThrow(/before fit/);
  });

  it('reads rest by C-rate with a capacity, by current without one', () => {
    const n = 4;
    const series = {
      systemId: 's',
      source: 'synthetic' as const,
      timestamps: Float64Array.from({ length: n }, (_, i) => i * 1000),
      sensors: {
        voltage_v: new Float64Array(n).fill(800),
        current_a: Float64Array.from([0, 3, 20, 200]),
        cell_voltage_max_v: new Float64Array(n).fill(3.31),
        cell_voltage_min_v: Float64Array.from([3.3, 3.29, 3.28, 3.27]),
      },
    };
    // 224 kWh: 0.02C = 4480 W = 5.6 A at 800 V; 3 A is rest, 20 A is not.
    const byCRate = restDeltaV(series, 224)!;
    expect([...byCRate].map((v) => (v === v ? Math.round(v) : null))).toEqual([10, 20, null, null]);
    // Without a capacity: |current| < 5 A.
    const byCurrent = restDeltaV(series, undefined)!;
    expect(byCurrent.filter((v) => v === v)).toHaveLength(2);
    expect(restDeltaV({ ...series, sensors: { current_a: series.sensors.current_a } }, 224)).toBe(
      undefined,
    );
  });

  it('scores 0 ("no evidence") without rest readings, and higher for a higher rest ΔV', async () => {
    const fleet = syntheticNormals();
    const model = deltaV();
    await model.fit!(datasetOf(fleet.systems.map((s) => s.record)), { seed: 'x', signal });
    const { center, scale } = model.state()!;
    expect(scale).toBeGreaterThan(0);
    const w = shortCircuitCase({ seconds: 30 })[0]!;
    const loaded = {
      ...w.series,
      sensors: { ...w.series.sensors, current_a: new Float64Array(300).fill(50) },
    };
    expect(await model.score(loaded, scoreContext('x', w.metadata))).toBe(0);
    const z = await model.score(w.series, scoreContext('x', w.metadata));
    expect(z).toBeCloseTo((windowMedianDeltaV(w) - center) / scale, 6);
  });

  it('refuses a training split without normals or without rest readings', async () => {
    const w = shortCircuitCase({ seconds: 30 })[0]!;
    const anomaly = recordOf({ ...w.label, label: 'anomaly' }, w.metadata, () => w.series);
    await expect(deltaV().fit!(datasetOf([anomaly]), { seed: 'x', signal })).rejects.toThrow(
      /no normal systems/,
    );
    const loaded = recordOf(w.label, w.metadata, () => ({
      ...w.series,
      sensors: { ...w.series.sensors, current_a: new Float64Array(300).fill(50) },
    }));
    await expect(deltaV().fit!(datasetOf([loaded]), { seed: 'x', signal })).rejects.toThrow(
      /fewer than 2 rest readings/,
    );
  });

  it('holds the plugin contract on generated edge-case fleets (refusing a fit only with a message)', async () => {
    const report = await checkContract(() => deltaV(), { seed: 7, numRuns: 30 });
    expect(report.violations).toEqual([]);
    for (const m of report.refusals) expect(m).toMatch(/^delta-v: /);
  });
});
