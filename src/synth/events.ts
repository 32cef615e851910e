/**
 * Normal operational events (field-stats.md): things real telemetry of healthy systems shows
 * that a perfect simulator would not. A system with one keeps its label; its metadata tags it.
 * - idle days and string trips change the operation (0 A, SOC frozen, cells relax);
 * - SOC recalibration changes only the reported SOC (the BMS estimate, not the cells' state);
 * - timestamp jitter and repeated rows change only the timing of the log.
 * Which systems have an event is planned (plan.ts, `drawEventTags`); where it falls is drawn
 * here from the system's own `events` stream.
 */
import type { ScenarioTag } from '../data/index.ts';
import type { StringTrip } from './operating-modes.ts';
import type { Rng } from './random.ts';
import type { OperationalEventsSpec, SystemPlan } from './types.ts';

/** The metadata tag of each event knob. */
export const EVENT_TAGS: Readonly<Record<keyof OperationalEventsSpec, ScenarioTag>> = {
  jitter: 'timestamp_jitter',
  socRecalibration: 'soc_recalibration',
  stringTrip: 'string_trip',
  repeatedRows: 'repeated_rows',
  idleDays: 'idle_day',
};

/** Jitter of each timestamp as a share of the interval: the interval then varies by ≈ 0.35 %. */
export const JITTER_SD_SHARE = 0.0025;

/** The tags of the events one system has, one draw per knob in a fixed order. */
export function drawEventTags(rates: Required<OperationalEventsSpec>, rng: Rng): ScenarioTag[] {
  const tags: ScenarioTag[] = [];
  for (const key of Object.keys(EVENT_TAGS) as (keyof OperationalEventsSpec)[])
    if (rng.bernoulli(rates[key])) tags.push(EVENT_TAGS[key]);
  return tags;
}

/** What the operation loop needs to play a plan's idle days and string trip. */
export interface OperationEvents {
  readonly idleDays?: ReadonlySet<number>;
  readonly stringTrip?: StringTrip;
}

/**
 * Idle days (1–3 whole days at 0 A: maintenance, a market pause) and a string trip (0 A for
 * 1–12 h, on the first low-SOC discharge after a random instant, else at a deadline), as the
 * plan's tags ask.
 */
export function drawOperationEvents(plan: SystemPlan, rng: Rng): OperationEvents {
  const { samples: n, intervalSeconds: dt, tags } = plan;
  const days = Math.floor((n * dt) / 86400);
  let idleDays: Set<number> | undefined;
  if (tags.includes('idle_day') && days >= 1) {
    idleDays = new Set<number>();
    const count = Math.min(days, rng.int(1, 3));
    while (idleDays.size < count) idleDays.add(rng.int(0, days - 1));
  }
  let stringTrip: StringTrip | undefined;
  if (tags.includes('string_trip') && n >= 4) {
    const hours = Math.exp(rng.uniform(Math.log(1), Math.log(12)));
    const samples = Math.max(1, Math.min(Math.floor(n / 4), Math.round((hours * 3600) / dt)));
    const armedFrom = rng.int(0, Math.floor(n / 2));
    stringTrip = {
      armedFrom,
      // A trip with nothing to wait for (SOC never low) still lands inside the series.
      deadline: Math.min(n - samples, armedFrom + Math.round((10 * 86400) / dt)),
      socBelow: rng.uniform(12, 20),
      samples,
    };
  }
  return { ...(idleDays ? { idleDays } : {}), ...(stringTrip ? { stringTrip } : {}) };
}

/**
 * SOC recalibration: the BMS's SOC estimate drifts away from the true state by coulomb-count
 * error (±0.5–3 points a day) and is pulled back in steps of 0.5–2 points (one in five ≥ 1),
 * steps that disagree with the current. The field shows 73–164 such steps a day at 1 s; a log sampled every Δt sees
 * fewer, scaled by √(1 s/Δt): about 6 a day at 5 minutes. Changes `soc` (the reported SOC) in place.
 */
export function applySocRecalibration(soc: Float64Array, intervalSeconds: number, rng: Rng): void {
  const n = soc.length;
  const stepsPerDay = rng.uniform(73, 164) * Math.sqrt(1 / Math.max(1, intervalSeconds));
  const pStep = Math.min(0.5, (stepsPerDay * intervalSeconds) / 86400);
  const driftPerSample =
    (rng.uniform(0.5, 3) * (rng.bernoulli(0.5) ? 1 : -1) * intervalSeconds) / 86400;
  let err = rng.uniform(-1, 1);
  for (let i = 0; i < n; i++) {
    err += driftPerSample;
    if (rng.bernoulli(pStep)) {
      // 0.5 + an exponential of mean 0.3, capped at 2: about one step in five is ≥ 1 point,
      // as in the field (18–21 of 73–164 a day).
      const size = Math.min(2, 0.5 - 0.3 * Math.log(1 - rng.next()));
      // Back toward the truth when the estimate is off; a fresh error when it is not.
      err += Math.abs(err) > 0.5 ? -Math.sign(err) * size : rng.bernoulli(0.5) ? size : -size;
    }
    const v = soc[i] as number;
    soc[i] = Math.min(100, Math.max(0, v + err));
  }
}

/**
 * Timestamps of the kept rows: the regular grid, plus (for `timestamp_jitter`) a Gaussian offset
 * of {@link JITTER_SD_SHARE} × the interval rounded to whole milliseconds, kept inside ±40 % of
 * the interval so that time still strictly increases.
 */
export function rowTimestamps(plan: SystemPlan, keep: Uint8Array, rng: Rng): Float64Array {
  const n = keep.length;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i] as number;
  const out = new Float64Array(kept);
  const stepMs = plan.intervalSeconds * 1000;
  const jitter = plan.tags.includes('timestamp_jitter');
  const sd = JITTER_SD_SHARE * stepMs;
  const bound = 0.4 * stepMs;
  for (let i = 0, j = 0; i < n; i++) {
    // Drawn for every sample, kept or not, so a missing row does not shift the others' jitter.
    const offset = jitter ? Math.max(-bound, Math.min(bound, Math.round(sd * rng.normal()))) : 0;
    if (!keep[i]) continue;
    // The first and last rows stay on the grid: the last one anchors the label's lead time.
    out[j++] = plan.startMs + i * stepMs + (i === 0 || i === n - 1 ? 0 : offset);
  }
  return out;
}

/**
 * Rows a logger writes twice (same timestamp, same values) for `repeated_rows`: 2–8 of them,
 * never the last row (it anchors the label's lead time). Sorted row indices; empty when the
 * plan has no such event.
 */
export function drawRepeatedRows(plan: SystemPlan, rows: number, rng: Rng): readonly number[] {
  if (!plan.tags.includes('repeated_rows') || rows < 3) return [];
  const picked = new Set<number>();
  const count = Math.min(rows - 1, rng.int(2, 8));
  while (picked.size < count) picked.add(rng.int(0, rows - 2));
  return [...picked].sort((a, b) => a - b);
}
