/**
 * Fleet planning: draws everything about each system (mode, season, climate, failure, tags,
 * start time) before any signal is made. Modes, seasons, labels and failure types are assigned
 * by stratified allocation (largest remainder, then a seeded shuffle), so a fleet large enough
 * always covers every category and its mix matches the weights as closely as counts allow.
 */
import type {
  Chemistry,
  Climate,
  FailureType,
  OperationalMode,
  ScenarioTag,
  Season,
} from '../data/index.ts';
import { drawEventTags } from './events.ts';
import { drawPack, rackKwh, type PackSize } from './pack.ts';
import { createRng, type Rng } from './random.ts';
import type { LeadTimeDistribution, ResolvedScenario, SystemPlan } from './types.ts';

/** Bank ratings a plan draws from (kWh): common 1–5 MWh containers, rounded to whole racks. */
export const CAPACITIES_KWH = [1000, 2000, 2752, 3440, 5000] as const;

/** Months (1-based) of each northern-hemisphere season. */
export const SEASON_MONTHS: Readonly<Record<Season, readonly number[]>> = {
  winter: [12, 1, 2],
  spring: [3, 4, 5],
  summer: [6, 7, 8],
  autumn: [9, 10, 11],
};

/** `sys-0001` style id: 1-based, zero-padded to at least four digits. */
export function systemId(index: number, total: number): string {
  const width = Math.max(4, String(total).length);
  return `sys-${String(index + 1).padStart(width, '0')}`;
}

/**
 * Counts per key for `n` items, proportional to the weights by largest remainder (ties go to the
 * earlier key). When `n` is at least the number of positively weighted keys, each of them gets at
 * least one, taken from the largest count.
 */
export function allocateCounts<K extends string>(
  weights: Readonly<Record<K, number>>,
  n: number,
): Record<K, number> {
  const keys = (Object.keys(weights) as K[]).filter((k) => weights[k] > 0);
  const total = keys.reduce((s, k) => s + weights[k], 0);
  const counts = Object.fromEntries((Object.keys(weights) as K[]).map((k) => [k, 0])) as Record<
    K,
    number
  >;
  if (n <= 0 || keys.length === 0) return counts;
  const quotas = keys.map((k) => ({ k, q: (n * weights[k]) / total }));
  let left = n;
  for (const { k, q } of quotas) {
    counts[k] = Math.floor(q);
    left -= counts[k];
  }
  const byRemainder = quotas
    .map((x, i) => ({ ...x, i, r: x.q - Math.floor(x.q) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let j = 0; j < left; j++) counts[(byRemainder[j % byRemainder.length] as { k: K }).k]++;
  if (n >= keys.length) {
    for (const k of keys) {
      if (counts[k] > 0) continue;
      const donor = keys.reduce((a, b) => (counts[b] > counts[a] ? b : a));
      counts[donor]--;
      counts[k]++;
    }
  }
  return counts;
}

/** A shuffled list of `n` keys following `allocateCounts`. */
export function stratified<K extends string>(
  weights: Readonly<Record<K, number>>,
  n: number,
  rng: Rng,
): K[] {
  const counts = allocateCounts(weights, n);
  const out: K[] = [];
  for (const k of Object.keys(counts) as K[]) for (let i = 0; i < counts[k]; i++) out.push(k);
  return rng.shuffle(out);
}

/** A lead time in days drawn from a distribution, rounded to 2 decimals as the label keeps it. */
export function drawLeadTime(dist: LeadTimeDistribution, rng: Rng): number {
  let days: number;
  switch (dist.kind) {
    case 'uniform':
      days = rng.uniform(dist.min, dist.max);
      break;
    case 'lognormal':
      days = Math.min(dist.max ?? Infinity, dist.median * Math.exp(rng.normal(0, dist.sigma)));
      break;
    case 'buckets': {
      const weights: Record<string, number> = {};
      dist.buckets.forEach((b, i) => (weights[String(i)] = b.weight));
      const b = dist.buckets[Number(rng.weighted(weights))];
      days = b ? rng.uniform(b.lo, b.hi) : 0;
      break;
    }
  }
  return Math.round(Math.max(0, days) * 100) / 100;
}

/** Epoch ms of a midnight inside `season` of `year`, aligned to the sampling interval. */
export function seasonStartMs(
  season: Season,
  year: number,
  intervalSeconds: number,
  rng: Rng,
): number {
  const month = rng.choice(SEASON_MONTHS[season]);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const ms = Date.UTC(year, month - 1, rng.int(1, daysInMonth));
  const step = intervalSeconds * 1000;
  return Math.floor(ms / step) * step;
}

/**
 * Plans every system of a resolved scenario. Fleet-level assignments come from the stream
 * `${seed}:fleet`; each system's own draws come from `${seed}:${index}:plan`, so a system's
 * details do not depend on how many systems were planned before it.
 */
export function planFleet(s: ResolvedScenario): SystemPlan[] {
  const n = s.systems;
  const fleetRng = createRng(`${s.seed}:fleet`);
  const anomalies = anomalyCount(n, s.anomalyRate);
  const isAnomaly = fleetRng.shuffle(Array.from({ length: n }, (_, i) => i < anomalies));
  const failureTypes = stratified<FailureType>(s.failureTypes, anomalies, fleetRng);
  const modes = stratified<OperationalMode>(s.modes, n, fleetRng);
  const seasons = stratified<Season>(s.seasons, n, fleetRng);
  const samples = Math.floor((s.days * 86400) / s.intervalSeconds);

  const plans: SystemPlan[] = [];
  let failureIdx = 0;
  for (let index = 0; index < n; index++) {
    const seed = `${s.seed}:${index}`;
    const rng = createRng(`${seed}:plan`);
    const season = seasons[index] as Season;
    const climate = rng.weighted<Climate>(s.climates);
    const capacityKwh = rng.choice(CAPACITIES_KWH);
    const startMs = seasonStartMs(season, s.year, s.intervalSeconds, rng);
    // Its own stream, so adding chemistries left every other draw of the plan as it was.
    const packRng = createRng(`${seed}:pack`);
    const chemistry = packRng.weighted<Chemistry>(s.chemistries);
    const pack = drawPack(chemistry, packRng.weighted<PackSize>(s.packs), packRng);
    // The drawn rating picks how many racks the bank has; the metadata then states the bank's
    // true energy, so that capacity, current and voltage agree (a power-based C-rate is right).
    const strings = Math.max(1, Math.round(capacityKwh / rackKwh(pack)));
    const tags: ScenarioTag[] = [];
    let failure: SystemPlan['failure'] = null;
    if (isAnomaly[index]) {
      const type = failureTypes[failureIdx++] as FailureType;
      const leadTimeDays = drawLeadTime(s.leadTimeDays, rng);
      let severity = rng.uniform(s.severity.min, s.severity.max);
      if (rng.bernoulli(s.subtleRate)) {
        severity *= rng.uniform(0.2, 0.4);
        tags.push('subtle');
      }
      failure = { type, leadTimeDays, severity };
    } else if (rng.bernoulli(s.dataQuality.noisyNormal)) {
      tags.push('noisy_normal');
    }
    // Data-quality faults hit normals and anomalies alike, so they are not a label shortcut.
    if (rng.bernoulli(s.dataQuality.sensorDropout)) tags.push('sensor_dropout');
    if (rng.bernoulli(s.dataQuality.stuckSensor)) tags.push('stuck_sensor');
    if (rng.bernoulli(s.dataQuality.spike)) tags.push('spike');
    if (rng.bernoulli(s.dataQuality.timestampGap)) tags.push('timestamp_gap');
    // Normal operational events, drawn from their own stream so that adding them left every
    // earlier draw (and so every existing fleet's plans) as it was.
    tags.push(...drawEventTags(s.events, createRng(`${seed}:events-plan`)));
    plans.push({
      index,
      systemId: systemId(index, n),
      mode: modes[index] as OperationalMode,
      season,
      climate,
      chemistry,
      pack,
      strings,
      capacityKwh: Math.round(strings * rackKwh(pack)),
      startMs,
      samples,
      intervalSeconds: s.intervalSeconds,
      failure,
      tags,
      seed,
    });
  }
  return plans;
}

/** round(n × rate), kept inside [1, n − 1] when the rate is strictly between 0 and 1 and n ≥ 60. */
export function anomalyCount(n: number, rate: number): number {
  const count = Math.round(n * rate);
  if (n >= 60 && rate > 0 && rate < 1) return Math.min(n - 1, Math.max(1, count));
  return count;
}
