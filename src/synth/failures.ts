/**
 * Failure precursors as overlays on the physics. Each failure type maps its intensity series
 * (0 = healthy … 1 = at the event, full severity) to modifiers that the operating and cell models
 * apply: capacity fade shrinks the effective capacity before SOC is integrated, cooling failure
 * degrades the HVAC before the thermal model runs, and so on, so every signature stays
 * physically consistent with the rest of the series.
 *
 * Intensity at a sample = severity × f(τ), τ = days from the sample to the failure
 * = (tEnd − t)/day + leadTimeDays. f decreases in τ with type-specific time scales from
 * domain.md §3, so a longer lead time leaves a subtler signature at the end of the series.
 */
import type { FailureType } from '../data/index.ts';

/** Per-sample modifiers of the physics; a missing array means "no effect". */
export interface FailureModifiers {
  /** Effective capacity / nominal (capacity_fade): the same Ah move SOC further. */
  capacityFactor?: Float64Array;
  /** Cell resistance multiplier (capacity_fade): more I·R excursion, more I²R heat. */
  resistanceFactor?: Float64Array;
  /** 0–1 loss of thermal management (cooling_failure): container air and cells warm together. */
  coolingLoss?: Float64Array;
  /** Extra SOC mismatch (%) between the highest and lowest cell (cell_imbalance, capacity_fade). */
  mismatchPct?: Float64Array;
  /** Multiplier on the cell-to-cell resistance mismatch (cell_imbalance): ΔV under load grows. */
  resistanceMismatchFactor?: Float64Array;
  /** SOC deficit (%) of one leaking cell (internal_short). */
  weakCellDeficitPct?: Float64Array;
  /** Extra rest-voltage depression (V) of that leaking cell, visible when current stops. */
  weakCellRestDropV?: Float64Array;
  /** Local heat source: temperature rise (°C) of the hottest cell at high-SOC rest (thermal_runaway, internal_short). */
  hotSpotC?: Float64Array;
  /** Sag (V) of the weakest cell (thermal_runaway: a venting/leaking cell). */
  cellSagV?: Float64Array;
  /** Multiplier on the dry insulation resistance (insulation_fault). */
  insulationFactor?: Float64Array;
  /** Multiplier on the depth of humidity-driven insulation dips (insulation_fault). */
  insulationDipGain?: Float64Array;
}

/**
 * Shape of each type's approach in days: a sum of exponentials `weight·exp(−τ/scale)`. Fast
 * components follow domain.md §3 lead times (thermal runaway and cooling: hours to days; ISC:
 * days to months; imbalance: weeks to months; fade: a knee hundreds of cycles ahead; insulation:
 * days to weeks). The small slow components of the fast types are the faint early phase
 * (off-gassing, a fan bearing wearing) that long lead times should barely show.
 */
export const FAILURE_TIME_SCALES: Readonly<
  Record<FailureType, readonly { readonly weight: number; readonly scaleDays: number }[]>
> = {
  thermal_runaway: [
    { weight: 0.8, scaleDays: 2 },
    { weight: 0.2, scaleDays: 20 },
  ],
  internal_short: [{ weight: 1, scaleDays: 30 }],
  cell_imbalance: [{ weight: 1, scaleDays: 45 }],
  capacity_fade: [{ weight: 1, scaleDays: 60 }],
  cooling_failure: [
    { weight: 0.75, scaleDays: 1.5 },
    { weight: 0.25, scaleDays: 15 },
  ],
  insulation_fault: [{ weight: 1, scaleDays: 20 }],
};

/** Precursor intensity (0–1) of a failure `tauDays` ahead; strictly decreasing in τ for severity > 0. */
export function failureIntensity(type: FailureType, tauDays: number, severity: number): number {
  const tau = Math.max(0, tauDays);
  let f = 0;
  for (const c of FAILURE_TIME_SCALES[type]) f += c.weight * Math.exp(-tau / c.scaleDays);
  return Math.min(1, Math.max(0, severity * f));
}

/**
 * Intensity per sample of a series that ends `leadTimeDays` before the failure.
 * Sample i sits (n − 1 − i)·Δt before the last sample.
 */
export function intensitySeries(
  type: FailureType,
  leadTimeDays: number,
  severity: number,
  samples: number,
  intervalSeconds: number,
): Float64Array {
  const out = new Float64Array(samples);
  const stepDays = intervalSeconds / 86400;
  for (let i = 0; i < samples; i++)
    out[i] = failureIntensity(type, (samples - 1 - i) * stepDays + leadTimeDays, severity);
  return out;
}

function map(intensity: Float64Array, f: (x: number) => number): Float64Array {
  const out = new Float64Array(intensity.length);
  for (let i = 0; i < intensity.length; i++) out[i] = f(intensity[i] as number);
  return out;
}

/** Thermal runaway: a hot spot with growing dT/dt (strongest at high-SOC rest) and a sagging cell. */
export function thermalRunaway(x: Float64Array): FailureModifiers {
  return { hotSpotC: map(x, (v) => 22 * v), cellSagV: map(x, (v) => 0.08 * v * v + 0.02 * v) };
}

/** Internal short: one cell self-discharges (SOC deficit, rest-voltage drop) and warms a little. */
export function internalShort(x: Float64Array): FailureModifiers {
  return {
    weakCellDeficitPct: map(x, (v) => 6 * v),
    weakCellRestDropV: map(x, (v) => 0.05 * v),
    hotSpotC: map(x, (v) => 3 * v),
  };
}

/**
 * Cell imbalance: SOC mismatch between cells grows; ΔV shows it most at the SOC ends. The
 * diverging cell usually ages faster too, so its resistance mismatch grows and ΔV under load
 * widens a little even mid-SOC, where LFP's flat OCV hides the SOC mismatch.
 */
export function cellImbalance(x: Float64Array): FailureModifiers {
  return { mismatchPct: map(x, (v) => 12 * v), resistanceMismatchFactor: map(x, (v) => 1 + 2 * v) };
}

/** Capacity fade: effective capacity falls (up to 35 %) and resistance rises (up to ×2.5). */
export function capacityFade(x: Float64Array): FailureModifiers {
  return {
    capacityFactor: map(x, (v) => 1 - 0.35 * v),
    resistanceFactor: map(x, (v) => 1 + 1.5 * v),
    mismatchPct: map(x, (v) => 2 * v),
  };
}

/** Cooling failure: thermal management loses its grip; common-mode warming, wider spread. */
export function coolingFailure(x: Float64Array): FailureModifiers {
  return { coolingLoss: map(x, (v) => v) };
}

/** Insulation fault: dry resistance falls by up to ~30× and humidity dips deepen (to tens of kΩ at the event). */
export function insulationFault(x: Float64Array): FailureModifiers {
  return {
    insulationFactor: map(x, (v) => Math.exp(-3.5 * v)),
    insulationDipGain: map(x, (v) => 1 + 2.5 * v),
  };
}

/** Modifiers of a failure type from its intensity series. */
export function failureModifiers(type: FailureType, intensity: Float64Array): FailureModifiers {
  switch (type) {
    case 'thermal_runaway':
      return thermalRunaway(intensity);
    case 'internal_short':
      return internalShort(intensity);
    case 'cell_imbalance':
      return cellImbalance(intensity);
    case 'capacity_fade':
      return capacityFade(intensity);
    case 'cooling_failure':
      return coolingFailure(intensity);
    case 'insulation_fault':
      return insulationFault(intensity);
  }
}
