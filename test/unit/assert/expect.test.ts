import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createExpectApi, type AssertionSpec, type Comparison } from '../../../src/assert/index.ts';
import { callerLocation } from '../../../src/assert/expect.ts';

/** The comparison of a metric spec (a beats spec has none: that would be a builder bug). */
function comparisonOf(spec: AssertionSpec): Comparison {
  if (spec.kind !== 'metric') throw new Error(`expected a metric spec, got ${spec.kind}`);
  return spec.comparison;
}

const THIS_FILE = fileURLToPath(import.meta.url);
/** 1-based line and column of `needle` on the line holding `marker` in this file. */
function where(marker: string, needle: string): { line: number; column: number } {
  const lines = readFileSync(THIS_FILE, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker) && !l.includes('where('));
  return { line: i + 1, column: lines[i]!.indexOf(needle) + 1 };
}

describe('createExpectApi', () => {
  const { metric, model } = createExpectApi();

  it('builds metric assertions as data', () => {
    expect(metric('zscore', 'roc_auc').toBeGreaterThan(0.9)).toMatchObject({
      kind: 'metric',
      subject: { model: 'zscore', metric: 'roc_auc' },
      comparison: { op: 'gt', than: 0.9 },
      each: false,
    });
    expect(
      metric('zscore', 'roc_auc').toBeLessThan(metric('pca', 'roc_auc', { ci: 'low' })),
    ).toMatchObject({
      comparison: { op: 'lt', than: { model: 'pca', metric: 'roc_auc', ci: 'low' } },
    });
    expect(comparisonOf(metric('random', 'roc_auc').toBeCloseTo(0.5))).toEqual({
      op: 'close',
      to: 0.5,
      tolerance: 0.05,
    });
    expect(comparisonOf(metric('random', 'roc_auc').toBeCloseTo(0.5, 0.1))).toEqual({
      op: 'close',
      to: 0.5,
      tolerance: 0.1,
    });
    expect(comparisonOf(metric('a', 'recall').toBeWithin(0.4, 0.6))).toEqual({
      op: 'within',
      lo: 0.4,
      hi: 0.6,
    });
    expect(comparisonOf(metric('a', 'roc_auc').toCover(0.5))).toEqual({ op: 'covers', value: 0.5 });
    expect(comparisonOf(metric('a', 'roc_auc').toBeUndefined())).toEqual({ op: 'undefined' });
  });

  it('keeps only the options that were given in the ref', () => {
    expect(metric('a', 'recall').ref).toEqual({ model: 'a', metric: 'recall' });
    expect(metric('a', 'recall', { by: 'season', stratum: 'winter', ci: 'high' }).ref).toEqual({
      model: 'a',
      metric: 'recall',
      by: 'season',
      stratum: 'winter',
      ci: 'high',
    });
  });

  it('.each sets each: true and never throws, even on a spec grading will reject', () => {
    const spec = metric('pca', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(0.5);
    expect(spec).toMatchObject({ kind: 'metric', each: true, subject: { by: 'failure_type' } });
    expect(() => metric('pca', 'recall').each.toBeGreaterThan(0.5)).not.toThrow();
    expect(metric('pca', 'recall').each.toBeGreaterThan(0.5)).toMatchObject({ each: true });
  });

  it('model().toBeat fills defaults', () => {
    expect(model('pca').toBeat('random')).toMatchObject({
      kind: 'beats',
      model: 'pca',
      other: 'random',
      on: 'roc_auc',
      test: 'delong',
      alpha: 0.05,
    });
    expect(
      model('pca').toBeat('random', { on: 'recall', test: 'none', alpha: 0.01 }),
    ).toMatchObject({ on: 'recall', test: 'none', alpha: 0.01 });
  });

  it('locates each matcher call at the line that made it', () => {
    const gt = metric('a', 'roc_auc').toBeGreaterThan(0.5); // @loc-gt
    const each = metric('a', 'recall', { by: 'x' }).each.toBeWithin(0, 1); // @loc-each
    const beats = model('a').toBeat('b'); // @loc-beats
    expect(gt.location).toEqual({ file: THIS_FILE, ...where('@loc-gt', 'toBeGreaterThan') });
    expect(each.location).toEqual({ file: THIS_FILE, ...where('@loc-each', 'toBeWithin') });
    expect(beats.location).toEqual({ file: THIS_FILE, ...where('@loc-beats', 'toBeat') });
  });
});

describe('callerLocation', () => {
  it('skips frames inside src/assert and strips file:// prefixes', () => {
    const assertFile = fileURLToPath(new URL('../../../src/assert/expect.ts', import.meta.url));
    const stack = [
      'Error',
      `    at captureLocation (file://${assertFile}:50:12)`,
      `    at Object.toBeGreaterThan (file://${assertFile}:70:40)`,
      '    at new Promise (<anonymous>)',
      '    at expect (file:///work/project/suites/smoke.suite.ts:12:34)',
      '    at collect (/work/project/src/runner/collect.ts:3:1)',
    ].join('\n');
    expect(callerLocation(stack)).toEqual({
      file: '/work/project/suites/smoke.suite.ts',
      line: 12,
      column: 34,
    });
    expect(callerLocation('Error\n    at file:///x/top-level.suite.ts:4:7')).toEqual({
      file: '/x/top-level.suite.ts',
      line: 4,
      column: 7,
    });
    expect(callerLocation('Error')).toBeUndefined();
  });
});
