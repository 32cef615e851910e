/**
 * The harness core: everything `harness run` does, callable from code. The CLI parses its
 * arguments, calls {@link createHarness} and sets the exit code; a script, a notebook kernel or
 * another test runner can do the same.
 *
 * ```ts
 * const harness = await createHarness({ overrides: { workers: 1 } });
 * const { result, exitCode } = await harness.run({ suites: ['smoke'] }, { reporters: ['json'] });
 * ```
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SEED } from '../defaults.ts';
import { loadConfig } from '../config/index.ts';
import type { ReporterEntry, ResolvedConfig } from '../config/types.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { fileSystemProblem } from '../fs-problem.ts';
import { checkReporterEntries, reportFilesOf, resolveReporters } from '../report/index.ts';
import { collectSuites, type Reporter, runSuites, WorkerPool } from '../runner/index.ts';
import type { CollectedSuite, RunResult } from '../runner/types.ts';
import { mlflowSettings } from '../track/mlflow/index.ts';
import {
  amendRecord,
  pointedRunId,
  RECORD_POINTER_FILE,
  recordRun,
  writeRecordPointer,
} from '../track/index.ts';
import { readPackageVersion } from '../version.ts';
import { checkOutDir, guardReporter, reporterLabel } from './guard-reporters.ts';
import { runEndRenderer, withoutRunEnd } from './run-end.ts';
import { withOutDirLock } from './out-dir-lock.ts';
import {
  removeOtherReports,
  removeStaleReports,
  removeStalePointer,
  removeStaleReportsOnExit,
} from './stale-reports.ts';
import { selectSuites, type RunFilter } from './select.ts';
import {
  checkedOverrides,
  checkFilter,
  checkHarnessOptions,
  checkNames,
  checkRunOptions,
} from './harness-arguments.ts';

export type { RunFilter } from './select.ts';

/** How to make a harness: a project's config, with some settings replaced. */
export interface HarnessOptions {
  /** Where the project is: its config is looked up from here (default: the working directory). */
  readonly cwd?: string;
  /** A config to use as it is, instead of loading the project's. */
  readonly config?: ResolvedConfig;
  /**
   * Settings that replace the config's (the CLI's `--timeout`, `--workers`, …), checked as the
   * config's are (a HarnessError names a wrong one); relative folders are resolved against the
   * working directory.
   */
  readonly overrides?: Partial<
    Pick<
      ResolvedConfig,
      'timeoutMs' | 'workers' | 'history' | 'outDir' | 'cacheDir' | 'runsDir' | 'dataDir'
    >
  >;
  /** Environment read for MLflow tracking (MLFLOW_*). Default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/** How one run goes. */
export interface HarnessRunOptions {
  /** Reporters by name or path (as in the config), or objects. Default: the config's, else none. */
  readonly reporters?: readonly (ReporterEntry | Reporter)[];
  /** Where reporters write files. Default: the config's `outDir`. */
  readonly outDir?: string;
  /** Seed of the splits and of the models. Default: the config's, else {@link DEFAULT_SEED}. */
  readonly seed?: string;
  /** Write each suite's baseline from this run instead of comparing with it. */
  readonly updateBaseline?: boolean;
  /** Read and write the score cache. Default true. */
  readonly cache?: boolean;
  /** Record the run in the local history (runsDir). Default: the config's `history`. */
  readonly record?: boolean;
  /**
   * Send the record to MLflow when the config or MLFLOW_TRACKING_URI asks (default true). False
   * for a run that is no `harness run` of the project, such as a suite under vitest: it records
   * nothing, and tracking it was refused ("cannot go with history: false"), a false red.
   */
  readonly track?: boolean;
  /** The command line, kept in the run record. */
  readonly argv?: readonly string[];
  /** Fewest systems per scoring worker (tests lower it to exercise the pool on small fleets). */
  readonly minSystemsPerWorker?: number;
  /**
   * Errors seen outside the run's own calls so far, read when the run ends: the CLI passes the
   * exceptions thrown from timers and the rejections nobody handled in its process. Any makes
   * the exit code 2 and is in `result.errors`, so every report says the run errored.
   */
  readonly runErrors?: () => readonly string[];
}

/** What a run gives back. */
export interface HarnessRun {
  /** The results (what results.json holds), with the run's own errors (`result.errors`). */
  readonly result: RunResult;
  /** 0 every assertion held · 1 an assertion or a gate failed · 2 a model, a suite or the data failed. */
  readonly exitCode: 0 | 1 | 2;
  /**
   * Where the run was recorded, why it could not be (the exit code stands), or null when not
   * asked. A recorded run is also named by `<outDir>/run-record.json`; `warning` says why that
   * pointer could not be written (the record itself is fine), or that an error which came after
   * the record was written could not be added to it.
   */
  readonly record:
    { readonly dir: string; readonly warning?: string } | { readonly error: string } | null;
  /** The MLflow upload of the record (null: tracking is off). It never changes the exit code. */
  readonly tracking: {
    readonly status: 'synced' | 'failed';
    readonly message: string;
    /** Tracking settings that are ignored (MLFLOW_EXPERIMENT_NAME), to print as warnings. */
    readonly warnings: readonly string[];
  } | null;
  /**
   * Reporters that threw (`reporter "junit" failed in onRunEnd: …`): each stopped there, the
   * others went on, and the exit code is 2 (they are in `result.errors`, so the reports say so).
   */
  readonly reporterErrors: readonly string[];
}

/** A project's harness: its config, and the suites to collect and run (see {@link createHarness}). */
export interface Harness {
  readonly config: ResolvedConfig;
  /** The suites a filter selects, imported but not run (suites × models: `modelNames`). */
  collect(filter?: RunFilter): Promise<CollectedSuite[]>;
  /** Runs the suites a filter selects: fits, scores, evaluates, grades, records and tracks. */
  run(filter?: RunFilter, options?: HarnessRunOptions): Promise<HarnessRun>;
  /**
   * Runs suites given as objects (a suite defined in a test file, say), not found on disk. A
   * suite whose `file` exists has its models run in worker threads, made again from that file;
   * without one, they run in this thread. `models` of the filter applies, checked as `run`
   * checks it (a HarnessError when no suite has one of the models, or when the filter leaves
   * every assertion and baseline out); words and names do not.
   */
  runCollected(
    suites: readonly CollectedSuite[],
    options?: HarnessRunOptions & { readonly models?: readonly string[] },
  ): Promise<HarnessRun>;
}

/**
 * A harness for a project. Its config is loaded once (a broken config is a HarnessError now,
 * not at the first run).
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  checkHarnessOptions(options);
  const overrides = checkedOverrides(options.overrides);
  const loaded = options.config ?? (await loadConfig(options.cwd));
  if (options.config) checkedOverrides(pickRunSettings(options.config), 'config');
  const config: ResolvedConfig = { ...loaded, ...overrides };
  const env = options.env ?? process.env;
  const collect = async (filter: RunFilter = {}, pool?: WorkerPool) =>
    selectSuites(await collectSuites(config, [], pool), filter, config.root);
  return {
    config,
    collect: async (filter = {}) => {
      checkFilter('harness.collect', filter);
      return collect(filter);
    },
    run: async (filter = {}, opts = {}) => {
      checkFilter('harness.run', filter);
      checkRunOptions('harness.run', opts);
      // One pool for the whole run: the worker that imported the suites first scores them after.
      return leavingNoStaleReports(opts, (reported) => {
        checkReporters(opts);
        return withPool(async (pool) =>
          runWith(await collect(filter, pool), filter.models, opts, pool, reported),
        );
      });
    },
    runCollected: async (suites, opts = {}) => {
      checkRunOptions('harness.runCollected', opts, ['models']);
      checkNames('harness.runCollected: models', opts.models);
      return leavingNoStaleReports(opts, async (reported) => {
        checkReporters(opts);
        // The checks of `harness run --model`: a model no suite has, or a filter that leaves
        // every assertion out, was a run of nothing that exited 0.
        const selected = selectSuites(suites, { models: opts.models ?? [] }, config.root);
        return withPool((pool) => runWith(selected, opts.models, opts, pool, reported));
      });
    },
  };

  /** Where the run's reporter entries come from: the config's are named by its file in messages. */
  function reporterSource(entries: HarnessRunOptions['reporters']) {
    return { configFile: entries === config.reporters ? config.configFile : null };
  }

  /**
   * The reporters' options and files, checked before anything is collected or run: a typo or a
   * clash was found only once the whole run had finished, or never (two reports in one file).
   */
  function checkReporters(opts: HarnessRunOptions): void {
    const entries = opts.reporters ?? config.reporters ?? [];
    const outDir = outDirOf(opts);
    checkReporterEntries(
      entries,
      outDir,
      { [path.join(outDir, RECORD_POINTER_FILE)]: "the pointer to the run's record" },
      reporterSource(entries),
    );
  }

  function outDirOf(opts: HarnessRunOptions): string {
    return opts.outDir ? path.resolve(opts.outDir) : config.outDir;
  }

  /**
   * Whether the run is one the out dir must describe: it has a reporter (even one that only
   * prints: a results.json left beside its report would be read as this run's) or it is
   * recorded. A run with neither (the vitest entry's, a script's query) writes nothing there
   * and must leave it alone: its reports and run-record.json still describe the last run that
   * reported, consistently, and removing them lost that run's reports.
   */
  function ownsOutDir(opts: HarnessRunOptions): boolean {
    return (opts.reporters ?? config.reporters ?? []).length > 0 || (opts.record ?? config.history);
  }

  /**
   * A run that throws (exit 2: a suite that does not compile, no suite matched, a bad reporter),
   * or whose process exits before its reporters have written (a signal: exit 130, 143, 129),
   * leaves none of the previous run's reports in the out dir (stale-reports.ts). `fn` calls
   * `reported` once they have: from then on the reports are this run's, and a signal during
   * the record or the MLflow upload must leave them (a failing run's junit.xml for the CI).
   * `reported` returns why the previous run's pointer stays, when it cannot be removed.
   */
  async function leavingNoStaleReports<T>(
    opts: HarnessRunOptions,
    fn: (reported: Reported) => Promise<T>,
  ): Promise<T> {
    if (!ownsOutDir(opts)) return fn(() => undefined);
    const outDir = outDirOf(opts);
    const entries = opts.reporters ?? config.reporters ?? [];
    const forget = removeStaleReportsOnExit(outDir, entries);
    // The pointer still names the previous run's record until this run's is written: it goes
    // now, or load_results() of a run stopped while recording read that run's scores.
    const reported = () => {
      const stays = removeStalePointer(outDir);
      forget();
      return stays;
    };
    try {
      return await fn(reported);
    } catch (err) {
      // Under the out dir's lock, as any change there; best effort: the run's error is the news.
      await withOutDirLock(outDir, () => removeStaleReports(outDir, entries), {
        create: false,
      }).catch(() => undefined);
      throw err;
    } finally {
      forget();
    }
  }

  async function withPool<T>(fn: (pool: WorkerPool) => Promise<T>): Promise<T> {
    const pool = new WorkerPool(config.workers);
    try {
      return await fn(pool);
    } finally {
      await pool.close();
    }
  }

  async function runWith(
    suites: readonly CollectedSuite[],
    models: readonly string[] | undefined,
    opts: HarnessRunOptions,
    pool: WorkerPool,
    reported: Reported,
  ): Promise<HarnessRun> {
    const record = opts.record ?? config.history;
    // A bad MLFLOW_TRACKING_URI fails now, before the suites run, not after.
    const tracking = opts.track === false ? null : mlflowSettings(config, env);
    if (tracking && !record) {
      const off =
        tracking.origin === 'MLFLOW_TRACKING_URI'
          ? 'unset MLFLOW_TRACKING_URI for this run (`env -u MLFLOW_TRACKING_URI npx harness run …`)'
          : `remove tracking.mlflow.uri from ${config.configFile ?? 'the config'}`;
      throw new HarnessError(
        'E_ARGS',
        `MLflow tracking (${tracking.uri.base}, from ${tracking.origin}) uploads the run's record, and \`harness runs sync\` retries from it: it cannot go with ${opts.record === false && config.history ? '--no-history' : 'history: false in the config'}; to run without a record, ${off}`,
      );
    }
    if (suites.length === 0)
      throw new HarnessError(
        'E_SUITE',
        `no suites found (looked for ${config.suites.join(', ')} under ${config.root})`,
      );
    const entries = opts.reporters ?? config.reporters ?? [];
    const outDir = outDirOf(opts);
    const owns = ownsOutDir(opts);
    await checkOutDir(outDir);
    const reporterFailures: string[] = [];
    // Reports and pointers of an earlier run that stay in the out dir at the end of this one.
    const staleFailures: string[] = [];
    const reporters = (await resolveReporters(entries, config.root, reporterSource(entries))).map(
      (r, i) =>
        guardReporter(
          r,
          reporterLabel(entries[i]!, i),
          reporterFailures,
          reportFilesOf([entries[i]!], outDir),
        ),
    );
    // A report this run will not write that cannot be removed (a read-only out dir) would be
    // read as this run's, green: the run stops before anything runs, naming it.
    if (owns) {
      const stay = await withOutDirLock(outDir, () => removeOtherReports(outDir, entries), {
        create: false,
        onWait: waitingFor(outDir),
      });
      if (stay.length > 0)
        throw new HarnessError(
          'E_OUT_DIR',
          `${stay.join('; ')}: ${STALE}; make ${outDir} writable, remove the file, or give another --out-dir (outDir)`,
        );
    }
    for (const r of reporters) await r.onInit?.({ config, outDir });
    const errorsNow = () => [
      ...reporterFailures,
      ...staleFailures,
      ...(opts.runErrors?.() ?? []),
      ...pool.lateErrors.map((m) => `a plugin failed ${m}`),
    ];
    const endRun = runEndRenderer(reporters, errorsNow);
    const judged = await runSuites(suites, config, reporters.map(withoutRunEnd), {
      seed: opts.seed ?? config.seed ?? DEFAULT_SEED,
      ...(models && models.length > 0 ? { models } : {}),
      harnessVersion: await readPackageVersion(),
      updateBaseline: opts.updateBaseline === true,
      cache: opts.cache !== false,
      ...(opts.minSystemsPerWorker !== undefined
        ? { minSystemsPerWorker: opts.minSystemsPerWorker }
        : {}),
      pool,
    });
    const inOutDir = <T>(fn: () => Promise<T>): Promise<T> =>
      owns ? withOutDirLock(outDir, fn, { create: true, onWait: waitingFor(outDir) }) : fn();
    const pointer = path.join(outDir, RECORD_POINTER_FILE);
    // A run that is not recorded must not leave the out dir naming the last recorded one:
    // load_results() followed that pointer and read the previous (green) run as this one. A
    // run that neither reports nor records leaves the out dir, pointer and all, to that run.
    const dropPointer = async () => {
      if (!owns) return;
      await rm(pointer, { force: true }).catch((err: unknown) => {
        staleFailures.push(`${fileSystemProblem(err) ?? `cannot remove ${pointer}`}: ${STALE}`);
      });
    };

    /** The record and the out dir's pointer to it; `result` is the run as first rendered. */
    const recordAndPoint = async (
      result: RunResult,
      pointerStays: string | undefined,
    ): Promise<Pick<HarnessRun, 'record' | 'tracking'> & { readonly runId?: string }> => {
      if (!record) {
        await dropPointer();
        return { record: null, tracking: null };
      }
      let dir: string;
      let runId: string;
      try {
        ({ dir, runId } = await recordRun(result, {
          runsDir: config.runsDir,
          root: config.root,
          configFile: config.configFile,
          argv: opts.argv ?? [],
          ownDirs: [outDir, config.cacheDir, config.runsDir],
        }));
      } catch (err) {
        await dropPointer();
        // The verdict stands: a CI gate must not flip because the history could not be written.
        // The MLflow upload reads the record (and `harness runs sync` retries from it), so
        // nothing is sent either: say so, or a user watching MLflow would wait for a run that
        // never comes.
        return {
          record: { error: err instanceof Error ? err.message : String(err) },
          tracking: tracking
            ? {
                status: 'failed',
                message: `tracking failed: nothing was sent to ${tracking.uri.base}, as the upload sends the run's record and it could not be written (above)`,
                warnings: tracking.warnings,
              }
            : null,
        };
      }
      // The out dir names its run's record, so a reader of the out dir (a notebook's
      // load_results) finds the per-system scores the json reporter leaves out. A pointer that
      // cannot be written is a warning (the record is fine), unless the previous one stays.
      const warning = await writeRecordPointer(outDir, dir, { runId, startedAt: result.startedAt })
        .then(() => undefined)
        .catch((err: unknown) => {
          if (pointerStays !== undefined) staleFailures.push(`${pointerStays}: ${STALE}`);
          return `${pointer} could not be written: ${err instanceof Error ? err.message : String(err)}`;
        });
      return {
        record: warning === undefined ? { dir } : { dir, warning },
        tracking: null,
        ...(warning === undefined ? { runId } : {}),
      };
    };

    // Everything this run does in the out dir, under its lock (out-dir-lock.ts): what another
    // run wrote meanwhile that this one does not write goes, the reports are rendered, the
    // previous pointer goes and this run's is written, and an error of any of these reaches
    // the reports, which render the run again with ERROR.
    const ended = await inOutDir(async () => {
      if (owns) {
        for (const why of await removeOtherReports(outDir, entries))
          staleFailures.push(`${why}: ${STALE}`);
      }
      // A reporter that failed (junit.xml not written, say) or an error thrown from a timer
      // makes the run exit 2 whatever the verdict: a CI gate must not read a green run whose
      // report is missing or whose process misbehaved, so the result the reporters render says so.
      const result = await endRun(judged);
      const recorded = await recordAndPoint(result, reported());
      await endRun(judged);
      return { result, ...recorded, errors: errorsNow().length };
    });
    const { result } = ended;
    let recorded = ended.record;

    // Loaded only when tracking is on: the upload renders charts with Vega. It never changes the
    // exit code either: a failed upload stays in the record for `harness runs sync`.
    const dir = recorded && 'dir' in recorded ? recorded.dir : null;
    let tracked = ended.tracking;
    if (tracking && dir !== null) {
      const upload = await (
        await import('../track/mlflow/index.ts')
      )
        .trackRun(dir, config, env)
        .catch((err: unknown) => {
          // A record the uploader refuses is a tracking failure like a server error: the run's
          // own verdict and the "run recorded" line stand, and the user is told.
          if (!(err instanceof HarnessError)) throw err;
          return {
            status: 'failed' as const,
            message: `tracking failed: ${err.message} — results kept in ${path.relative(process.cwd(), dir) || '.'}`,
          };
        });
      tracked = upload && {
        status: upload.status === 'synced' ? 'synced' : 'failed',
        message: upload.message,
        warnings: tracking.warnings,
      };
    }

    // An error that came during the upload (a plugin's timer) reaches the reports too: they are
    // rendered again under the lock. Should the out dir describe a later run by then (its
    // pointer names another), that run's files stay: only reporters that write none render.
    const fileWriters = entries.map((e) => reportFilesOf([e], outDir).length > 0);
    const last =
      errorsNow().length === ended.errors
        ? await endRun(judged)
        : await inOutDir(async () => {
            const ours = ended.runId === undefined || (await pointedRunId(outDir)) === ended.runId;
            return endRun(judged, ours ? undefined : (i) => !fileWriters[i]);
          });
    // So does the record in the history, brought to the last verdict (it keeps the run as it
    // was when recorded otherwise).
    if (dir !== null && recorded && (last.errors ?? []).length > (result.errors ?? []).length) {
      const failed = await amendRecord(dir, last).then(
        () => undefined,
        (err: unknown) =>
          `${displayPath(dir)} keeps the run as it was before its later errors (exit ${result.summary.exitCode}): ${err instanceof Error ? err.message : String(err)}`,
      );
      if (failed !== undefined && 'dir' in recorded)
        recorded = {
          dir,
          warning: [recorded.warning, failed].filter(Boolean).join('; '),
        };
    }
    return {
      result: last,
      exitCode: last.summary.exitCode,
      reporterErrors: reporterFailures,
      record: recorded,
      tracking: tracked,
    };
  }
}

/** Says on stderr that the run waits for another to finish writing into the out dir. */
const waitingFor = (outDir: string) => () => {
  process.stderr.write(
    `harness: waiting for another run to finish writing to ${displayPath(outDir)} (one run's reports at a time)\n`,
  );
};

/** What the run calls once its reporters have written; why the previous pointer stays, if it does. */
type Reported = () => string | undefined;

/** Why a report or pointer of an earlier run that stays in the out dir fails the run. */
const STALE =
  "it is an earlier run's, and would be read as this run's (the out dir holds the last run's reports only)";

/** The settings of a config given as it is that the run's pool and watchdog depend on. */
function pickRunSettings(config: ResolvedConfig): Partial<ResolvedConfig> {
  return { workers: config.workers, timeoutMs: config.timeoutMs, history: config.history };
}
