/**
 * The `pca` baseline: reconstruction error of a system's summary vector (src/features/summary.ts)
 * under a PCA of the training normals. fit standardizes the normals' vectors with their own mean
 * and standard deviation and keeps the first k principal axes; score is the squared distance
 * between a system's standardized vector and its projection onto those axes: how much of the
 * system lies outside the subspace where normal systems vary. See README.md.
 */
import { PCA } from 'ml-pca';
import {
  SUMMARY_FEATURE_DIRECTIONS,
  SUMMARY_FEATURE_NAMES,
  defineModel,
  DEFAULT_ROLLING,
  rollingScores,
  type FeatureDirection,
  summarizeSeries,
  type ModelPlugin,
} from 'bess-harness';

/** Options of the pca plugin. */
export interface PcaOptions {
  /** Principal components kept (clamped to ≤ min(n − 1, d) for n training normals, d features). Default 3. */
  readonly components?: number;
  /**
   * Standardized values are clipped to ±clip before projection (default 10): one saturated
   * spike in one feature then cannot outweigh everything else. `Infinity` turns it off.
   */
  readonly clip?: number;
}

export const PCA_DEFAULTS = { components: 3, clip: 10 } as const;

/** What fit learned. */
export interface PcaState {
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Column means of the standardized training matrix (≈ 0), removed before projection. */
  readonly center: Float64Array;
  /** k principal axes, each a unit vector of length d. */
  readonly axes: readonly Float64Array[];
  readonly normals: number;
}

/**
 * Standardizes a summary vector into a new array: (x − mean) / std, clipped to ±clip; a missing
 * feature (NaN) becomes 0, i.e. it is imputed with the training mean. With `directions`, a
 * deviation to the healthy side of a one-sided feature (below the mean of a `high` feature, above
 * it for `low`) also becomes 0: a short window's tails sit inside its series' tails, and a system
 * that is *less* extreme than the normals is not a fault.
 */
export function standardize(
  values: Float64Array,
  mean: Float64Array,
  std: Float64Array,
  clip: number,
  directions?: readonly FeatureDirection[],
): Float64Array {
  const out = new Float64Array(values.length);
  for (let j = 0; j < values.length; j++) {
    let z = ((values[j] as number) - (mean[j] as number)) / (std[j] as number);
    const side = directions?.[j];
    if ((side === 'high' && z < 0) || (side === 'low' && z > 0)) z = 0;
    out[j] = z === z ? Math.max(-clip, Math.min(clip, z)) : 0;
  }
  return out;
}

/** Squared norm of the part of `x − center` that the axes do not explain. */
export function reconstructionError(
  x: Float64Array,
  center: Float64Array,
  axes: readonly Float64Array[],
): number {
  const d = x.length;
  const r = new Float64Array(d);
  for (let j = 0; j < d; j++) r[j] = (x[j] as number) - (center[j] as number);
  for (const u of axes) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += (u[j] as number) * (r[j] as number);
    for (let j = 0; j < d; j++) r[j] = (r[j] as number) - dot * (u[j] as number);
  }
  let e = 0;
  for (let j = 0; j < d; j++) e += (r[j] as number) ** 2;
  return Number.isFinite(e) ? e : Number.MAX_VALUE;
}

/** A model that scores a system by how badly a PCA of the training normals reconstructs its summary. */
export default function pca(
  options: PcaOptions = {},
): ModelPlugin<PcaOptions> & { readonly state: () => PcaState | undefined } {
  const components = options.components ?? PCA_DEFAULTS.components;
  const clip = options.clip ?? PCA_DEFAULTS.clip;
  if (!Number.isInteger(components) || components < 1)
    throw new Error(
      `pca: option components must be a positive integer (got ${String(components)})`,
    );
  if (!(clip > 0))
    throw new Error(`pca: option clip must be a positive number or Infinity (got ${String(clip)})`);
  let state: PcaState | undefined;

  const plugin = defineModel<PcaOptions>({
    name: 'pca',
    // 2: length-independent, per-cell features (quantiles and a quarter-to-quarter drift).
    // 3: ΔV features on the SOC plateau only, and the drift of ΔV at rest instead of its spread.
    version: '3',
    // The resolved options: reports show what ran, and a change of default changes the cache key.
    options: { components, clip },
    // Only time differences are read (the drift's quarters). Not unitScale: the rest and load
    // C-rates are thresholds, and a feature constant over the normals keeps scale 1, i.e. stays
    // in its unit.
    invariantTo: { timeShift: true },
    async fit(train, ctx) {
      const normals = train.systems.filter((s) => s.label.label === 'normal');
      if (normals.length < 2) {
        throw new Error(
          `pca: needs at least 2 normal systems in the training split to learn their spread (got ${normals.length} of ${train.systems.length} training systems)`,
        );
      }
      const d = SUMMARY_FEATURE_NAMES.length;
      const rows: Float64Array[] = [];
      for (const record of normals) {
        ctx.signal.throwIfAborted();
        rows.push(
          summarizeSeries(await record.loadSeries(), {
            capacityKwh: record.metadata.capacity_kwh,
          }).values,
        );
      }
      const n = rows.length;
      const mean = new Float64Array(d);
      const std = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        let sum = 0;
        let cnt = 0;
        for (const row of rows) {
          const v = row[j] as number;
          if (v === v) {
            sum += v;
            cnt++;
          }
        }
        const m = cnt > 0 ? sum / cnt : 0;
        let ss = 0;
        for (const row of rows) {
          const v = row[j] as number;
          if (v === v) ss += (v - m) ** 2;
        }
        const sd = cnt > 1 ? Math.sqrt(ss / (cnt - 1)) : 0;
        mean[j] = m;
        // A feature constant (or absent) over the normals carries no scale: 1 keeps it in its unit.
        std[j] = sd > 0 && Number.isFinite(sd) ? sd : 1;
      }
      const z = rows.map((row) => standardize(row, mean, std, clip, SUMMARY_FEATURE_DIRECTIONS));
      const center = new Float64Array(d);
      for (const row of z)
        for (let j = 0; j < d; j++) center[j] = (center[j] as number) + (row[j] as number) / n;
      const matrix = z.map((row) => Array.from(row, (v, j) => v - (center[j] as number)));
      const model = new PCA(matrix, { center: false, scale: false });
      const vectors = model.getEigenvectors();
      const k = Math.min(components, n - 1, d, vectors.columns);
      const axes: Float64Array[] = [];
      for (let c = 0; c < k; c++) axes.push(Float64Array.from(vectors.getColumn(c)));
      state = { mean, std, center, axes, normals: n };
    },
    // The fitted state is plain numbers and Float64Arrays: a worker thread can receive it.
    saveState: () => state,
    restoreState(saved) {
      state = saved as PcaState;
    },
    score(series, ctx) {
      if (!state)
        throw new Error(
          'pca: score called before fit; pca needs a training split with at least 2 normal systems',
        );
      const summary = summarizeSeries(series, { capacityKwh: ctx.metadata.capacity_kwh });
      const x = standardize(
        summary.values,
        state.mean,
        state.std,
        clip,
        SUMMARY_FEATURE_DIRECTIONS,
      );
      return reconstructionError(x, state.center, state.axes);
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
