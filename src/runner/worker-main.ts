/**
 * A scoring worker: re-creates the suite's plugins (a plugin is a closure and cannot be sent),
 * fits them on the same training split as every other worker (fits are deterministic, so every
 * worker holds the same fitted state), scores its share of the systems and posts the scores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset } from '../data/load-dataset.ts';
import type { SystemRecord } from '../data/types.ts';
import { recreatePlugin, type WorkerJob, type WorkerMessage } from './pool.ts';
import { fitAndScoreHere } from './score.ts';

const job = workerData as WorkerJob;
const post = (m: WorkerMessage): void => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const plugins = [];
  for (const origin of job.origins) plugins.push(await recreatePlugin(origin, job.config));
  const dataset = await loadDataset({ dataDir: job.dataDir, source: job.source });
  const byKey = new Map<string, SystemRecord>(dataset.systems.map((s) => [`${s.source}\u0000${s.systemId}`, s]));
  const pick = (keys: readonly string[]): SystemRecord[] =>
    keys.map((k) => {
      const s = byKey.get(k);
      if (!s) throw new Error(`system ${k.replace('\u0000', '/')} is not in ${job.dataDir}`);
      return s;
    });
  const seeds = new Map(plugins.map((p, i) => [p.name, job.seeds[i] as string]));
  const runs = await fitAndScoreHere(plugins, pick(job.train), pick(job.share), {
    seedFor: (model) => seeds.get(model) ?? '',
    timeoutMs: job.timeoutMs,
    scoreTrainNormals: false,
    dataset,
    onProgress: (model, done) => post({ type: 'progress', model, done }),
  });
  post({
    type: 'done',
    runs: runs.map((r) => ({ error: r.error, scores: r.testScores, fitMs: r.fitMs, scoreMs: r.scoreMs })),
  });
}

main().catch((err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
