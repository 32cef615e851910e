/**
 * `.each` on a metric measured on normals (the false-alarm rate) skips a stratum only when it
 * has no normal, not when it has few anomalies: by operational mode, a mode of 4 normals
 * alarming 30.7 times a month was "skipped for too few anomalies (0)" and the gate passed.
 */
import { describe, expect, it } from 'vitest';
import { createExpectApi, gradeAssertions, type GradedCase } from '../../../src/assert/index.ts';
import { scoredCase } from './cases.ts';

const { metric } = createExpectApi();

// quiet: 6 anomalies + 10 normals; noisy: 4 normals only; failing: 6 anomalies only.
const mode = [
  ...Array<string>(6).fill('quiet'),
  ...Array<string>(6).fill('failing'),
  ...Array<string>(10).fill('quiet'),
  ...Array<string>(4).fill('noisy'),
];
const y = mode.map((_, i) => (i < 12 ? 1 : 0));
const rate: Record<string, number | null> = { quiet: 0.1, noisy: 30.7, failing: null };

function withRates(c: Extract<GradedCase, { state: 'scored' }>): GradedCase {
  const cells = c.summary.breakdown['mode']!.map((cell) => ({
    ...cell,
    metrics: { ...cell.metrics, false_alarms_per_system_month: rate[cell.stratum]! },
    undefined:
      rate[cell.stratum] === null
        ? { ...cell.undefined, false_alarms_per_system_month: 'no normal systems' }
        : cell.undefined,
  }));
  return { ...c, summary: { ...c.summary, breakdown: { ...c.summary.breakdown, mode: cells } } };
}

const cases = {
  m: withRates(
    scoredCase(
      y,
      y.map((l) => l * 0.9),
      { mode },
    ),
  ),
};
const grade = (than: number) =>
  gradeAssertions(
    [metric('m', 'false_alarms_per_system_month', { by: 'mode' }).each.toBeLessThan(than)],
    cases,
  )[0]!;

describe('.each on false_alarms_per_system_month', () => {
  it('checks a stratum of normals whatever its anomalies, and skips one without normals', () => {
    const r = grade(0.5);
    expect(r.state).toBe('failed');
    expect(r.strata?.map((s) => [s.stratum, s.state])).toEqual([
      ['failing', 'skipped'],
      ['noisy', 'failed'],
      ['quiet', 'passed'],
    ]);
    expect(r.strata?.[0]!.reason).toBe('too few normals (0)');
    expect(r.message).toContain('failed in 1 of 2 checked: noisy 30.700');
    expect(r.message).toContain('skipped for too few normals: failing (0 normals)');
  });

  it('passes when every stratum with normals passes', () => {
    expect(grade(50).state).toBe('passed');
  });

  it('a one-score metric still skips by anomalies', () => {
    const r = gradeAssertions(
      [metric('m', 'recall', { by: 'mode' }).each.toBeGreaterThan(0.5)],
      cases,
    )[0]!;
    expect(r.strata?.find((s) => s.stratum === 'noisy')).toMatchObject({
      state: 'skipped',
      reason: 'too few anomalies (0)',
    });
  });
});
