/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001).
 * Used for rates at the threshold such as the false-alarm rate on the test normals: unlike the
 * Wald interval it stays inside [0, 1] and keeps its coverage when the rate is 0 or near it,
 * which is exactly where a good detector's false-alarm rate sits.
 */
import { twoSidedZ } from './normal.ts';

/** The Wilson interval of `successes` out of `trials` at `level`, or null with no trials. */
export function wilsonInterval(
  successes: number,
  trials: number,
  level = 0.95,
): { readonly low: number; readonly high: number } | null {
  if (!(trials > 0)) return null;
  const z = twoSidedZ(level);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  // Clamp rounding only: at p = 0 the low end is 0 exactly in theory, a few ulps off in floats.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
