/**
 * The reference rack (string): domain.md §1: a grid LFP rack is ~240 cells of 280 Ah in series,
 * ≈ 768 V nominal, ±0.5C (≈ 140 A) continuous. Operating-mode policies speak in amps of this
 * rack; a system's own rack (pack.ts: chemistry, cells in series, cell size, C-rate limit) scales
 * them. The default fleet is made of this rack.
 */

/** Cells in series in the reference rack. */
export const CELLS_IN_SERIES = 240;
/** Nominal cell capacity of the reference rack in Ah (1C current in A). */
export const CELL_AH = 280;
/** Largest current the PCS commands on the reference rack, as a C-rate (domain.md §1: 1C bursts). */
export const MAX_C_RATE = 1;
/** Largest current magnitude in A. */
export const MAX_CURRENT_A = CELL_AH * MAX_C_RATE;
/** Milliseconds per day. */
export const DAY_MS = 86_400_000;
