import type { SystemRecord } from '../data/types.ts';
import { chooseThreshold, type ThresholdSpec } from '../metrics/threshold.ts';
import type { ModelPlugin } from './model.ts';
import { fitAndScore, type ModelRun, type ScoreOptions } from './score.ts';
import type { SuiteThreshold } from './suite.ts';

/** One model's scores over every test system of a suite, and the threshold to judge them at. */
export interface PooledRun {
  readonly plugin: ModelPlugin;
  readonly error: string | null;
  /** Aligned with `test` of {@link scoreSplits}. */
  readonly scores: Float64Array;
  readonly threshold: number | ThresholdSpec;
  readonly fitMs: number;
  readonly scoreMs: number;
}

/**
 * Fits and scores every model on each split (one train/test split, or k folds where each
 * system is scored once by the model fit on the other folds).
 *
 * Thresholds: with one split, a train-FPR threshold comes from that split's training normals.
 * With k folds every fold has its own threshold, so each out-of-fold score is reported as its
 * margin over its fold's threshold (score − threshold) and judged at 0: pooled ranking metrics
 * then compare systems of different folds at their folds' common operating point rather than
 * on raw scales that differ from fit to fit.
 */
export async function scoreSplits(
  plugins: readonly ModelPlugin[],
  splits: readonly { readonly train: readonly SystemRecord[]; readonly test: readonly SystemRecord[] }[],
  threshold: SuiteThreshold,
  opts: Omit<ScoreOptions, 'scoreTrainNormals' | 'beforeTeardown'> & {
    /** Called with the first split's fitted models, its test systems and each model's threshold, before teardown. */
    readonly withFitted?: (runs: readonly ModelRun[], test: readonly SystemRecord[], thresholdOf: (run: ModelRun) => number) => Promise<void>;
  },
): Promise<{ test: SystemRecord[]; runs: PooledRun[] }> {
  const test = splits.flatMap((s) => s.test);
  const trainFpr = typeof threshold === 'object' && threshold.kind === 'train_fpr' ? threshold.fpr : null;
  const pooled = plugins.map((plugin) => ({ plugin, error: null as string | null, scores: new Float64Array(test.length), fitMs: 0, scoreMs: 0, thresholds: [] as number[], trainNormals: [] as number[] }));
  let offset = 0;
  for (const [f, split] of splits.entries()) {
    const withFitted = opts.withFitted;
    const runs = await fitAndScore(plugins, split.train, split.test, {
      ...opts,
      scoreTrainNormals: trainFpr !== null,
      ...(f === 0 && withFitted ? { beforeTeardown: (r: readonly ModelRun[]) => withFitted(r, split.test, (run) => thresholdValue(run, threshold, trainFpr, split.test)) } : {}),
    });
    runs.forEach((run, m) => {
      const p = pooled[m]!;
      p.fitMs += run.fitMs;
      p.scoreMs += run.scoreMs;
      if (p.error !== null) return;
      if (run.error !== null) {
        p.error = splits.length > 1 ? `fold ${f + 1}: ${run.error}` : run.error;
        return;
      }
      const thr = trainFpr !== null ? thresholdValue(run, threshold, trainFpr) : 0;
      p.thresholds.push(thr);
      if (splits.length === 1) p.trainNormals = run.trainNormalScores;
      const margin = splits.length > 1 && trainFpr !== null;
      if (margin && !Number.isFinite(thr)) {
        p.error = `fold ${f + 1}: no training normals to set the ${trainFpr * 100} % FPR threshold on`;
        return;
      }
      run.testScores.forEach((v, i) => (p.scores[offset + i] = margin ? v - thr : v));
    });
    offset += split.test.length;
  }
  return {
    test,
    runs: pooled.map((p) => {
      let thr: number | ThresholdSpec;
      if (trainFpr === null) thr = threshold as number | ThresholdSpec;
      else if (splits.length > 1) thr = { kind: 'fixed', value: 0 };
      else if (p.trainNormals.length > 0) thr = { kind: 'train_fpr', fpr: trainFpr, trainNormalScores: p.trainNormals };
      // No training normals (an all-anomaly set): no honest threshold exists; flag nothing.
      else thr = Infinity;
      return { plugin: p.plugin, error: p.error, scores: p.scores, threshold: thr, fitMs: p.fitMs, scoreMs: p.scoreMs };
    }),
  };
}

/** The numeric threshold of a fitted run on its own split (Infinity when no training normals exist for a train-FPR one). */
function thresholdValue(run: ModelRun, threshold: SuiteThreshold, trainFpr: number | null, test: readonly SystemRecord[] = []): number {
  if (trainFpr !== null) {
    return run.trainNormalScores.length > 0 ? chooseThreshold({ kind: 'train_fpr', fpr: trainFpr, trainNormalScores: run.trainNormalScores }, { y: [], scores: [] }).threshold : Infinity;
  }
  if (typeof threshold === 'number') return threshold;
  if (threshold.kind === 'fixed') return threshold.value;
  // top_k and best_f1 depend on the test scores (best_f1 on the labels too); the laws reuse the choice.
  const y = test.map((s) => (s.label.label === 'anomaly' ? 1 : 0));
  return chooseThreshold(threshold as ThresholdSpec, { y, scores: run.testScores }).threshold;
}
