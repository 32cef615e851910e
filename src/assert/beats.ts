/**
 * `model(a).toBeat(b)`: is model a better than model b on this data? With `test: 'delong'` a
 * higher AUC is not enough: the paired DeLong test must find the difference significant, so a
 * lucky draw on a small test split does not pass the gate.
 */
import { delongPairedTest, metricDirection, MIN_DELONG_CLASS } from '../metrics/index.ts';
import { isUndefinedMetric } from '../metrics/types.ts';
import { bareReason, given, measured, measuredAgainst, pValue } from './format.ts';
import { errored, readSource, resolveCase, type Outcome, type ScoredCase } from './read.ts';
import type { AssertionSpec, GradedCase } from './types.ts';

type BeatsSpec = Extract<AssertionSpec, { kind: 'beats' }>;

/** What grading a `beats` spec yields (the grader adds id, spec and location). */
export interface BeatsVerdict {
  readonly state: 'passed' | 'failed' | 'errored';
  readonly message: string;
  readonly actual: number | null;
  readonly expected: string;
  readonly pValue?: number;
  /** Failed because a value it reads is undefined (see Verdict in compare.ts). */
  readonly unmeasured?: true;
}

/** Labels and both models' scores on the same systems in the same order. */
interface Paired {
  readonly y: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

function examples(ids: readonly string[]): string {
  return ids.slice(0, 3).join(', ') + (ids.length > 3 ? ', …' : '');
}

/**
 * Pair two cases system by system. The runner scores every model on the same split, so the ids
 * usually match in order; a plugin run elsewhere (scores.csv) may list them in another order,
 * which is fine; different systems are not, since the test is only valid on paired samples.
 */
export function pairCases(
  model: string,
  a: ScoredCase,
  other: string,
  b: ScoredCase,
): Outcome<Paired> {
  for (const [name, c] of [
    [model, a],
    [other, b],
  ] as const) {
    if (c.y.length !== c.scores.length || c.y.length !== c.systemIds.length) {
      return errored(
        `model "${name}" has ${c.y.length} labels, ${c.scores.length} scores and ${c.systemIds.length} system ids; they must align`,
      );
    }
  }
  const index = new Map<string, number>();
  b.systemIds.forEach((id, i) => index.set(id, i));
  const onlyA = a.systemIds.filter((id) => !index.has(id));
  const inA = new Set(a.systemIds);
  const onlyB = b.systemIds.filter((id) => !inA.has(id));
  if (
    onlyA.length > 0 ||
    onlyB.length > 0 ||
    inA.size !== a.systemIds.length ||
    index.size !== b.systemIds.length
  ) {
    const parts: string[] = [];
    if (onlyA.length > 0) parts.push(`${onlyA.length} only in ${model} (${examples(onlyA)})`);
    if (onlyB.length > 0) parts.push(`${onlyB.length} only in ${other} (${examples(onlyB)})`);
    if (parts.length === 0) parts.push('a system id is listed twice');
    return errored(
      `${model} and ${other} were not scored on the same systems, so they cannot be compared pairwise: ${parts.join('; ')}`,
    );
  }
  const bScores = new Float64Array(a.y.length);
  for (let i = 0; i < a.systemIds.length; i++) {
    const j = index.get(a.systemIds[i]!)!;
    if (a.y[i] !== b.y[j])
      return errored(`${model} and ${other} disagree on the label of system "${a.systemIds[i]}"`);
    bScores[i] = b.scores[j]!;
  }
  return { ok: true, value: { y: a.y, a: a.scores, b: bScores } };
}

/** Grade `model(a).toBeat(b, { on, test, alpha })`. */
export function gradeBeats(
  spec: BeatsSpec,
  cases: Readonly<Record<string, GradedCase>>,
): BeatsVerdict {
  const { model, other, on, test, alpha } = spec;
  // A lower fpr, fewer false alarms or a shorter delay is the better one: "beats" follows the metric.
  const direction = test === 'none' ? metricDirection(on) : 'higher';
  const expected =
    test === 'delong'
      ? `> ${other} (p < ${given(alpha)})`
      : `${direction === 'lower' ? '<' : '>'} ${other}`;
  const fail = (
    state: 'failed' | 'errored',
    message: string,
    actual: number | null = null,
  ): BeatsVerdict => ({ state, message, actual, expected });
  if (model === other)
    return fail('errored', `${model} cannot beat itself: name another model in toBeat`);
  if (test !== 'delong' && test !== 'none')
    return fail('errored', `unknown test "${String(test)}" in toBeat (use 'delong' or 'none')`);
  const a = resolveCase(model, cases);
  if (!a.ok) return fail(a.state, a.message);
  const b = resolveCase(other, cases);
  if (!b.ok) return fail(b.state, b.message);
  for (const [name, c] of [
    [model, a.value],
    [other, b.value],
  ] as const) {
    if (!Object.hasOwn(c.summary.metrics, on)) {
      return fail(
        'errored',
        `unknown metric "${on}" for ${name} (known metrics: ${Object.keys(c.summary.metrics).join(', ')})`,
      );
    }
  }
  if (test === 'none' && direction === 'none')
    return fail(
      'errored',
      `${on} is neither better higher nor lower (it is where the alarm is set, not a score of it): toBeat cannot compare on it; use metric('${model}', '${on}').toBeGreaterThan(…) or .toBeLessThan(…)`,
    );
  if (test === 'none') return beatsByValue(spec, a.value, b.value, expected, direction === 'lower');
  if (on !== 'roc_auc')
    return fail(
      'errored',
      `the paired DeLong test compares roc_auc only, not ${on}; use toBeat('${other}', { on: '${on}', test: 'none' })`,
    );
  if (!(alpha > 0 && alpha < 1))
    return fail('errored', `toBeat needs alpha in (0, 1), got ${String(alpha)}`);
  const paired = pairCases(model, a.value, other, b.value);
  if (!paired.ok) return fail(paired.state, paired.message);
  const few = tooFewToTell(paired.value.y);
  if (few)
    return {
      ...fail(
        'failed',
        `cannot tell whether ${model} beats ${other} on roc_auc: ${few}`,
        a.value.summary.metrics[on] ?? null,
      ),
      unmeasured: true,
    };
  const t = delongPairedTest(paired.value.y, paired.value.a, paired.value.b);
  if (isUndefinedMetric(t))
    return {
      ...fail(
        'failed',
        `cannot tell whether ${model} beats ${other} on roc_auc: ${bareReason(t.reason)}`,
        a.value.summary.metrics[on] ?? null,
      ),
      unmeasured: true,
    };
  // The two-sided p halves when the difference points the way we claim; otherwise the evidence is against the claim.
  const p = t.diff > 0 ? t.pValue / 2 : 1 - t.pValue / 2;
  const aucs = `${measuredAgainst(t.aucA, t.aucB)} vs ${measuredAgainst(t.aucB, t.aucA)}`;
  const detail = `paired DeLong, one-sided p ${pValue(p, alpha)}`;
  const base = { actual: t.aucA, expected, pValue: p };
  if (t.diff > 0 && p < alpha) {
    return {
      ...base,
      state: 'passed',
      message: `${model} beats ${other} on roc_auc: ${aucs} (difference ${measured(t.diff)}; ${detail} < ${given(alpha)})`,
    };
  }
  if (t.diff > 0) {
    return {
      ...base,
      state: 'failed',
      message: `expected ${model} to beat ${other} on roc_auc: ${aucs}, but the difference ${measured(t.diff)} is not significant (${detail} >= ${given(alpha)}); more test systems would tell`,
    };
  }
  return {
    ...base,
    state: 'failed',
    message: `expected ${model} to beat ${other} on roc_auc, got ${aucs}: ${model} is not higher (difference ${measured(t.diff)}; ${detail})`,
  };
}

/**
 * Why the paired DeLong test cannot call a win on these labels (fewer than MIN_DELONG_CLASS
 * anomalies or normals, where it is anti-conservative: random "significantly beat" a constant
 * model on 12.5 % of seeds at alpha 0.05 with 3 test anomalies), or undefined.
 */
function tooFewToTell(y: Float64Array): string | undefined {
  let anomalies = 0;
  for (const v of y) anomalies += v;
  const normals = y.length - anomalies;
  if (Math.min(anomalies, normals) >= MIN_DELONG_CLASS) return undefined;
  const [noun, count] = anomalies <= normals ? ['anomalies', anomalies] : ['normals', normals];
  return `too few ${noun} (${count}) for the DeLong test: it needs ${MIN_DELONG_CLASS} anomalies and ${MIN_DELONG_CLASS} normals to be calibrated (with fewer it calls a chance difference significant far more often than alpha); test on more systems`;
}

function beatsByValue(
  spec: BeatsSpec,
  a: ScoredCase,
  b: ScoredCase,
  expected: string,
  lowerIsBetter: boolean,
): BeatsVerdict {
  const { model, other, on } = spec;
  // Read as metric(…) reads it: a zero denominator (precision when nothing is flagged) is
  // undefined, not the 0 scikit-learn reports, which a model "beat" on precision 1.000 vs 0.000.
  const read = (c: ScoredCase, name: string) =>
    readSource(c.summary, { model: name, metric: on }, `${name} ${on}`, name);
  const ra = read(a, model);
  if (!ra.ok) return { state: 'errored', message: ra.message, actual: null, expected };
  const rb = read(b, other);
  if (!rb.ok) return { state: 'errored', message: rb.message, actual: null, expected };
  const va = ra.value.value;
  const vb = rb.value.value;
  if (va === null)
    return {
      state: 'failed',
      message: `${model} ${on} is undefined: ${bareReason(ra.value.reason)}`,
      actual: null,
      expected,
      unmeasured: true,
    };
  if (vb === null)
    return {
      state: 'failed',
      message: `cannot compare with ${other}: ${other} ${on} is undefined: ${bareReason(rb.value.reason)}`,
      actual: va,
      expected,
      unmeasured: true,
    };
  const values = `${measuredAgainst(va, vb)} vs ${measuredAgainst(vb, va)}`;
  const better = lowerIsBetter ? ' (lower is better)' : '';
  const wins = lowerIsBetter ? va < vb : va > vb;
  return wins
    ? {
        state: 'passed',
        message: `${model} beats ${other} on ${on}${better}: ${values}`,
        actual: va,
        expected,
      }
    : {
        state: 'failed',
        message: `expected ${model} to beat ${other} on ${on}${better}, got ${values}`,
        actual: va,
        expected,
      };
}
