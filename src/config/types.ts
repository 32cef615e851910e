import type { ProcessModelSpec } from '../plugin/index.ts';
/**
 * What a project may write in harness.config.ts (or .harnessrc.json, or a `harness` key in
 * package.json). Every field is optional; `resolveConfig` fills the defaults once.
 */
export interface UserConfig {
  /** The data folder (synthetic/ and real/, each with raw/, metadata.csv, labels.csv). Relative to the config file. Default: `data`. */
  readonly dataDir?: string;
  /** Scenario fixture `harness generate` uses when none is named. Default: `default`. */
  readonly scenario?: string;
  /** Seed for every random draw the harness makes when a command is given none. Default: `bess`. */
  readonly seed?: string | number;
  /** Where suites are found: globs relative to the config file. Default: `['suites/**\/*.suite.ts']`. */
  readonly suites?: readonly string[];
  /** Folders holding model plugins, one folder per plugin (`<dir>/<name>/index.ts`). Default: `['plugins']`. */
  readonly plugins?: readonly string[];
  /**
   * Extra models by name: a module path (relative to the config) or an npm package whose default
   * export is a plugin factory, or a program that speaks the process protocol
   * (`{ command: ['python', '-m', 'my_models.iforest'] }`, see docs/process-protocol.md).
   */
  readonly models?: Readonly<Record<string, string | ProcessModelSpec>>;
  /**
   * Reporters: a name (`plain`, `ink`, `json`), `[name, options]`, or a path to a module.
   * Default: `['ink']` on an interactive terminal outside CI, else `['plain']`.
   */
  readonly reporters?: readonly ReporterEntry[];
  /** Where reporters write files (results.json, …). Default: `.harness/last-run`. */
  readonly outDir?: string;
  /** Generated datasets and other caches. Default: `.harness/cache`. */
  readonly cacheDir?: string;
  /** The local run history: `harness run` records each run in `<runsDir>/<run_id>/`. Default: `.harness/runs`. */
  readonly runsDir?: string;
  /** Record every `harness run` in runsDir (`harness runs`, `harness compare` read them). Default: true. */
  readonly history?: boolean;
  /** Time a plugin's fit or one score call may take, in ms. Default: 60000. */
  readonly timeoutMs?: number;
  /**
   * Environment variables a model reads (`MODEL_PATH`, a feature flag): their values go into
   * every score-cache key, so a changed value scores again. The rest of the environment is not
   * in the key (CI changes it on every run, and nothing would ever be served). Default: none.
   */
  readonly cacheEnv?: readonly string[];
  /**
   * The run's worker threads: every model is fitted and scored in them, where a hang or a crash
   * fails its own case only. A model with saveState/restoreState is fitted once and its state
   * shipped to each block of systems; one without is fitted again per block. Default: the cores
   * (os.availableParallelism()).
   */
  readonly workers?: number;
  /**
   * Where recorded runs are also sent. `mlflow.uri`: an MLflow tracking server (http or https,
   * optionally with a path prefix); MLFLOW_TRACKING_URI overrides it. Credentials never go here:
   * they come from MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN.
   */
  readonly tracking?: { readonly mlflow?: { readonly uri?: string } };
}

/** A reporter as the user names it. */
export type ReporterEntry = string | readonly [string, Readonly<Record<string, unknown>>];

/** The config with defaults filled and paths absolute: what commands read. */
export interface ResolvedConfig {
  /** The config file it came from, or null when the project has none. */
  readonly configFile: string | null;
  /** The folder relative paths are resolved against (the config file's folder, or the cwd). */
  readonly root: string;
  readonly dataDir: string;
  readonly scenario: string;
  /** The seed given in the config, or null (commands then use `DEFAULT_SEED`, src/defaults.ts). */
  readonly seed: string | null;
  readonly suites: readonly string[];
  readonly plugins: readonly string[];
  /** Model name → absolute module path or package name, or a process model (its `cwd` absolute). */
  readonly models: Readonly<Record<string, string | ProcessModelSpec>>;
  /** The reporters the config names, or null when it names none (`harness run` then picks with `defaultReporters`). */
  readonly reporters: readonly ReporterEntry[] | null;
  readonly outDir: string;
  readonly cacheDir: string;
  readonly runsDir: string;
  readonly history: boolean;
  readonly timeoutMs: number;
  /** Environment variables whose values go into every score-cache key (see UserConfig). */
  readonly cacheEnv: readonly string[];
  readonly workers: number;
  /** The config's tracking URIs (null: not set there; MLFLOW_TRACKING_URI is read when tracking starts). */
  readonly tracking: { readonly mlflow: { readonly uri: string | null } };
}
