/**
 * Realism: the cell ΔV (max − min cell voltage) of a generated LFP fleet against the field table
 * of field-stats.md ("Cell ΔV", an LFP bank at 10 s): the median of every SOC band × C-rate bin
 * must lie within 2× of the field median. The fleet has rest periods and discharges at 0.4–0.7C
 * down to low SOC (arbitrage, peak shaving, solar smoothing), no failures and no data-quality
 * faults, but the usual measurement noise and 1 mV quantization of the readings.
 */
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../../src/synth/generate.ts';
import { col, rackCurrent, NO_FAULTS, scenario } from './helpers.ts';

interface Bin {
  readonly state: 'rest' | 'discharge';
  readonly socLo: number;
  readonly socHi: number;
  /** Field median ΔV (mV), field-stats.md. */
  readonly fieldMv: number;
}

/** The field table: at rest (C-rate < 0.02) and discharging at 0.4–0.7C, by SOC band. */
const FIELD_BINS: readonly Bin[] = [
  { state: 'rest', socLo: 40, socHi: 60, fieldMv: 4 },
  { state: 'rest', socLo: 60, socHi: 80, fieldMv: 6 },
  { state: 'rest', socLo: 80, socHi: 90, fieldMv: 4 },
  { state: 'discharge', socLo: 80, socHi: 90, fieldMv: 15 },
  { state: 'discharge', socLo: 60, socHi: 80, fieldMv: 18 },
  { state: 'discharge', socLo: 40, socHi: 60, fieldMv: 23 },
  { state: 'discharge', socLo: 30, socHi: 40, fieldMv: 38 },
  { state: 'discharge', socLo: 20, socHi: 30, fieldMv: 45 },
  { state: 'discharge', socLo: 15, socHi: 20, fieldMv: 78 },
  // The field has one reading at 12.5 %: the band around it.
  { state: 'discharge', socLo: 11, socHi: 14, fieldMv: 116 },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** ΔV readings (mV) per bin of a fleet. */
function binFleet(): number[][] {
  const sc = scenario({
    systems: 15,
    days: 14,
    interval: '5m',
    seed: 'realism-dv',
    modes: { arbitrage: 2, peak_shaving: 1, solar_smoothing: 1 },
    chemistries: { LFP: 1 },
    anomalyRate: 0,
    dataQuality: NO_FAULTS,
  });
  const bins: number[][] = FIELD_BINS.map(() => []);
  for (const g of generateFleet(sc)) {
    const oneC = g.plan.pack.cellAh;
    const cur = rackCurrent(g);
    const soc = col(g.columns, 'soc_pct');
    const vMax = col(g.columns, 'cell_voltage_max_v');
    const vMin = col(g.columns, 'cell_voltage_min_v');
    for (let i = 0; i < cur.length; i++) {
      const c = (cur[i] as number) / oneC;
      const s = soc[i] as number;
      const dv = ((vMax[i] as number) - (vMin[i] as number)) * 1000;
      if (!Number.isFinite(dv)) continue;
      const state = Math.abs(c) < 0.02 ? 'rest' : c >= 0.4 && c <= 0.7 ? 'discharge' : null;
      FIELD_BINS.forEach((b, k) => {
        if (b.state === state && s >= b.socLo && s < b.socHi) (bins[k] as number[]).push(dv);
      });
    }
  }
  return bins;
}

describe('cell ΔV against the field table (field-stats.md)', () => {
  const bins = binFleet();

  it.each(FIELD_BINS.map((b, k) => [k, b] as const))(
    'bin %#: median within 2× of the field',
    (k, b) => {
      const xs = bins[k] as number[];
      // Enough readings for a median to mean something.
      expect(xs.length, `${b.state} SOC ${b.socLo}–${b.socHi} %: readings`).toBeGreaterThanOrEqual(
        20,
      );
      const m = median(xs);
      const label = `${b.state} SOC ${b.socLo}–${b.socHi} %: median ${m.toFixed(1)} mV vs field ${b.fieldMv} mV (n = ${xs.length})`;
      expect(m, label).toBeGreaterThanOrEqual(b.fieldMv / 2);
      expect(m, label).toBeLessThanOrEqual(b.fieldMv * 2);
    },
  );

  it('has the field shape: rest below load, and a knee at low SOC under load', () => {
    const med = bins.map((xs) => median(xs));
    const at = (state: Bin['state'], lo: number): number =>
      med[FIELD_BINS.findIndex((b) => b.state === state && b.socLo === lo)] as number;
    expect(at('rest', 40)).toBeLessThan(at('discharge', 40));
    expect(at('discharge', 80)).toBeLessThan(at('discharge', 40));
    expect(at('discharge', 40)).toBeLessThan(at('discharge', 15));
    expect(at('discharge', 15)).toBeLessThan(at('discharge', 11));
  });
});
