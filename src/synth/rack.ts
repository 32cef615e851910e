/**
 * The simulated rack (string): what one telemetry series describes. domain.md §1: a grid LFP
 * rack is ~240 cells of 280 Ah in series, ≈ 768 V nominal, ±0.5C (≈ 140 A) continuous.
 */

/** Cells in series in one rack. */
export const CELLS_IN_SERIES = 240;
/** Nominal cell capacity in Ah (1C current in A). */
export const CELL_AH = 280;
/** Largest current the PCS will command, as a C-rate (domain.md §1: 1C bursts). */
export const MAX_C_RATE = 1;
/** Largest current magnitude in A. */
export const MAX_CURRENT_A = CELL_AH * MAX_C_RATE;
/** Milliseconds per day. */
export const DAY_MS = 86_400_000;
