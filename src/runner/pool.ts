/**
 * Parallel scoring in worker threads. A plugin is a closure and cannot be sent to a worker, so
 * each worker re-creates it from where it came from (the suite file and the model's index in
 * the suite, or a plugin name resolved again), fits it on the same training split, and scores a
 * contiguous block of the systems. Blocks are contiguous so that the first error of the
 * lowest block is the first error in system order, as in a run without workers.
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ResolvedConfig } from '../config/types.ts';
import type { SourceSelector } from '../data/schema.ts';
import type { SystemRecord } from '../data/types.ts';
import { HarnessError } from '../errors.ts';
import type { ModelPlugin } from './model.ts';
import { resolveModel } from './plugins.ts';
import type { SuiteSpec } from './suite.ts';

/** Where a plugin came from, so that a worker can make it again. */
export interface PluginOrigin {
  /** The suite file, imported again in the worker. */
  readonly suiteFile: string;
  /** The suite's name (a file may export several suites). */
  readonly suiteName: string;
  /** The model's index in the suite's `models`. */
  readonly modelIndex: number;
}

/** What a worker is asked to do (sent as workerData: plain data only). */
export interface WorkerJob {
  readonly origins: readonly PluginOrigin[];
  readonly config: ResolvedConfig;
  readonly dataDir: string;
  readonly source: SourceSelector;
  /** `source\0systemId` of the training systems, in order. */
  readonly train: readonly string[];
  /** `source\0systemId` of the systems this worker scores, in order. */
  readonly share: readonly string[];
  /** Each plugin's seed, aligned with `origins`. */
  readonly seeds: readonly string[];
  readonly timeoutMs: number;
}

/** What a worker posts back. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly model: string; readonly done: number }
  | { readonly type: 'done'; readonly runs: readonly { readonly error: string | null; readonly scores: Float64Array; readonly fitMs: number; readonly scoreMs: number }[] }
  | { readonly type: 'failed'; readonly message: string };

/** One plugin's result over all the systems, merged from every worker. */
export interface PooledScores {
  readonly error: string | null;
  readonly scores: Float64Array;
  readonly fitMs: number;
  readonly scoreMs: number;
}

/** Makes a plugin again from its origin (in a worker). */
export async function recreatePlugin(origin: PluginOrigin, config: ResolvedConfig): Promise<ModelPlugin> {
  const mod = (await import(pathToFileURL(origin.suiteFile).href)) as { default?: unknown };
  const specs = (Array.isArray(mod.default) ? mod.default : [mod.default]) as SuiteSpec[];
  const spec = specs.find((s) => s?.name === origin.suiteName);
  const entry = spec?.models[origin.modelIndex];
  if (!entry) throw new HarnessError('E_SUITE', `${origin.suiteFile}: suite "${origin.suiteName}" has no model #${origin.modelIndex + 1} in this worker`);
  return resolveModel(entry, config, origin.suiteFile);
}

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

const keyOf = (s: SystemRecord): string => `${s.source}\u0000${s.systemId}`;

/**
 * Fits and scores `plugins` on `systems` in `workers` threads, each fitting on `train` and
 * scoring one contiguous block. Per plugin: the scores aligned with `systems`, or the first
 * error in system order. A worker that fails to start or crashes makes every plugin errored.
 */
export async function scoreInWorkers(
  plugins: readonly ModelPlugin[],
  origins: readonly PluginOrigin[],
  train: readonly SystemRecord[],
  systems: readonly SystemRecord[],
  opts: {
    readonly workers: number;
    readonly config: ResolvedConfig;
    readonly dataDir: string;
    readonly source: SourceSelector;
    readonly seedFor: (model: string) => string;
    readonly timeoutMs: number;
    readonly onProgress?: (model: string, done: number) => void | Promise<void>;
  },
): Promise<PooledScores[]> {
  const w = Math.max(1, Math.min(opts.workers, systems.length));
  const blocks: SystemRecord[][] = [];
  for (let k = 0; k < w; k++) blocks.push(systems.slice(Math.floor((k * systems.length) / w), Math.floor(((k + 1) * systems.length) / w)));
  const trainKeys = train.map(keyOf);
  const done = plugins.map(() => new Array<number>(w).fill(0));
  const results = await Promise.all(
    blocks.map(
      (block, k) =>
        new Promise<WorkerMessage & { type: 'done' | 'failed' }>((resolve) => {
          const job: WorkerJob = {
            origins,
            config: opts.config,
            dataDir: opts.dataDir,
            source: opts.source,
            train: trainKeys,
            share: block.map(keyOf),
            seeds: plugins.map((p) => opts.seedFor(p.name)),
            timeoutMs: opts.timeoutMs,
          };
          let settled = false;
          const worker = new Worker(WORKER_ENTRY, { workerData: job });
          worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'progress') {
              const i = plugins.findIndex((p) => p.name === m.model);
              if (i < 0) return;
              done[i]![k] = m.done;
              void opts.onProgress?.(m.model, done[i]!.reduce((a, b) => a + b, 0));
              return;
            }
            settled = true;
            resolve(m);
            void worker.terminate();
          });
          worker.on('error', (err) => {
            if (settled) return;
            settled = true;
            resolve({ type: 'failed', message: err.message });
          });
          worker.on('exit', (code) => {
            if (settled) return;
            settled = true;
            resolve({ type: 'failed', message: `worker exited with code ${code}` });
          });
        }),
    ),
  );
  return plugins.map((_, i) => {
    const scores = new Float64Array(systems.length).fill(NaN);
    let error: string | null = null;
    let fitMs = 0;
    let scoreMs = 0;
    let offset = 0;
    results.forEach((r, k) => {
      const block = blocks[k]!;
      if (r.type === 'failed') error ??= `worker: ${r.message}`;
      else {
        const run = r.runs[i]!;
        if (run.error !== null) error ??= run.error;
        scores.set(run.scores, offset);
        fitMs = Math.max(fitMs, run.fitMs);
        scoreMs = Math.max(scoreMs, run.scoreMs);
      }
      offset += block.length;
    });
    return { error, scores, fitMs, scoreMs };
  });
}
