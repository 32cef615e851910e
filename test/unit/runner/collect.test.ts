import { describe, expect, it } from 'vitest';
import { checkSuite } from '../../../src/runner/collect.ts';

const suite = { name: 's', dataset: 'default', models: ['random'], expect: () => [] };

describe('checkSuite', () => {
  it('accepts every documented key', () => {
    const full = {
      ...suite,
      description: 'd',
      split: { test: 0.5, seed: 1, groupWindows: true },
      scores: { path: 'scores.csv' },
      threshold: { kind: 'train_fpr', fpr: 0.05 },
      breakdown: ['failure_type'],
      compareSources: false,
      alarms: true,
      minPositives: 5,
      contract: false,
      baseline: { tolerance: 0.02, alpha: 0.05, allowUnderpowered: false },
    };
    expect(checkSuite(full, 'x.suite.ts')).toBe(full);
  });

  it('a misspelt key is an error naming the file, the key and what was meant: never ignored', () => {
    const cases: [object, string][] = [
      [{ ...suite, expects: suite.expect }, 'unknown suite key `expects` (did you mean "expect"?)'],
      [{ ...suite, split: { tests: 0.2 } }, 'unknown split key `tests` (did you mean "test"?)'],
      [
        { ...suite, baseline: { tolerence: 0.5 } },
        'unknown baseline key `tolerence` (did you mean "tolerance"?)',
      ],
    ];
    for (const [spec, message] of cases)
      expect(() => checkSuite(spec, 'x.suite.ts')).toThrow(`x.suite.ts: suite "s": ${message}`);
  });
});

describe('checkSuite: option values the runner cannot use are refused, naming the option', () => {
  const refused: [object, string][] = [
    [
      { ...suite, threshold: { kind: 'train-fpr', fpr: 0.05 } },
      'unknown threshold kind "train-fpr" (did you mean "train_fpr"?)',
    ],
    [
      { ...suite, threshold: { kind: 'train_fpr', fpr: '5%' } },
      'threshold.fpr must be a share of the training normals from 0 to 1',
    ],
    [
      { ...suite, threshold: '0.5' },
      "`threshold` must be a number, { kind: 'train_fpr', fpr: 0.05 }",
    ],
    [{ ...suite, threshold: { kind: 'top_k', k: 2.5 } }, 'threshold.k must be a whole number ≥ 0'],
    [{ ...suite, threshold: Number.NaN }, '`threshold` is NaN'],
    // A NaN tolerance passed every drop; a string one was compared as text.
    [
      { ...suite, baseline: { tolerance: Number.NaN } },
      'baseline.tolerance must be a ROC AUC drop from 0 to below 1',
    ],
    [
      { ...suite, baseline: { tolerance: '0.02' } },
      'baseline.tolerance must be a ROC AUC drop from 0 to below 1, such as 0.02 (got "0.02")',
    ],
    [
      { ...suite, baseline: { alpha: 0 } },
      'baseline.alpha must be a significance level between 0 and 1',
    ],
    [
      { ...suite, baseline: { allowUnderpowered: 'yes' } },
      'baseline.allowUnderpowered must be true or false',
    ],
    [
      { ...suite, models: [undefined] },
      "models[0] must be a plugin name ('zscore'), [name, options] or a plugin object",
    ],
    [{ ...suite, models: ['random', 42] }, 'models[1] must be a plugin name'],
    [{ ...suite, models: [['zscore', 3]] }, 'models[0] must be a plugin name'],
    // Ignored before: the default fleet was generated with its anomalies.
    [
      { ...suite, dataset: { scenario: 'default', anomalyRate: 0 } },
      'unknown dataset (scenario form) key `anomalyRate` (known: scenario, systems, days, interval, seed); other scenario fields go in an inline scenario',
    ],
    [
      { ...suite, dataset: { path: 'fleet', sorce: 'real' } },
      'unknown dataset (path form) key `sorce` (did you mean "source"?)',
    ],
    [
      { ...suite, dataset: { data: 'fleet' } },
      '`dataset` needs one of scenario, source or path (got keys data)',
    ],
    [{ ...suite, dataset: 7 }, '`dataset` must be a scenario name'],
    // 'five' was accepted, and .each then checked strata with no anomaly.
    [
      { ...suite, minPositives: 'five' },
      'minPositives must be a whole number ≥ 0 (the fewest anomalies a stratum needs for .each to check it; default 5), got "five"',
    ],
    [{ ...suite, minPositives: -1 }, 'minPositives must be a whole number ≥ 0'],
    [{ ...suite, minPositives: 2.5 }, 'minPositives must be a whole number ≥ 0'],
  ];
  it.each(refused)('%j', (spec, message) => {
    expect(() => checkSuite(spec, 'x.suite.ts')).toThrow(`x.suite.ts: suite "s": ${message}`);
  });

  it('accepts every threshold kind and plugin entry form', () => {
    for (const threshold of [
      0.5,
      { kind: 'fixed', value: 2 },
      { kind: 'top_k', k: 0 },
      { kind: 'best_f1' },
      { kind: 'train_fpr', fpr: 0 },
    ])
      expect(() => checkSuite({ ...suite, threshold }, 'x.suite.ts')).not.toThrow();
    const models = ['zscore', ['pca', { components: 2 }], { name: 'mine', score: () => 0 }];
    expect(() => checkSuite({ ...suite, models }, 'x.suite.ts')).not.toThrow();
    for (const minPositives of [0, 1, 12])
      expect(() => checkSuite({ ...suite, minPositives }, 'x.suite.ts')).not.toThrow();
  });
});
