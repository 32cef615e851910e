/**
 * Declared physical bounds of the generated signals before spikes (spikes are deliberate
 * outliers). Property tests check every synthetic fixture against these; the generator also
 * clamps its noisy readings to them, as a real sensor's measuring range would.
 */
import { CHEMISTRIES, type Sensor } from '../data/index.ts';
import { CHEMISTRY_PROFILES } from './chemistry.ts';
import { drawPack, PACK_SIZES, rackKwh } from './pack.ts';
import { CAPACITIES_KWH } from './plan.ts';
import { createRng } from './random.ts';

/** Closed interval [min, max]. */
export interface Bound {
  readonly min: number;
  readonly max: number;
}

/** LFP cell limits (V): the BMS stops current at these, so no reading passes them (domain.md §1). */
export const CELL_VOLTAGE_LIMITS: readonly [number, number] = CHEMISTRY_PROFILES.LFP.limits;

/** Every rack a scenario can draw (C-rate limit at its chemistry's top), for the fleet-wide bounds. */
const ALL_PACKS = CHEMISTRIES.flatMap((c) =>
  PACK_SIZES.map((size) => {
    const p = drawPack(c, size, createRng('bounds'));
    return { ...p, maxCRate: CHEMISTRY_PROFILES[c].maxCRate[1] };
  }),
);
const RACK_V_MIN = Math.min(
  ...ALL_PACKS.map((p) => p.cellsInSeries * CHEMISTRY_PROFILES[p.chemistry].limits[0]),
);
const RACK_V_MAX = Math.max(
  ...ALL_PACKS.map((p) => p.cellsInSeries * CHEMISTRY_PROFILES[p.chemistry].limits[1]),
);
/** The largest bank: the largest rating in racks of the smallest energy, each at its top C-rate. */
const MAX_CURRENT_A = Math.max(
  ...ALL_PACKS.map(
    (p) =>
      Math.max(1, Math.round(Math.max(...CAPACITIES_KWH) / rackKwh(p))) * p.cellAh * p.maxCRate,
  ),
);
const CELL_V_MIN = Math.min(...CHEMISTRIES.map((c) => CHEMISTRY_PROFILES[c].limits[0]));
const CELL_V_MAX = Math.max(...CHEMISTRIES.map((c) => CHEMISTRY_PROFILES[c].limits[1]));
/** The insulation monitor's clamp (kΩ): a healthy rack reads this nearly always (domain.md §1). */
export const INSULATION_SENSOR_MAX_KOHM = 5000;

/**
 * Bounds per sensor. Why each:
 * - voltage: the smallest rack at its chemistry's lower cell limit to the largest at its upper
 *   one (every chemistry × voltage class of pack.ts: 391–902 V) ± busbar I·R (±1.4 V) and noise.
 * - current: the largest bank current: the largest rating built of the smallest racks of any
 *   chemistry, every rack at its top C-rate; a margin for measurement noise.
 * - cell voltages: the lowest and highest cell limits of any chemistry (LTO 1.5 V … NMC 4.2 V).
 * - SOC: a percentage; the estimator reports 0–100.
 * - cell temperatures −30…85 °C: the container is heated above ~10 °C, so cells stay far above
 *   −30; the hottest healthy case (hot site, summer, sustained load) stays near 45 °C and the
 *   worst precursor (cooling failure at 48 °C ambient under load) stays below 85 °C. Thermal
 *   runaway itself (150–250 °C) is the event after the series ends, not part of it.
 * - ambient −35…50 °C: site extremes of domain.md §1 (−20…+45) with margin.
 * - insulation 0 … the sensor clamp.
 */
export const CLEAN_BOUNDS: Readonly<Record<Sensor, Bound>> = {
  voltage_v: { min: RACK_V_MIN - 10, max: RACK_V_MAX + 10 },
  current_a: { min: -MAX_CURRENT_A - 10, max: MAX_CURRENT_A + 10 },
  soc_pct: { min: 0, max: 100 },
  temp_cell_max_c: { min: -30, max: 85 },
  temp_cell_min_c: { min: -30, max: 85 },
  temp_ambient_c: { min: -35, max: 50 },
  cell_voltage_max_v: { min: CELL_V_MIN, max: CELL_V_MAX },
  cell_voltage_min_v: { min: CELL_V_MIN, max: CELL_V_MAX },
  insulation_resistance_kohm: { min: 0, max: INSULATION_SENSOR_MAX_KOHM },
};

/** Full-scale reading of each sensor: the value a saturated or garbled channel shows in a spike. */
export const SENSOR_FULL_SCALE: Readonly<Record<Sensor, number>> = {
  voltage_v: 1000,
  current_a: Math.ceil(MAX_CURRENT_A / 1000) * 1000,
  soc_pct: 100,
  temp_cell_max_c: 127,
  temp_cell_min_c: 127,
  temp_ambient_c: 127,
  cell_voltage_max_v: 5,
  cell_voltage_min_v: 5,
  insulation_resistance_kohm: INSULATION_SENSOR_MAX_KOHM,
};

/** Measurement noise (1 σ) at noise multiplier 1, in the sensor's unit (typical BMS front ends). */
export const SENSOR_NOISE_SD: Readonly<Record<Sensor, number>> = {
  voltage_v: 0.2,
  current_a: 0.3,
  soc_pct: 0.03,
  temp_cell_max_c: 0.15,
  temp_cell_min_c: 0.15,
  temp_ambient_c: 0.2,
  cell_voltage_max_v: 0.0008,
  cell_voltage_min_v: 0.0008,
  insulation_resistance_kohm: 15,
};

/** Quantization step of each sensor (domain.md §4: 0.1 V, 0.1 A, 0.1 %, 0.1 °C, 1 mV, 1 kΩ). */
export const SENSOR_RESOLUTION: Readonly<Record<Sensor, number>> = {
  voltage_v: 0.1,
  current_a: 0.1,
  soc_pct: 0.1,
  temp_cell_max_c: 0.1,
  temp_cell_min_c: 0.1,
  temp_ambient_c: 0.1,
  cell_voltage_max_v: 0.001,
  cell_voltage_min_v: 0.001,
  insulation_resistance_kohm: 1,
};

/** Whether a finite value lies within a sensor's clean bounds. */
export function withinBounds(sensor: Sensor, value: number): boolean {
  const b = CLEAN_BOUNDS[sensor];
  return value >= b.min && value <= b.max;
}
