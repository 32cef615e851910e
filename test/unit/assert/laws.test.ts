import { describe, expect, it } from 'vitest';
import { createExpectApi } from '../../../src/assert/expect.ts';
import { lawMeasureKey } from '../../../src/assert/laws.ts';
import { scoredCase, y } from './cases.ts';
import { gradeAssertions } from '../../../src/assert/grade.ts';
import type { LawOutcome } from '../../../src/assert/types.ts';

const { model, metric, fails } = createExpectApi();
const grade = (
  spec: ReturnType<typeof model>['toBeMonotoneInSeverity'] extends (...a: never[]) => infer R
    ? R
    : never,
  outcome?: LawOutcome,
) =>
  gradeAssertions(
    [spec],
    {},
    outcome && spec.kind === 'law'
      ? { m: { [lawMeasureKey(spec.law, spec.options)]: outcome } }
      : {},
  )[0]!;

describe('metamorphic law grading', () => {
  it('severity: passes when the mean never falls, fails naming the failure types where it does', () => {
    const up: LawOutcome = {
      law: 'severity_monotonicity',
      levels: [
        { severity: 0.25, mean: 1 },
        { severity: 0.5, mean: 1 },
        { severity: 1, mean: 2 },
      ],
      byType: { a: [1, 1, 2] },
      systems: 3,
    };
    expect(grade(model('m').toBeMonotoneInSeverity(), up).state).toBe('passed');
    const down: LawOutcome = {
      ...up,
      levels: [
        { severity: 0.25, mean: 2 },
        { severity: 0.5, mean: 1.5 },
        { severity: 1, mean: 1.6 },
      ],
      byType: { a: [1, 1, 2], thermal_runaway: [3, 2, 1.8] },
    };
    const r = grade(model('m').toBeMonotoneInSeverity(), down);
    expect(r.state).toBe('failed');
    expect(r.message).toContain('it falls for thermal_runaway');
    expect(r.actual).toEqual({ '0.25': 2, '0.5': 1.5, '1': 1.6 });
    expect(grade(model('m').toBeMonotoneInSeverity({ tolerance: 0.6 }), down).state).toBe('passed');
  });

  it('dropout: the false-alarm rate may rise by at most maxIncrease', () => {
    const o: LawOutcome = {
      law: 'dropout_robustness',
      farClean: 0.05,
      farDropout: 0.2,
      normals: 40,
      rate: 0.05,
    };
    expect(grade(model('m').toTolerateDropouts(), o).state).toBe('failed');
    expect(grade(model('m').toTolerateDropouts({ maxIncrease: 0.15 }), o).state).toBe('passed');
  });

  /** The id-shuffle law measured on 60 test systems, 15 of them anomalies. */
  const shuffle = (o: Partial<Extract<LawOutcome, { aucReal: number }>>): LawOutcome => ({
    law: 'label_shuffle',
    aucReal: 0.8,
    aucShuffled: 0.8,
    pValue: 1,
    changed: 0,
    systems: 60,
    anomalies: 15,
    normals: 45,
    ...o,
  });
  const idShuffle = (o: Parameters<typeof shuffle>[0], alpha?: number) =>
    grade(model('m').toBeChanceOnShuffledLabels(alpha === undefined ? {} : { alpha }), shuffle(o));

  it('id shuffle: scores that follow the series pass, whatever the sample size', () => {
    const r = idShuffle({ anomalies: 2, normals: 3, systems: 5 });
    expect(r.state).toBe('passed');
    expect(r.message).toBe(
      "m's scores follow the series, not the id: the 5 test series scored under each other's ids got the same scores (AUC 0.800 with the ids shuffled vs 0.800 with the real ids)",
    );
  });

  it('id shuffle: an AUC lost under other ids fails at alpha (0.01 unless given), naming both AUCs and p', () => {
    const leak = idShuffle({ aucShuffled: 0.49, aucReal: 1, pValue: 0.0002, changed: 20 });
    expect(leak.state).toBe('failed');
    expect(leak.message).toBe(
      "expected m's AUC to hold when the test series are scored under each other's system ids, got AUC 0.490 with the ids shuffled vs 1.000 with the real ids (paired DeLong, one-sided p = 0.0002 < 0.01): its scores carry the label through the id, not the series, which points at a leak (an answer key read from disk, a feature table joined on system_id, ids that encode the label)",
    );
    expect(leak.actual).toBe(0.49);
    const chance = { aucShuffled: 0.46, aucReal: 0.58, pValue: 0.03, changed: 60 };
    expect(idShuffle(chance)).toMatchObject({
      state: 'passed',
      message:
        "m's AUC holds with the test ids shuffled: AUC 0.460 with the ids shuffled vs 0.580 with the real ids (paired DeLong, one-sided p = 0.0300 ≥ 0.01; 60 of 60 scores changed)",
    });
    expect(idShuffle(chance, 0.05).state).toBe('failed');
  });

  it('id shuffle: scores that changed on too few anomalies cannot be called id-free, and fails(…) does not pass on it', () => {
    const few = {
      anomalies: 4,
      normals: 11,
      systems: 15,
      changed: 6,
      aucShuffled: 0.7,
      pValue: 0.2,
    };
    const r = idShuffle(few);
    expect(r.state).toBe('failed');
    expect(r.message).toMatch(
      /^cannot tell whether m's scores come from the system id: too few anomalies \(4\) for the DeLong test \(it needs 15 of each\), and 6 of 15 scores changed/,
    );
    const documented = grade(fails(model('m').toBeChanceOnShuffledLabels(), 'x'), shuffle(few));
    expect(documented.state).toBe('failed');
    expect(documented.message).toContain('it measured nothing');
    // Strong evidence on a small split still fails as a leak, and says the test is not calibrated there.
    const leak = idShuffle({ ...few, pValue: 0.001 });
    expect(leak.state).toBe('failed');
    expect(leak.message).toContain('points at a leak');
    expect(leak.message).toContain('on 4 anomalies the test is not calibrated');
  });

  it('a law that was not measured, or could not be, is errored, never passed', () => {
    expect(grade(model('m').toBeMonotoneInSeverity()).state).toBe('errored');
    expect(
      grade(model('m').toBeMonotoneInSeverity(), {
        law: 'severity_monotonicity',
        error: 'needs a scenario dataset',
      }).message,
    ).toContain('needs a scenario dataset');
  });

  /** A model whose false-alarm rate rises from 0 to 0.5 with dropouts: the law fails. */
  const down: LawOutcome = {
    law: 'dropout_robustness',
    farClean: 0,
    farDropout: 0.5,
    normals: 10,
    rate: 0.05,
  };

  it('fails(…) turns a known failure into a pass, and a surprise pass into a failure', () => {
    const known = grade(fails(model('m').toTolerateDropouts(), 'flags any gap by design'), down);
    expect(known.state).toBe('passed');
    expect(known.message).toMatch(/^expected failure \(flags any gap by design\): /);
    const fine: LawOutcome = { ...down, farDropout: 0 };
    const surprise = grade(fails(model('m').toTolerateDropouts(), 'flags any gap by design'), fine);
    expect(surprise.state).toBe('failed');
    expect(surprise.message).toContain('remove fails(…)');
    // an errored check stays errored under fails(): it did not run
    const errored = gradeAssertions(
      [fails(metric('nope', 'roc_auc').toBeGreaterThan(0.5), 'x')],
      {},
    )[0]!;
    expect(errored.state).toBe('errored');
  });

  it('fails(…) with no reason, or twice, is an errored assertion: it once graded as if written once', () => {
    const twice = grade(fails(fails(model('m').toTolerateDropouts(), 'a'), 'b'), down);
    expect(twice).toMatchObject({
      state: 'errored',
      message: 'fails(…) of an assertion already in fails(…) ("a"): wrap it once',
    });
    const noReason = grade(fails(model('m').toTolerateDropouts(), '' as string), down);
    expect(noReason.state).toBe('errored');
    expect(noReason.message).toContain('needs the reason');
  });

  it('two assertions of one law with other measuring options read their own measurement, not the last one', () => {
    const half: LawOutcome = {
      law: 'dropout_robustness',
      farClean: 0,
      farDropout: 1,
      normals: 10,
      rate: 0.5,
    };
    const light: LawOutcome = { ...half, farDropout: 0, rate: 0.01 };
    const specs = [
      model('m').toTolerateDropouts({ rate: 0.5, maxIncrease: 0 }),
      model('m').toTolerateDropouts({ rate: 0.01 }),
    ];
    const laws = {
      m: {
        [lawMeasureKey('dropout_robustness', { rate: 0.5 })]: half,
        [lawMeasureKey('dropout_robustness', { rate: 0.01 })]: light,
      },
    };
    expect(gradeAssertions(specs, {}, laws).map((r) => r.state)).toEqual(['failed', 'passed']);
    // Grading options share a measurement; measuring options do not.
    expect(lawMeasureKey('dropout_robustness', { rate: 0.5, maxIncrease: 0 })).toBe(
      lawMeasureKey('dropout_robustness', { rate: 0.5 }),
    );
    expect(lawMeasureKey('label_shuffle', { alpha: 0.05 })).toBe(
      lawMeasureKey('label_shuffle', {}),
    );
  });

  it('law option values out of bounds are errored assertions, not defaults or NaN comparisons', () => {
    const bad = [
      model('m').toBeMonotoneInSeverity({ tolerance: NaN }),
      model('m').toBeMonotoneInSeverity({ tolerance: 'x' as unknown as number }),
      model('m').toTolerateDropouts({ rate: 1.5 }),
      model('m').toTolerateDropouts({ maxIncrease: -0.1 }),
      model('m').toBeChanceOnShuffledLabels({ alpha: 1 }),
    ];
    expect(gradeAssertions(bad, {}).map((r) => [r.state, r.message])).toEqual([
      [
        'errored',
        "model('m').toBeMonotoneInSeverity: option tolerance must be a finite number >= 0, got NaN",
      ],
      [
        'errored',
        'model(\'m\').toBeMonotoneInSeverity: option tolerance must be a finite number >= 0, got "x"',
      ],
      ['errored', "model('m').toTolerateDropouts: option rate must be a share in (0, 1), got 1.5"],
      [
        'errored',
        "model('m').toTolerateDropouts: option maxIncrease must be a rate rise in [0, 1], got -0.1",
      ],
      [
        'errored',
        "model('m').toBeChanceOnShuffledLabels: option alpha must be a significance level in (0, 1), got 1",
      ],
    ]);
  });

  it('fails(…) of a check that measured nothing stays failed: a 0/0 metric, an .each with no stratum checked, toBeat on an undefined value', () => {
    // flat flags nothing: its precision is 0/0; every site stratum has 4 anomalies, under minPositives 5.
    const site = y.map((_, i) => `site${i % 10}`);
    const cases = {
      flat: scoredCase(
        y,
        y.map(() => 0.1),
        { site },
      ),
      good: scoredCase(
        y,
        y.map((l, i) => (l === 1 ? 0.9 : 0.1 + i / 1e4)),
        { site },
      ),
    };
    const graded = gradeAssertions(
      [
        fails(metric('flat', 'precision').toBeGreaterThan(0.5), 'flags nothing yet'),
        fails(metric('good', 'roc_auc', { by: 'site' }).each.toBeGreaterThan(0.99), 'thin'),
        fails(model('good').toBeat('flat', { on: 'precision', test: 'none' }), 'x'),
        model('good').toBeat('flat', { on: 'precision', test: 'none' }),
        // A measured failure still turns into a pass.
        fails(metric('flat', 'recall').toBeGreaterThan(0.5), 'flags nothing yet'),
      ],
      cases,
    );
    expect(graded.map((r) => r.state)).toEqual(['failed', 'failed', 'failed', 'failed', 'passed']);
    expect(graded[0]!.message).toMatch(
      /^fails\(…\) \(flags nothing yet\) needs the check to measure a failure, and it measured nothing: flat precision is undefined: its denominator is 0/,
    );
    expect(graded[3]!.message).toMatch(/^cannot compare with flat: flat precision is undefined/);
    expect(graded.every((r) => !('unmeasured' in r))).toBe(true);
  });
});
