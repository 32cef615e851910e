/**
 * The measurement layer, applied last: noise and quantization for every system, then the
 * data-quality faults a system's tags ask for (domain.md §4). Faults mutate the columns in place
 * and mark missing rows in a keep mask; generate.ts removes those rows at the end.
 */
import { SENSORS, type ScenarioTag, type Sensor } from '../data/index.ts';
import { CLEAN_BOUNDS, SENSOR_FULL_SCALE, SENSOR_NOISE_SD, SENSOR_RESOLUTION } from './bounds.ts';
import type { Rng } from './random.ts';

/** One Float64Array per default sensor. */
export type Channels = Record<Sensor, Float64Array>;

/** Aggregate pairs that must stay ordered (min ≤ max): both come from the same probes. */
const ORDERED_PAIRS: readonly (readonly [Sensor, Sensor])[] = [
  ['temp_cell_min_c', 'temp_cell_max_c'],
  ['cell_voltage_min_v', 'cell_voltage_max_v'],
];

/** Sensors a frozen value may hit (the current is measured by the PCS too, so it is left out). */
export const STUCK_CANDIDATES: readonly Sensor[] = [
  'soc_pct',
  'temp_cell_max_c',
  'temp_cell_min_c',
  'temp_ambient_c',
  'cell_voltage_max_v',
  'cell_voltage_min_v',
  'insulation_resistance_kohm',
  'voltage_v',
];

/** Rounds to a sensor's resolution without binary artefacts such as 3.2849999999. */
export function quantize(value: number, step: number): number {
  const inv = Math.round(1 / step);
  return Math.round(value * inv) / inv;
}

/**
 * Adds Gaussian measurement noise (σ from bounds.ts × `noise`), clamps to each sensor's range,
 * quantizes, and keeps min ≤ max aggregates ordered. A reading at the insulation monitor's clamp
 * stays exactly at the clamp, as real monitors report it.
 */
export function applyMeasurementNoise(ch: Channels, noise: number, rng: Rng): void {
  for (const sensor of SENSORS) {
    const col = ch[sensor];
    const sd = SENSOR_NOISE_SD[sensor] * noise;
    const { min, max } = CLEAN_BOUNDS[sensor];
    const step = SENSOR_RESOLUTION[sensor];
    const clampAtMax = sensor === 'insulation_resistance_kohm';
    for (let i = 0; i < col.length; i++) {
      const v = col[i] as number;
      if (clampAtMax && v >= max) {
        col[i] = max;
        continue;
      }
      const noisy = sd > 0 ? v + sd * rng.normal() : v;
      col[i] = quantize(Math.min(max, Math.max(min, noisy)), step);
    }
  }
  for (const [lo, hi] of ORDERED_PAIRS) {
    const a = ch[lo];
    const b = ch[hi];
    for (let i = 0; i < a.length; i++)
      if ((a[i] as number) > (b[i] as number)) a[i] = b[i] as number;
  }
}

/** A duration in samples drawn log-uniformly between two durations in seconds, at least 1. */
function logUniformSamples(
  minSec: number,
  maxSec: number,
  intervalSeconds: number,
  rng: Rng,
): number {
  const sec = Math.exp(rng.uniform(Math.log(minSec), Math.log(maxSec)));
  return Math.max(1, Math.round(sec / intervalSeconds));
}

/** stuck_sensor: one sensor holds its last value for 10 min – 2 days. */
export function applyStuckSensor(ch: Channels, intervalSeconds: number, rng: Rng): void {
  const n = ch.voltage_v.length;
  if (n < 4) return;
  const sensor = rng.choice(STUCK_CANDIDATES);
  const len = Math.min(
    Math.floor(n / 2),
    Math.max(2, logUniformSamples(600, 2 * 86400, intervalSeconds, rng)),
  );
  const start = rng.int(1, n - len);
  const col = ch[sensor];
  const held = col[start - 1] as number;
  for (let i = start; i < start + len; i++) col[i] = held;
  // A frozen probe still bounds the other aggregate of its pair.
  for (const [lo, hi] of ORDERED_PAIRS) {
    if (sensor === hi)
      for (let i = start; i < start + len; i++) ch[lo][i] = Math.min(ch[lo][i] as number, held);
    if (sensor === lo)
      for (let i = start; i < start + len; i++) ch[hi][i] = Math.max(ch[hi][i] as number, held);
  }
}

/**
 * spike: single-sample outliers (0, full scale, ×10) on one or two sensors at a rate of 1e-4–1e-3.
 * A ×10 reading is clamped to the sensor's full scale, as a real front end saturates: the file
 * stays physically possible (validation accepts it) while the value is still a gross outlier.
 */
export function applySpikes(ch: Channels, rng: Rng): void {
  const n = ch.voltage_v.length;
  const sensors = rng.shuffle([...SENSORS]).slice(0, rng.int(1, 2));
  const rate = Math.pow(10, rng.uniform(-4, -3));
  for (const sensor of sensors) {
    const col = ch[sensor];
    const count = Math.max(1, rng.poisson(n * rate));
    for (let k = 0; k < count; k++) {
      const i = rng.int(0, n - 1);
      const v = col[i] as number;
      const kind = rng.int(0, 2);
      const fullScale = SENSOR_FULL_SCALE[sensor];
      col[i] =
        kind === 0
          ? 0
          : kind === 1 || v === 0
            ? fullScale
            : Math.max(-fullScale, Math.min(fullScale, v * 10));
    }
  }
}

/**
 * sensor_dropout: empty fields at a rate of 1e-4–1e-3 per reading, a few short bursts with the
 * whole row empty, and a few missing rows. The first and last rows are kept: the last one
 * anchors the label's lead time.
 */
export function applyDropout(ch: Channels, keep: Uint8Array, rng: Rng): void {
  const n = keep.length;
  if (n < 3) return;
  const rate = Math.pow(10, rng.uniform(-4, -3));
  const cells = rng.poisson(n * SENSORS.length * rate);
  for (let k = 0; k < cells; k++) ch[rng.choice(SENSORS)][rng.int(0, n - 1)] = NaN;
  const bursts = rng.int(1, 3);
  for (let b = 0; b < bursts; b++) {
    const len = rng.int(1, 6);
    const start = rng.int(0, Math.max(0, n - len));
    for (let i = start; i < Math.min(n, start + len); i++) for (const s of SENSORS) ch[s][i] = NaN;
  }
  const rows = Math.max(1, rng.poisson(n * rate));
  for (let k = 0; k < rows; k++) keep[rng.int(1, n - 2)] = 0;
}

/** timestamp_gap: 1–3 telemetry outages of 1 h – 3 days (each at most 15 % of the series), rows removed. */
export function applyTimestampGaps(keep: Uint8Array, intervalSeconds: number, rng: Rng): void {
  const n = keep.length;
  if (n < 3) return;
  const outages = rng.int(1, 3);
  for (let k = 0; k < outages; k++) {
    const len = Math.min(
      Math.max(1, Math.floor(0.15 * n)),
      logUniformSamples(3600, 3 * 86400, intervalSeconds, rng),
    );
    const start = rng.int(1, Math.max(1, n - 1 - len));
    for (let i = start; i < Math.min(n - 1, start + len); i++) keep[i] = 0;
  }
}

/** Noise multiplier of a system: the scenario's, ×2–3 for a `noisy_normal` system. */
export function noiseMultiplier(
  tags: readonly ScenarioTag[],
  scenarioNoise: number,
  rng: Rng,
): number {
  return scenarioNoise * (tags.includes('noisy_normal') ? rng.uniform(2, 3) : 1);
}

/** Applies the data-quality faults named by `tags`, each from its own draws of `rng`. */
export function applySensorFaults(
  ch: Channels,
  keep: Uint8Array,
  tags: readonly ScenarioTag[],
  intervalSeconds: number,
  rng: Rng,
): void {
  if (tags.includes('stuck_sensor')) applyStuckSensor(ch, intervalSeconds, rng);
  if (tags.includes('spike')) applySpikes(ch, rng);
  if (tags.includes('sensor_dropout')) applyDropout(ch, keep, rng);
  if (tags.includes('timestamp_gap')) applyTimestampGaps(keep, intervalSeconds, rng);
}
