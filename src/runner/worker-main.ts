/**
 * A scoring worker (see pool.ts): re-creates the suite's plugins (a plugin is a closure and
 * cannot be sent), then answers the pool's requests one at a time: `fit` some models and send
 * back their states, or `score` a share of the systems with every model, after restoring the
 * shipped states (or fitting here the models that cannot ship one).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset } from '../data/load-dataset.ts';
import type { Dataset, SystemRecord } from '../data/types.ts';
import type { ModelPlugin } from './model.ts';
import { recreatePlugin, type FitReply, type WorkerJob, type WorkerMessage, type WorkerRequest } from './pool.ts';
import { fitRuns, messageOf, newRuns, scoreQueue, teardownRuns } from './score.ts';

const job = workerData as WorkerJob;
const post = (m: WorkerMessage): void => parentPort?.postMessage(m);

interface Setup {
  readonly plugins: ModelPlugin[];
  readonly dataset: Dataset;
  readonly pick: (keys: readonly string[]) => SystemRecord[];
  readonly seedFor: (model: string) => string;
}

async function setUp(): Promise<Setup> {
  const plugins: ModelPlugin[] = [];
  for (const origin of job.origins) plugins.push(await recreatePlugin(origin, job.config));
  const dataset = await loadDataset({ dataDir: job.dataDir, source: job.source });
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

const ready = setUp();
// A failed set-up is reported by the request that awaits it, not as an unhandled rejection.
ready.catch(() => undefined);

async function fit(req: Extract<WorkerRequest, { type: 'fit' }>): Promise<WorkerMessage> {
  const { plugins, dataset, pick, seedFor } = await ready;
  const runs = newRuns(req.models.map((i) => plugins[i]!), 0);
  await fitRuns(runs, pick(req.train), { seedFor, timeoutMs: job.timeoutMs, dataset });
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
  const { plugins, dataset, pick, seedFor } = await ready;
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
  const opts = { seedFor, timeoutMs: job.timeoutMs, dataset, onProgress: (model: string, done: number) => post({ type: 'progress', model, done }) };
  await fitRuns(runs.filter((_, i) => req.prepare[i] === 'fit'), pick(req.train), opts);
  await scoreQueue(runs, share.map((s, i) => ({ s, test: i })), opts);
  await teardownRuns(runs);
  return { type: 'done', runs: runs.map((r) => ({ error: r.error, scores: r.testScores, fitMs: r.fitMs, scoreMs: r.scoreMs })) };
}

parentPort?.on('message', (req: WorkerRequest) => {
  (req.type === 'fit' ? fit(req) : score(req)).then(post, (err: unknown) => post({ type: 'failed', message: messageOf(err) }));
});
