/**
 * One benchmark step of the harness side, run in its own child process (so that its peak RSS
 * is its own). Prints one JSON line: `{ ms, ...facts }`, `ms` being the work alone (no startup).
 * Usage: tsx test/bench/ts-step.ts <load|score|evaluate|auc1m|boot10k> [fleetDir] [model] [workers suiteFile]
 */
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { resolveConfig } from '../../src/config/load-config.ts';
import { LEAD_TIME_BUCKETS } from '../../src/data/schema.ts';
import { loadDataset } from '../../src/data/load-dataset.ts';
import { seriesPathCounts } from '../../src/data/series-bytes.ts';
import { DEFAULT_BREAKDOWN, stratumOf } from '../../src/data/strata.ts';
import { bootstrapCi, rocAucMetric } from '../../src/metrics/bootstrap.ts';
import { delongAuc } from '../../src/metrics/delong.ts';
import { evaluateScores, type StrataColumn } from '../../src/metrics/evaluate.ts';
import { rocAuc } from '../../src/metrics/ranking.ts';
import type { ModelPlugin } from '../../src/plugin/model.ts';
import { fitAndScore } from '../../src/runner/score.ts';
import { WorkerPool } from '../../src/runner/pool.ts';
import { stratifiedSplit } from '../../src/runner/split.ts';
import pca from '../../plugins/pca/index.ts';
import random from '../../plugins/random/index.ts';
import zscore from '../../plugins/zscore/index.ts';

const [step, dir, model, workers, suiteFile] = process.argv.slice(2);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function synthetic(n: number, seed: string): { y: Float64Array; s: Float64Array } {
  const rng = seedrandom.alea(seed);
  const y = new Float64Array(n);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.1 ? 1 : 0;
    // Box-Muller: normal scores, anomalies shifted by one standard deviation.
    s[i] = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()) + (y[i] as number);
  }
  return { y, s };
}

async function main(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  switch (step) {
    case 'load': {
      const ds = await loadDataset({ dataDir: dir });
      let rows = 0;
      // As the runner reads them: 16 files in flight, so that reading overlaps parsing.
      for (let i = 0; i < ds.systems.length; i += 16) {
        for (const s of await Promise.all(ds.systems.slice(i, i + 16).map((r) => r.loadSeries())))
          rows += s.timestamps.length;
      }
      return { ms: ms(), rows, systems: ds.systems.length, path: { ...seriesPathCounts } };
    }
    case 'score': {
      // With a suite file: its model `model` through the worker pool (`workers` threads), as
      // `harness run` scores; without: in this process.
      const ds = await loadDataset({ dataDir: dir });
      const { train, test } = stratifiedSplit(ds.systems, 0.5, '7');
      const plugin = (
        model === 'pca' ? pca() : model === 'zscore' ? zscore() : random()
      ) as ModelPlugin;
      const pool = new WorkerPool(Number(workers ?? 1));
      const parallel = suiteFile
        ? {
            pool,
            workers: Number(workers),
            origins: [
              {
                suiteFile,
                suiteName: 'bench',
                modelIndex: ['random', 'zscore', 'pca'].indexOf(model!),
              },
            ],
            config: resolveConfig({}, null, ROOT),
            minSystemsPerWorker: 1,
          }
        : undefined;
      let scoreStart = NaN;
      const onScoreStart = () => void (scoreStart = performance.now());
      const [run] = await fitAndScore([plugin], train, test, {
        seedFor: () => 'bench',
        timeoutMs: 1e9,
        scoreTrainNormals: true,
        dataset: ds,
        onScoreStart,
        ...(parallel ? { parallel } : {}),
      }).finally(() => pool.close());
      if (run?.error) throw new Error(run.error);
      return {
        ms: ms(),
        fitMs: run?.fitMs,
        scorePhaseMs: performance.now() - scoreStart,
        scored: test.length + (run?.trainNormalScores.length ?? 0),
        path: { ...seriesPathCounts },
      };
    }
    case 'evaluate': {
      const ds = await loadDataset({ dataDir: dir });
      const rng = seedrandom.alea('eval');
      const y = Float64Array.from(ds.systems, (s) => (s.label.label === 'anomaly' ? 1 : 0));
      const scores = Float64Array.from(y, (v) => v * 0.8 + rng());
      const strata: Record<string, StrataColumn> = {};
      for (const c of DEFAULT_BREAKDOWN)
        strata[c] = ds.systems.map((s) => stratumOf(c, s.label, s.metadata));
      const t1 = performance.now();
      const sum = evaluateScores({
        y,
        scores,
        threshold: 0.9,
        strata,
        bootstrap: { reps: 2000 },
        leadTimes: ds.systems.map((s) => s.label.lead_time_days),
        leadTimeBuckets: LEAD_TIME_BUCKETS,
        systemIds: ds.systems.map((s) => s.systemId),
      });
      return { ms: performance.now() - t1, auc: sum.metrics['roc_auc'] };
    }
    case 'auc1m': {
      const { y, s } = synthetic(1_000_000, 'auc');
      // One warm-up call (JIT), as the Python side has its compiled kernels from the start.
      const c0 = performance.now();
      delongAuc(y, s);
      rocAuc(y, s);
      const coldMs = performance.now() - c0;
      // What evaluateScores does: one DeLong pass gives the AUC and its CI.
      const t1 = performance.now();
      const dl = delongAuc(y, s);
      const t2 = performance.now();
      const auc = rocAuc(y, s).value;
      const rocAucMs = performance.now() - t2;
      return {
        ms: t2 - t1,
        coldMs,
        rocAucAloneMs: rocAucMs,
        auc,
        delong: 'value' in dl ? dl.value : null,
        ci: 'ci' in dl ? dl.ci : null,
      };
    }
    case 'boot10k': {
      const { y, s } = synthetic(10_000, 'boot');
      const c0 = performance.now();
      bootstrapCi(y, s, rocAucMetric, { reps: 2000, seed: 'warm-up' });
      const coldMs = performance.now() - c0;
      const t1 = performance.now();
      const ci = bootstrapCi(y, s, rocAucMetric, { reps: 2000 });
      return { ms: performance.now() - t1, coldMs, ci };
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
}

const out = await main();
process.stdout.write(`${JSON.stringify(out)}\n`);
