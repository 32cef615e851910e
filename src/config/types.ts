/**
 * What a project may write in harness.config.ts (or .harnessrc.json, or a `harness` key in
 * package.json). Every field is optional; `resolveConfig` fills the defaults once.
 */
export interface UserConfig {
  /** The data folder (synthetic/, real/, labels.csv). Relative to the config file. Default: `data`. */
  readonly dataDir?: string;
  /** Scenario fixture `harness generate` uses when none is named. Default: `default`. */
  readonly scenario?: string;
  /** Seed for every random draw the harness makes when a command is given none. Default: the scenario's own seed. */
  readonly seed?: string | number;
}

/** The config with defaults filled and paths absolute: what commands read. */
export interface ResolvedConfig {
  /** The config file it came from, or null when the project has none. */
  readonly configFile: string | null;
  /** The folder relative paths are resolved against (the config file's folder, or the cwd). */
  readonly root: string;
  readonly dataDir: string;
  readonly scenario: string;
  readonly seed: string | null;
}
