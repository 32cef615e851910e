/**
 * What a suite's `expect` returns is checked before anything runs. An `expect` whose body is in
 * braces with no `return` returned undefined, read as "no assertions": the suite passed the CI
 * gate whatever its models scored. An entry no matcher built was graded as an "unknown
 * assertion kind" that named no line.
 */
import { describe, expect, it } from 'vitest';
import { assertionSpecsOf } from '../../../src/runner/index.ts';
import type { SuiteSpec } from '../../../src/runner/suite.ts';

const suite = (expectFn: SuiteSpec['expect']): SuiteSpec => ({
  name: 's',
  dataset: 'smoke',
  models: ['random'],
  expect: expectFn,
});

describe('assertionSpecsOf', () => {
  it('refuses an expect that returns no list, saying how to return one', () => {
    const noReturn = suite(({ metric }) => {
      metric('random', 'roc_auc').toBeGreaterThan(0.9);
      return undefined as never;
    });
    expect(() => assertionSpecsOf(noReturn, ['random'])).toThrow(
      'expect() must return a list of assertions, got undefined: a body in braces needs `return [ … ]`',
    );
    const one = suite(({ metric }) => metric('random', 'roc_auc').toBeGreaterThan(0.9) as never);
    expect(() => assertionSpecsOf(one, ['random'])).toThrow(
      /^expect\(\) must return a list of assertions, got \{"kind":"metric"/,
    );
  });

  it('refuses an entry that no matcher built, naming its place in the list', () => {
    const cases: [SuiteSpec['expect'], string][] = [
      [
        ({ metric }) => [metric('random', 'roc_auc')] as never,
        "expect() returned metric('random', 'roc_auc') as entry 1 of its list: metric('random', 'roc_auc') has no matcher: end it with one",
      ],
      [
        ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0.1), undefined] as never,
        'expect() returned undefined as entry 2 of its list: each entry is an assertion built by metric(…) or model(…)',
      ],
      [
        ({ model }) => [model('random')] as never,
        'expect() returned model(…) as entry 1 of its list: model(…) has no matcher',
      ],
      [() => [{ kind: 'metrc' }] as never, 'not an assertion (its kind is none of metric, beats'],
    ];
    for (const [fn, message] of cases)
      expect(() => assertionSpecsOf(suite(fn), ['random'])).toThrow(message);
  });

  it('keeps a list of assertions and an expect that throws says so', () => {
    const specs = assertionSpecsOf(
      suite(({ metric }) => [metric('random', 'roc_auc').toBeCloseTo(0.5, 0.1)]),
      ['random'],
    );
    expect(specs.map((s) => s.kind)).toEqual(['metric']);
    expect(
      assertionSpecsOf(
        suite(() => []),
        ['random'],
      ),
    ).toEqual([]);
    expect(() =>
      assertionSpecsOf(
        suite(() => {
          throw new Error('boom');
        }),
        ['random'],
      ),
    ).toThrow('expect() threw: boom');
  });
});
