/**
 * The local run store's contract: what `harness run` leaves in `.harness/runs/<run_id>/`, what
 * `harness runs` / `harness compare` read, and what the MLflow uploader (./mlflow/) sends. Other
 * tools may read these files, so a change of layout bumps RUN_RECORD_SCHEMA.
 *
 *   .harness/runs/<run_id>/
 *     run.json                     RunRecord: provenance (git, config, data, plugins, timings)
 *     results.json                 exactly what the json reporter writes (metrics, CIs, breakdowns, assertions)
 *     scores/<suite>/<model>.csv   system_id,label,score of every scored test system
 *     tracking.json                TrackingState, once an upload was tried
 */
export const RUN_RECORD_SCHEMA = 1;

export interface RunRecord {
  readonly schema: typeof RUN_RECORD_SCHEMA;
  /** Sortable and unique: `20261126T153012Z-3f9a1c` (UTC start time, then 6 hex). */
  readonly run_id: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_ms: number;
  readonly exit_code: 0 | 1 | 2;
  readonly harness_version: string;
  /** The CLI arguments after `harness run`. */
  readonly argv: readonly string[];
  readonly seed: string;
  /** null fields: not a git checkout, or git is not installed. */
  readonly git: {
    readonly commit: string | null;
    readonly branch: string | null;
    readonly dirty: boolean | null;
  };
  /** The config file (relative to the project root) and the sha256 of its bytes. */
  readonly config: { readonly file: string | null; readonly hash: string | null };
  readonly suites: readonly SuiteRecord[];
}

export interface SuiteRecord {
  readonly name: string;
  /** Relative to the project root. */
  readonly file: string;
  readonly error: string | null;
  readonly threshold: string;
  /** null when the suite failed before its data loaded. */
  readonly dataset: DatasetRecord | null;
  /** null when the suite failed before its data loaded (as `dataset`): the split was never drawn. */
  readonly split: {
    readonly test: number | null;
    readonly folds: number | null;
    readonly seed: string;
    /** A sim-to-real split's sources (absent for a random split or folds). */
    readonly sources?: {
      readonly train: 'synthetic' | 'real';
      readonly test: 'synthetic' | 'real';
    };
  } | null;
  readonly cases: readonly CaseRecord[];
  readonly assertions: {
    readonly passed: number;
    readonly failed: number;
    readonly errored: number;
  };
}

export interface DatasetRecord {
  readonly kind: 'scenario' | 'source' | 'path';
  /** Scenario name, source selector or folder. */
  readonly name: string;
  /** synthetic | real | all (a scenario is synthetic; a path is whatever its rows say). */
  readonly data_source: 'synthetic' | 'real' | 'all';
  /** Scenario name when the data came from a fixture. */
  readonly scenario: string | null;
  /** sha256 of the fixture + generator version (scenarios) or of labels + metadata. */
  readonly hash: string;
  /** The score cache's data key: sha256 of `hash` and every series file's size and mtime (what the models read). */
  readonly data_hash: string;
  /** Highest label_version among the labels used, and the sha256 of those label rows. */
  readonly label_version: number | null;
  readonly labels_hash: string;
  readonly systems: number;
  readonly train: number;
  readonly test: number;
}

export interface CaseRecord {
  readonly model: string;
  readonly version: string | null;
  readonly options: unknown;
  readonly state: 'scored' | 'errored';
  readonly error: string | null;
  /** The seed the model was given. */
  readonly seed: string;
  readonly cached: boolean;
  readonly timings_ms: { readonly fit: number; readonly score: number } | null;
  /** Relative to the run folder (`scores/<suite>/<model>.csv`); null for an errored case. */
  readonly scores_file: string | null;
}

/** tracking.json: what happened when the run was sent to a tracking server. */
export interface TrackingState {
  readonly mlflow?: {
    readonly uri: string;
    /** synced: every case is a FINISHED/FAILED MLflow run; failed: try again with `harness runs sync`. */
    readonly status: 'synced' | 'failed';
    readonly at: string;
    readonly error?: string;
    /** One per (suite, model) that reached the server, so a re-sync does not duplicate them. */
    readonly runs: readonly {
      readonly suite: string;
      readonly model: string;
      readonly experiment_id: string;
      readonly run_id: string;
      readonly complete: boolean;
    }[];
  };
}
