import { defineSuite } from '../src/index.ts';

/**
 * The metamorphic laws on the three baselines: what must hold whatever the data, checked by
 * transforming the data rather than by knowing the right answer.
 */
export default defineSuite({
  name: 'edge-cases',
  description: 'Severity monotonicity, dropout robustness and label-shuffle sanity of the baselines.',
  dataset: { scenario: 'default', systems: 120, days: 14 },
  split: { test: 0.5, seed: 11 },
  models: ['random', 'zscore', 'pca'],
  expect: ({ model }) => [
    model('random').toBeMonotoneInSeverity(),
    model('zscore').toBeMonotoneInSeverity(),
    model('pca').toBeMonotoneInSeverity(),
    model('random').toTolerateDropouts(),
    model('zscore').toTolerateDropouts(),
    model('pca').toTolerateDropouts(),
    model('random').toBeChanceOnShuffledLabels(),
    model('zscore').toBeChanceOnShuffledLabels(),
    model('pca').toBeChanceOnShuffledLabels(),
  ],
});
