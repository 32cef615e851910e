/**
 * Cell chemistries: open-circuit voltage curve, voltage limits, cell size, resistance and the
 * cell-to-cell spread a rack of that chemistry is built with. The curves are the usual shapes of
 * published graphite-anode curves (LFP: flat plateau, steep ends; NMC: sloped all the way; LTO:
 * a titanate anode, ~2.3 V nominal); numbers are [est] unless a comment cites domain.md or
 * field-stats.md.
 */
import type { Chemistry } from '../data/index.ts';

/** Per-chemistry constants of a cell and of the spread among a rack's cells. */
export interface ChemistryProfile {
  /** Open-circuit voltage curve (SOC %, V), SOC ascending from 0 to 100. */
  readonly ocv: readonly (readonly [number, number])[];
  /** BMS cell limits (V): current stops at these, so no reading passes them. */
  readonly limits: readonly [number, number];
  /** Nominal cell voltage (V): sets cells in series for a rack's voltage class. */
  readonly nominalV: number;
  /** Cell (or parallel cell group) capacity, Ah: 1C in A. */
  readonly cellAh: number;
  /** DC resistance of one cell at 25 °C and mid SOC (Ω), drawn uniformly per system. */
  readonly resistanceOhm: readonly [number, number];
  /** Polarization (diffusion) resistance at steady state (Ω), drawn per system; time constant 10 min. */
  readonly polarizationOhm: readonly [number, number];
  /** Resistance rise at low SOC: factor 1 + lowSocGain·exp(−SOC/lowSocScale). */
  readonly lowSocGain: number;
  readonly lowSocScale: number;
  /** Arrhenius activation temperature Ea/R (K) of the resistance: ×2–4 at −20 °C (domain.md §2). */
  readonly activationK: number;
  /** Cell-to-cell spread (1 σ, drawn per system inside these ranges): capacity share, resistance share, SOC offset %. */
  readonly capacitySd: readonly [number, number];
  readonly resistanceSd: readonly [number, number];
  readonly socOffsetSd: readonly [number, number];
  /** Largest C-rate the PCS is allowed to command, drawn per system (domain.md §1–2, field-stats.md). */
  readonly maxCRate: readonly [number, number];
}

/**
 * The chemistries. Calibration: LFP reproduces the field ΔV table of field-stats.md (a few mV at
 * rest, 15 mV at 0.5C and 80–90 % SOC rising to ~100 mV at 12.5 %: test/unit/synth/realism-delta-v.test.ts);
 * LFP cell range 2.84–3.46 V over 5–87 % SOC in the field. NMC and LTO follow the same spread model
 * with their own curves (no field ΔV table for them); LTO reaches 3.4–3.8C in frequency regulation
 * (field-stats.md, FCR plant), LFP runs at 0.5–1C (domain.md §1).
 */
export const CHEMISTRY_PROFILES: Readonly<Record<Chemistry, ChemistryProfile>> = {
  LFP: {
    ocv: [
      [0, 2.5],
      [2, 2.8],
      [5, 2.98],
      [8, 3.08],
      [10, 3.12],
      [15, 3.18],
      [20, 3.2],
      [30, 3.235],
      [40, 3.262],
      [50, 3.28],
      [60, 3.29],
      [70, 3.3],
      [80, 3.318],
      [90, 3.335],
      [95, 3.35],
      [98, 3.39],
      [100, 3.45],
    ],
    limits: [2.5, 3.65],
    nominalV: 3.2,
    cellAh: 280,
    resistanceOhm: [0.0004, 0.0006],
    polarizationOhm: [0.0002, 0.00035],
    lowSocGain: 2.5,
    lowSocScale: 14,
    activationK: 2500,
    capacitySd: [0.009, 0.013],
    resistanceSd: [0.02, 0.03],
    socOffsetSd: [0.3, 0.5],
    maxCRate: [0.5, 1],
  },
  NMC: {
    ocv: [
      [0, 3.0],
      [3, 3.3],
      [5, 3.42],
      [10, 3.53],
      [20, 3.6],
      [30, 3.64],
      [40, 3.68],
      [50, 3.73],
      [60, 3.8],
      [70, 3.88],
      [80, 3.96],
      [90, 4.05],
      [95, 4.1],
      [100, 4.18],
    ],
    limits: [2.8, 4.2],
    nominalV: 3.65,
    cellAh: 111,
    resistanceOhm: [0.0007, 0.001],
    polarizationOhm: [0.0004, 0.0006],
    lowSocGain: 2,
    lowSocScale: 8,
    activationK: 2800,
    capacitySd: [0.008, 0.012],
    resistanceSd: [0.02, 0.03],
    socOffsetSd: [0.3, 0.5],
    maxCRate: [1, 2],
  },
  LTO: {
    ocv: [
      [0, 1.7],
      [3, 1.95],
      [5, 2.05],
      [10, 2.14],
      [20, 2.21],
      [30, 2.25],
      [40, 2.285],
      [50, 2.315],
      [60, 2.345],
      [70, 2.385],
      [80, 2.43],
      [90, 2.49],
      [95, 2.54],
      [100, 2.65],
    ],
    limits: [1.5, 2.7],
    nominalV: 2.3,
    cellAh: 46,
    resistanceOhm: [0.0005, 0.0007],
    polarizationOhm: [0.0002, 0.0003],
    lowSocGain: 1.5,
    lowSocScale: 8,
    activationK: 2000,
    capacitySd: [0.006, 0.01],
    resistanceSd: [0.02, 0.03],
    socOffsetSd: [0.3, 0.5],
    maxCRate: [2.5, 3.8],
  },
};

/** A 0.1 %-step lookup table of a piecewise-linear curve over SOC 0–100 (evaluated several times per sample). */
export function socTable(points: readonly (readonly [number, number])[]): Float64Array {
  const lut = new Float64Array(1001);
  let seg = 0;
  for (let k = 0; k <= 1000; k++) {
    const s = k / 10;
    while (seg < points.length - 2 && s > (points[seg + 1] as readonly [number, number])[0]) seg++;
    const [s0, v0] = points[seg] as readonly [number, number];
    const [s1, v1] = points[seg + 1] as readonly [number, number];
    lut[k] = v0 + ((v1 - v0) * (s - s0)) / (s1 - s0);
  }
  return lut;
}

/** Linear interpolation in a {@link socTable} at `socPct` (clamped to 0–100). */
export function lookup(lut: Float64Array, socPct: number): number {
  const x = Math.min(1000, Math.max(0, socPct * 10));
  const k = Math.min(999, Math.floor(x));
  const f = x - k;
  return (lut[k] as number) * (1 - f) + (lut[k + 1] as number) * f;
}

const OCV_TABLES = Object.fromEntries(
  Object.entries(CHEMISTRY_PROFILES).map(([c, p]) => [c, socTable(p.ocv)]),
) as Record<Chemistry, Float64Array>;

/** The OCV lookup table of a chemistry. */
export function ocvTable(chemistry: Chemistry): Float64Array {
  return OCV_TABLES[chemistry];
}

/** Open-circuit voltage (V) of a cell of `chemistry` at `socPct` (clamped to 0–100). */
export function ocv(chemistry: Chemistry, socPct: number): number {
  return lookup(OCV_TABLES[chemistry], socPct);
}

/** Resistance factor at a SOC (1 at mid SOC): the rise at low SOC that makes the knee under load steep. */
export function lowSocTable(profile: ChemistryProfile): Float64Array {
  const lut = new Float64Array(1001);
  for (let k = 0; k <= 1000; k++)
    lut[k] = 1 + profile.lowSocGain * Math.exp(-(k / 10) / profile.lowSocScale);
  return lut;
}

/** Arrhenius resistance factor at `tempC` relative to 25 °C, capped at ×5 (the BMS derates below that). */
export function arrheniusFactor(profile: ChemistryProfile, tempC: number): number {
  return Math.min(5, Math.exp(profile.activationK * (1 / (tempC + 273.15) - 1 / 298.15)));
}
