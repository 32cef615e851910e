import { defineSuite } from 'bess-harness';

/**
 * A model written in Python, measured beside the TypeScript baselines on the same split of the
 * default fleet as the smoke suite: scikit-learn's IsolationForest over per-system features
 * (examples/python-iforest), run as a process model (`iforest` in harness.config.ts).
 */
export default defineSuite({
  name: 'python-iforest',
  description: 'A Python IsolationForest beside random and pca on the default fleet.',
  dataset: 'default',
  split: { test: 0.5, seed: 7 },
  models: ['random', 'pca', 'iforest'],
  expect: ({ metric, model }) => [
    metric('iforest', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')),
    model('iforest').toBeat('random', { on: 'roc_auc', test: 'delong', alpha: 0.05 }),
  ],
});
