import type { AssertionSpec, ExpectApi } from '../assert/types.ts';
import type { Source, SourceSelector } from '../data/index.ts';
import type { ThresholdSpec } from '../metrics/index.ts';
import type { ScenarioSpec } from '../synth/types.ts';
import type { ModelPlugin } from '../plugin/index.ts';

/**
 * What a suite runs on:
 * - a scenario fixture name (`'smoke'`) or `{ scenario, …overrides }`: generated on first use
 *   and cached by a hash of the fixture and the generator version;
 * - `{ source }`: the project's data folder (`synthetic`, `real` or `all`);
 * - `{ path }`: any folder in the data-dir or flat layout.
 */
export type DatasetSpec =
  | string
  | {
      readonly scenario: string | ScenarioSpec;
      readonly systems?: number;
      readonly days?: number;
      readonly interval?: string | number;
      readonly seed?: string | number;
    }
  | { readonly source: SourceSelector }
  | { readonly path: string; readonly source?: SourceSelector };

/**
 * How systems are split, stratified by label × failure type, seeded: one train/test split
 * (`test`), or k folds (`folds`) where every system is scored once by the model fit on the others.
 * Windows of one rack (`parent_system_id`) always stay on one side. A source split
 * (`{ train: { source: 'synthetic' }, test: { source: 'real' } }`, or the reverse) trains on
 * every system of one source and tests on every system of the other: sim-to-real.
 */
export interface SplitSpec {
  /** Share of systems in the test split (0–1), default 0.5, ignored with `folds`; or `{ source }`: test on that source. */
  readonly test?: number | SplitSide;
  /** `{ source }`: train on that source (a source split; the test side defaults to the other source). */
  readonly train?: SplitSide;
  /** k-fold cross-validation (k ≥ 2). */
  readonly folds?: number;
  readonly seed?: string | number;
  /**
   * Keep the windows of one rack (`parent_system_id`) on one side. Default true: a model is never
   * tested on windows of a rack it trained on. false splits windows one by one, for a study inside
   * one rack (before and after a fault of a single module, as in field-stats.md), where the
   * windows of both sides share their rack.
   */
  readonly groupWindows?: boolean;
}

/** Precomputed scores: a scores file as `harness evaluate --scores` reads it (system_id,score[,source]). */
export interface ScoresSpec {
  /** The file, relative to the config's folder. */
  readonly path: string;
  /** The case's name; default: the file's name without its extension (`spark-iforest.csv` → `spark-iforest`). */
  readonly name?: string;
  /** The case's version (what baselines and run records show); default: a hash of the scores. */
  readonly version?: string;
}

/** One side of a source split. */
export interface SplitSide {
  readonly source: Source;
}

/** A model in a suite: a plugin object, a plugin name, or `[name, options]` resolved by the plugin registry. */
export type ModelEntry =
  ModelPlugin<any> | string | readonly [string, Readonly<Record<string, unknown>>];

/** A suite: what to run on what, and what must hold. */
export interface SuiteSpec {
  readonly name: string;
  readonly description?: string;
  readonly dataset: DatasetSpec;
  readonly split?: SplitSpec;
  /** The models to fit and score; a suite may instead (or as well) judge precomputed `scores`. */
  readonly models?: readonly ModelEntry[];
  /**
   * Scores computed outside the harness (a Spark job over a Parquet fleet, see docs/spark.md),
   * one case each: judged on the suite's test split like a model's, at the same threshold rule,
   * with the same metrics, breakdowns, assertions and baseline. The file must score every system
   * of the dataset (the training side's normals set a train-FPR threshold).
   */
  readonly scores?: ScoresSpec | readonly ScoresSpec[];
  /**
   * How each model's decision threshold is chosen. Default: the score that flags 5 % of the
   * *training* normals (`{ kind: 'train_fpr', fpr: 0.05 }`): honest, and comparable across
   * models whose scores live on different scales.
   */
  readonly threshold?: SuiteThreshold;
  /** Breakdown columns. Default: failure_type, operational_mode, season, lead_time_bucket, scenario_tags, source. */
  readonly breakdown?: readonly string[];
  /**
   * Report each model's metrics on the synthetic and the real test systems side by side, with
   * the gap (real − synthetic): a `sources` section per case in results.json and a `source gap`
   * line in the plain reporter. Meant for `dataset: { source: 'all' }`.
   */
  readonly compareSources?: boolean;
  /**
   * Judge the alarms of the models with `scoreOverTime` (see README "Alarms: when did it warn?"):
   * `true` with the defaults, or an alarm fires when `minDuration` consecutive scored instants
   * (default 3; tied instants are one, at their highest score) reach the threshold, then no other for `cooldown` (days, or a duration such as
   * `'12h'`; default 1 day). The threshold follows the suite's rule, applied to the training
   * normals' scores over time. Absent: no scoring over time (it costs a score per window).
   */
  readonly alarms?: SuiteAlarms | boolean;
  /** Strata with fewer anomalies are marked too_few and skipped by `.each`. Default 5. */
  readonly minPositives?: number;
  readonly expect?: (api: ExpectApi) => readonly AssertionSpec[];
  /** Run `harness check`'s plugin contract on every model of the suite (as `model(m).toHonorContract()` assertions). */
  readonly contract?: boolean | { readonly runs?: number };
  /**
   * The baseline gate: ROC AUC drops smaller than `tolerance` (default 0.02) or not significant at
   * `alpha` (default 0.05) pass. A gate whose test could not detect a drop of `tolerance` (at
   * alpha, 80 % power) fails as underpowered unless `allowUnderpowered: true`.
   */
  readonly baseline?: {
    readonly tolerance?: number;
    readonly alpha?: number;
    readonly allowUnderpowered?: boolean;
  };
}

/** A suite's alarm debounce (the defaults are in alarms-from-scores.ts, with why). */
export interface SuiteAlarms {
  readonly minDuration?: number;
  readonly cooldown?: string | number;
}

/** A suite's threshold choice: like the metrics' ThresholdSpec, but `train_fpr` needs no scores (the runner provides them). */
export type SuiteThreshold =
  | number
  | Exclude<ThresholdSpec, { readonly kind: 'train_fpr' }>
  | { readonly kind: 'train_fpr'; readonly fpr: number };

/** Identity helper that types a suite. */
export function defineSuite(suite: SuiteSpec): SuiteSpec {
  return suite;
}
