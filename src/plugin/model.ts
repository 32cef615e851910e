import type { DerivedFeature } from '../data/index.ts';
import type { Dataset, MetadataRow, SystemSeries } from '../data/types.ts';

/** A value or a promise of it: plugins may be synchronous or not. */
export type Awaitable<T> = T | Promise<T>;

/** What the runner hands a plugin on every call. */
export interface ModelContext {
  /** Seed for this (suite, model) case: a plugin that draws random numbers must derive them from it. */
  readonly seed: string;
  /** Aborted when the plugin runs past its timeout; long loops should check it. */
  readonly signal: AbortSignal;
}

/** Context of one `score` call: the system's metadata (mode, season, …) but never its label. */
export interface ScoreContext extends ModelContext {
  readonly metadata: MetadataRow;
}

/**
 * A score over time on one system (capability `scoreOverTime`): `score[i]` is the model's score
 * at instant `t[i]` (a timestamp, or the end of a window), epoch ms within the series' span, `t`
 * ascending (ties allowed); NaN means no score at that instant (too little data in the window).
 */
export interface ScoresOverTime {
  readonly t: Float64Array | readonly number[];
  readonly score: Float64Array | readonly number[];
}

/**
 * A model plugin: a small required core (`name`, `version`, `score`) plus optional capabilities.
 * `score` returns one number per system, higher = more anomalous; NaN or ±Infinity is an error.
 */
export interface ModelPlugin<Options = Readonly<Record<string, unknown>>> {
  readonly name: string;
  /** Bump when the plugin's behaviour changes: cached scores and baselines are keyed by it. */
  readonly version: string;
  /** The options it was built with (recorded with results, hashed into cache keys). */
  readonly options?: Options;
  /** Derived features the plugin reads from `series.sensors` (computed by the loader). */
  readonly derive?: readonly DerivedFeature[];
  /** Per-call timeout in ms for fit and for each score (default from the config). */
  readonly timeoutMs?: number;
  /**
   * Transformations the plugin promises its scores do not depend on; `harness check` tests each
   * promise made (and only those). Both apply to the training set and the scored series alike.
   * - `timeShift`: every timestamp moved by the same Δ (whole milliseconds, either direction)
   *   leaves every score unchanged. True of a model that reads only values and time differences.
   * - `unitScale`: every sensor value multiplied by the same c > 0 (e.g. 1000, 0.001, 3.7, as a
   *   change of unit would) leaves every score unchanged. False for a model with a threshold in
   *   physical units (e.g. "current below 5 A is rest").
   * Scores must match to 1e-9 relative or 1e-12 absolute (floating point, not exact bits).
   */
  readonly invariantTo?: { readonly timeShift?: boolean; readonly unitScale?: boolean };
  /** Learns from the training split only; labels are there for supervised models. */
  fit?(train: Dataset, ctx: ModelContext): Awaitable<void>;
  score(series: SystemSeries, ctx: ScoreContext): Awaitable<number>;
  /**
   * Optional: the model's score over time on one system, from which the harness raises alarms at
   * the case's threshold (debounced: the suite's `alarms`) and judges when it warned against the
   * labels' `failure_at` / `onset_at`. Higher = more anomalous, on the scale of the training
   * normals' own scores over time. `null`: this instance has no score over time after all (a
   * process model whose `hello` did not advertise it); the case then has no alarm evaluation.
   */
  scoreOverTime?(series: SystemSeries, ctx: ScoreContext): Awaitable<ScoresOverTime | null>;
  /** Optional faster path: one score per series, in the same order. */
  scoreBatch?(
    series: readonly SystemSeries[],
    ctx: ModelContext & { readonly metadata: readonly MetadataRow[] },
  ): Awaitable<readonly number[]>;
  /**
   * What `fit` learned, as data a worker thread can receive (numbers, strings, arrays, typed
   * arrays, plain objects, Maps: the structured-clone subset), and the way back. With both, a
   * run with several workers fits the model once and ships the state to the workers that score;
   * without them each worker fits again (the same scores, since fits are deterministic, but the
   * fit is paid once per worker). `harness check` tests that a restored model scores the same.
   */
  saveState?(): unknown; // may be a promise of it (a process model asks its process)
  restoreState?(state: unknown): Awaitable<void>;
  /** Releases resources (worker processes, files) after the case. */
  teardown?(): Awaitable<void>;
}

/** Identity helper that types a plugin object. */
export function defineModel<Options = Readonly<Record<string, unknown>>>(
  plugin: ModelPlugin<Options>,
): ModelPlugin<Options> {
  return plugin;
}
