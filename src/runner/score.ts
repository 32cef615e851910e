import type { ResolvedConfig } from '../config/types.ts';
import type { DerivedFeature } from '../data/index.ts';
import type { Dataset, MetadataRow, SystemRecord, SystemSeries } from '../data/types.ts';
import { displayPath, formatProblem, HarnessError } from '../errors.ts';
import { measureLaws } from './laws.ts';
import { type ModelPlugin, TEARDOWN_MIN_MS, withTimeout } from '../plugin/index.ts';
import { scoreInWorkers, type PooledScores, type WorkerPool } from './pool.ts';
import { thresholdValue } from './threshold-value.ts';
import { checkOverTime, type OverTime, type OverTimeStore } from './over-time.ts';
import type { LawPlan, PluginLaws, PluginOrigin } from './worker-protocol.ts';

/** One model's progress through a suite: its scores, or the error that stopped it. */
export interface ModelRun {
  readonly plugin: ModelPlugin;
  /** The first failure: `fit: …`, `score(sys-0007): …`. Once set, the model is not called again. */
  error: string | null;
  readonly testScores: Float64Array;
  readonly trainNormalScores: number[];
  fitMs: number;
  scoreMs: number;
  /** The metamorphic laws measured with the fitted plugin, when asked ({@link ScoreOptions.laws}). */
  laws?: PluginLaws;
  /**
   * Scores over time (plugin capability `scoreOverTime`), aligned like the scores; absent when
   * the plugin has none, or declined (returned null) on its first system.
   */
  overTime?: OverTimeStore;
}

export interface ScoreOptions {
  /** Seed of the model's case; every call gets it in its context. */
  readonly seedFor: (model: string) => string;
  readonly timeoutMs: number;
  /** Also score the training normals (needed for a train-FPR threshold). */
  readonly scoreTrainNormals: boolean;
  readonly dataset: Dataset;
  readonly onStart?: (model: string, total: number) => void | Promise<void>;
  readonly onProgress?: (model: string, done: number, total: number) => void | Promise<void>;
  /** Called when the models are fitted and scoring begins (the fit phase's end; the bench times the phases with it). */
  readonly onScoreStart?: () => void | Promise<void>;
  /** Metamorphic laws to measure with the fitted models, after scoring and before teardown (they score more data with them). */
  readonly laws?: LawPlan;
  /** Also score each system over time with the plugins that have `scoreOverTime` (a suite with `alarms`). */
  readonly overTime?: boolean;
  /** Score in worker threads (see {@link ParallelOptions}); absent: in this process. */
  readonly parallel?: ParallelOptions;
}

/** How to score in worker threads. */
export interface ParallelOptions {
  /** The run's worker threads (their number is the most that score at once). */
  readonly pool: WorkerPool;
  /** Most worker threads at once; each model gets at least one of its own. */
  readonly workers: number;
  /** Where each plugin came from, aligned with the plugins; a plugin without one is scored in this process. */
  readonly origins: readonly (PluginOrigin | null)[];
  readonly config: ResolvedConfig;
  /**
   * Fewest systems per worker: a smaller run uses fewer workers (starting a worker and
   * re-fitting in it costs more than scoring a few systems). Default {@link MIN_SYSTEMS_PER_WORKER}.
   */
  readonly minSystemsPerWorker?: number;
  /** Systems per scoring batch sent to a worker. Default: pool.ts's SCORE_BATCH. */
  readonly scoreBatch?: number;
}

/** Default of {@link ParallelOptions.minSystemsPerWorker}. */
export const MIN_SYSTEMS_PER_WORKER = 100;

/** Series are read and scored this many at a time: each file is read once for all models. */
const CHUNK = 16;

/**
 * Fits every model on the training split, then scores the test split (and the training
 * normals when asked). A model that throws, returns a non-finite score, skips a system or runs
 * past its timeout stops with an error naming the step and the system; the other models go on.
 * A data file that cannot be read is not the model's fault: it throws (a HarnessError) and
 * stops the suite.
 *
 * With `parallel`, the models run in the run's worker threads (pool.ts), together, with each
 * series read once for all of them and copied for each; a call that never yields is stopped by
 * the pool's watchdog. When a worker ends badly (a busy loop, process.exit, an uncaught
 * exception), the models it held run again one by one, so only the one at fault fails its
 * case. Without `parallel` (a suite made in code, with no file to make its plugins again from),
 * every model runs in this process.
 */
export async function fitAndScore(
  plugins: readonly ModelPlugin[],
  train: readonly SystemRecord[],
  test: readonly SystemRecord[],
  opts: ScoreOptions,
): Promise<ModelRun[]> {
  const par = opts.parallel;
  const trainNormals = opts.scoreTrainNormals
    ? train.filter((s) => s.label.label === 'normal')
    : [];
  const queue = [...trainNormals, ...test];
  const pooled = par ? plugins.map((_, i) => par.origins[i] ?? null) : plugins.map(() => null);
  if (!par || pooled.every((o) => o === null)) return fitAndScoreHere(plugins, train, test, opts);

  // Threads: enough systems for each block to be worth it; at least one (isolation).
  const blocks = Math.max(
    1,
    Math.min(
      par.workers,
      Math.floor(queue.length / (par.minSystemsPerWorker ?? MIN_SYSTEMS_PER_WORKER)),
    ),
  );
  const local = plugins.filter((_, i) => !pooled[i]);
  const localRuns = local.length > 0 ? await fitAndScoreHere(local, train, test, opts) : [];
  const remote = plugins
    .map((p, i) => ({ plugin: p, origin: pooled[i] ?? null }))
    .filter((r): r is { plugin: ModelPlugin; origin: PluginOrigin } => r.origin !== null);
  for (const { plugin } of remote) await opts.onStart?.(plugin.name, queue.length);
  let scoreStarted = false;
  const inWorkers = (group: typeof remote) =>
    scoreInWorkers(
      group.map((r) => r.plugin),
      group.map((r) => r.origin),
      train,
      queue,
      {
        pool: par.pool,
        workers: blocks,
        ...(par.scoreBatch !== undefined ? { batch: par.scoreBatch } : {}),
        config: par.config,
        dataDir: opts.dataset.dataDir,
        ...(opts.dataset.snapshots ? { snapshots: opts.dataset.snapshots } : {}),
        source: opts.dataset.source,
        seedFor: opts.seedFor,
        timeoutMs: opts.timeoutMs,
        overTime: opts.overTime === true,
        onProgress: (model, done) => opts.onProgress?.(model, done, queue.length),
        onScoreStart: async () => {
          if (scoreStarted) return;
          scoreStarted = true;
          await opts.onScoreStart?.();
        },
        ...(opts.laws ? { laws: { ...opts.laws, trainNormals: trainNormals.length } } : {}),
      },
    );
  // All models together first (each series read once for all of them). A worker that ends
  // badly (a crash, process.exit, an escaped error) cannot tell whose fault it was: its models
  // are run again, each alone, so the one at fault fails its own case only. A thread the
  // watchdog stopped names the plugin whose call hung: that one is not run again (to hang a
  // second time), the others are.
  const together = await inWorkers(remote);
  const results = new Map<ModelPlugin, PooledScores>(
    remote.map((r, i) => [r.plugin, together[i]!]),
  );
  const suspects = remote.filter((_, i) => together[i]!.workerFailed);
  if (suspects.length > 0 && remote.length > 1) {
    for (const r of suspects) results.set(r.plugin, (await inWorkers([r]))[0]!);
  }
  const remoteRuns = new Map<ModelPlugin, ModelRun>();
  for (const [plugin, m] of results) {
    remoteRuns.set(plugin, {
      plugin,
      error: m.error,
      testScores: m.scores.slice(trainNormals.length),
      trainNormalScores: Array.from(m.scores.subarray(0, trainNormals.length)),
      fitMs: m.fitMs,
      scoreMs: m.scoreMs,
      ...(m.laws ? { laws: m.laws } : {}),
      ...(m.overTime
        ? {
            overTime: {
              trainNormals: m.overTime
                .slice(0, trainNormals.length)
                .filter((o): o is OverTime => o !== null),
              test: m.overTime.slice(trainNormals.length),
            },
          }
        : {}),
    });
  }
  return plugins.map((p) => remoteRuns.get(p) ?? localRuns[local.indexOf(p)]!);
}

/** {@link fitAndScore} in this process. */
export async function fitAndScoreHere(
  plugins: readonly ModelPlugin[],
  train: readonly SystemRecord[],
  test: readonly SystemRecord[],
  opts: ScoreOptions,
): Promise<ModelRun[]> {
  const runs = newRuns(plugins, test.length, opts.overTime === true);
  const trainNormals = opts.scoreTrainNormals
    ? train.filter((s) => s.label.label === 'normal')
    : [];
  const queue = [
    ...trainNormals.map((s) => ({ s, test: -1 })),
    ...test.map((s, i) => ({ s, test: i })),
  ];
  for (const run of runs) await opts.onStart?.(run.plugin.name, queue.length);
  await fitRuns(runs, train, opts);
  await opts.onScoreStart?.();
  await scoreQueue(runs, queue, opts);
  if (opts.laws) await measureLawsHere(opts.laws, runs, test, opts);
  await teardownRuns(runs, opts);
  return runs;
}

/** Measures a plan's laws with runs fitted in this process, and keeps each run's outcomes on it. */
export async function measureLawsHere(
  plan: LawPlan,
  runs: ModelRun[],
  test: readonly SystemRecord[],
  opts: Pick<ScoreOptions, 'seedFor' | 'timeoutMs'>,
): Promise<void> {
  const outcomes = await measureLaws(plan.requests, {
    seed: plan.seed,
    seedFor: opts.seedFor,
    timeoutMs: opts.timeoutMs,
    test,
    runs,
    thresholdOf: (run) => thresholdValue(run, plan.threshold, test),
    ...(plan.scenario ? { scenario: plan.scenario } : {}),
  });
  for (const run of runs) {
    const own = outcomes[run.plugin.name];
    if (own) run.laws = own;
  }
}

/** Fresh runs: no scores yet (NaN), no error; with `overTime`, room for scores over time (plugins that have them). */
export function newRuns(
  plugins: readonly ModelPlugin[],
  tests: number,
  overTime = false,
): ModelRun[] {
  return plugins.map((plugin) => ({
    plugin,
    error: null,
    testScores: new Float64Array(tests).fill(NaN),
    trainNormalScores: [],
    fitMs: 0,
    scoreMs: 0,
    ...(overTime && plugin.scoreOverTime
      ? { overTime: { test: new Array<OverTime | null>(tests).fill(null), trainNormals: [] } }
      : {}),
  }));
}

/** Fits each run's plugin on `train` (a plugin without `fit` has nothing to learn); a failure becomes the run's error. */
export async function fitRuns(
  runs: readonly ModelRun[],
  train: readonly SystemRecord[],
  opts: Pick<ScoreOptions, 'seedFor' | 'timeoutMs' | 'dataset'>,
): Promise<void> {
  for (const run of runs) {
    if (!run.plugin.fit || run.error !== null) continue;
    // Each plugin gets a training set of its own (the list, and each system's label and
    // metadata): one that sorts, trims or relabels its input in place must not change what the
    // next plugin fits on. Series are read afresh on every loadSeries.
    const trainSet: Dataset = {
      dataDir: opts.dataset.dataDir,
      ...(opts.dataset.snapshots ? { snapshots: opts.dataset.snapshots } : {}),
      source: opts.dataset.source,
      systems: train.map(ownRecord),
    };
    const t0 = performance.now();
    try {
      await withTimeout(
        (signal) => run.plugin.fit!(trainSet, { seed: opts.seedFor(run.plugin.name), signal }),
        timeoutOf(run.plugin, opts),
        'fit',
        run.plugin.name,
      );
    } catch (err) {
      run.error = `fit: ${messageOf(err)}`;
    }
    run.fitMs = performance.now() - t0;
  }
}

/**
 * Scores a queue of systems with every run still without error, reading each series once for
 * all of them. An entry with `test` ≥ 0 fills that test score; −1 marks a training normal.
 */
export async function scoreQueue(
  runs: readonly ModelRun[],
  queue: readonly { readonly s: SystemRecord; readonly test: number }[],
  opts: Pick<ScoreOptions, 'seedFor' | 'timeoutMs' | 'onProgress'>,
): Promise<void> {
  const derive = [...new Set(runs.flatMap((r) => r.plugin.derive ?? []))] as DerivedFeature[];
  const load = (start: number): Promise<SystemSeries[]> => {
    const loading = Promise.all(
      queue.slice(start, start + CHUNK).map(({ s }) => s.loadSeries({ derive })),
    );
    loading.catch(() => undefined); // thrown where it is awaited, or dropped after a break
    return loading;
  };
  let done = 0;
  let next = queue.length > 0 ? load(0) : null;
  for (let start = 0; start < queue.length; start += CHUNK) {
    const chunk = queue.slice(start, start + CHUNK);
    if (runs.every((r) => r.error !== null)) break;
    const series = await next!;
    // The next chunk is read while the models score this one: a model that waits (a process
    // model's reply, any async work) no longer waits for the reading too.
    next = start + CHUNK < queue.length ? load(start + CHUNK) : null;
    const active = runs.filter((r) => r.error === null);
    for (const run of active) {
      const t0 = performance.now();
      // Each model gets series of its own (the last one the originals): a plugin that writes
      // into its input must never change what another model sees.
      const own = run === active[active.length - 1] ? series : series.map(copySeries);
      const scores = await scoreChunk(
        run,
        chunk.map((c) => c.s),
        own,
        opts,
      );
      const overTime = scores && run.overTime ? await overTimeChunk(run, chunk, own, opts) : null;
      run.scoreMs += performance.now() - t0;
      if (!scores || run.error !== null) continue;
      chunk.forEach((c, k) => {
        if (c.test >= 0) run.testScores[c.test] = scores[k]!;
        else run.trainNormalScores.push(scores[k]!);
        const o = overTime?.[k];
        if (!o || !run.overTime) return;
        if (c.test >= 0) run.overTime.test[c.test] = o;
        else run.overTime.trainNormals.push(o);
      });
    }
    done += chunk.length;
    for (const run of runs)
      if (run.error === null) await opts.onProgress?.(run.plugin.name, done, queue.length);
  }
}

/**
 * Lets every plugin release what it holds; a failure becomes the run's error if it had none.
 * Each teardown runs under a timeout (the plugin's, at least {@link TEARDOWN_MIN_MS}) and is
 * posted to the watchdog like any call: one that never settled, or looped, hung the run.
 */
export async function teardownRuns(
  runs: readonly ModelRun[],
  opts: Pick<ScoreOptions, 'timeoutMs'>,
): Promise<void> {
  for (const run of runs) {
    const teardown = run.plugin.teardown;
    if (!teardown) continue;
    try {
      await withTimeout(
        () => teardown.call(run.plugin),
        Math.max(timeoutOf(run.plugin, opts), TEARDOWN_MIN_MS),
        'teardown',
        run.plugin.name,
      );
    } catch (err) {
      run.error ??= `teardown: ${messageOf(err)}`;
    }
  }
}

/** A system record with its own label and metadata rows (loadSeries reads afresh anyway). */
const ownRecord = (s: SystemRecord): SystemRecord => ({
  ...s,
  label: structuredClone(s.label),
  metadata: modelMetadata(s.metadata),
});

/**
 * A system's metadata as a model sees it: its own copy, without `scenario_tags`. The tags are
 * the generator's record of what it injected, for the breakdowns: `subtle` is only ever on an
 * anomaly and `noisy_normal` only on a normal, so a model that read them scored ROC AUC 0.83
 * without looking at a series. A real fleet's tags are the labeler's notes: no model input either.
 */
export function modelMetadata(m: MetadataRow): MetadataRow {
  return { ...structuredClone(m), scenario_tags: [] };
}

/** A deep copy of a series: its own timestamps, sensor arrays and sensor map. */
function copySeries(series: SystemSeries): SystemSeries {
  const sensors: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(series.sensors))
    if (values) sensors[name] = values.slice();
  return { ...series, timestamps: series.timestamps.slice(), sensors };
}

/** Scores one chunk with one model, or records its error and returns null. */
async function scoreChunk(
  run: ModelRun,
  systems: readonly SystemRecord[],
  series: readonly SystemSeries[],
  opts: Pick<ScoreOptions, 'seedFor' | 'timeoutMs'>,
): Promise<number[] | null> {
  const { plugin } = run;
  const seed = opts.seedFor(plugin.name);
  const timeout = timeoutOf(plugin, opts);
  if (plugin.scoreBatch) {
    let out: readonly number[];
    try {
      out = await withTimeout(
        (signal) =>
          plugin.scoreBatch!(series, {
            seed,
            signal,
            metadata: systems.map((s) => modelMetadata(s.metadata)),
          }),
        timeout,
        'scoreBatch',
        plugin.name,
      );
    } catch (err) {
      run.error = `scoreBatch(${systems[0]?.systemId}…): ${messageOf(err)}`;
      return null;
    }
    if (!Array.isArray(out) || out.length !== systems.length) {
      run.error = `scoreBatch returned ${Array.isArray(out) ? out.length : typeof out} scores for ${systems.length} systems (${systems[0]?.systemId}…): every system needs a score`;
      return null;
    }
    const bad = out.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) {
      run.error = `scoreBatch(${systems[bad]!.systemId}): returned ${String(out[bad])}; a score must be a finite number`;
      return null;
    }
    return [...out];
  }
  const out: number[] = [];
  for (let k = 0; k < systems.length; k++) {
    const id = systems[k]!.systemId;
    let v: unknown;
    try {
      v = await withTimeout(
        (signal) =>
          plugin.score(series[k]!, {
            seed,
            signal,
            metadata: modelMetadata(systems[k]!.metadata),
          }),
        timeout,
        'score',
        plugin.name,
      );
    } catch (err) {
      run.error = `score(${id}): ${messageOf(err)}`;
      return null;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      run.error = `score(${id}): returned ${typeof v === 'number' ? String(v) : typeof v}; a score must be a finite number (higher = more anomalous)`;
      return null;
    }
    out.push(v);
  }
  return out;
}

/**
 * Scores one chunk over time with one model (capability `scoreOverTime`), each result checked
 * (over-time.ts). A throw or a bad result is the run's error, `scoreOverTime(sys-0007): …`; a
 * null on the first system means the plugin has no score over time after all (a process model
 * that does not advertise it): the run drops `overTime` and is not asked again.
 */
async function overTimeChunk(
  run: ModelRun,
  chunk: readonly { readonly s: SystemRecord }[],
  series: readonly SystemSeries[],
  opts: Pick<ScoreOptions, 'seedFor' | 'timeoutMs'>,
): Promise<OverTime[] | null> {
  const { plugin } = run;
  const seed = opts.seedFor(plugin.name);
  const out: OverTime[] = [];
  for (let k = 0; k < chunk.length; k++) {
    const system = chunk[k]!.s;
    const id = system.systemId;
    let v: unknown;
    try {
      v = await withTimeout(
        (signal) =>
          plugin.scoreOverTime!(series[k]!, {
            seed,
            signal,
            metadata: modelMetadata(system.metadata),
          }),
        timeoutOf(plugin, opts),
        'scoreOverTime',
        plugin.name,
      );
    } catch (err) {
      run.error = `scoreOverTime(${id}): ${messageOf(err)}`;
      return null;
    }
    if (v === null && run.overTime && isFirst(run.overTime) && k === 0) {
      delete run.overTime;
      return null;
    }
    const checked = checkOverTime(v, series[k]!);
    if (typeof checked === 'string') {
      run.error = `scoreOverTime(${id}): ${checked}`;
      return null;
    }
    out.push(checked);
  }
  return out;
}

/** True while no system has been scored over time yet. */
const isFirst = (store: OverTimeStore): boolean =>
  store.trainNormals.length === 0 && store.test.every((o) => o === null);

/** A plugin's time per call: its own `timeoutMs`, else the run's. */
export function timeoutOf(plugin: ModelPlugin, opts: Pick<ScoreOptions, 'timeoutMs'>): number {
  return plugin.timeoutMs ?? opts.timeoutMs;
}

/**
 * An error as a case's error shows it. A HarnessError's located problems (a bad cell of a
 * series: `raw/sys-0001.csv:5:2: not a number: "NaN"`) follow its message, the first
 * {@link PROBLEMS_SHOWN} of them: the message only counts them, and the case's one line is all a
 * reporter shows.
 */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (!(err instanceof HarnessError) || err.problems.length === 0) return err.message;
  const shown = err.problems.slice(0, PROBLEMS_SHOWN).map((p) => formatProblem(p, displayPath));
  const more = err.problems.length - shown.length;
  return `${err.message}; ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** How many of an error's located problems a case's error names. */
const PROBLEMS_SHOWN = 3;
