import {
  type ContractOutcomes,
  createExpectApi,
  gradeAssertions,
  type LawOutcomes,
} from '../assert/index.ts';
import { checkContract } from '../check/index.ts';
import type { ContractReport } from '../check/types.ts';
import type { AssertionResult, AssertionSpec, GradedCase } from '../assert/types.ts';
import type { ResolvedConfig } from '../config/types.ts';
import {
  DEFAULT_BREAKDOWN,
  inBucketOrder,
  isBreakdownColumn,
  LEAD_TIME_BUCKETS,
  pathExists,
  stratumOf,
} from '../data/index.ts';
import { HarnessError } from '../errors.ts';
import { evaluateScores, type CaseAlarms, type StrataColumn } from '../metrics/index.ts';
import type { Reporter } from './reporter-types.ts';
import { baselinePath, compareWithBaseline, missingBaseline, readBaseline } from './baseline.ts';
import { updateBaseline } from './baseline-update.ts';
import { labelProvenance, resolveDataset, seriesHash } from './dataset.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import { modelCodeSources, resolveModel } from './plugins.ts';
import { WorkerPool } from './pool.ts';
import { identityOf, type PluginOrigin } from './worker-protocol.ts';
import { checkInWorker } from './check-in-worker.ts';
import { assertionList, filterByModels } from './assertion-list.ts';
import { withoutThreshold } from './no-threshold.ts';
import { trainFprOf } from './threshold-value.ts';
import { scoreSplits, type PooledRun } from './cross-validate.ts';
import { caseAlarms, resolveDebounce, withAlarmMetrics } from './case-alarms.ts';
import {
  precomputedRun,
  readPrecomputed,
  scoresCaseName,
  scoresCaseNames,
  scoresEntries,
} from './precomputed.ts';
import { CodeWalk, MAX_CODE_FILES, type CodeSources } from './code-key.ts';
import { harnessKey } from './harness-key.ts';
import { dataKeyOf, envKeyOf } from './score-cache.ts';
import { withSources } from './sources.ts';
import {
  describeSplit,
  sourceSplit,
  splitSources,
  stratifiedFolds,
  stratifiedSplit,
} from './split.ts';
import type { ModelEntry, SuiteSpec, SuiteThreshold } from './suite.ts';
import type { CaseResult, CollectedSuite, RunResult, SuiteResult } from './types.ts';

export interface RunOptions {
  readonly seed: string;
  /** Only these models (by name) run; assertions about the suite's other models are left out (counted in `leftOut`). */
  readonly models?: readonly string[];
  readonly harnessVersion: string;
  /** Write each suite's results as its new baseline instead of comparing with the old one. */
  readonly updateBaseline?: boolean;
  /** Read and write the score cache under the config's cacheDir (`--no-cache`: false). Default true. */
  readonly cache?: boolean;
  /** Fewest systems per scoring worker (tests lower it to exercise the pool on small fleets). */
  readonly minSystemsPerWorker?: number;
  /** Systems per scoring batch sent to a worker (tests lower it to score a small fleet in many batches). */
  readonly scoreBatch?: number;
  /** The worker threads to run the plugins in (the caller closes it); default: a pool of `config.workers`, closed at the end. */
  readonly pool?: WorkerPool;
}

/** Default threshold: the score that flags 5 % of the training normals (no test labels used). */
const DEFAULT_THRESHOLD = { kind: 'train_fpr', fpr: 0.05 } as const;

/**
 * Runs collected suites one after another and tells the reporters as it goes. Nothing here
 * throws for a model's or a suite's failure: they become errored cases and suites, and the
 * run's exit code says so (2). Assertions are graded after every model of a suite has run.
 */
export async function runSuites(
  suites: readonly CollectedSuite[],
  config: ResolvedConfig,
  reporters: readonly Reporter[],
  options: RunOptions,
): Promise<RunResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const emit = async <K extends keyof Reporter>(
    hook: K,
    ...args: Parameters<NonNullable<Reporter[K]>>
  ) => {
    for (const r of reporters)
      await (r[hook] as ((...a: unknown[]) => unknown) | undefined)?.call(r, ...args);
  };
  await emit('onSuiteCollected', { suites });
  const results: SuiteResult[] = [];
  // Every model is fitted and scored in these threads, kept for the whole run (see pool.ts).
  const pool = options.pool ?? new WorkerPool(config.workers);
  // The project's files (code-key.ts) are walked once per run: the code does not change while
  // the run goes on, and walking the project again for every suite would be work done twice.
  // Each suite adds what its own models reach outside the project to a copy of the walk.
  let projectWalk: CodeWalk | undefined;
  // A walk past MAX_FILES turns the cache off for the suite's models: said once per folder, where
  // a CI log shows it, or every run refits and rescores with no hint why nothing is `(cached)`.
  const warnedOverflow = new Set<string>();
  const codeKeyOnce = (sources: CodeSources, models: readonly string[]): string | null => {
    const walk = (projectWalk ??= CodeWalk.project(config.root, [
      config.dataDir,
      config.cacheDir,
      config.outDir,
      config.runsDir,
    ])).with(sources);
    const folder = walk.overflowedIn();
    if (folder !== null && !warnedOverflow.has(folder)) {
      warnedOverflow.add(folder);
      process.stderr.write(
        `warning: ${folder} holds more than ${MAX_CODE_FILES.toLocaleString('en-US')} files for the score cache's code key: the cache is off for ${models.join(', ')} (scored afresh on every run); put installed packages in a site-packages or virtualenv, or fewer files there\n`,
      );
    }
    return walk.key();
  };
  try {
    for (const suite of suites) {
      const result = await withBaseline(
        await runSuite(suite, config, options, emit, pool, codeKeyOnce),
        options,
      );
      results.push(result);
      await emit('onSuiteResult', { result });
    }
  } finally {
    if (!options.pool) await pool.close();
  }
  const cases = results.flatMap((s) => s.cases);
  const assertions = results.flatMap((s) => s.assertions);
  const count = (state: AssertionResult['state']) =>
    assertions.filter((a) => a.state === state).length;
  const errored = cases.filter((c) => c.state === 'errored').length;
  const gates = results.flatMap((s) => s.baseline?.gates ?? []);
  const gatesFailed =
    gates.filter((g) => g.state === 'failed').length +
    results.filter((s) => s.baseline?.status === 'stale').length;
  const summary = {
    suites: results.length,
    cases: { scored: cases.length - errored, errored },
    assertions: { passed: count('passed'), failed: count('failed'), errored: count('errored') },
    gates: {
      passed: gates.length - gates.filter((g) => g.state === 'failed').length,
      failed: gatesFailed,
    },
    exitCode: (errored > 0 || count('errored') > 0 || results.some((s) => s.error)
      ? 2
      : count('failed') > 0 || gatesFailed > 0
        ? 1
        : 0) as 0 | 1 | 2,
    durationMs: performance.now() - started,
  };
  const run: RunResult = {
    harnessVersion: options.harnessVersion,
    startedAt,
    seed: options.seed,
    suites: results,
    summary,
  };
  await emit('onRunEnd', { result: run });
  return run;
}

/** Writes the suite's baseline (--update-baseline) or compares the run with the stored one. */
async function withBaseline(result: SuiteResult, options: RunOptions): Promise<SuiteResult> {
  if (result.error || !result.dataset) return result;
  try {
    if (options.updateBaseline) {
      // With --model, the models left out keep their entries: updating one model's baseline
      // must not drop the others' (they would be ungated until the next full update). A model
      // that errored keeps its entry too.
      return {
        ...result,
        baseline: await updateBaseline(result, options.harnessVersion, {
          keepUnlisted: options.models !== undefined,
        }),
      };
    }
    const stored = await readBaseline(result.file, result.name);
    const spec = result.baselineOptions;
    if (!stored) return spec ? { ...result, baseline: missingBaseline(result) } : result;
    return {
      ...result,
      baseline: compareWithBaseline(result, stored, {
        tolerance: spec?.tolerance ?? 0.02,
        alpha: spec?.alpha ?? 0.05,
        allowUnderpowered: spec?.allowUnderpowered === true,
      }),
    };
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    return { ...result, error: err.message };
  }
}

type Emit = <K extends keyof Reporter>(
  hook: K,
  ...args: Parameters<NonNullable<Reporter[K]>>
) => Promise<void>;

async function runSuite(
  suite: CollectedSuite,
  config: ResolvedConfig,
  options: RunOptions,
  emit: Emit,
  pool: WorkerPool,
  codeKeyOf: (sources: CodeSources, models: readonly string[]) => string | null,
): Promise<SuiteResult> {
  const t0 = performance.now();
  const spec = suite.spec;
  const base = {
    name: spec.name,
    file: suite.file,
    threshold: describeThreshold(spec.threshold, spec.split?.folds),
    ...(spec.baseline ? { baselineOptions: spec.baseline } : {}),
  };
  let specs: readonly AssertionSpec[] = [];
  let leftOut: SuiteResult['leftOut'];
  try {
    specs = assertionSpecsOf(spec, suite.modelNames);
    // With --model, assertions about the suite's models that did not run are left out, not
    // failed; the result counts them, and the reporters say so.
    const only = options.models;
    if (only) {
      const cases = [...suite.modelNames, ...scoresCaseNames(spec)];
      const filtered = filterByModels(specs, only, cases);
      specs = filtered.kept;
      if (filtered.leftOut > 0) leftOut = { assertions: filtered.leftOut, models: filtered.models };
    }
  } catch (err) {
    return {
      ...base,
      dataset: null,
      cases: [],
      assertions: [],
      error: err instanceof Error ? err.message : String(err),
      durationMs: performance.now() - t0,
    };
  }
  try {
    const wanted = options.models;
    const models = spec.models ?? [];
    const indices = models
      .map((_, i) => i)
      .filter((i) => !wanted || wanted.includes(suite.modelNames[i]!));
    const entries = indices.map((i) => models[i]!);
    const plugins: ModelPlugin[] = [];
    for (const entry of entries) plugins.push(await resolveModel(entry, config, suite.file));
    const scoresToJudge = scoresEntries(spec).filter(
      (e) => !wanted || wanted.includes(scoresCaseName(e)),
    );
    const names = [...plugins.map((p) => p.name), ...scoresToJudge.map(scoresCaseName)];
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
      throw new HarnessError(
        'E_SUITE',
        `${suite.file}: suite "${spec.name}" has two cases named "${dup}" (models or scores); give one of them another name`,
      );

    // A worker re-creates a plugin from its suite file; a suite made in code, with no file,
    // has its models run in this process.
    const origins: (PluginOrigin | null)[] = (await pathExists(suite.file))
      ? indices.map((modelIndex, j) => ({
          suiteFile: suite.file,
          suiteName: spec.name,
          modelIndex,
          expected: identityOf(plugins[j]!),
        }))
      : indices.map(() => null);
    const ds = await resolveDataset(spec.dataset, config, suite.file);
    const splitSeed = String(spec.split?.seed ?? options.seed);
    const folds = spec.split?.folds;
    // Sim-to-real (split.ts sourceSplit): one source trains, the other is tested; no share, no seed drawn.
    const bySource = splitSources(spec.split);
    const testFraction = typeof spec.split?.test === 'number' ? spec.split.test : 0.5;
    const splits = bySource
      ? [sourceSplit(ds.dataset.systems, bySource, `${suite.file}: suite "${spec.name}"`)]
      : folds === undefined
        ? [stratifiedSplit(ds.dataset.systems, testFraction, splitSeed, spec.split?.groupWindows)]
        : stratifiedFolds(ds.dataset.systems, folds, splitSeed, spec.split?.groupWindows).map(
            (test, f, all) => ({
              train: all.filter((_, g) => g !== f).flat(),
              test,
            }),
          );
    const threshold = spec.threshold ?? DEFAULT_THRESHOLD;
    const seedFor = (model: string) => caseSeed(options.seed, spec.name, model);
    const lawRequests = specs.flatMap((a) =>
      a.kind === 'law' ? [{ model: a.model, law: a.law, options: a.options }] : [],
    );
    // Alarms only when the suite asks (`alarms`): scoring over time costs a score per window.
    const debounce = spec.alarms
      ? resolveDebounce(
          spec.alarms === true ? undefined : spec.alarms,
          `${suite.file}: suite "${spec.name}"`,
        )
      : undefined;
    const dataKey = dataKeyOf(ds.dataset, ds.hash);
    const codeKey =
      options.cache === false
        ? null
        : codeKeyOf(
            await modelCodeSources(entries, config, suite.file),
            plugins.map((p) => p.name),
          );
    const cache =
      codeKey === null
        ? undefined
        : {
            dir: config.cacheDir,
            dataKey,
            codeKey,
            harness: await harnessKey(),
            env: envKeyOf(config.cacheEnv),
          };
    const { test, runs } = await scoreSplits(plugins, splits, threshold, {
      seedFor,
      timeoutMs: config.timeoutMs,
      dataset: ds.dataset,
      ...(debounce ? { alarms: debounce } : {}),
      ...(cache ? { cache } : {}),
      parallel: {
        pool,
        workers: config.workers,
        origins,
        config,
        ...(options.minSystemsPerWorker !== undefined
          ? { minSystemsPerWorker: options.minSystemsPerWorker }
          : {}),
        ...(options.scoreBatch !== undefined ? { scoreBatch: options.scoreBatch } : {}),
      },
      ...(lawRequests.length > 0
        ? {
            laws: {
              requests: lawRequests,
              seed: `${options.seed}:${spec.name}`,
              threshold,
              ...(ds.scenario ? { scenario: ds.scenario } : {}),
            },
          }
        : {}),
      onStart: (model, total) => emit('onCaseStart', { suite: spec.name, model, total }),
      onProgress: (model, done, total) =>
        emit('onCaseProgress', { suite: spec.name, model, done, total }),
    });

    for (const entry of scoresToJudge)
      runs.push(
        await judgePrecomputed(entry, config.root, ds.dataset.systems, splits, threshold, {
          where: `${suite.file}: suite "${spec.name}"`,
        }),
      );

    const columns = (spec.breakdown ?? DEFAULT_BREAKDOWN).filter(isBreakdownColumn);
    const strata: Record<string, StrataColumn> = {};
    for (const c of columns) strata[c] = test.map((s) => stratumOf(c, s.label, s.metadata));
    const y = Float64Array.from(test, (s) => (s.label.label === 'anomaly' ? 1 : 0));
    const systemIds = test.map((s) => s.systemId);
    const leadTimes = test.map((s) => s.label.lead_time_days);

    const cases: CaseResult[] = [];
    for (const run of runs) {
      // compareSources (issue 8, see ./sources.ts): per-source metrics and the synthetic–real gap.
      const scored = toCase(
        run,
        spec,
        { y, systemIds, leadTimes, strata },
        seedFor(run.plugin.name),
      );
      const c = withSources(
        scored.state === 'scored' && run.alarmInput && debounce
          ? withAlarms(scored, caseAlarms(run.alarmInput, test, debounce, scored.seed, strata))
          : scored,
        spec.compareSources,
        test.map((s) => s.source),
      );
      cases.push(c);
      await emit('onCaseResult', { result: c });
    }
    const graded: Record<string, GradedCase> = {};
    for (const c of cases)
      graded[c.model] =
        c.state === 'scored'
          ? {
              state: 'scored',
              summary: c.summary,
              y: c.y,
              scores: c.scores,
              systemIds: c.systemIds,
            }
          : { state: 'errored', error: c.error };
    const laws: LawOutcomes = Object.fromEntries(
      runs.flatMap((r) => (r.laws ? [[r.plugin.name, r.laws]] : [])),
    );
    const contracts = await checkContracts(
      specs,
      plugins,
      entries,
      config,
      suite.file,
      spec.name,
      `${options.seed}:${spec.name}`,
      { pool, origins },
    );
    const assertions = gradeAssertions(specs, graded, laws, contracts);
    const n = ds.dataset.systems.length;
    // The series' bytes are hashed only where a baseline needs them (their size and mtime, the
    // cache's key, differ in a fresh checkout); a scenario's hash already covers its series.
    const gated =
      ds.kind !== 'scenario' &&
      (spec.baseline !== undefined ||
        options.updateBaseline === true ||
        (await pathExists(baselinePath(suite.file, spec.name))));
    const dataset = {
      kind: ds.kind,
      name: ds.name,
      dataDir: ds.dataset.dataDir,
      hash: ds.hash,
      systems: n,
      train: bySource
        ? splits[0]!.train.length
        : folds === undefined
          ? n - test.length
          : n - Math.ceil(n / folds),
      test: test.length,
      ...(folds !== undefined ? { folds } : {}),
      generated: ds.generated,
      dataHash: dataKey,
      ...(gated ? { seriesHash: await seriesHash(ds.dataset) } : {}),
      ...labelProvenance(ds),
      ...(folds === undefined && !bySource ? { testFraction } : {}),
      ...(bySource ? { splitSources: bySource } : {}),
      split: describeSplit(spec.split),
      splitSeed,
    };
    return {
      ...base,
      dataset,
      cases,
      assertions,
      ...(leftOut ? { leftOut } : {}),
      durationMs: performance.now() - t0,
    };
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    const located =
      err.problems.length > 0
        ? `\n${err.problems
            .slice(0, 5)
            .map((p) => `  ${p.file}:${p.line}:${p.column}: ${p.message}`)
            .join('\n')}`
        : '';
    return {
      ...base,
      dataset: null,
      cases: [],
      assertions: [],
      error: `${err.message}${located}`,
      durationMs: performance.now() - t0,
    };
  }
}

/**
 * A precomputed scores entry as a pooled run; a file that is missing or does not match the
 * dataset is an errored case (exit 2) with its located problems, and the other cases go on.
 */
async function judgePrecomputed(
  entry: Parameters<typeof readPrecomputed>[0],
  root: string,
  systems: Parameters<typeof readPrecomputed>[2],
  splits: Parameters<typeof precomputedRun>[2],
  threshold: SuiteThreshold,
  at: { readonly where: string },
): Promise<PooledRun> {
  try {
    const { plugin, scoreOf } = await readPrecomputed(entry, root, systems, at.where);
    return precomputedRun(plugin, scoreOf, splits, threshold);
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    const located = err.problems
      .slice(0, 5)
      .map((p) => `\n  ${p.file}:${p.line}:${p.column}: ${p.message}`)
      .join('');
    const plugin: ModelPlugin = {
      name: scoresCaseName(entry),
      version: entry.version ?? 'scores',
      options: { scores: entry.path },
      score: () => NaN,
    };
    return {
      plugin,
      error: `${err.message}${located}`,
      scores: new Float64Array(0),
      threshold: Infinity,
      fitMs: 0,
      scoreMs: 0,
      cached: false,
    };
  }
}

/** The seed a model gets on a suite: the run's seed, the suite and the model, so each case draws its own numbers. */
export function caseSeed(runSeed: string, suite: string, model: string): string {
  return `${runSeed}:${suite}:${model}`;
}

/** The test side of a suite, aligned: labels, ids, lead times and breakdown columns. */
interface TestSide {
  readonly y: Float64Array;
  readonly systemIds: readonly string[];
  readonly leadTimes: readonly (number | null)[];
  readonly strata: Readonly<Record<string, StrataColumn>>;
}

function toCase(run: PooledRun, spec: SuiteSpec, side: TestSide, seed: string): CaseResult {
  const { plugin } = run;
  const who = {
    suite: spec.name,
    model: plugin.name,
    version: plugin.version,
    options: plugin.options ?? {},
    seed,
  };
  if (run.error !== null) return { ...who, state: 'errored', error: run.error };
  const evaluated = inBucketOrder(
    evaluateScores({
      y: side.y,
      scores: run.scores,
      threshold: run.threshold,
      strata: side.strata,
      minPositives: spec.minPositives ?? 5,
      systemIds: [...side.systemIds],
      leadTimes: side.leadTimes,
      leadTimeBuckets: LEAD_TIME_BUCKETS,
    }),
  );
  // A train-FPR threshold with no training normal to set it on is scored at Infinity (the
  // pooled run's threshold): what is measured at it is undefined, not 0 false alarms.
  const trainFpr = trainFprOf(spec.threshold ?? DEFAULT_THRESHOLD);
  const summary =
    trainFpr !== null && run.threshold === Infinity
      ? withoutThreshold(
          evaluated,
          `no training normals: the ${trainFpr * 100} % FPR threshold is set on the training normals' scores, and this split has none`,
        )
      : evaluated;
  return {
    ...who,
    state: 'scored',
    summary,
    systemIds: side.systemIds,
    y: side.y,
    scores: run.scores,
    timings: { fitMs: run.fitMs, scoreMs: run.scoreMs },
    cached: run.cached,
  };
}

/** A scored case with its alarm evaluation, the alarm metrics merged into its summary and its breakdown cells. */
function withAlarms(
  c: Extract<CaseResult, { state: 'scored' }>,
  { alarms, cells }: ReturnType<typeof caseAlarms>,
): CaseResult {
  return { ...c, summary: withAlarmMetrics(c.summary, alarms.summary, cells), alarms };
}

/**
 * A suite's assertions, in the order they are graded (an AssertionResult's `id` is its index
 * here): what `expect` returns, then one contract assertion per model for `contract: true`.
 * Nothing runs. A broken suite (its `expect` throws, or returns something other than a list of
 * assertions) throws an E_SUITE HarnessError that says so.
 */
export function assertionSpecsOf(spec: SuiteSpec, modelNames: readonly string[]): AssertionSpec[] {
  let returned: unknown = [];
  if (spec.expect !== undefined) {
    try {
      returned = spec.expect(createExpectApi());
    } catch (err) {
      throw new HarnessError(
        'E_SUITE',
        `expect() threw: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return [...assertionList(returned), ...suiteContracts(spec, modelNames)];
}

/** `contract: true` in a suite: one contract assertion per model, as if written in `expect`. */
function suiteContracts(spec: SuiteSpec, modelNames: readonly string[]): AssertionSpec[] {
  if (!spec.contract) return [];
  const runs = typeof spec.contract === 'object' ? spec.contract.runs : undefined;
  return modelNames.map((model) => ({
    kind: 'contract',
    model,
    ...(runs !== undefined ? { runs } : {}),
  }));
}

/**
 * Runs `harness check`'s contract for each contract assertion, in a worker of the pool when the
 * plugin has an origin (its calls then run under the watchdog). A model named by string is
 * resolved afresh for every instance the check asks for; a plugin object given in the suite is
 * reused (it is re-fitted on every generated fleet).
 */
async function checkContracts(
  specs: readonly AssertionSpec[],
  plugins: readonly ModelPlugin[],
  entries: readonly ModelEntry[],
  config: ResolvedConfig,
  suiteFile: string,
  suiteName: string,
  seed: string,
  isolate: { readonly pool: WorkerPool; readonly origins: readonly (PluginOrigin | null)[] },
): Promise<ContractOutcomes> {
  const out: (ContractReport | { error: string } | undefined)[] = [];
  for (const [i, a] of specs.entries()) {
    if (a.kind !== 'contract') continue;
    const k = plugins.findIndex((p) => p.name === a.model);
    if (k < 0) continue;
    const entry = entries[k]!;
    const fresh = async (): Promise<ModelPlugin> =>
      typeof entry === 'object' && !Array.isArray(entry)
        ? plugins[k]!
        : resolveModel(entry, config, suiteFile);
    const make = async (): Promise<ModelPlugin<object>> => {
      const p = (await fresh()) as ModelPlugin<object>;
      return a.assume ? { ...p, invariantTo: { ...p.invariantTo, ...a.assume } } : p;
    };
    const origin = isolate.origins[k];
    const options = {
      seed: seed32(`${seed}:${a.model}:contract`),
      ...(a.runs !== undefined ? { numRuns: a.runs } : {}),
      target: a.model,
      // The model as the suite configures it (its options): `harness check --suite` makes it so.
      ...(origin ? { suite: suiteName } : {}),
      ...(a.assume ? { assume: a.assume } : {}),
    };
    try {
      if (origin) {
        const report = await checkInWorker(origin, config, options, isolate.pool);
        out[i] = typeof report === 'string' ? { error: report } : report;
      } else out[i] = await checkContract(make, options);
    } catch (err) {
      out[i] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return out;
}

/** A 32-bit fast-check seed from a string (FNV-1a): the same run seed checks the same fleets. */
function seed32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** The models an assertion reads. */
function describeThreshold(t: SuiteThreshold | undefined, folds: number | undefined): string {
  const th = t ?? DEFAULT_THRESHOLD;
  if (folds !== undefined && typeof th === 'object' && th.kind === 'train_fpr') {
    return `${th.fpr * 100} % FPR on each fold's training normals (scores reported as margins over it)`;
  }
  if (typeof th === 'number') return `fixed ${th}`;
  switch (th.kind) {
    case 'fixed':
      return `fixed ${th.value}`;
    case 'top_k':
      return `top ${th.k}`;
    case 'train_fpr':
      return `${th.fpr * 100} % FPR on the training normals`;
    case 'best_f1':
      return 'best F1 on the test labels (oracle: optimistic)';
  }
}
