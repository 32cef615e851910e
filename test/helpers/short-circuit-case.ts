/**
 * The 12-cell short-circuit case of field-stats.md ("The 12-cell short-circuit case"), rebuilt as
 * a seeded fixture: an NMC module of 12 cells in series at rest, sampled at 10 Hz with 1 mV
 * measurement noise, an internal short in cell 1 from t = 900 s, cut into 30 s windows. Windows
 * that start at or after the short are labelled anomaly.
 *
 * Calibration (checked by test/unit/plugins/delta-v.test.ts): healthy windows show a median ΔV
 * of 3.2–3.4 mV (the range of 12 cells' 1 mV noise plus sub-mV balancing offsets), and windows
 * after the short 4.75–7.54 mV, rising, as the field statistics' 4.8–7.6 mV.
 */
import type { MetadataRow, LabelRow, SystemSeries } from '../../src/data/types.ts';
import { createRng } from '../../src/synth/random.ts';

/** Options of {@link shortCircuitCase}; the defaults are the field case. */
export interface ShortCircuitOptions {
  readonly seed?: string;
  readonly cells?: number;
  readonly hz?: number;
  /** Length of the recording, s (default 1800: 30 min). */
  readonly seconds?: number;
  /** When the short starts, s (default 900); `Infinity` for a healthy module. */
  readonly shortAtS?: number;
  /** Measurement noise, V (default 0.001). */
  readonly noiseV?: number;
  /** Standard deviation of the cells' resting-voltage offsets, V (default 0.0001: a balanced module). */
  readonly offsetSdV?: number;
  /** Window length, s (default 30). */
  readonly windowS?: number;
}

/** One 30 s window: a system of its own, with its label and metadata. */
export interface ShortCircuitWindow {
  readonly series: SystemSeries;
  readonly label: LabelRow;
  readonly metadata: MetadataRow;
  /** Window start, s from the start of the recording. */
  readonly startS: number;
}

/** A 12-cell NMC module of 50 Ah cells: 12 × 3.7 V × 50 Ah. */
export const MODULE_CAPACITY_KWH = (12 * 3.7 * 50) / 1000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * Extra voltage drop of the shorted cell t seconds after the short, V: the leakage current
 * discharges it, a fast initial step (the short's own I·R) then a steady fall. Chosen so the
 * windows' ΔV runs 4.8–7.6 mV as in field-stats.md.
 */
function shortDrop(t: number): number {
  return 0.0031 + 0.0029 * (t / 900);
}

/**
 * Per-cell voltages of the module, then the contract's columns per 30 s window: pack voltage
 * (sum of the cells), current (0 A at rest, with 20 mA sensor noise), SOC (constant), cell max
 * and min across the 12 cells. No temperatures: the field case has none.
 */
export function shortCircuitCase(options: ShortCircuitOptions = {}): ShortCircuitWindow[] {
  const seed = options.seed ?? 'short-circuit';
  const cells = options.cells ?? 12;
  const hz = options.hz ?? 10;
  const seconds = options.seconds ?? 1800;
  const shortAt = options.shortAtS ?? 900;
  const noise = options.noiseV ?? 0.001;
  const offsetSd = options.offsetSdV ?? 0.0001;
  const windowS = options.windowS ?? 30;
  const rng = createRng(`short-circuit-case:${seed}`);
  const ocv = 3.7;
  const offsets = Array.from({ length: cells }, () => rng.normal(0, offsetSd));
  const n = Math.round(seconds * hz);
  const perWindow = Math.round(windowS * hz);
  const windows: ShortCircuitWindow[] = [];
  for (let start = 0; start + perWindow <= n; start += perWindow) {
    const timestamps = new Float64Array(perWindow);
    const voltage = new Float64Array(perWindow);
    const current = new Float64Array(perWindow);
    const soc = new Float64Array(perWindow).fill(60);
    const hi = new Float64Array(perWindow);
    const lo = new Float64Array(perWindow);
    for (let j = 0; j < perWindow; j++) {
      const t = (start + j) / hz;
      timestamps[j] = T0 + Math.round(t * 1000);
      let sum = 0;
      let max = -Infinity;
      let min = Infinity;
      for (let c = 0; c < cells; c++) {
        let v = ocv + (offsets[c] as number) + rng.normal(0, noise);
        if (c === 0 && t >= shortAt) v -= shortDrop(t - shortAt);
        sum += v;
        if (v > max) max = v;
        if (v < min) min = v;
      }
      voltage[j] = sum;
      current[j] = rng.normal(0, 0.02);
      hi[j] = max;
      lo[j] = min;
    }
    const startS = start / hz;
    const systemId = `module-w${String(start / perWindow).padStart(3, '0')}`;
    const anomaly = startS >= shortAt;
    windows.push({
      startS,
      series: {
        systemId,
        source: 'real',
        timestamps,
        sensors: {
          voltage_v: voltage,
          current_a: current,
          soc_pct: soc,
          cell_voltage_max_v: hi,
          cell_voltage_min_v: lo,
        },
      },
      label: {
        system_id: systemId,
        label: anomaly ? 'anomaly' : 'normal',
        failure_type: anomaly ? 'internal_short' : 'none',
        lead_time_days: anomaly ? 0 : null,
        source: 'real',
        label_version: 1,
      },
      metadata: {
        system_id: systemId,
        source: 'real',
        operational_mode: 'backup',
        season: 'winter',
        chemistry: 'NMC',
        capacity_kwh: MODULE_CAPACITY_KWH,
        scenario_tags: [],
      },
    });
  }
  return windows;
}
