import { describe, expect, it } from 'vitest';
import {
  createExpectApi,
  gradeAssertions,
  type AssertionResult,
  type AssertionSpec,
  type GradedCase,
} from '../../../src/assert/index.ts';
import { allNormalCases, cases, scoredCase, value } from './cases.ts';

const { metric, fails } = createExpectApi();

function grade(
  spec: AssertionSpec,
  on: Readonly<Record<string, GradedCase>> = cases,
): AssertionResult {
  const [result] = gradeAssertions([spec], on);
  return result!;
}

const auc = (m: string): number => value(m, 'roc_auc')!;
const f3 = (x: number): string => x.toFixed(3);

describe('gradeAssertions', () => {
  it('ids are indices and every result carries its spec and location', () => {
    const specs = [
      metric('perfect', 'roc_auc').toBeGreaterThan(0.9),
      metric('random', 'roc_auc').toBeGreaterThan(0.9),
    ];
    const results = gradeAssertions(specs, cases);
    expect(results.map((r) => [r.id, r.state])).toEqual([
      [0, 'passed'],
      [1, 'failed'],
    ]);
    expect(results[1]!.spec).toBe(specs[1]);
    expect(results[1]!.location).toEqual(specs[1]!.location);
  });
});

describe('toBeGreaterThan / toBeLessThan', () => {
  it('against a number', () => {
    expect(grade(metric('good', 'roc_auc').toBeGreaterThan(0.9))).toMatchObject({
      state: 'passed',
      actual: auc('good'),
      expected: '> 0.9',
      message: `good roc_auc ${f3(auc('good'))} > 0.9`,
    });
    expect(grade(metric('good', 'roc_auc').toBeGreaterThan(0.95))).toMatchObject({
      state: 'failed',
      message: `expected good roc_auc > 0.95, got ${f3(auc('good'))}`,
    });
    expect(grade(metric('random', 'roc_auc').toBeLessThan(0.6))).toMatchObject({
      state: 'passed',
      expected: '< 0.6',
    });
    expect(grade(metric('good', 'roc_auc').toBeLessThan(0.6))).toMatchObject({
      state: 'failed',
      message: `expected good roc_auc < 0.6, got ${f3(auc('good'))}`,
    });
  });

  it('is strict', () => {
    expect(grade(metric('perfect', 'roc_auc').toBeGreaterThan(1))).toMatchObject({
      state: 'failed',
      message: 'expected perfect roc_auc > 1, got 1.000',
    });
  });

  it('against another metric', () => {
    const r = grade(metric('good', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')));
    expect(r).toMatchObject({
      state: 'passed',
      message: `good roc_auc ${f3(auc('good'))} > random roc_auc ${f3(auc('random'))}`,
      expected: `> random roc_auc (${f3(auc('random'))})`,
    });
    expect(
      grade(metric('random', 'roc_auc').toBeGreaterThan(metric('good', 'roc_auc'))),
    ).toMatchObject({
      state: 'failed',
      message: `expected random roc_auc > good roc_auc ${f3(auc('good'))}, got ${f3(auc('random'))}`,
    });
    expect(
      grade(metric('random', 'roc_auc').toBeLessThan(metric('good', 'roc_auc', { ci: 'low' }))),
    ).toMatchObject({ state: 'passed' });
  });

  it('prints enough digits that a near miss does not look like a tie', () => {
    // good's AUC is 0.9275: with 3 decimals it and 0.9274 both print as 0.927.
    expect(auc('good')).toBe(0.9275);
    const r = grade(metric('good', 'roc_auc').toBeLessThan(0.9274));
    expect(r).toMatchObject({
      state: 'failed',
      message: 'expected good roc_auc < 0.9274, got 0.9275',
    });
  });

  it('fails when the other metric is undefined', () => {
    const on = { ...cases, ...allNormalCases };
    expect(
      grade(metric('good', 'roc_auc').toBeGreaterThan(metric('quiet', 'roc_auc')), on),
    ).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('quiet roc_auc is undefined: no anomalies'),
    });
  });
});

describe('toBeCloseTo / toBeWithin', () => {
  it('toBeCloseTo passes within the tolerance (default 0.05) and says by how much it missed', () => {
    expect(grade(metric('random', 'roc_auc').toBeCloseTo(0.5, 0.1))).toMatchObject({
      state: 'passed',
      expected: '0.5 ± 0.1',
      message: `random roc_auc ${f3(auc('random'))} is within 0.5 ± 0.1`,
    });
    const off = Math.abs(auc('random') - 0.5);
    expect(grade(metric('random', 'roc_auc').toBeCloseTo(0.5))).toMatchObject({
      state: 'failed',
      expected: '0.5 ± 0.05',
      message: `expected random roc_auc within 0.5 ± 0.05, got ${f3(auc('random'))} (off by ${f3(off)})`,
    });
  });

  it('toBeCloseTo forgives floating-point noise at the edge', () => {
    // recall of random is 0.45: |0.45 - 0.35| is 0.10000000000000003 in floating point.
    expect(value('random', 'recall')).toBe(0.45);
    expect(grade(metric('random', 'recall').toBeCloseTo(0.35, 0.1)).state).toBe('passed');
  });

  it('toBeWithin is inclusive', () => {
    expect(grade(metric('random', 'recall').toBeWithin(0.4, 0.6))).toMatchObject({
      state: 'passed',
      expected: 'in [0.4, 0.6]',
      message: 'random recall 0.450 is in [0.4, 0.6]',
    });
    expect(grade(metric('perfect', 'recall').toBeWithin(0, 1)).state).toBe('passed');
    expect(grade(metric('random', 'recall').toBeWithin(0.6, 0.9))).toMatchObject({
      state: 'failed',
      message: 'expected random recall in [0.6, 0.9], got 0.450',
    });
  });
});

describe('ci and toCover', () => {
  const ci = (m: string) => {
    const c = cases[m]!;
    if (c.state !== 'scored') throw new Error('fixture');
    return c.summary.ci['roc_auc']!;
  };

  it("ci: 'low' reads the lower bound of the DeLong CI", () => {
    const low = ci('good').low;
    expect(grade(metric('good', 'roc_auc', { ci: 'low' }).toBeGreaterThan(0.85))).toMatchObject({
      state: 'passed',
      actual: low,
      message: `good roc_auc CI low ${f3(low)} > 0.85`,
    });
    expect(grade(metric('good', 'roc_auc', { ci: 'high' }).toBeLessThan(0.95))).toMatchObject({
      state: 'failed',
      actual: ci('good').high,
    });
  });

  it('toCover passes when the CI contains the value', () => {
    const { low, high } = ci('random');
    expect(grade(metric('random', 'roc_auc').toCover(0.5))).toMatchObject({
      state: 'passed',
      expected: 'CI covers 0.5',
      message: `random roc_auc ${f3(auc('random'))} 95% CI [${f3(low)}, ${f3(high)}] covers 0.5`,
    });
    const g = ci('good');
    expect(grade(metric('good', 'roc_auc').toCover(0.5))).toMatchObject({
      state: 'failed',
      message: `expected good roc_auc CI to cover 0.5, got ${f3(auc('good'))} 95% CI [${f3(g.low)}, ${f3(g.high)}]`,
    });
  });

  it('errors on a metric without a CI', () => {
    expect(grade(metric('good', 'recall').toCover(0.5))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('has none'),
    });
    expect(grade(metric('good', 'recall', { ci: 'low' }).toBeGreaterThan(0.5))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining(
        'recall has no confidence interval (metrics with one: roc_auc, fpr)',
      ),
    });
    expect(grade(metric('good', 'roc_auc', { ci: 'low' }).toCover(0.5))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining("drop ci: 'low'"),
    });
  });

  it('fails when the CI is undefined on this data', () => {
    expect(grade(metric('quiet', 'roc_auc').toCover(0.5), allNormalCases)).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('needs at least 2 anomalies and 2 normals'),
    });
  });

  it('an undefined CI measured nothing: fails(…) of it refuses to pass, as of any undefined value', () => {
    // It passed as "expected failure" on an all-normal fleet, where no CI was ever computed.
    const r = grade(fails(metric('quiet', 'roc_auc').toCover(0.9), 'x'), allNormalCases);
    expect(r.state).toBe('failed');
    expect(r.message).toMatch(
      /^fails\(…\) \(x\) needs the check to measure a failure, and it measured nothing: quiet roc_auc has no confidence interval here: /,
    );
    // .each: six shorts against one normal, a stratum checked whose CI is undefined.
    const oneNormal = {
      m: scoredCase([1, 1, 1, 1, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.1], {
        failure_type: ['short', 'short', 'short', 'short', 'short', 'short', 'none'],
      }),
    };
    const each = grade(
      fails(metric('m', 'roc_auc', { by: 'failure_type' }).each.toCover(0.9), 'x'),
      oneNormal,
    );
    expect(each.state).toBe('failed');
    expect(each.message).toContain('needs the check to measure a failure, and it measured nothing');
  });
});

describe('undefined metrics', () => {
  it('toBeUndefined passes exactly when the metric is null, and says why', () => {
    expect(grade(metric('quiet', 'roc_auc').toBeUndefined(), allNormalCases)).toMatchObject({
      state: 'passed',
      actual: null,
      expected: 'undefined',
      message:
        'quiet roc_auc is undefined, as expected: no anomalies (positives) among the samples',
    });
    expect(
      grade(metric('quiet', 'roc_auc', { ci: 'low' }).toBeUndefined(), allNormalCases).state,
    ).toBe('passed');
    expect(grade(metric('good', 'roc_auc').toBeUndefined())).toMatchObject({
      state: 'failed',
      message: `expected good roc_auc to be undefined, got ${f3(auc('good'))}`,
    });
  });

  it('every other matcher fails on an undefined metric with its reason', () => {
    for (const spec of [
      metric('quiet', 'roc_auc').toBeGreaterThan(0.5),
      metric('quiet', 'roc_auc').toBeLessThan(0.5),
      metric('quiet', 'roc_auc').toBeCloseTo(0.5),
      metric('quiet', 'roc_auc').toBeWithin(0, 1),
    ]) {
      expect(grade(spec, allNormalCases)).toMatchObject({
        state: 'failed',
        actual: null,
        message: 'quiet roc_auc is undefined: no anomalies (positives) among the samples',
      });
    }
  });
});

describe('zero denominators (scikit-learn reports 0): judged as undefined, never as a passing 0', () => {
  it('recall with no anomaly, fpr and specificity with no normal fail every bound', () => {
    // allNormalCases: 30 normals, no anomaly; recall is 0 by zero_division. An all-anomaly split
    // has fpr 0 by zero_division: `fpr < 0.05` passed on it, a green gate that judged nothing.
    const allAnomaly = {
      loud: scoredCase(
        Array.from({ length: 12 }, () => 1),
        Array.from({ length: 12 }, (_, i) => i / 12),
      ),
    };
    expect(allAnomaly.loud.summary.notes).toMatchObject({ fpr: 'zero_division' });
    expect(grade(metric('loud', 'fpr').toBeLessThan(0.05), allAnomaly)).toMatchObject({
      state: 'failed',
      actual: null,
      message: expect.stringMatching(/^loud fpr is undefined: its denominator is 0 \(no normal\)/),
    });
    expect(grade(metric('loud', 'specificity').toBeGreaterThan(-1), allAnomaly).state).toBe(
      'failed',
    );
    expect(grade(metric('quiet', 'recall').toBeLessThan(0.5), allNormalCases)).toMatchObject({
      state: 'failed',
      message: expect.stringContaining(
        'quiet recall is undefined: its denominator is 0 (no anomaly)',
      ),
    });
    expect(grade(metric('quiet', 'recall').toBeUndefined(), allNormalCases).state).toBe('passed');
    // A defined fpr on the same data still grades as a number.
    expect(grade(metric('quiet', 'fpr').toBeWithin(0, 1), allNormalCases).state).toBe('passed');
  });
});

describe('errored assertions', () => {
  it('unknown model lists the suite models', () => {
    expect(grade(metric('zscroe', 'roc_auc').toBeGreaterThan(0.5))).toMatchObject({
      state: 'errored',
      message:
        'unknown model "zscroe" (models in this suite: perfect, random, good, fadeblind, crashed)',
    });
    expect(
      grade(metric('good', 'roc_auc').toBeGreaterThan(metric('nope', 'roc_auc'))).message,
    ).toContain('unknown model "nope"');
  });

  it('a model whose case errored', () => {
    expect(grade(metric('crashed', 'roc_auc').toBeGreaterThan(0.5))).toMatchObject({
      state: 'errored',
      message:
        'model "crashed" did not produce scores: score() threw: TypeError: sensor "temp_cell_max_c" missing',
    });
  });

  it('an alarm metric on a model without scoreOverTime says why it is unknown', () => {
    const r = grade(metric('good', 'median_warning_days').toBeGreaterThan(7));
    expect(r.state).toBe('errored');
    expect(r.message).toMatch(
      /^unknown metric "median_warning_days" for good \(known metrics: roc_auc, .*\); "median_warning_days" is an alarm metric, measured only in a suite with `alarms` for a model with scoreOverTime$/,
    );
    expect(grade(metric('good', 'warning_dayz').toBeGreaterThan(7)).message).not.toContain(
      'alarm metric',
    );
  });

  it('unknown metric lists the known ones', () => {
    const r = grade(metric('good', 'rocauc').toBeGreaterThan(0.5));
    expect(r.state).toBe('errored');
    expect(r.message).toMatch(
      /^unknown metric "rocauc" for good \(known metrics: roc_auc, average_precision, .*recall/,
    );
    expect(
      grade(metric('good', 'f1', { by: 'failure_type', stratum: 'short' }).toBeGreaterThan(0.5))
        .message,
    ).toBe(
      'unknown metric "f1" for good failure_type=short (known metrics: roc_auc, average_precision, recall)',
    );
  });

  it('unknown column and unknown stratum list what exists', () => {
    expect(
      grade(metric('good', 'recall', { by: 'failuretype', stratum: 'short' }).toBeGreaterThan(0.5))
        .message,
    ).toContain(
      'unknown breakdown column "failuretype" for good (columns in this suite: failure_type, site)',
    );
    expect(
      grade(
        metric('good', 'recall', { by: 'failure_type', stratum: 'shrot' }).toBeGreaterThan(0.5),
      ),
    ).toMatchObject({
      state: 'errored',
      message: 'no stratum "shrot" in failure_type for good (strata: fade, leak, none, short)',
    });
  });

  it('a by column without a stratum or .each, and a stratum without by', () => {
    expect(
      grade(metric('good', 'recall', { by: 'failure_type' }).toBeGreaterThan(0.5)),
    ).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('use .each'),
    });
    expect(
      grade(metric('good', 'recall', { stratum: 'short' }).toBeGreaterThan(0.5)),
    ).toMatchObject({
      state: 'errored',
      message: expect.stringContaining("add by: '<column>'"),
    });
  });

  it('malformed comparisons', () => {
    expect(grade(metric('good', 'recall').toBeWithin(0.6, 0.4))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('lo <= hi'),
    });
    expect(grade(metric('good', 'recall').toBeCloseTo(0.5, -1))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('tolerance >= 0'),
    });
    expect(grade(metric('good', 'recall').toBeGreaterThan(Number.NaN))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('finite'),
    });
  });

  it('a threshold of the wrong type (a string from a JS suite) is an errored assertion, not a crash', () => {
    const loose = metric('good', 'roc_auc') as unknown as Record<
      string,
      (...args: unknown[]) => AssertionSpec
    >;
    const results = gradeAssertions(
      [
        loose.toBeGreaterThan!('0.1'),
        loose.toBeLessThan!(null),
        loose.toBeCloseTo!('0.5', 0.1),
        loose.toBeWithin!(0, '1'),
        loose.toCover!(undefined),
      ],
      cases,
    );
    expect(results.map((r) => [r.state, r.message])).toEqual([
      [
        'errored',
        'good roc_auc: toBeGreaterThan needs a finite number or a metric(…), got the string "0.1"',
      ],
      ['errored', 'good roc_auc: toBeLessThan needs a finite number or a metric(…), got null'],
      ['errored', 'good roc_auc: toBeCloseTo needs a finite target, got the string "0.5"'],
      ['errored', 'good roc_auc: toBeWithin needs finite bounds, got [0, the string "1"]'],
      ['errored', 'good roc_auc: toCover needs a finite value, got undefined'],
    ]);
    expect(results[0]!.expected).toBe('> "0.1"');
  });

  it('a misspelt option is an errored assertion, never a silent default (a typo in by: would grade the overall metric)', () => {
    const { model } = createExpectApi();
    const loose = (o: object) => o as never;
    const results = gradeAssertions(
      [
        metric('good', 'roc_auc', loose({ bye: 'failure_type' })).toBeGreaterThan(0.1),
        metric('good', 'roc_auc').toBeGreaterThan(
          metric('random', 'roc_auc', loose({ sratum: 'x' })),
        ),
        metric('good', 'roc_auc', loose({ ci: 'lo' })).toBeGreaterThan(0.1),
        model('good').toBeat('random', loose({ alpah: 0.5 })),
        model('good').toTolerateDropouts(loose({ tolerance: 0.5 })),
        fails(model('good').toHonorContract(loose({ run: 5 })), 'known'),
      ],
      cases,
    );
    expect(results.map((r) => [r.state, r.message])).toEqual([
      ['errored', 'good roc_auc: unknown option "bye" of metric(…) (options: by, stratum, ci)'],
      [
        'errored',
        'random roc_auc: unknown option "sratum" of metric(…) (options: by, stratum, ci)',
      ],
      ['errored', `good roc_auc CI lo: ci must be 'low' or 'high', got "lo"`],
      ['errored', `model('good').toBeat: unknown option "alpah" (options: on, test, alpha)`],
      [
        'errored',
        `model('good').toTolerateDropouts: unknown option "tolerance" (options: maxIncrease, rate)`,
      ],
      ['errored', `model('good').toHonorContract: unknown option "run" (options: assume, runs)`],
    ]);
  });

  it('never throws, even on a spec that is not one', () => {
    const bogus = { kind: 'vibes' } as unknown as AssertionSpec;
    expect(grade(bogus)).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('unknown assertion kind "vibes"'),
    });
  });
});

describe('.each', () => {
  it('checks every stratum, skips too_few ones and passes when every checked one passes', () => {
    const r = grade(metric('perfect', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(0.5));
    expect(r.state).toBe('passed');
    expect(r.expected).toBe('> 0.5 in every stratum of failure_type');
    expect(r.actual).toEqual({ fade: 1, leak: 1, none: null, short: 1 });
    expect(r.strata).toEqual([
      {
        stratum: 'fade',
        state: 'passed',
        actual: 1,
        reason: 'perfect recall[failure_type=fade] 1.000 > 0.5',
      },
      { stratum: 'leak', state: 'skipped', actual: 1, reason: 'too few anomalies (3)' },
      { stratum: 'none', state: 'skipped', actual: null, reason: 'too few anomalies (0)' },
      {
        stratum: 'short',
        state: 'passed',
        actual: 1,
        reason: 'perfect recall[failure_type=short] 1.000 > 0.5',
      },
    ]);
    expect(r.message).toBe(
      'perfect recall > 0.5 in every checked stratum of failure_type: fade 1.000, short 1.000 (skipped for too few anomalies: leak (3 anomalies), none (0 anomalies))',
    );
  });

  it('fails when one checked stratum fails, naming it and its value', () => {
    const r = grade(
      metric('fadeblind', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(0.5),
    );
    expect(r.state).toBe('failed');
    expect(r.strata?.find((s) => s.stratum === 'fade')?.state).toBe('failed');
    expect(r.strata?.find((s) => s.stratum === 'short')?.state).toBe('passed');
    expect(r.strata?.find((s) => s.stratum === 'fade')?.reason).toBe(
      'expected fadeblind recall[failure_type=fade] > 0.5, got 0.118',
    );
    expect(r.message).toContain(
      'expected fadeblind recall > 0.5 in every stratum of failure_type; failed in 1 of 2 checked: fade 0.118',
    );
    expect(r.message).toContain('passed: short 1.000');
  });

  it('fails when every stratum is skipped, and says why', () => {
    const r = grade(metric('perfect', 'recall', { by: 'site' }).each.toBeGreaterThan(0.5));
    expect(r.state).toBe('failed');
    expect(
      r.strata?.every((s) => s.state === 'skipped' && s.reason === 'too few anomalies (4)'),
    ).toBe(true);
    expect(r.message).toMatch(
      /^no stratum of site has enough anomalies to check perfect recall > 0\.5: every stratum has fewer anomalies than the suite's minPositives \(site0 \(4 anomalies\), /,
    );
    expect(r.message).toContain('lower minPositives');
  });

  it('works with every matcher, and compares stratum by stratum against another model on the same column', () => {
    expect(
      grade(metric('good', 'roc_auc', { by: 'failure_type' }).each.toBeWithin(0.8, 1)).state,
    ).toBe('passed');
    expect(
      grade(metric('good', 'roc_auc', { by: 'failure_type', ci: 'low' }).each.toBeGreaterThan(0.7))
        .state,
    ).toBe('passed');
    expect(grade(metric('random', 'roc_auc', { by: 'failure_type' }).each.toCover(0.5)).state).toBe(
      'passed',
    );
    const vs = grade(
      metric('good', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(
        metric('fadeblind', 'recall', { by: 'failure_type' }),
      ),
    );
    expect(vs.state).toBe('failed'); // short: 0.95 vs 1.00
    expect(vs.strata?.find((s) => s.stratum === 'fade')).toMatchObject({
      state: 'passed',
      reason: 'good recall[failure_type=fade] 0.941 > fadeblind recall[failure_type=fade] 0.118',
    });
    expect(vs.strata?.find((s) => s.stratum === 'short')?.state).toBe('failed');
    expect(
      grade(
        metric('fadeblind', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(
          metric('random', 'roc_auc'),
        ),
      ).state,
    ).toBe('failed');
  });

  it('errors without by, with a stratum, on an unknown metric even when every stratum would be skipped', () => {
    expect(grade(metric('good', 'recall').each.toBeGreaterThan(0.5))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining(
        ".each checks every stratum of a breakdown column, and none was given; use metric('good', 'recall', { by: 'failure_type' }).each",
      ),
    });
    expect(
      grade(
        metric('good', 'recall', { by: 'failure_type', stratum: 'short' }).each.toBeGreaterThan(
          0.5,
        ),
      ),
    ).toMatchObject({
      state: 'errored',
      message: expect.stringContaining("stratum: 'short' contradicts it"),
    });
    expect(grade(metric('good', 'f1', { by: 'site' }).each.toBeGreaterThan(0.5))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('unknown metric "f1"'),
    });
    expect(
      grade(metric('good', 'recall', { by: 'nope' }).each.toBeGreaterThan(0.5)).message,
    ).toContain('unknown breakdown column "nope"');
    expect(
      grade(metric('crashed', 'recall', { by: 'failure_type' }).each.toBeGreaterThan(0.5)).message,
    ).toContain('did not produce scores');
  });
});
