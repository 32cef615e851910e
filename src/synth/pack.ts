/**
 * Pack geometry per system: a rack's voltage class, its chemistry, the cells in series that give
 * that voltage, the cell size and the C-rate limit; and the rack's cell population (each cell's
 * own capacity, resistance and SOC offset). Field packs span 573–762 V with different cell counts
 * (field-stats.md, FCR plant); grid LFP racks are ~240 cells of 280 Ah, ≈ 768 V (domain.md §1).
 */
import type { Chemistry } from '../data/index.ts';
import { CHEMISTRY_PROFILES, type ChemistryProfile } from './chemistry.ts';
import type { Rng } from './random.ts';

/** Rack voltage classes a scenario draws from (nominal DC volts). */
export const PACK_SIZES = ['600V', '700V', '768V'] as const;
/** One of {@link PACK_SIZES}. */
export type PackSize = (typeof PACK_SIZES)[number];

/** Nominal rack voltage of each class (V). */
export const PACK_NOMINAL_V: Readonly<Record<PackSize, number>> = {
  '600V': 600,
  '700V': 700,
  '768V': 768,
};

/** The rack one system's series describes. */
export interface PackSpec {
  readonly chemistry: Chemistry;
  readonly size: PackSize;
  readonly cellsInSeries: number;
  /** Cell capacity (Ah): 1C in A. */
  readonly cellAh: number;
  /** Largest C-rate the PCS commands on this rack. */
  readonly maxCRate: number;
}

/** The reference rack: 240 LFP cells of 280 Ah at 1C (the fleet before chemistries were drawn). */
export const REFERENCE_PACK: PackSpec = {
  chemistry: 'LFP',
  size: '768V',
  cellsInSeries: 240,
  cellAh: 280,
  maxCRate: 1,
};

/** A rack of `chemistry` in voltage class `size`, its C-rate limit drawn from the chemistry's range. */
export function drawPack(chemistry: Chemistry, size: PackSize, rng: Rng): PackSpec {
  const p = CHEMISTRY_PROFILES[chemistry];
  const [lo, hi] = p.maxCRate;
  return {
    chemistry,
    size,
    cellsInSeries: Math.round(PACK_NOMINAL_V[size] / p.nominalV),
    cellAh: p.cellAh,
    // A PCS setting is a round number.
    maxCRate: Math.round(rng.uniform(lo, hi) * 20) / 20,
  };
}

/** Nameplate energy of one rack (kWh): cells in series × nominal cell voltage × cell Ah. */
export function rackKwh(pack: PackSpec): number {
  return (pack.cellsInSeries * CHEMISTRY_PROFILES[pack.chemistry].nominalV * pack.cellAh) / 1000;
}

/** Each cell's deviation from the rack's mean cell. */
export interface CellPopulation {
  /** Capacity / mean capacity. */
  readonly capacity: Float64Array;
  /** Resistance / mean resistance. */
  readonly resistance: Float64Array;
  /** SOC offset (percentage points) at full charge, where the BMS balances. */
  readonly socOffset: Float64Array;
}

/**
 * Draws every cell of a rack: normal spreads with a σ drawn per system inside the chemistry's
 * ranges, truncated at ±3.5σ (a cell further out fails the factory's grading). The spreads are
 * independent: manufacturers sort cells into a rack by capacity, not by resistance.
 */
export function drawCellPopulation(
  profile: ChemistryProfile,
  cells: number,
  rng: Rng,
): CellPopulation {
  const sdC = rng.uniform(...profile.capacitySd);
  const sdR = rng.uniform(...profile.resistanceSd);
  const sdO = rng.uniform(...profile.socOffsetSd);
  const capacity = new Float64Array(cells);
  const resistance = new Float64Array(cells);
  const socOffset = new Float64Array(cells);
  const z = (): number => Math.max(-3.5, Math.min(3.5, rng.normal()));
  for (let i = 0; i < cells; i++) {
    capacity[i] = 1 + sdC * z();
    resistance[i] = 1 + sdR * z();
    socOffset[i] = sdO * z();
  }
  return { capacity, resistance, socOffset };
}
