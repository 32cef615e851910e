/**
 * `--model` must not turn a red run green: it once dropped every assertion naming a model it
 * left out (typos included), and every suite it emptied, even one asked for by name.
 */
import { describe, expect, it } from 'vitest';
import { createExpectApi } from '../../../src/assert/index.ts';
import { selectSuites } from '../../../src/core/select.ts';
import { filterByModels } from '../../../src/runner/index.ts';
import type { CollectedSuite } from '../../../src/runner/types.ts';
import type { SuiteSpec } from '../../../src/runner/suite.ts';

const suite = (name: string, models: string[], expect?: SuiteSpec['expect']): CollectedSuite => ({
  file: `/nowhere/suites/${name}.suite.ts`,
  spec: { name, dataset: 'smoke', models, ...(expect ? { expect } : {}) },
  modelNames: models,
});

const alpha = suite('alpha', ['random', 'zscore'], ({ metric, model }) => [
  model('zscore').toBeat('random', { test: 'none' }),
  metric('zscore', 'roc_auc').toBeWithin(0, 1),
]);
const beta = suite('beta', ['random'], ({ metric }) => [
  metric('random', 'roc_auc').toBeGreaterThan(0.99),
]);
const gamma = suite('gamma', ['random', 'zscore'], ({ model }) => [
  model('zscore').toBeat('random'),
]);

describe('selectSuites with --model', () => {
  it('a suite asked for by name, or by a filter word, that --model empties is exit 2', () => {
    expect(() =>
      selectSuites([alpha, beta], { suites: ['alpha', 'beta'], models: ['zscore'] }, '/nowhere'),
    ).toThrow('--model zscore: "beta" selects no suite with that model (beta: random)');
    expect(() =>
      selectSuites([alpha, beta], { words: ['alpha', 'beta'], models: ['zscore'] }, '/nowhere'),
    ).toThrow('"beta" selects no suite with that model');
    // Without a name, a suite without the model is simply not run.
    expect(
      selectSuites([alpha, beta], { models: ['zscore'] }, '/nowhere').map((s) => s.spec.name),
    ).toEqual(['alpha']);
  });

  it('a run whose every assertion names a model left out checks nothing: exit 2', () => {
    expect(() => selectSuites([gamma], { models: ['zscore'] }, '/nowhere')).toThrow(
      '--model zscore: every assertion of the selected suites names a model left out (random), and no baseline gates them: nothing would be checked; add --model random, or run without --model',
    );
    const gated = { ...gamma, spec: { ...gamma.spec, baseline: {} } };
    expect(selectSuites([gated], { models: ['zscore'] }, '/nowhere')).toHaveLength(1);
    expect(selectSuites([alpha], { models: ['zscore'] }, '/nowhere')).toHaveLength(1);
  });
});

describe('filterByModels', () => {
  const { metric, model } = createExpectApi();
  it('leaves out what names a left-out model of the suite, and keeps a typo so that it errors', () => {
    const specs = [
      model('zscore').toBeat('random'),
      metric('zscor', 'roc_auc').toBeGreaterThan(0.9), // no such case: kept, errors when graded
      metric('zscore', 'roc_auc').toBeGreaterThan(metric('pca', 'roc_auc')),
      metric('zscore', 'recall').toBeGreaterThan(0.1),
    ];
    const r = filterByModels(specs, ['zscore'], ['random', 'zscore', 'pca']);
    expect(r.kept).toEqual([specs[1], specs[3]]);
    expect(r.leftOut).toBe(2);
    expect(r.models).toEqual(['random', 'pca']);
  });
});
