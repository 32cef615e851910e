import { defineSuite } from 'bess-harness';

/**
 * What must hold for the baselines whatever the data: the plugin contract on generated edge
 * fleets (`contract: true`, as `harness check` runs it) and the metamorphic laws, checked by
 * transforming the data rather than by knowing the right answer.
 */
export default defineSuite({
  name: 'edge-cases',
  description:
    'Plugin contract, severity monotonicity, dropout robustness and the id-shuffle leak check of the baselines.',
  dataset: { scenario: 'default', systems: 120, days: 14 },
  split: { test: 0.5, seed: 11 },
  models: ['random', 'zscore', 'pca'],
  contract: true,
  expect: ({ model, fails }) => [
    model('random').toBeMonotoneInSeverity(),
    model('zscore').toBeMonotoneInSeverity(),
    model('pca').toBeMonotoneInSeverity(),
    model('random').toTolerateDropouts(),
    model('zscore').toTolerateDropouts(),
    model('pca').toTolerateDropouts(),
    // The test series scored under each other's ids: zscore and pca score exactly as before;
    // random draws from the id, so its AUC moves by chance only (15 test anomalies: the fewest
    // the DeLong test is calibrated on).
    model('random').toBeChanceOnShuffledLabels(),
    model('zscore').toBeChanceOnShuffledLabels(),
    model('pca').toBeChanceOnShuffledLabels(),
    // A limitation by design, shown with its shrunk counterexample: pca tells rest from load by a
    // 5 A current threshold and keeps features that are constant over the normals in their own
    // unit, so the same fleet in other units scores differently. It declares no unit-scale
    // invariance; checking it as if it did must fail.
    fails(
      model('pca').toHonorContract({ assume: { unitScale: true } }),
      'pca is not unit-scale invariant: a 5 A rest threshold and unscaled constant features',
    ),
  ],
});
