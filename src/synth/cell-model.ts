/**
 * The rack's electrical and thermal state from its current and SOC: LFP open-circuit voltage,
 * I·R and polarization, the spread between the highest and lowest cell, a first-order thermal
 * model behind an HVAC-controlled container, and the insulation resistance. Failure modifiers
 * (failures.ts) enter here so each precursor follows the same physics as the healthy signal.
 */
import type { FailureModifiers } from './failures.ts';
import { CELL_AH, CELLS_IN_SERIES } from './rack.ts';
import type { Rng } from './random.ts';
import { CELL_VOLTAGE_LIMITS, INSULATION_SENSOR_MAX_KOHM } from './bounds.ts';

/** LFP open-circuit voltage curve (SOC %, V): flat plateau over 20–90 %, steep at both ends. */
export const LFP_OCV_POINTS: readonly (readonly [number, number])[] = [
  [0, 2.5],
  [2, 2.85],
  [5, 3.02],
  [10, 3.15],
  [15, 3.2],
  [20, 3.22],
  [30, 3.25],
  [40, 3.27],
  [50, 3.285],
  [60, 3.29],
  [70, 3.3],
  [80, 3.32],
  [90, 3.335],
  [95, 3.35],
  [98, 3.39],
  [100, 3.45],
];

// A 0.1 %-step lookup table: OCV is evaluated several times per sample.
const OCV_LUT = (() => {
  const lut = new Float64Array(1001);
  let seg = 0;
  for (let k = 0; k <= 1000; k++) {
    const s = k / 10;
    while (
      seg < LFP_OCV_POINTS.length - 2 &&
      s > (LFP_OCV_POINTS[seg + 1] as readonly [number, number])[0]
    )
      seg++;
    const [s0, v0] = LFP_OCV_POINTS[seg] as readonly [number, number];
    const [s1, v1] = LFP_OCV_POINTS[seg + 1] as readonly [number, number];
    lut[k] = v0 + ((v1 - v0) * (s - s0)) / (s1 - s0);
  }
  return lut;
})();

/** Open-circuit voltage (V) of an LFP cell at `socPct` (clamped to 0–100). */
export function lfpOcv(socPct: number): number {
  const x = Math.min(1000, Math.max(0, socPct * 10));
  const k = Math.min(999, Math.floor(x));
  const f = x - k;
  return (OCV_LUT[k] as number) * (1 - f) + (OCV_LUT[k + 1] as number) * f;
}

/** Inputs of the cell model for one system. */
export interface CellModelInput {
  readonly current: Float64Array;
  readonly soc: Float64Array;
  readonly ambientC: Float64Array;
  readonly humidity: Float64Array;
  readonly intervalSeconds: number;
  readonly modifiers: FailureModifiers;
  /** Draws the system's own constants (resistance, cell mismatch, HVAC setpoints, insulation). */
  readonly rng: Rng;
}

/** Clean (noise-free) sensor signals of the cell model. */
export interface CellSeries {
  readonly voltage: Float64Array;
  readonly cellVoltageMax: Float64Array;
  readonly cellVoltageMin: Float64Array;
  readonly tempMax: Float64Array;
  readonly tempMin: Float64Array;
  readonly insulation: Float64Array;
}

/** Runs the electrical, thermal and insulation models sample by sample. */
export function simulateCells(input: CellModelInput): CellSeries {
  const { current, soc, ambientC, humidity, intervalSeconds: dt, modifiers: m, rng } = input;
  const n = current.length;
  const [vLimLo, vLimHi] = CELL_VOLTAGE_LIMITS;

  // Per-system constants.
  const r25 = rng.uniform(0.4, 0.6) / 1000; // Ω per cell, DC
  const rPol = rng.uniform(0.2, 0.35) / 1000; // Ω, polarization branch
  const rBus = 0.005; // Ω, busbars and fuses of the whole rack
  const baseMismatch = rng.uniform(0.5, 1.5); // % SOC between the highest and lowest cell
  const resMismatch = rng.uniform(0.03, 0.08);
  const offHi = rng.uniform(0.002, 0.007);
  const offLo = rng.uniform(0.002, 0.007);
  const spreadBase = rng.uniform(1.5, 3.5); // °C across the rack's probes at rest
  const coolSet = rng.uniform(23, 26);
  const heatSet = rng.uniform(10, 14);
  const rThermal = 0.6; // K/W cell to air: ≈ 6 °C rise at a sustained 0.5C
  const insulationDry = rng.uniform(8000, 20000); // kΩ: above the sensor clamp when healthy
  const dipDepth = rng.uniform(0.8, 1.4);

  const kPol = 1 - Math.exp(-dt / 600);
  const kCell = 1 - Math.exp(-dt / 3600);
  const kAir = 1 - Math.exp(-dt / 5400);
  const kHot = 1 - Math.exp(-dt / 1200);

  const voltage = new Float64Array(n);
  const cellVoltageMax = new Float64Array(n);
  const cellVoltageMin = new Float64Array(n);
  const tempMax = new Float64Array(n);
  const tempMin = new Float64Array(n);
  const insulation = new Float64Array(n);

  let air = Math.min(coolSet, Math.max(heatSet, (ambientC[0] as number) + 3));
  let cellT = air;
  let vPol = 0;
  let hot = 0;
  let load = 0;
  for (let i = 0; i < n; i++) {
    const I = current[i] as number;
    const s = soc[i] as number;
    const amb = ambientC[i] as number;
    const rf = m.resistanceFactor ? (m.resistanceFactor[i] as number) : 1;
    const loss = m.coolingLoss ? (m.coolingLoss[i] as number) : 0;

    // Thermal: container air under HVAC, then cells behind a thermal resistance.
    load += (Math.min(2, Math.abs(I) / (0.5 * CELL_AH)) - load) * kAir;
    const free = amb + 3 + 4 * load;
    let target =
      free > coolSet
        ? coolSet + 0.1 * (free - coolSet)
        : free < heatSet
          ? heatSet - 0.05 * (heatSet - free)
          : free;
    target += loss * (Math.max(0, free - target) + 3 + 4 * load);
    air += (target - air) * kAir;
    const r = r25 * Math.min(4, Math.exp(0.025 * (25 - cellT))) * rf;
    const heatW = I * I * r;
    cellT += (air + heatW * rThermal * (1 + loss) - cellT) * kCell;
    const highSocRest =
      Math.min(1, Math.max(0, (s - 60) / 30)) * (Math.abs(I) < 0.05 * CELL_AH ? 1 : 0.4);
    const hotTarget = m.hotSpotC ? (m.hotSpotC[i] as number) * (0.35 + 0.65 * highSocRest) : 0;
    hot += (hotTarget - hot) * kHot;
    const spread = spreadBase + 0.35 * Math.max(0, cellT - air) + 3 * loss;
    tempMax[i] = cellT + 0.6 * spread + hot;
    tempMin[i] = cellT - 0.4 * spread;

    // Electrical.
    vPol += (I * rPol * rf - vPol) * kPol;
    const drop = I * r + vPol;
    const avg = lfpOcv(s) - drop;
    const delta = baseMismatch + (m.mismatchPct ? (m.mismatchPct[i] as number) : 0);
    const spreadIR =
      Math.abs(I) *
      r *
      resMismatch *
      (m.resistanceMismatchFactor ? (m.resistanceMismatchFactor[i] as number) : 1);
    const hi = lfpOcv(s + delta / 2) - drop + spreadIR + offHi;
    let lo = lfpOcv(s - delta / 2) - drop - spreadIR - offLo;
    let packDeficit = 0;
    if (m.weakCellDeficitPct) {
      const rest = Math.abs(I) < 0.05 * CELL_AH ? 1 : 0.3;
      const weak =
        lfpOcv(s - (m.weakCellDeficitPct[i] as number)) -
        drop -
        spreadIR -
        offLo -
        (m.weakCellRestDropV ? (m.weakCellRestDropV[i] as number) : 0) * rest;
      packDeficit += Math.max(0, avg - weak);
      lo = Math.min(lo, weak);
    }
    if (m.cellSagV) {
      lo -= m.cellSagV[i] as number;
      packDeficit += m.cellSagV[i] as number;
    }
    // The BMS stops current at the cell limits, so a reading never passes them.
    cellVoltageMax[i] = Math.min(vLimHi, Math.max(vLimLo, hi));
    cellVoltageMin[i] = Math.min(vLimHi, Math.max(vLimLo, lo));
    const avgClamped = Math.min(vLimHi, Math.max(vLimLo, avg));
    voltage[i] = CELLS_IN_SERIES * avgClamped - packDeficit - I * rBus;

    // Insulation: dry value × condensation dips when humidity is high.
    const factor = m.insulationFactor ? (m.insulationFactor[i] as number) : 1;
    const gain = m.insulationDipGain ? (m.insulationDipGain[i] as number) : 1;
    const wet = Math.max(0, ((humidity[i] as number) - 0.72) / 0.28);
    insulation[i] = Math.min(
      INSULATION_SENSOR_MAX_KOHM,
      insulationDry * factor * Math.exp(-dipDepth * gain * wet),
    );
  }
  return { voltage, cellVoltageMax, cellVoltageMin, tempMax, tempMin, insulation };
}
