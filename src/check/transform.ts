/** The transformations the invariance rules apply to a whole fleet (training and scored data alike). Pure. */
import { edgeFleetOf, type EdgeFleet } from '../arbitraries/index.ts';
import type { SystemSeries } from '../data/types.ts';

/** Time shifts tried by the `time_shift` rule, in ms: whole milliseconds, both directions. */
export const TIME_SHIFTS_MS: readonly number[] = [
  86_400_000,
  -3_600_000,
  365 * 86_400_000,
  1,
  -7 * 86_400_000,
];
/** Unit factors tried by the `unit_scale` rule (kV ↔ V, mV ↔ V, and a factor that is not a power of ten). */
export const UNIT_FACTORS: readonly number[] = [1000, 0.001, 3.7];

function mapSeries(fleet: EdgeFleet, f: (s: SystemSeries) => SystemSeries): EdgeFleet {
  return edgeFleetOf(fleet.systems.map((s) => ({ ...s, series: f(s.series) })));
}

/** Every timestamp of every system + `deltaMs`. */
export function shiftFleet(fleet: EdgeFleet, deltaMs: number): EdgeFleet {
  return mapSeries(fleet, (s) => ({ ...s, timestamps: s.timestamps.map((t) => t + deltaMs) }));
}

/** Every sensor value of every system × `factor` (derived features follow, as the loader derives them from the scaled columns). */
export function scaleFleet(fleet: EdgeFleet, factor: number): EdgeFleet {
  return mapSeries(fleet, (s) => {
    const sensors: Record<string, Float64Array> = {};
    for (const [name, col] of Object.entries(s.sensors))
      if (col) sensors[name] = col.map((v) => v * factor);
    return { ...s, sensors };
  });
}
