/**
 * What the run's worker threads (pool.ts) and the harness say to each other: plain data only,
 * since a plugin is a closure and cannot cross a thread. A request names where each plugin came
 * from ({@link PluginOrigin}) and the worker makes it again there.
 */
import type { LawOutcome, LawName } from '../assert/types.ts';
import type { EdgeFleetSystem } from '../arbitraries/index.ts';
import type { PassOptions, PassOutcome } from '../check/index.ts';
import type { CheckOptions, ContractReport } from '../check/types.ts';
import type { ResolvedConfig } from '../config/types.ts';
import type { SourceSelector } from '../data/index.ts';
import type { Dataset, LabelRow, MetadataRow } from '../data/types.ts';
import { HarnessError } from '../errors.ts';
import { optionsHash } from '../stable-json.ts';
import { loadDefaultExport } from '../module/index.ts';
import type { ResolvedScenario } from '../synth/types.ts';
import type { LawRequest } from './laws.ts';
import type { OverTime } from './over-time.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import { resolveModel } from './plugins.ts';
import type { SuiteSpec, SuiteThreshold } from './suite.ts';

/**
 * Where a plugin came from, so that a worker can make it again: a model of a suite file (the
 * file is imported again in the worker), or a model entry resolved as a suite would resolve it
 * (`harness check <name|path>`).
 */
export type PluginOrigin =
  | {
      /** The suite file, imported again in the worker. */
      readonly suiteFile: string;
      /** The suite's name (a file may export several suites). */
      readonly suiteName: string;
      /** The model's index in the suite's `models`. */
      readonly modelIndex: number;
      /**
       * The model the run means (made in the harness's thread from the suite it was given): the
       * plugin made again from the file must be it. A suite given as an object (describeSuite's
       * `{ ...suite, models: [...] }`) with the file of another suite had the file's models
       * scored under the object's names.
       */
      readonly expected?: PluginIdentity;
    }
  | {
      /** A model name or `models` key of the config. */
      readonly entry: string;
      /** Who names it, for messages. */
      readonly from: string;
    };

/** What tells two plugins apart: name, version and options (hashed as the score cache hashes them). */
export interface PluginIdentity {
  readonly name: string;
  readonly version: string;
  readonly optionsHash: string;
}

/** A plugin's {@link PluginIdentity}. */
export const identityOf = (plugin: ModelPlugin): PluginIdentity => ({
  name: plugin.name,
  version: plugin.version,
  optionsHash: optionsHash(plugin.options),
});

/**
 * How long importing a suite file or a plugin module and making a plugin may take: the plugin
 * call timeout, but at least 10 s, since the harness's own modules may load then too, which a
 * short plugin timeout (a test's 1 s) must not cut off on a busy machine.
 */
export const loadTimeout = (timeoutMs: number): number => Math.max(timeoutMs, 10_000);

/** The suite, models and data a request is about. */
export interface WorkerJob {
  readonly origins: readonly PluginOrigin[];
  readonly config: ResolvedConfig;
  readonly dataDir: string;
  /** Where the dataset's series are read from (see Dataset.snapshots). */
  readonly snapshots?: Dataset['snapshots'];
  readonly source: SourceSelector;
  /** Each plugin's seed, aligned with `origins`. */
  readonly seeds: readonly string[];
  readonly timeoutMs: number;
  /** Score over time too (the plugins that have `scoreOverTime`, a suite with `alarms`). */
  readonly overTime?: boolean;
}

/** The metamorphic laws to measure in a scoring session, with the fitted plugins, before teardown. */
export interface LawPlan {
  readonly requests: readonly LawRequest[];
  /** The laws' own seed (the run's and the suite's). */
  readonly seed: string;
  readonly threshold: SuiteThreshold;
  /** The scenario the dataset was generated from (the severity law injects faults with it). */
  readonly scenario?: ResolvedScenario;
}

/** Per plugin of a request, the laws measured for it. */
export type PluginLaws = Readonly<Record<string, LawOutcome>>;

/**
 * A system as a worker receives it: its two rows, from which it makes the record (and its
 * `loadSeries`). A worker holds the systems of its request only, never the whole dataset: with
 * 10,000 systems, each thread parsing labels and metadata again and keeping every record made
 * the run's memory grow with the fleet.
 */
export interface SystemRows {
  readonly metadata: MetadataRow;
  readonly label: LabelRow;
}

/** What a worker is asked to do; systems are sent as their rows ({@link SystemRows}), in order. */
export type WorkerRequest =
  | {
      readonly type: 'fit';
      readonly job: WorkerJob;
      readonly models: readonly number[];
      readonly train: readonly SystemRows[];
    }
  /**
   * Scoring is a session with one worker: `open` makes the plugins (restoring the shipped states,
   * or fitting here), each `batch` scores the next systems of the block, `close` answers with the
   * scores and lets the plugins go. The worker holds one batch of systems at a time, never its
   * whole block: at 100,000 systems the records of a block were 150 MB in each worker.
   */
  | {
      readonly type: 'open';
      readonly job: WorkerJob;
      /** Per plugin: its shipped state, or `fit` (fit it here on `train`), or the error that already stopped it. */
      readonly prepare: readonly (
        { readonly state: unknown } | 'fit' | { readonly error: string }
      )[];
      /** Empty unless a plugin with `fit` is fitted here (its `prepare` is `fit`). */
      readonly train: readonly SystemRows[];
      /** The systems of the block, over all its batches. */
      readonly size: number;
      /** With laws, the block is every system, in one batch: its first `trainNormals` are the training normals, the rest the test split. */
      readonly laws?: LawPlan & { readonly trainNormals: number };
    }
  | {
      readonly type: 'batch';
      /** Where `share` starts in the block. */
      readonly offset: number;
      readonly share: readonly SystemRows[];
    }
  | { readonly type: 'close' }
  /** Import a suite file and make its models, before the harness's own thread does. */
  | {
      readonly type: 'probe';
      readonly suiteFile: string;
      readonly config: ResolvedConfig;
      readonly timeoutMs: number;
    }
  /** Check one plugin against the plugin contract. */
  | {
      readonly type: 'contract';
      readonly origin: PluginOrigin;
      readonly config: ResolvedConfig;
      readonly options: CheckOptions;
    }
  /**
   * One pass of a contract check by a twin of the checked plugin: an instance made in this
   * worker, from its own import of the plugin's module (see check/twin.ts).
   */
  | {
      readonly type: 'twin';
      readonly origin: PluginOrigin;
      readonly config: ResolvedConfig;
      readonly assume?: CheckOptions['assume'];
      /** The fleet's systems; the worker makes the in-memory dataset of them again. */
      readonly systems: readonly EdgeFleetSystem[];
      readonly options: PassOptions;
      /** Restore a fresh instance from this state and score with it, instead of fitting one. */
      readonly restore?: { readonly state: unknown };
    };

/** One plugin's fit in a worker. */
export interface FitReply {
  readonly model: number;
  readonly error: string | null;
  readonly fitMs: number;
  readonly state: unknown;
}

/** One plugin's outcome over a worker's share. */
export interface ShareRun {
  readonly error: string | null;
  readonly scores: Float64Array;
  readonly fitMs: number;
  readonly scoreMs: number;
  readonly laws?: PluginLaws;
  /** Scores over time aligned with the share, when the plugin has `scoreOverTime`. */
  readonly overTime?: readonly (OverTime | null)[];
}

/** What a worker is started with: the board it posts each plugin call on (call-board.ts). */
export interface WorkerData {
  readonly callBoard: SharedArrayBuffer;
}

/** What a worker posts back. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly model: string; readonly done: number }
  /** An error no call caught: the request fails and the worker is replaced. */
  | { readonly type: 'escaped'; readonly message: string }
  | { readonly type: 'fitted'; readonly fits: readonly FitReply[] }
  | { readonly type: 'opened' }
  /** A batch scored: each plugin's error so far (null while it has none). */
  | { readonly type: 'scored'; readonly errors: readonly (string | null)[] }
  | { readonly type: 'done'; readonly runs: readonly ShareRun[] }
  | { readonly type: 'probed' }
  | { readonly type: 'checked'; readonly report: ContractReport }
  | { readonly type: 'twinned'; readonly outcome: PassOutcome }
  /**
   * The request failed. `culprit`: the plugin (its name) whose call the watchdog stopped the
   * thread in, when the call was one plugin's: the others of the request are not at fault.
   */
  | { readonly type: 'failed'; readonly message: string; readonly culprit?: string };

/** A worker's answer to a request (the other messages come while it works). */
export type WorkerReply = Extract<
  WorkerMessage,
  {
    type: 'fitted' | 'opened' | 'scored' | 'done' | 'probed' | 'checked' | 'twinned' | 'failed';
  }
>;

/** The models of a suite file, as its default export lists them. */
export async function suiteModels(
  suiteFile: string,
  suiteName: string,
): Promise<SuiteSpec['models'] | null> {
  const exported = await loadDefaultExport(suiteFile, { what: 'suite' });
  const specs = (Array.isArray(exported) ? exported : [exported]) as SuiteSpec[];
  return specs.find((s) => s?.name === suiteName)?.models ?? null;
}

/** Makes a plugin again from its origin (in a worker). */
export async function recreatePlugin(
  origin: PluginOrigin,
  config: ResolvedConfig,
): Promise<ModelPlugin> {
  if ('entry' in origin) return resolveModel(origin.entry, config, origin.from);
  const entry = (await suiteModels(origin.suiteFile, origin.suiteName))?.[origin.modelIndex];
  if (!entry)
    throw new HarnessError(
      'E_SUITE',
      `${origin.suiteFile}: suite "${origin.suiteName}" has no model #${origin.modelIndex + 1} in this worker`,
    );
  const plugin = await resolveModel(entry, config, origin.suiteFile);
  const want = origin.expected;
  if (want) {
    const got = identityOf(plugin);
    if (
      got.name !== want.name ||
      got.version !== want.version ||
      got.optionsHash !== want.optionsHash
    )
      throw new HarnessError(
        'E_SUITE',
        `${origin.suiteFile}: model #${origin.modelIndex + 1} of suite "${origin.suiteName}" is ${describeIdentity(got, want)} in the file, but ${describeIdentity(want, got)} in the suite being run: models run in worker threads are made again from the suite's file, so the suite must be the one the file exports (to run a variant of it, give it a file of its own, or run it without \`file\`)`,
      );
  }
  return plugin;
}

/** `"pca" v1`, with its options hash when only the options tell the two apart. */
function describeIdentity(p: PluginIdentity, other: PluginIdentity): string {
  const same = p.name === other.name && p.version === other.version;
  return `"${p.name}" v${p.version}${same ? ` (options ${p.optionsHash})` : ''}`;
}
