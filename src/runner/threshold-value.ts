import type { SystemRecord } from '../data/types.ts';
import { chooseThreshold, type ThresholdSpec } from '../metrics/index.ts';
import type { ModelRun } from './score.ts';
import type { SuiteThreshold } from './suite.ts';

/** The false-alarm rate on the training normals that sets a `train_fpr` threshold; null for any other kind. */
export function trainFprOf(threshold: SuiteThreshold): number | null {
  return typeof threshold === 'object' && threshold.kind === 'train_fpr' ? threshold.fpr : null;
}

/** The numeric threshold of a fitted run on its own split (Infinity when no training normals exist for a train-FPR one). */
export function thresholdValue(
  run: ModelRun,
  threshold: SuiteThreshold,
  test: readonly SystemRecord[] = [],
): number {
  const trainFpr = trainFprOf(threshold);
  if (trainFpr !== null) {
    return run.trainNormalScores.length > 0
      ? chooseThreshold(
          { kind: 'train_fpr', fpr: trainFpr, trainNormalScores: run.trainNormalScores },
          { y: [], scores: [] },
        ).threshold
      : Infinity;
  }
  if (typeof threshold === 'number') return threshold;
  if (threshold.kind === 'fixed') return threshold.value;
  // top_k and best_f1 depend on the test scores (best_f1 on the labels too); the laws reuse the choice.
  const y = test.map((s) => (s.label.label === 'anomaly' ? 1 : 0));
  return chooseThreshold(threshold as ThresholdSpec, { y, scores: run.testScores }).threshold;
}
