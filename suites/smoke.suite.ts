import { defineSuite } from 'bess-harness';
import pca from 'bess-harness/plugins/pca';
import random from 'bess-harness/plugins/random';
import zscore from 'bess-harness/plugins/zscore';

/**
 * The validation checklist of the harness itself, run on the default synthetic fleet:
 * random ≈ 0.5 AUC, the baselines beat random, and degenerate datasets (all normal, all
 * anomaly, heavy missing data) run without crashing and report undefined metrics as undefined.
 */
const main = defineSuite({
  name: 'smoke',
  description: 'Baselines on the default fleet (200 systems, 30 days at 5 minutes).',
  dataset: 'default',
  split: { test: 0.5, seed: 7 },
  models: [random(), zscore(), pca()],
  expect: ({ metric, model }) => [
    metric('random', 'roc_auc').toCover(0.5),
    metric('random', 'roc_auc').toBeCloseTo(0.5, 0.15),
    metric('zscore', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')),
    metric('pca', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')),
    // pca's lead is large enough to be significant on 25 test anomalies; zscore (cell ΔV only,
    // 0.60–0.69 across splits: it ranks imbalances and shorts well, and cannot see cooling or
    // insulation faults) is asserted to be ahead, not significantly ahead: a paired DeLong test
    // on this split cannot tell a 0.1 AUC gap from chance.
    model('pca').toBeat('random', { on: 'roc_auc', test: 'delong', alpha: 0.05 }),
  ],
});

/** A fleet with no failures: ranking metrics are undefined, and say why. */
const allNormal = defineSuite({
  name: 'edge-all-normal',
  dataset: {
    scenario: {
      name: 'all-normal',
      systems: 24,
      days: 3,
      interval: '15m',
      anomalyRate: 0,
      seed: 'edge',
    },
  },
  models: ['random', 'zscore', 'pca'],
  expect: ({ metric }) => [
    metric('random', 'roc_auc').toBeUndefined(),
    metric('zscore', 'roc_auc').toBeUndefined(),
    metric('pca', 'average_precision').toBeUndefined(),
  ],
});

/**
 * A fleet where every system fails: no normals to compare with or to learn from. Only the
 * random model runs; zscore and pca refuse to fit without training normals (by design).
 */
const allAnomaly = defineSuite({
  name: 'edge-all-anomaly',
  dataset: {
    scenario: {
      name: 'all-anomaly',
      systems: 24,
      days: 3,
      interval: '15m',
      anomalyRate: 1,
      seed: 'edge',
    },
  },
  models: ['random'],
  expect: ({ metric }) => [
    metric('random', 'roc_auc').toBeUndefined(),
    metric('random', 'average_precision').toBeCloseTo(1, 1e-12),
  ],
});

/** Every data-quality fault on every system: gaps, dropouts, stuck sensors and spikes. */
const missingData = defineSuite({
  name: 'edge-missing-data',
  dataset: {
    scenario: {
      name: 'missing-data',
      systems: 40,
      days: 4,
      interval: '15m',
      anomalyRate: 0.3,
      seed: 'edge',
      dataQuality: { sensorDropout: 1, stuckSensor: 1, spike: 1, timestampGap: 1, noisyNormal: 1 },
    },
  },
  models: ['random', 'zscore', 'pca'],
  expect: ({ metric }) => [
    metric('random', 'roc_auc').toBeWithin(0, 1),
    metric('zscore', 'roc_auc').toBeWithin(0, 1),
    metric('pca', 'roc_auc').toBeWithin(0, 1),
  ],
});

export default [main, allNormal, allAnomaly, missingData];
