/**
 * A scoring worker of the run's pool (see pool.ts). It answers requests one at a time, each
 * about one job (suite, models, data): it re-creates the job's plugins (a plugin is a closure
 * and cannot be sent), then either fits some models and sends back their states, or scores a
 * share of the systems with every model, after restoring the shipped states (or fitting here
 * the models that cannot ship one).
 */
import { parentPort } from 'node:worker_threads';
import { loadDataset } from '../data/load-dataset.ts';
import type { Dataset, SystemRecord } from '../data/types.ts';
import type { ModelPlugin } from './model.ts';
import { recreatePlugin, type FitReply, type WorkerJob, type WorkerMessage, type WorkerRequest } from './pool.ts';
import { fitRuns, messageOf, newRuns, scoreQueue, teardownRuns } from './score.ts';
import { forbidProcessExit } from './forbid-exit.ts';
import { observeCalls } from './timeout.ts';

const post = (m: WorkerMessage): void => parentPort?.postMessage(m);
// process.exit in a worker would end the thread without a word: it throws instead.
forbidProcessExit();
// An exception from a plugin's timer or a rejection nobody awaits has no call to fail: the
// request it happened in fails, and the pool replaces this thread.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => post({ type: 'escaped', message: `an error escaped the plugin (a timer or a promise nobody awaited): ${messageOf(err)}` }));
}
// Every plugin call is announced to the pool's watchdog, which stops this thread if one hangs.
observeCalls({ start: (what, timeoutMs) => post({ type: 'call', what, timeoutMs }), end: () => post({ type: 'called' }) });

interface Setup {
  readonly plugins: ModelPlugin[];
  readonly dataset: Dataset;
  readonly pick: (keys: readonly string[]) => SystemRecord[];
  readonly seedFor: (model: string) => string;
}

/**
 * The last dataset this worker loaded: the fit and score requests of one suite read the same
 * labels and metadata, so they are parsed once per suite, not per request.
 */
let lastDataset: { readonly key: string; readonly dataset: Promise<Dataset> } | null = null;
function datasetOf(job: WorkerJob): Promise<Dataset> {
  // Per suite too: a data folder may change between two suites of one run (labels saved meanwhile).
  const key = `${job.origins[0]?.suiteFile}\0${job.origins[0]?.suiteName}\0${job.dataDir}\0${job.source}`;
  if (lastDataset?.key !== key) lastDataset = { key, dataset: loadDataset({ dataDir: job.dataDir, source: job.source }) };
  const { dataset } = lastDataset;
  dataset.catch(() => {
    if (lastDataset?.dataset === dataset) lastDataset = null; // a failed load is not kept
  });
  return dataset;
}

/** A request's plugins (new instances) and data; the modules themselves stay loaded between requests. */
async function setUp(job: WorkerJob): Promise<Setup> {
  const plugins: ModelPlugin[] = [];
  for (const origin of job.origins) plugins.push(await recreatePlugin(origin, job.config));
  const dataset = await datasetOf(job);
  const byKey = new Map<string, SystemRecord>(dataset.systems.map((s) => [`${s.source}\u0000${s.systemId}`, s]));
  const pick = (keys: readonly string[]): SystemRecord[] =>
    keys.map((k) => {
      const s = byKey.get(k);
      if (!s) throw new Error(`system ${k.replace('\u0000', '/')} is not in ${job.dataDir}`);
      return s;
    });
  const seeds = new Map(plugins.map((p, i) => [p.name, job.seeds[i] ?? '']));
  return { plugins, dataset, pick, seedFor: (model) => seeds.get(model) ?? '' };
}

async function fit(req: Extract<WorkerRequest, { type: 'fit' }>): Promise<WorkerMessage> {
  const { plugins, dataset, pick, seedFor } = await setUp(req.job);
  const runs = newRuns(req.models.map((i) => plugins[i]!), 0);
  await fitRuns(runs, pick(req.train), { seedFor, timeoutMs: req.job.timeoutMs, dataset });
  const fits: FitReply[] = runs.map((run, k) => {
    let error = run.error;
    let state: unknown;
    if (error === null) {
      try {
        state = run.plugin.saveState!();
      } catch (err) {
        error = `saveState: ${messageOf(err)}`;
      }
    }
    return { model: req.models[k]!, error, fitMs: run.fitMs, state };
  });
  return { type: 'fitted', fits };
}

async function score(req: Extract<WorkerRequest, { type: 'score' }>): Promise<WorkerMessage> {
  const { plugins, dataset, pick, seedFor } = await setUp(req.job);
  const share = pick(req.share);
  const runs = newRuns(plugins, share.length);
  for (const [i, how] of req.prepare.entries()) {
    const run = runs[i]!;
    if (how === 'fit') continue;
    if ('error' in how) run.error = how.error;
    else {
      try {
        await run.plugin.restoreState!(how.state);
      } catch (err) {
        run.error = `restoreState: ${messageOf(err)}`;
      }
    }
  }
  const opts = { seedFor, timeoutMs: req.job.timeoutMs, dataset, onProgress: (model: string, done: number) => post({ type: 'progress', model, done }) };
  await fitRuns(runs.filter((_, i) => req.prepare[i] === 'fit'), pick(req.train), opts);
  await scoreQueue(runs, share.map((s, i) => ({ s, test: i })), opts);
  await teardownRuns(runs);
  return { type: 'done', runs: runs.map((r) => ({ error: r.error, scores: r.testScores, fitMs: r.fitMs, scoreMs: r.scoreMs })) };
}

/**
 * Lets what a request's plugin left behind run before the reply: its zero-delay timers and its
 * rejected promises nobody awaits. Their errors then fail this request, not the next one this
 * worker serves (another model's). A timer set for later can still outlive the request.
 */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(() => setImmediate(resolve), 0));

parentPort?.on('message', (req: WorkerRequest) => {
  (req.type === 'fit' ? fit(req) : score(req))
    .then(
      (reply) => settle().then(() => reply),
      (err: unknown): WorkerMessage => ({ type: 'failed', message: messageOf(err) }),
    )
    .then(post);
});
