/**
 * The `delta-v` baseline: the cell voltage spread (ΔV = cell max − cell min) at rest, above what
 * the training normals show at rest. fit pools the normals' ΔV readings at rest and keeps their
 * median and MAD; score is (median rest ΔV of the series − that median) / that MAD, signed: a
 * higher ΔV always scores higher, so whatever level the training fleet sits at, the ranking of
 * the systems scored cannot turn backwards. See README.md for why rest, and why one-sided.
 */
import {
  atRest,
  powerCRate,
  REST_C_RATE,
  REST_CURRENT_A,
  defineModel,
  DEFAULT_ROLLING,
  rollingScores,
  percentileOfFinite,
  type MetadataRow,
  type ModelPlugin,
  type SystemSeries,
} from 'bess-harness';

/** Options of the delta-v plugin. */
export interface DeltaVOptions {
  /** Most rest readings pooled at fit time, taken evenly from each training normal. Default 200 000. */
  readonly maxPool?: number;
  /** Fewest rest readings a series needs to be scored; below it the score is 0 ("no evidence"). Default 3. */
  readonly minRest?: number;
}

export const DELTA_V_DEFAULTS = { maxPool: 200_000, minRest: 3 } as const;

/** What fit learned: the centre and scale of ΔV at rest over the training normals, mV. */
export interface DeltaVState {
  readonly center: number;
  readonly scale: number;
  readonly pooled: number;
  readonly normals: number;
}

/** MAD of a normal distribution × this = its standard deviation. */
const MAD_TO_SD = 1.482602218505602;

/**
 * ΔV in mV of the samples at rest, NaN elsewhere. Rest is a C-rate below {@link REST_C_RATE}
 * (power-based, |I·V| / (capacity_kwh · 1000)) when the metadata has a capacity, else |current|
 * below {@link REST_CURRENT_A} A. Without cell max/min or current: undefined.
 */
export function restDeltaV(
  series: SystemSeries,
  capacityKwh: number | undefined,
): Float64Array | undefined {
  const hi = series.sensors['cell_voltage_max_v'];
  const lo = series.sensors['cell_voltage_min_v'];
  const current = series.sensors['current_a'];
  const voltage = series.sensors['voltage_v'];
  if (!hi || !lo || !current) return undefined;
  const byCRate = voltage !== undefined && capacityKwh !== undefined && capacityKwh > 0;
  const n = Math.min(hi.length, lo.length, current.length);
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const c = current[i] as number;
    const rest = atRest(byCRate ? powerCRate(c, voltage[i] as number, capacityKwh) : undefined, c);
    if (rest) out[i] = ((hi[i] as number) - (lo[i] as number)) * 1000;
  }
  return out;
}

function capacityOf(metadata: MetadataRow | undefined): number | undefined {
  return metadata?.capacity_kwh;
}

/** A model that scores a system by its cell ΔV at rest, relative to the training normals' rest ΔV. */
export default function deltaV(
  options: DeltaVOptions = {},
): ModelPlugin<DeltaVOptions> & { readonly state: () => DeltaVState | undefined } {
  const maxPool = options.maxPool ?? DELTA_V_DEFAULTS.maxPool;
  const minRest = options.minRest ?? DELTA_V_DEFAULTS.minRest;
  if (!Number.isInteger(maxPool) || maxPool < 2)
    throw new Error(`delta-v: option maxPool must be an integer ≥ 2 (got ${String(maxPool)})`);
  if (!Number.isInteger(minRest) || minRest < 1)
    throw new Error(`delta-v: option minRest must be a positive integer (got ${String(minRest)})`);
  let state: DeltaVState | undefined;

  const plugin = defineModel<DeltaVOptions>({
    name: 'delta-v',
    version: '1',
    options: { maxPool, minRest },
    // Timestamps are never read. Not unitScale: rest is a C-rate (or current) threshold.
    invariantTo: { timeShift: true },
    async fit(train, ctx) {
      const normals = train.systems.filter((s) => s.label.label === 'normal');
      if (normals.length === 0)
        throw new Error(
          `delta-v: the training split has no normal systems (${train.systems.length} training systems); delta-v learns the healthy rest ΔV from them`,
        );
      const perSystem = Math.max(1, Math.floor(maxPool / normals.length));
      const chunks: number[] = [];
      for (const record of normals) {
        ctx.signal.throwIfAborted();
        const dv = restDeltaV(await record.loadSeries(), capacityOf(record.metadata));
        if (!dv) continue;
        const finite: number[] = [];
        for (const v of dv) if (v === v) finite.push(v);
        // Evenly strided readings: deterministic, and each normal weighs the same.
        const take = Math.min(finite.length, perSystem);
        for (let j = 0; j < take; j++)
          chunks.push(finite[Math.floor((j * finite.length) / take)] as number);
      }
      if (chunks.length < 2)
        throw new Error(
          `delta-v: fewer than 2 rest readings (C-rate < ${REST_C_RATE}, or |current| < ${REST_CURRENT_A} A without capacity_kwh) with cell max and min voltage over the ${normals.length} training normals`,
        );
      const pool = Float64Array.from(chunks).sort();
      const center = percentileOfFinite(pool, 0.5);
      const dev = pool.map((v) => Math.abs(v - center));
      let scale = percentileOfFinite(dev, 0.5) * MAD_TO_SD;
      if (!(scale > 0)) {
        // More than half the readings equal (a quantized ΔV): the standard deviation instead.
        let ss = 0;
        for (const v of pool) ss += (v - center) ** 2;
        scale = Math.sqrt(ss / (pool.length - 1));
      }
      if (!(scale > 0))
        throw new Error(
          `delta-v: the rest ΔV is constant (${center} mV) over the training normals; a relative score needs some spread`,
        );
      state = { center, scale, pooled: pool.length, normals: normals.length };
    },
    saveState: () => state,
    restoreState(saved) {
      state = saved as DeltaVState;
    },
    score(series, ctx) {
      if (!state)
        throw new Error(
          'delta-v: score called before fit; delta-v needs a training split with normal systems',
        );
      const dv = restDeltaV(series, capacityOf(ctx.metadata));
      if (!dv) return 0;
      let rest = 0;
      for (const v of dv) if (v === v) rest++;
      if (rest < minRest) return 0;
      const z = (percentileOfFinite(dv, 0.5) - state.center) / state.scale;
      return Number.isFinite(z) ? z : z > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
    },
  });
  return {
    ...plugin,
    // The same statistic over each trailing day, every 6 hours (DEFAULT_ROLLING); the threshold
    // of its alarms comes from the training normals' windows, so the scale of a day's statistic
    // against a whole series' never matters. score is synchronous: the cast only drops Awaitable.
    scoreOverTime: (series, ctx) =>
      rollingScores(series, DEFAULT_ROLLING, (w) => plugin.score(w, ctx) as number),
    state: () => state,
  };
}
