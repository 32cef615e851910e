/**
 * The tests describeSuite plans for a suite, and what fails each: whatever makes `harness run`
 * exit non-zero must fail at least one of them, with the harness's message.
 */
import { describe, expect, it } from 'vitest';
import type { AssertionResult } from '../../../src/assert/types.ts';
import type { HarnessRun } from '../../../src/core/index.ts';
import { defineSuite } from '../../../src/index.ts';
import { assertionSpecsOf } from '../../../src/runner/index.ts';
import type { CaseResult, RunResult, SuiteResult } from '../../../src/runner/types.ts';
import { planSuite } from '../../../src/vitest/plan.ts';

const DATASET = { scenario: { name: 'tiny', systems: 24, days: 1, interval: '1h' as const } };
const suite = defineSuite({
  name: 's',
  dataset: DATASET,
  models: ['random', 'zscore'],
  expect: ({ metric }) => [
    metric('random', 'roc_auc').toBeGreaterThan(0),
    metric('zscore', 'roc_auc').toBeGreaterThan(0),
  ],
});
const specs = assertionSpecsOf(suite, ['random', 'zscore']);

const scored = (model: string): CaseResult =>
  ({ state: 'scored', suite: 's', model }) as unknown as CaseResult;

/** A run of `s` whose assertions all passed, with `change` applied to its suite and result. */
function runOf(
  change: {
    suite?: Partial<SuiteResult>;
    result?: Partial<RunResult>;
    exitCode?: 0 | 1 | 2;
  } = {},
): HarnessRun {
  const assertions = specs.map((spec, id): AssertionResult => ({
    id,
    spec,
    state: 'passed',
    message: 'held',
    actual: 0.5,
    expected: '> 0',
  }));
  const s = {
    name: 's',
    file: '',
    dataset: null,
    threshold: 'auto',
    cases: [scored('random'), scored('zscore')],
    assertions,
    durationMs: 1,
    ...change.suite,
  } as SuiteResult;
  const exitCode = change.exitCode ?? 0;
  const result = {
    harnessVersion: '0',
    startedAt: '',
    seed: 'x',
    suites: [s],
    summary: { exitCode },
    ...change.result,
  } as unknown as RunResult;
  return { result, exitCode, record: null, tracking: null, reporterErrors: [] };
}

/** The failing tests of the plan on `run`: title → message. */
function failures(run: HarnessRun, models?: readonly string[]): Record<string, string> {
  const plan = planSuite({
    spec: suite,
    file: '',
    modelNames: ['random', 'zscore'],
    specs,
    models,
  });
  return Object.fromEntries(
    plan.flatMap((t) => {
      const m = t.leftOut ? undefined : t.verdict(run);
      return m === undefined ? [] : [[t.title, m]];
    }),
  );
}

describe('planSuite', () => {
  it('plans the suite, its models, each assertion and the run, in that order; a green run fails none', () => {
    const plan = planSuite({ spec: suite, file: '', modelNames: ['random', 'zscore'], specs });
    expect(plan.map((t) => t.title)).toEqual([
      'suite runs',
      'every model scores every system',
      'random roc_auc > 0',
      'zscore roc_auc > 0',
      'the run completes without harness errors',
    ]);
    expect(failures(runOf())).toEqual({});
  });

  it("the run's own errors (a plugin's late timer) fail 'the run completes without harness errors' with the harness's message", () => {
    const error = 'a plugin failed after suite "s" was answered, in its worker thread: boom';
    expect(failures(runOf({ result: { errors: [error] }, exitCode: 2 }))).toEqual({
      'the run completes without harness errors': error,
    });
  });

  it('an exit code no other test explains still fails a test: vitest never passes what harness run fails', () => {
    expect(failures(runOf({ exitCode: 1 }))).toEqual({
      'the run completes without harness errors': expect.stringMatching(
        /^harness run would exit 1, and no other test of suite "s" says why/,
      ),
    });
  });

  it('a crashed model fails "every model scores every system", naming the model and why', () => {
    const crashed = {
      state: 'errored',
      suite: 's',
      model: 'zscore',
      version: '1',
      options: {},
      seed: 'x',
      error: 'score(sys-0001): returned NaN',
    } as const;
    expect(failures(runOf({ suite: { cases: [scored('random'), crashed] }, exitCode: 2 }))).toEqual(
      { 'every model scores every system': 'zscore v1: score(sys-0001): returned NaN' },
    );
  });

  it('a baseline gate that failed, or a stale baseline, fails "baseline gate holds"', () => {
    const gated = defineSuite({ ...suite, baseline: { tolerance: 0.02 } });
    const plan = planSuite({ spec: gated, file: '', modelNames: ['random', 'zscore'], specs });
    const test = plan.find((t) => t.title === 'baseline gate holds')!;
    const baseline = {
      file: 'b.json',
      status: 'stale' as const,
      message: 'the baseline was made on other data',
      gates: [
        {
          model: 'random',
          state: 'failed' as const,
          message: 'random dropped',
          actual: 0.5,
          baseline: 0.7,
        },
        { model: 'zscore', state: 'passed' as const, message: 'held', actual: 0.9, baseline: 0.9 },
      ],
    };
    expect(test.verdict(runOf({ suite: { baseline }, exitCode: 1 }))).toBe(
      'the baseline was made on other data\nrandom dropped',
    );
    expect(
      test.verdict(runOf({ suite: { baseline: { ...baseline, status: 'compared', gates: [] } } })),
    ).toBe(undefined);
  });

  it('a suite that could not run fails every test with its error', () => {
    const f = failures(
      runOf({ suite: { error: 'no dataset', cases: [], assertions: [] }, exitCode: 2 }),
    );
    expect(Object.keys(f)).toEqual([
      'suite runs',
      'every model scores every system',
      'random roc_auc > 0',
      'zscore roc_auc > 0',
    ]);
    expect(f['suite runs']).toBe('suite "s" could not run: no dataset');
  });

  it('with `models`, an assertion left out is a skipped test, and the kept ones read the results as the runner numbers them', () => {
    const plan = planSuite({
      spec: suite,
      file: '',
      modelNames: ['random', 'zscore'],
      specs,
      models: ['zscore'],
    });
    expect(plan.map((t) => [t.title, t.leftOut])).toEqual([
      ['suite runs', false],
      ['every model scores every system', false],
      ['random roc_auc > 0 (left out by models: it names random)', true],
      ['zscore roc_auc > 0', false],
      ['the run completes without harness errors', false],
    ]);
    // The runner graded zscore's assertion alone, as id 0.
    const failed: AssertionResult = {
      id: 0,
      spec: specs[1]!,
      state: 'failed',
      message: 'expected zscore roc_auc > 0, got 0',
      actual: 0,
      expected: '> 0',
    };
    const run = runOf({ suite: { assertions: [failed], cases: [scored('zscore')] }, exitCode: 1 });
    expect(failures(run, ['zscore'])).toEqual({
      'zscore roc_auc > 0': 'expected zscore roc_auc > 0, got 0\n  measured: 0\n  expected: > 0',
    });
  });

  it('an assertion with no result, or with the result of another, fails', () => {
    expect(failures(runOf({ suite: { assertions: [] } }))).toEqual({
      'random roc_auc > 0': 'assertion "random roc_auc > 0" has no result (the run graded 0)',
      'zscore roc_auc > 0': 'assertion "zscore roc_auc > 0" has no result (the run graded 0)',
    });
    const swapped = runOf().result.suites[0]!.assertions.map((a, i) => ({ ...a, id: 1 - i }));
    expect(failures(runOf({ suite: { assertions: swapped } }))['random roc_auc > 0']).toBe(
      'the result for "random roc_auc > 0" is that of "zscore roc_auc > 0": not matched',
    );
  });

  it('a suite that checks nothing (no assertion, no baseline) fails "the suite checks something"', () => {
    const empty = defineSuite({
      name: 'e',
      dataset: DATASET,
      models: ['random'],
      expect: () => [],
    });
    const plan = planSuite({ spec: empty, file: '', modelNames: ['random'], specs: [] });
    const test = plan.find((t) => t.title === 'the suite checks something');
    expect(test?.verdict(runOf())).toMatch(
      /suite "e" checks nothing: no assertion and no baseline/,
    );
  });
});
