import { describe, expect, it } from 'vitest';
import {
  createExpectApi,
  gradeAssertions,
  type AssertionResult,
  type AssertionSpec,
  type GradedCase,
} from '../../../src/assert/index.ts';
import { delongPairedTest } from '../../../src/metrics/delong.ts';
import { allNormalCases, cases, scoredCase, smallCases, value } from './cases.ts';

const { model } = createExpectApi();

function grade(
  spec: AssertionSpec,
  on: Readonly<Record<string, GradedCase>> = cases,
): AssertionResult {
  return gradeAssertions([spec], on)[0]!;
}

function scored(name: string, on: Readonly<Record<string, GradedCase>> = cases) {
  const c = on[name];
  if (c?.state !== 'scored') throw new Error(`fixture: ${name} is not scored`);
  return c;
}

/** The same case with its systems listed in reverse order. */
function reversed(name: string) {
  const c = scored(name);
  const order = [...c.systemIds.keys()].reverse();
  return {
    ...c,
    y: Float64Array.from(order, (i) => c.y[i]!),
    scores: Float64Array.from(order, (i) => c.scores[i]!),
    systemIds: order.map((i) => c.systemIds[i]!),
  };
}

describe('toBeat with the paired DeLong test', () => {
  it('a clearly better model passes, with both AUCs, the difference and p', () => {
    const r = grade(model('good').toBeat('random'));
    const g = scored('good');
    const t = delongPairedTest(g.y, g.scores, scored('random').scores);
    if (t.value === null) throw new Error('fixture: test undefined');
    expect(r.state).toBe('passed');
    expect(r.pValue).toBeCloseTo(t.pValue / 2, 15);
    expect(r.pValue!).toBeLessThan(1e-6);
    expect(r.actual).toBe(value('good', 'roc_auc'));
    expect(r.expected).toBe('> random (p < 0.05)');
    expect(r.message).toMatch(
      /^good beats random on roc_auc: 0\.927 vs 0\.433 \(difference 0\.495; paired DeLong, one-sided p = \d\.\de-\d+ < 0\.05\)$/,
    );
  });

  it('a slightly better model on a small split fails for lack of significance', () => {
    const r = grade(model('slight').toBeat('base'), smallCases);
    expect(r.state).toBe('failed');
    expect(r.pValue).toBeGreaterThan(0.05);
    expect(r.message).toMatch(
      /^expected slight to beat base on roc_auc: 0\.\d{3} vs 0\.\d{3}, but the difference 0\.0\d\d is not significant \(paired DeLong, one-sided p = 0\.\d{3} >= 0\.05\); more test systems would tell$/,
    );
    // The same data passes without the test: it is higher, just not significantly.
    expect(grade(model('slight').toBeat('base', { test: 'none' }), smallCases).state).toBe(
      'passed',
    );
    // ...and with a lenient alpha.
    expect(grade(model('slight').toBeat('base', { alpha: 0.5 }), smallCases).state).toBe('passed');
  });

  it('the reverse claim fails, with a one-sided p near 1', () => {
    const r = grade(model('random').toBeat('good'));
    expect(r.state).toBe('failed');
    expect(r.pValue!).toBeGreaterThan(0.999);
    expect(r.message).toMatch(
      /^expected random to beat good on roc_auc, got 0\.433 vs 0\.927: random is not higher \(difference -0\.495; paired DeLong, one-sided p = 1\.000\)$/,
    );
  });

  it('pairs systems by id when the order differs', () => {
    const shuffled = { ...cases, random: reversed('random') };
    const a = grade(model('good').toBeat('random'));
    const b = grade(model('good').toBeat('random'), shuffled);
    expect(b.state).toBe('passed');
    expect(b.pValue).toBeCloseTo(a.pValue!, 12);
  });

  it('errors when the two models were scored on different systems', () => {
    const c = scored('random');
    const other = scoredCase(
      [...c.y],
      [...c.scores],
      {},
      c.systemIds.map((id, i) => (i < 4 ? `x${i}` : id)),
    );
    const r = grade(model('good').toBeat('random'), { ...cases, random: other });
    expect(r.state).toBe('errored');
    expect(r.message).toBe(
      'good and random were not scored on the same systems, so they cannot be compared pairwise: 4 only in good (s000, s001, s002, …); 4 only in random (x0, x1, x2, …)',
    );
  });

  it('fails, with the reason, when the test is undefined', () => {
    const on = { ...allNormalCases, other: allNormalCases['quiet']! };
    expect(grade(model('quiet').toBeat('other'), on)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(
        /^cannot tell whether quiet beats other on roc_auc: too few anomalies \(0\) for the DeLong test: it needs 15 anomalies and 15 normals/,
      ),
    });
  });

  it('refuses to call a win on fewer anomalies or normals than the test is calibrated for', () => {
    // A perfect model against a constant one on 2 anomalies and 3 normals passed with p = 0.
    const tiny = {
      perfect: scoredCase([1, 1, 0, 0, 0], [0.9, 0.8, 0.1, 0.2, 0.3]),
      flat: scoredCase([1, 1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5]),
    };
    const r = grade(model('perfect').toBeat('flat'), tiny);
    expect(r).toMatchObject({
      state: 'failed',
      message:
        'cannot tell whether perfect beats flat on roc_auc: too few anomalies (2) for the DeLong test: it needs 15 anomalies and 15 normals to be calibrated (with fewer it calls a chance difference significant far more often than alpha); test on more systems',
    });
    expect(r.pValue).toBeUndefined();
    // Nothing was measured: fails(…) does not turn it into a pass.
    const { fails } = createExpectApi();
    expect(grade(fails(model('perfect').toBeat('flat'), 'x'), tiny).state).toBe('failed');
    // 14 anomalies among 60 systems: still too few; the normals count too.
    const y14 = Array.from({ length: 60 }, (_, i) => (i < 14 ? 1 : 0));
    const fewNormals = Array.from({ length: 60 }, (_, i) => (i < 46 ? 1 : 0));
    for (const [y, noun] of [
      [y14, 'anomalies (14)'],
      [fewNormals, 'normals (14)'],
    ] as const) {
      const on = {
        a: scoredCase(
          y,
          y.map((l, i) => l + i / 1000),
        ),
        b: scoredCase(
          y,
          y.map(() => 0.5),
        ),
      };
      expect(grade(model('a').toBeat('b'), on).message).toContain(`too few ${noun}`);
    }
  });

  it('errors on what it cannot grade', () => {
    expect(grade(model('good').toBeat('nope')).message).toBe(
      'unknown model "nope" (models in this suite: perfect, random, good, fadeblind, crashed)',
    );
    expect(grade(model('crashed').toBeat('good')).message).toContain(
      'model "crashed" did not produce scores',
    );
    expect(grade(model('good').toBeat('good'))).toMatchObject({
      state: 'errored',
      message: 'good cannot beat itself: name another model in toBeat',
    });
    expect(grade(model('good').toBeat('random', { on: 'recall' }))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining("test: 'none'"),
    });
    expect(grade(model('good').toBeat('random', { on: 'aucroc', test: 'none' })).message).toContain(
      'unknown metric "aucroc"',
    );
    expect(grade(model('good').toBeat('random', { alpha: 5 })).message).toContain(
      'alpha in (0, 1)',
    );
  });
});

describe("toBeat with test: 'none'", () => {
  it('a lower-is-better metric is won by the lower value; one with no better direction is an error', () => {
    const fpr = (m: string) => value(m, 'fpr')!;
    expect(fpr('good')).toBeLessThan(fpr('random'));
    // random flags more normals than good: it beat good "on fpr" (va > vb) before.
    expect(grade(model('random').toBeat('good', { on: 'fpr', test: 'none' }))).toMatchObject({
      state: 'failed',
      expected: '< good',
      message: `expected random to beat good on fpr (lower is better), got ${fpr('random').toFixed(3)} vs ${fpr('good').toFixed(3)}`,
    });
    expect(grade(model('good').toBeat('random', { on: 'fpr', test: 'none' }))).toMatchObject({
      state: 'passed',
      message: `good beats random on fpr (lower is better): ${fpr('good').toFixed(3)} vs ${fpr('random').toFixed(3)}`,
    });
    expect(grade(model('good').toBeat('random', { on: 'threshold', test: 'none' }))).toMatchObject({
      state: 'errored',
      message: expect.stringContaining('threshold is neither better higher nor lower'),
    });
  });

  it('passes when the metric is strictly greater', () => {
    expect(grade(model('good').toBeat('random', { on: 'recall', test: 'none' }))).toMatchObject({
      state: 'passed',
      expected: '> random',
      message: 'good beats random on recall: 0.950 vs 0.450',
    });
    expect(grade(model('random').toBeat('good', { on: 'recall', test: 'none' }))).toMatchObject({
      state: 'failed',
      message: 'expected random to beat good on recall, got 0.450 vs 0.950',
    });
    expect(
      grade(model('perfect').toBeat('perfect2', { test: 'none' }), {
        perfect: cases['perfect']!,
        perfect2: cases['perfect']!,
      }).state,
    ).toBe('failed');
  });
});
