/**
 * Operating modes: the current a rack is asked to carry (A, positive = discharge) and the SOC
 * that follows by coulomb counting. Each mode is a policy that turns time and SOC into a current
 * request (domain.md §2); one loop then enforces the PCS current limit and the SOC window, and
 * integrates. Capacity fade enters through `capacityFactor`: the same Ah move SOC further.
 */
import type { OperationalMode } from '../data/index.ts';
import { ouStep, dayOfYear, hourOfDay } from './ambient.ts';
import { droop, drawGridFrequency, gridFrequencyStepper } from './grid-frequency.ts';
import { CELL_AH, DAY_MS, MAX_C_RATE, MAX_CURRENT_A } from './rack.ts';
import type { Rng } from './random.ts';

/** SOC window (%) the controller keeps; backup floats up to 100 %. */
export const SOC_LIMITS: Readonly<Record<OperationalMode, readonly [number, number]>> = {
  frequency_regulation: [5, 95],
  arbitrage: [5, 95],
  peak_shaving: [5, 95],
  solar_smoothing: [5, 95],
  backup: [5, 100],
};

/** What `simulateOperation` needs. */
export interface OperationInput {
  readonly mode: OperationalMode;
  readonly samples: number;
  readonly intervalSeconds: number;
  readonly startMs: number;
  readonly rng: Rng;
  /** Effective capacity as a share of nominal per sample (capacity fade); 1 when absent. */
  readonly capacityFactor?: Float64Array;
  /**
   * The rack's cell size (Ah) and C-rate limit; the reference rack (CELL_AH, MAX_C_RATE) when
   * absent. Policies ask for current in amps of the reference rack; it is scaled to this one.
   */
  readonly pack?: { readonly cellAh: number; readonly maxCRate: number };
  /** Largest current the PCS commands (A); the pack's C-rate limit × its cell size when absent. */
  readonly maxCurrentA?: number;
  /** Day numbers (0 = the first day of the series) the rack stays at 0 A (an idle day). */
  readonly idleDays?: ReadonlySet<number>;
  /** A string trip: the rack carries 0 A for a while (see {@link StringTrip}). */
  readonly stringTrip?: StringTrip;
}

/**
 * A string trip (an operational event, not a fault): the BMS opens the string's contactor on a
 * low cell while discharging at low SOC, and the string carries 0 A until it is reconnected. It
 * is armed from `armedFrom`; if SOC never gets low it trips at `deadline` anyway (a trip on
 * another protection: a fuse, a lost BMS link).
 */
export interface StringTrip {
  readonly armedFrom: number;
  readonly deadline: number;
  /** Trips on the first discharging sample below this SOC (%). */
  readonly socBelow: number;
  /** Samples the string stays open. */
  readonly samples: number;
}

/** Current (A, + = discharge) and SOC (%) per sample. `soc[i]` is the state at sample i, before `current[i]` flows. */
export interface OperationSeries {
  readonly current: Float64Array;
  readonly soc: Float64Array;
}

/** A mode's controller: a current request for one sample. */
type Policy = (ms: number, soc: number) => number;

const C = CELL_AH; // 1C in A

/** Day number since the epoch and weekday (0 = Sunday) of an instant. */
function dayInfo(ms: number): { day: number; weekday: number } {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday.
  return { day, weekday: (((day + 4) % 7) + 7) % 7 };
}

/** A linear ramp up over `rampH` hours after `start` and down before `end` (hours of day). */
function ramp(h: number, start: number, end: number, rampH: number): number {
  if (h < start || h >= end) return 0;
  return Math.min(1, (h - start) / rampH + 0.15, (end - h) / rampH + 0.15);
}

/** Current that approaches a SOC target gently (a constant-voltage-like taper over the last `band` %). */
function taper(soc: number, target: number, band: number): number {
  return Math.max(0, Math.min(1, Math.abs(target - soc) / band));
}

/**
 * Frequency regulation (FCR-like): droop on a synthetic grid frequency (grid-frequency.ts) with
 * a deadband, so the plant idles while the frequency is inside it (field: 40–78 % of the time)
 * and answers in bursts outside it, saturating at the PCS limit. SOC is managed as plants do,
 * without leaving the deadband idle: over-fulfilment (up to +20 % on the side that brings SOC
 * back to the target) and, when SOC leaves 35–65 %, a scheduled recharge or discharge in
 * 15-minute blocks until it is back near the target.
 */
function frequencyRegulation(dt: number, maxCurrentA: number, rng: Rng): Policy {
  const grid = gridFrequencyStepper(drawGridFrequency(rng), dt, rng);
  const deadband = rng.uniform(0.015, 0.02);
  // Full activation 60–100 mHz past the deadband: bursts have a median near 0.2 of the limit.
  const fullHz = deadband + rng.uniform(0.06, 0.1);
  const target = rng.uniform(48, 55);
  const scheduleA = maxCurrentA * rng.uniform(0.1, 0.2);
  const blockS = 900;
  let scheduled = 0;
  let blockLeft = 0;
  return (_ms, soc) => {
    const r = droop(grid(), deadband, fullHz);
    const bias = Math.max(-1, Math.min(1, (soc - target) / 25));
    const over = r > 0 ? 1 + 0.2 * Math.max(0, bias) : 1 + 0.2 * Math.max(0, -bias);
    if (blockLeft <= 0) {
      scheduled =
        soc < 35 || (scheduled < 0 && soc < target - 5)
          ? -scheduleA
          : soc > 65 || (scheduled > 0 && soc > target + 5)
            ? scheduleA
            : 0;
      blockLeft = scheduled !== 0 ? blockS : 0;
    }
    blockLeft -= dt;
    return maxCurrentA * r * over + scheduled;
  };
}

function arbitrage(rng: Rng): Policy {
  const solarCharge = rng.bernoulli(0.4);
  let day = NaN;
  let cs = 0,
    ce = 0,
    ds = 0,
    de = 0,
    ic = 0,
    id = 0,
    top = 95,
    bottom = 8,
    skip = false;
  return (ms, soc) => {
    const info = dayInfo(ms);
    if (info.day !== day) {
      day = info.day;
      cs = (solarCharge ? 9.5 : 0.5) + rng.uniform(0, 1.5);
      ce = cs + rng.uniform(4, 5.5);
      ds = rng.uniform(17, 19);
      de = Math.min(23.9, ds + rng.uniform(3.5, 4.5));
      ic = C * rng.uniform(0.3, 0.5);
      id = C * rng.uniform(0.35, 0.5);
      top = rng.uniform(92, 95);
      bottom = rng.uniform(7, 12);
      skip = rng.bernoulli(0.05);
    }
    if (skip) return 0;
    const h = hourOfDay(ms);
    if (h >= cs && h < ce && soc < top) return -ic * ramp(h, cs, ce, 0.25) * taper(soc, top, 3);
    if (h >= ds && h < de && soc > bottom)
      return id * ramp(h, ds, de, 0.25) * taper(soc, bottom, 3);
    return 0;
  };
}

function peakShaving(dt: number, rng: Rng): Policy {
  const aDemand = Math.exp(-dt / 1800);
  let demand = rng.normal();
  let day = NaN;
  let weekday = 0,
    dayFactor = 1,
    peakStart = 11,
    peakEnd = 20;
  // Demand peaks reach ~2× this (0.25–0.45C); a day takes 20–60 % DoD (domain.md §2).
  const iMax = C * rng.uniform(0.12, 0.2);
  const iCharge = C * rng.uniform(0.2, 0.3);
  const threshold = rng.uniform(0.45, 0.55);
  return (ms, soc) => {
    const info = dayInfo(ms);
    if (info.day !== day) {
      day = info.day;
      weekday = info.weekday;
      dayFactor = rng.uniform(0.6, 1.2);
      peakStart = rng.uniform(10.5, 12);
      peakEnd = rng.uniform(19, 20.5);
    }
    demand = ouStep(demand, aDemand, rng);
    if (weekday === 0 || weekday === 6) return 0;
    const h = hourOfDay(ms);
    if (h >= peakStart && h < peakEnd) {
      const shape = Math.pow(Math.sin((Math.PI * (h - peakStart)) / (peakEnd - peakStart)), 1.5);
      const load = shape * dayFactor * (1 + 0.3 * demand);
      return (iMax * Math.max(0, load - threshold)) / (1 - threshold);
    }
    // Recharge right after the evening so the weekend stays idle.
    if (h >= 21 && soc < 90) return -iCharge * taper(soc, 90, 3);
    return 0;
  };
}

function solarSmoothing(startMs: number, dt: number, rng: Rng): Policy {
  const doy = dayOfYear(startMs);
  // Day length at ~45° N: 8.5 h in December to 15.5 h in June.
  const dayLength = 12 + 3.5 * Math.sin((2 * Math.PI * (doy - 80)) / 365.25);
  const sunrise = 12 - dayLength / 2;
  const aCloud = Math.exp(-dt / 1200);
  let cloud = rng.normal();
  const iPeak = C * rng.uniform(0.3, 0.45);
  const iEvening = C * rng.uniform(0.25, 0.35);
  let day = NaN;
  let clearness = 1,
    eveningStart = 18.5,
    eveningEnd = 23;
  return (ms, soc) => {
    const info = dayInfo(ms);
    if (info.day !== day) {
      day = info.day;
      clearness = Math.sqrt(rng.next()) * 0.75 + 0.25;
      eveningStart = Math.max(sunrise + dayLength, 17) + rng.uniform(0, 1);
      eveningEnd = Math.min(23.9, eveningStart + rng.uniform(4, 5));
    }
    cloud = ouStep(cloud, aCloud, rng);
    const h = hourOfDay(ms);
    const x = (h - sunrise) / dayLength;
    if (x > 0 && x < 1) {
      if (soc >= 95) return 0;
      const irradiance = Math.pow(Math.sin(Math.PI * x), 1.2);
      const sky = Math.min(1, Math.max(0.05, clearness + 0.35 * (1 - clearness) * cloud));
      return -iPeak * irradiance * sky * taper(soc, 95, 3);
    }
    if (h >= eveningStart && h < eveningEnd && soc > 12)
      return iEvening * ramp(h, eveningStart, eveningEnd, 0.25) * taper(soc, 12, 3);
    return 0;
  };
}

function backup(dt: number, rng: Rng): Policy {
  // LFP backup racks often float a little below full to slow calendar aging.
  const floatTarget = rng.uniform(94, 99.5);
  // About one outage or test discharge every 20 days.
  const eventProb = dt / (20 * 86400);
  let eventLeft = 0;
  let eventCurrent = 0;
  return (_ms, soc) => {
    if (eventLeft <= 0 && rng.bernoulli(eventProb)) {
      eventLeft = rng.uniform(1, 4) * 3600;
      eventCurrent = C * rng.uniform(0.3, 0.6);
    }
    if (eventLeft > 0) {
      eventLeft -= dt;
      return eventCurrent;
    }
    // Float: trickle back to the target, capped at 0.2C after a deep event.
    return soc < floatTarget ? -Math.min(0.2 * C, 6 * (floatTarget - soc)) : 0;
  };
}

/** The controller for a mode, with its per-system parameters drawn from `rng`. */
function policyFor(input: OperationInput): Policy {
  const { mode, intervalSeconds: dt, rng, startMs } = input;
  switch (mode) {
    case 'frequency_regulation':
      return frequencyRegulation(dt, input.maxCurrentA ?? MAX_CURRENT_A, rng);
    case 'arbitrage':
      return arbitrage(rng);
    case 'peak_shaving':
      return peakShaving(dt, rng);
    case 'solar_smoothing':
      return solarSmoothing(startMs, dt, rng);
    case 'backup':
      return backup(dt, rng);
  }
}

/** Initial SOC (%) of a mode. */
function initialSoc(mode: OperationalMode, rng: Rng): number {
  switch (mode) {
    case 'frequency_regulation':
      return rng.uniform(45, 55);
    case 'arbitrage':
      return rng.uniform(40, 60);
    case 'peak_shaving':
      return rng.uniform(85, 90);
    case 'solar_smoothing':
      return rng.uniform(15, 35);
    case 'backup':
      return rng.uniform(97, 100);
  }
}

/**
 * Runs a mode's controller over the series: clamps each request to ± the rack's C-rate limit
 * (or `maxCurrentA`), cuts it so SOC stays in the mode's window within the sample, holds it at
 * 0 A on idle days and while a tripped string is open, and integrates SOC by coulomb counting
 * (ΔSOC% = −I·Δt / (3600 · Ah_eff) · 100).
 */
export function simulateOperation(input: OperationInput): OperationSeries {
  const { samples: n, intervalSeconds: dt, startMs, capacityFactor, idleDays, stringTrip } = input;
  const [socMin, socMax] = SOC_LIMITS[input.mode];
  const policy = policyFor(input);
  const cellAh = input.pack?.cellAh ?? C;
  const maxCRate = input.pack?.maxCRate ?? MAX_C_RATE;
  // The same C-rate on another cell size; a frequency-regulation unit sized for more than 1C
  // (LTO: up to 3.8C, field-stats.md) sells that much more power per Ah.
  const scale = (cellAh / C) * (input.mode === 'frequency_regulation' ? Math.max(1, maxCRate) : 1);
  const maxCurrent = input.maxCurrentA ?? cellAh * maxCRate;
  const current = new Float64Array(n);
  const soc = new Float64Array(n);
  const samplesPerDay = 86400 / dt;
  let s = initialSoc(input.mode, input.rng);
  let openUntil = -1;
  let tripped = false;
  for (let i = 0; i < n; i++) {
    const ah = cellAh * (capacityFactor ? (capacityFactor[i] as number) : 1);
    soc[i] = s;
    // The controller is asked every sample, even when the rack cannot answer, so that its
    // random stream (and every other day) is the same as without the event.
    let I = policy(startMs + i * dt * 1000, s) * scale;
    I = Math.max(-maxCurrent, Math.min(maxCurrent, I));
    // Largest current that keeps SOC inside the window over this interval.
    const perAmp = (dt / 3600 / ah) * 100;
    if (I > 0) I = Math.min(I, Math.max(0, s - socMin) / perAmp);
    else if (I < 0) I = Math.max(I, -Math.max(0, socMax - s) / perAmp);
    if (
      stringTrip &&
      !tripped &&
      i >= stringTrip.armedFrom &&
      ((I > 0 && s < stringTrip.socBelow) || i >= stringTrip.deadline)
    ) {
      tripped = true;
      openUntil = i + stringTrip.samples;
    }
    if (i < openUntil || idleDays?.has(Math.floor(i / samplesPerDay))) I = 0;
    current[i] = I;
    s = Math.min(100, Math.max(0, s - I * perAmp));
  }
  return { current, soc };
}
