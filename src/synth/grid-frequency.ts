/**
 * A synthetic grid frequency for frequency regulation: the deviation from 50 Hz as the sum of a
 * fast Ornstein-Uhlenbeck process (load noise, correlation time of a few minutes) and a slow one
 * (schedule and market-hour drifts, half an hour). Both are stepped exactly for any sampling
 * interval (x ← a·x + √(1−a²)·ε with a = e^(−Δt/τ)), so a 1 s and a 5 min series of the same
 * process have about the same spread and the 5-minute samples are point samples of a fast
 * process. A short lag (the grid's inertia) keeps the 1 s series smooth.
 */
import type { Rng } from './random.ts';

/** Nominal grid frequency (Hz). */
export const NOMINAL_HZ = 50;

/** The parameters of one grid's frequency deviation. */
export interface GridFrequencyParams {
  /** Standard deviation of the fast component (Hz). */
  readonly fastSdHz: number;
  /** Correlation time of the fast component (s). */
  readonly fastTauS: number;
  /** Standard deviation of the slow component (Hz). */
  readonly slowSdHz: number;
  /** Correlation time of the slow component (s). */
  readonly slowTauS: number;
  /** Time constant of the grid's inertia (s): smooths the fast component below a minute. */
  readonly inertiaTauS: number;
}

/**
 * A grid's parameters drawn per system: total σ ≈ 21–29 mHz (field grids: 20–40 mHz), fast
 * correlation time 2–3 min so that 5-minute samples keep a lag-1 autocorrelation near 0.15.
 */
export function drawGridFrequency(rng: Rng): GridFrequencyParams {
  return {
    fastSdHz: rng.uniform(0.018, 0.025),
    fastTauS: rng.uniform(100, 140),
    slowSdHz: rng.uniform(0.004, 0.007),
    slowTauS: rng.uniform(1500, 2400),
    // 25–40 s brings 1 s sign changes of an FR plant's current to ~115 a day (field: 78–103).
    inertiaTauS: rng.uniform(25, 40),
  };
}

/** A stepper over the deviation from {@link NOMINAL_HZ} (Hz): call once per sample. */
export function gridFrequencyStepper(
  p: GridFrequencyParams,
  intervalSeconds: number,
  rng: Rng,
): () => number {
  const aFast = Math.exp(-intervalSeconds / p.fastTauS);
  const aSlow = Math.exp(-intervalSeconds / p.slowTauS);
  const kFast = Math.sqrt(1 - aFast * aFast);
  const kSlow = Math.sqrt(1 - aSlow * aSlow);
  // Start in the stationary distribution, so the first day looks like every other day.
  let fast = rng.normal();
  let slow = rng.normal();
  // A first-order lag on the fast part: at 1 s the frequency moves smoothly (a raw OU would
  // cross the deadband back and forth every few seconds); at 5 min the lag has long settled.
  const kLag = 1 - Math.exp(-intervalSeconds / p.inertiaTauS);
  let smooth = fast;
  return () => {
    fast = aFast * fast + kFast * rng.normal();
    smooth += (fast - smooth) * kLag;
    slow = aSlow * slow + kSlow * rng.normal();
    return p.fastSdHz * smooth + p.slowSdHz * slow;
  };
}

/** `samples` deviations from 50 Hz (Hz) at `intervalSeconds`. */
export function gridFrequencySeries(
  p: GridFrequencyParams,
  samples: number,
  intervalSeconds: number,
  rng: Rng,
): Float64Array {
  const step = gridFrequencyStepper(p, intervalSeconds, rng);
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) out[i] = step();
  return out;
}

/**
 * Droop response with a deadband: 0 inside ±`deadbandHz`, then linear in the deviation beyond
 * it, reaching ±1 (full power) at ±`fullHz` and saturating there. Positive for a low frequency
 * (the plant discharges to support the grid), as positive current is discharge.
 */
export function droop(deviationHz: number, deadbandHz: number, fullHz: number): number {
  const x = Math.abs(deviationHz);
  if (x <= deadbandHz) return 0;
  const r = Math.min(1, (x - deadbandHz) / (fullHz - deadbandHz));
  return deviationHz < 0 ? r : -r;
}
