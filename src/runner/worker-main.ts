/**
 * A worker of the run's pool (see pool.ts): every call into a plugin happens in one of these
 * threads, where the pool's watchdog can stop it. It answers requests one at a time:
 * - fit: fits some models of a job and sends back their states;
 * - open, batch, close: a scoring session over one block of the systems. open restores the
 *   shipped states (or fits here the models that cannot ship one), each batch scores the next
 *   systems with every model of the job, close measures the job's metamorphic laws with the
 *   fitted models when asked and answers with the block's scores;
 * - probe: imports a suite file and makes its models, before the harness's own thread does;
 * - contract: checks one plugin against the plugin contract (its twins in a worker of their own).
 * - twin: one pass of a contract check, by an instance of this worker's import of the plugin.
 * A plugin is a closure and cannot be sent: each request re-creates its plugins from their origin.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedConfig } from '../config/types.ts';
import type { Dataset, SystemRecord } from '../data/types.ts';
import { edgeFleetOf } from '../arbitraries/index.ts';
import {
  checkContractWithTwin,
  fitAndScorePass,
  type PassOutcome,
  restoredPass,
} from '../check/index.ts';
import type { CheckOptions } from '../check/types.ts';
import { workerTwin } from './check-twin.ts';
import { loadDefaultExport } from '../module/index.ts';
import { forbidProcessExit, type ModelPlugin, observeCalls, withTimeout } from '../plugin/index.ts';
import { resolveModel } from './plugins.ts';
import {
  fitRuns,
  measureLawsHere,
  messageOf,
  newRuns,
  scoreQueue,
  teardownRuns,
  timeoutOf,
  type ModelRun,
} from './score.ts';
import {
  loadTimeout,
  recreatePlugin,
  type PluginOrigin,
  type FitReply,
  type PluginLaws,
  type WorkerData,
  type WorkerJob,
  type WorkerMessage,
  type WorkerRequest,
} from './worker-protocol.ts';
import { CallBoard } from './call-board.ts';
import { fullGc } from './full-gc.ts';
import { progressPoster } from './progress-poster.ts';
import { recordsOf, type SeriesWhere } from './system-rows.ts';

const post = (m: WorkerMessage): void => parentPort?.postMessage(m);
// process.exit in a worker would end the thread without a word: it throws instead.
forbidProcessExit();
// An exception from a plugin's timer or a rejection nobody awaits has no call to fail: the
// request it happened in fails, and the pool replaces this thread.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) =>
    post({
      type: 'escaped',
      message: `an error escaped the plugin (a timer or a promise nobody awaited): ${messageOf(err)}`,
    }),
  );
}
// Every plugin call is posted on the board the pool's watchdog reads: it stops this thread if
// one hangs.
const board = new CallBoard((workerData as WorkerData).callBoard);
observeCalls({
  start: (what, timeoutMs, who) => board.start(what, timeoutMs, who),
  end: () => board.end(),
});

interface Setup {
  readonly plugins: ModelPlugin[];
  readonly dataset: Dataset;
  readonly seedFor: (model: string) => string;
}

/** Makes a plugin again (its module imported, its factory called) under the watchdog. */
const makePlugin = (
  origin: PluginOrigin,
  config: ResolvedConfig,
  timeoutMs: number,
): Promise<ModelPlugin> =>
  withTimeout(
    () => recreatePlugin(origin, config),
    loadTimeout(timeoutMs),
    `making the plugin ${'entry' in origin ? `"${origin.entry}"` : `#${origin.modelIndex + 1} of ${origin.suiteFile}`}`,
  );

/**
 * A request's plugins (new instances); the modules themselves stay loaded between requests. The
 * systems come as their rows (see SystemRows): this thread keeps no dataset.
 */
async function setUp(job: WorkerJob): Promise<Setup> {
  const plugins: ModelPlugin[] = [];
  for (const origin of job.origins)
    plugins.push(await makePlugin(origin, job.config, job.timeoutMs));
  // What the runner's steps read of the dataset: where the series are (the records carry the rest).
  const dataset: Dataset = {
    dataDir: job.dataDir,
    ...(job.snapshots ? { snapshots: job.snapshots } : {}),
    source: job.source,
    systems: [],
  };
  const seeds = new Map(plugins.map((p, i) => [p.name, job.seeds[i] ?? '']));
  return { plugins, dataset, seedFor: (model) => seeds.get(model) ?? '' };
}

type FitRequest = Extract<WorkerRequest, { type: 'fit' }>;
type OpenRequest = Extract<WorkerRequest, { type: 'open' }>;
type BatchRequest = Extract<WorkerRequest, { type: 'batch' }>;

/** The scoring session this worker is in (open … close): its fitted runs, sized for the whole block. */
interface Session {
  readonly runs: ModelRun[];
  readonly seedFor: (model: string) => string;
  readonly timeoutMs: number;
  readonly laws: OpenRequest['laws'];
  /** Where the series are read from. */
  readonly where: SeriesWhere;
  /** With laws, the session's one batch, which the laws are measured on at close; else empty. */
  last: SystemRecord[];
}
let session: Session | null = null;

/*
 * fit, open and batch are not async, on purpose: a suspended async function keeps its
 * arguments, and a request's rows (structured clones, a string for every field) would stay
 * beside the records made from them for the whole request. The async part gets the records only.
 */
function fit({ train, ...req }: FitRequest): Promise<WorkerMessage> {
  return fitRecords(req, recordsOf(train, req.job));
}

function open({ train, ...req }: OpenRequest): Promise<WorkerMessage> {
  return openRecords(req, recordsOf(train, req.job));
}

function batch({ share, ...req }: BatchRequest): Promise<WorkerMessage> {
  if (session === null) return Promise.reject(new Error('a batch to score outside a session'));
  return batchRecords(session, req.offset, recordsOf(share, session.where));
}

async function fitRecords(
  req: Omit<FitRequest, 'train'>,
  train: SystemRecord[],
): Promise<WorkerMessage> {
  const { plugins, dataset, seedFor } = await setUp(req.job);
  const runs = newRuns(
    req.models.map((i) => plugins[i]!),
    0,
  );
  await fitRuns(runs, train, { seedFor, timeoutMs: req.job.timeoutMs, dataset });
  const fits: FitReply[] = [];
  for (const [k, run] of runs.entries()) {
    let error = run.error;
    let state: unknown;
    if (error === null) {
      try {
        state = await withTimeout(
          () => run.plugin.saveState!(),
          timeoutOf(run.plugin, req.job),
          'saveState',
          run.plugin.name,
        );
      } catch (err) {
        error = `saveState: ${messageOf(err)}`;
      }
    }
    fits.push({ model: req.models[k]!, error, fitMs: run.fitMs, state });
  }
  // The scoring requests restore the states into new instances: these let go of what they hold.
  await teardownRuns(runs, { timeoutMs: req.job.timeoutMs });
  return { type: 'fitted', fits };
}

async function openRecords(
  req: Omit<OpenRequest, 'train'>,
  train: SystemRecord[],
): Promise<WorkerMessage> {
  // A session the harness could not close (its last batch failed) lets its plugins go first.
  if (session !== null) await teardownRuns(session.runs, session);
  session = null;
  const { plugins, dataset, seedFor } = await setUp(req.job);
  const runs = newRuns(plugins, req.size, req.job.overTime === true);
  for (const [i, how] of req.prepare.entries()) {
    const run = runs[i]!;
    if (how === 'fit') continue;
    if ('error' in how) run.error = how.error;
    else {
      // Timed and watched like fit: a restore that never settles (or loops) hung the run.
      try {
        await withTimeout(
          () => run.plugin.restoreState!(how.state),
          timeoutOf(run.plugin, req.job),
          'restoreState',
          run.plugin.name,
        );
      } catch (err) {
        run.error = `restoreState: ${messageOf(err)}`;
      }
    }
  }
  await fitRuns(
    runs.filter((_, i) => req.prepare[i] === 'fit'),
    train,
    { seedFor, timeoutMs: req.job.timeoutMs, dataset },
  );
  session = {
    runs,
    seedFor,
    timeoutMs: req.job.timeoutMs,
    laws: req.laws,
    where: {
      dataDir: req.job.dataDir,
      ...(req.job.snapshots ? { snapshots: req.job.snapshots } : {}),
    },
    last: [],
  };
  return { type: 'opened' };
}

async function batchRecords(
  s: Session,
  offset: number,
  share: SystemRecord[],
): Promise<WorkerMessage> {
  if (s.laws) s.last = share;
  await scoreQueue(
    s.runs,
    share.map((system, i) => ({ s: system, test: offset + i })),
    {
      seedFor: s.seedFor,
      timeoutMs: s.timeoutMs,
      // Progress counts over the block, as the pool adds up the blocks.
      onProgress: progressPoster((model, done) =>
        post({ type: 'progress', model, done: offset + done }),
      ),
    },
  );
  return { type: 'scored', errors: s.runs.map((r) => r.error) };
}

async function close(): Promise<WorkerMessage> {
  const s = session;
  if (s === null) throw new Error('no session to close');
  session = null;
  const laws = s.laws ? await lawsOf(s.laws, s.runs, s.last, s) : [];
  s.last = [];
  await teardownRuns(s.runs, s);
  await pluginTimersDone();
  return {
    type: 'done',
    runs: s.runs.map((r, i) => ({
      error: r.error,
      scores: r.testScores,
      fitMs: r.fitMs,
      scoreMs: r.scoreMs,
      ...(laws[i] ? { laws: laws[i] } : {}),
      ...(r.overTime ? { overTime: r.overTime.test } : {}),
    })),
  };
}

/** The laws of a scoring session whose one batch is the training normals then the test split. */
async function lawsOf(
  plan: NonNullable<OpenRequest['laws']>,
  runs: readonly ModelRun[],
  share: readonly SystemRecord[],
  opts: { readonly seedFor: (model: string) => string; readonly timeoutMs: number },
): Promise<(PluginLaws | undefined)[]> {
  const n = plan.trainNormals;
  const split: ModelRun[] = runs.map((r) => ({
    ...r,
    testScores: r.testScores.slice(n),
    trainNormalScores: Array.from(r.testScores.subarray(0, n)),
  }));
  await measureLawsHere(plan, split, share.slice(n), opts);
  return split.map((r) => r.laws);
}

/**
 * Imports a suite file and makes each of its models (their modules are imported, their
 * factories called), each step under the watchdog. A step that throws is not this request's
 * failure: the harness does it again in its own thread and reports it there, as usual. What
 * this catches is what would stop that thread: a loop that never yields, process.exit, an
 * error thrown from a timer.
 */
async function probe(req: Extract<WorkerRequest, { type: 'probe' }>): Promise<WorkerMessage> {
  // The public API a suite imports is loaded first, untimed: only the user's code is on the clock.
  await import('../index.ts');
  const exported = await withTimeout(
    () => loadDefaultExport(req.suiteFile, { what: 'suite' }).catch(() => null),
    req.timeoutMs,
    `importing ${req.suiteFile}`,
  );
  const specs: unknown[] = exported === null ? [] : Array.isArray(exported) ? exported : [exported];
  for (const spec of specs) {
    const entries = (spec as { models?: unknown } | null)?.models;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      await withTimeout(
        () => resolveModel(entry, req.config, req.suiteFile).catch(() => null),
        req.timeoutMs,
        `making the model ${describeEntry(entry)} of ${req.suiteFile}`,
      );
    }
  }
  return { type: 'probed' };
}

const describeEntry = (entry: unknown): string =>
  typeof entry === 'string'
    ? `"${entry}"`
    : Array.isArray(entry)
      ? `"${String(entry[0])}"`
      : `"${String((entry as { name?: unknown } | null)?.name)}"`;

/** The plugin of `origin` made again in this worker, with the invariances the check assumes. */
const makeChecked =
  (
    origin: PluginOrigin,
    config: ResolvedConfig,
    timeoutMs: number,
    assume: CheckOptions['assume'],
  ) =>
  async (): Promise<ModelPlugin<object>> => {
    const p = (await makePlugin(origin, config, timeoutMs)) as ModelPlugin<object>;
    return assume ? { ...p, invariantTo: { ...p.invariantTo, ...assume } } : p;
  };

async function contract(req: Extract<WorkerRequest, { type: 'contract' }>): Promise<WorkerMessage> {
  const timeoutMs = req.options.timeoutMs ?? req.config.timeoutMs;
  const make = makeChecked(req.origin, req.config, timeoutMs, req.options.assume);
  const twin = workerTwin(req.origin, req.config, req.options.assume);
  try {
    return { type: 'checked', report: await checkContractWithTwin(make, req.options, twin) };
  } finally {
    await twin.close();
  }
}

async function twin(req: Extract<WorkerRequest, { type: 'twin' }>): Promise<WorkerMessage> {
  const make = makeChecked(req.origin, req.config, req.options.timeoutMs, req.assume);
  const fleet = edgeFleetOf(req.systems);
  const outcome = req.restore
    ? await restoredPass(make, fleet, req.restore.state, req.options)
    : await fitAndScorePass(make, fleet, req.options);
  return { type: 'twinned', outcome: postable(outcome) };
}

/** The outcome with every score a message can carry: a function or symbol score becomes its text. */
function postable(outcome: PassOutcome): PassOutcome {
  if (outcome.kind !== 'scored') return outcome;
  const scores = outcome.scores.map((v) => {
    try {
      return structuredClone(v);
    } catch {
      return String(v);
    }
  });
  return { kind: 'scored', scores };
}

/**
 * Lets what a request's plugin left behind run before the reply: its zero-delay timers and its
 * rejected promises nobody awaits. Their errors then fail this request, not the next one this
 * worker serves (another model's). A timer set for later can still outlive the request.
 */
const settle = (): Promise<void> =>
  new Promise((resolve) => setTimeout(() => setImmediate(resolve), 0));

/** How long a session's close waits for the timers its plugins left (see pluginTimersDone). */
const PLUGIN_TIMERS_WAIT_MS = 250;

/**
 * After a session's teardown, waits (at most PLUGIN_TIMERS_WAIT_MS) while timers are pending in
 * this thread: the harness's own are all cleared by then, so they are its plugins' (a flush
 * scheduled in teardown). One that throws then fails this session's reply, naming its suite. Once
 * the reply was sent the error came with no request under way: the pool kept it as a run error,
 * but only if it came before the run ended, which a short timer did one time in five.
 */
async function pluginTimersDone(): Promise<void> {
  const end = performance.now() + PLUGIN_TIMERS_WAIT_MS;
  while (performance.now() < end && process.getActiveResourcesInfo().includes('Timeout')) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const handlers: {
  [K in WorkerRequest['type']]: (
    req: Extract<WorkerRequest, { type: K }>,
  ) => Promise<WorkerMessage>;
} = { fit, open, batch, close, probe, contract, twin };

/**
 * The requests of a scoring session, each started with a full collection (see full-gc.ts). Not
 * a fit, a worker's first request, nor close, after which the worker's next request is the next
 * session's open: 15–35 ms each, and many a test run is a few requests long.
 */
const COLLECT_BEFORE: ReadonlySet<WorkerRequest['type']> = new Set(['open', 'batch']);

parentPort?.on('message', (req: WorkerRequest) => {
  // What the last request made (a batch's records and series) is dead now; V8 alone would keep
  // it in the old generation until that had grown to a multiple of what lives.
  if (COLLECT_BEFORE.has(req.type)) fullGc();
  (handlers[req.type] as (r: WorkerRequest) => Promise<WorkerMessage>)(req)
    .then(
      (reply) => settle().then(() => reply),
      (err: unknown): WorkerMessage => ({ type: 'failed', message: messageOf(err) }),
    )
    .then(post);
});
