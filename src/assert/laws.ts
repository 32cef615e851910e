/**
 * Grading of the metamorphic laws. The runner measures each law (src/runner/laws.ts); this
 * turns a measurement into a verdict and a sentence.
 */
import { MIN_DELONG_CLASS } from '../metrics/index.ts';
import type { AssertionResult, AssertionSpec, LawName, LawOptions, LawOutcome } from './types.ts';

/**
 * Which measurement of a model a law assertion reads: the law with the options the measurement
 * depends on (dropouts: `rate`). Two assertions of one law with other such options are two
 * measurements: one kept per law graded both on the last one
 * (`toTolerateDropouts({ rate: 0.5, maxIncrease: 0 })` passed on a 1 % dropout measured for the
 * next line). Grading options (`tolerance`, `maxIncrease`, `alpha`) are not part of it.
 */
export function lawMeasureKey(law: LawName, options: LawOptions): string {
  if (law === 'dropout_robustness') return `${law}:rate=${options.rate ?? 'default'}`;
  return law;
}

/** The option values a law accepts, as a sentence naming the first one out of bounds, or undefined. */
export function lawOptionsProblem(options: LawOptions, matcher: string): string | undefined {
  const bad = (key: string, want: string) =>
    `${matcher}: option ${key} must be ${want}, got ${typeof (options as Record<string, unknown>)[key] === 'string' ? JSON.stringify((options as Record<string, unknown>)[key]) : String((options as Record<string, unknown>)[key])}`;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const { tolerance, maxIncrease, rate, alpha } = options as Record<string, unknown>;
  if (tolerance !== undefined && !(num(tolerance) && tolerance >= 0))
    return bad('tolerance', 'a finite number >= 0');
  if (maxIncrease !== undefined && !(num(maxIncrease) && maxIncrease >= 0 && maxIncrease <= 1))
    return bad('maxIncrease', 'a rate rise in [0, 1]');
  if (rate !== undefined && !(num(rate) && rate > 0 && rate < 1))
    return bad('rate', 'a share in (0, 1)');
  if (alpha !== undefined && !(num(alpha) && alpha > 0 && alpha < 1))
    return bad('alpha', 'a significance level in (0, 1)');
  return undefined;
}

type LawSpec = Extract<AssertionSpec, { kind: 'law' }>;
/**
 * A result before the grader stamps id, spec and location on it. `unmeasured`: it failed because
 * a value it reads is undefined (a 0/0 precision, an `.each` with no stratum checked); the
 * grader drops the flag, which only {@link applyExpectedFailure} reads.
 */
export type Graded = Omit<AssertionResult, 'id' | 'spec' | 'location'> & {
  readonly unmeasured?: true;
};

const f3 = (x: number): string => x.toFixed(3);

/** Default one-sided alpha of the id-shuffle law: an honest model with random scores fails it 1 time in 100. */
const ID_SHUFFLE_ALPHA = 0.01;

/**
 * The id-shuffle law (`toBeChanceOnShuffledLabels`): the AUC of the test series scored under
 * each other's ids must not be lower than under their own (runner/laws.ts measures it).
 */
function gradeIdShuffle(
  spec: LawSpec,
  o: Extract<LawOutcome, { law: 'label_shuffle'; aucReal: number }>,
): Graded {
  const alpha = spec.options.alpha ?? ID_SHUFFLE_ALPHA;
  const expected = expectedOfLaw(spec);
  const aucs = `AUC ${f3(o.aucShuffled)} with the ids shuffled vs ${f3(o.aucReal)} with the real ids`;
  const base = { actual: o.aucShuffled, expected };
  if (o.changed === 0)
    return {
      ...base,
      state: 'passed',
      message: `${spec.model}'s scores follow the series, not the id: the ${o.systems} test series scored under each other's ids got the same scores (${aucs})`,
    };
  const few = Math.min(o.anomalies, o.normals);
  const fewNoun = o.anomalies < o.normals ? 'anomalies' : 'normals';
  const calibrated = few >= MIN_DELONG_CLASS;
  const test = `paired DeLong, one-sided p ${pText(o.pValue)}`;
  if (o.pValue < alpha)
    return {
      ...base,
      state: 'failed',
      message: `expected ${spec.model}'s AUC to hold when the test series are scored under each other's system ids, got ${aucs} (${test} < ${alpha}): its scores carry the label through the id, not the series, which points at a leak (an answer key read from disk, a feature table joined on system_id, ids that encode the label)${calibrated ? '' : `; on ${few} ${fewNoun} the test is not calibrated (it needs ${MIN_DELONG_CLASS} of each), so test on more systems to be sure`}`,
    };
  // Too few to call the scores id-free: a leak this small a test split cannot show would pass.
  if (!calibrated)
    return {
      ...base,
      state: 'failed',
      message: `cannot tell whether ${spec.model}'s scores come from the system id: too few ${fewNoun} (${few}) for the DeLong test (it needs ${MIN_DELONG_CLASS} of each), and ${o.changed} of ${o.systems} scores changed under other ids (${aucs}, ${test}); test on more systems`,
      unmeasured: true,
    };
  return {
    ...base,
    state: 'passed',
    message: `${spec.model}'s AUC holds with the test ids shuffled: ${aucs} (${test} ≥ ${alpha}; ${o.changed} of ${o.systems} scores changed)`,
  };
}

const pText = (p: number): string => (p < 1e-4 ? '< 0.0001' : `= ${p.toFixed(4)}`);

/** The verdict of one law for one model, from the runner's measurement (undefined: not measured). */
export function gradeLaw(spec: LawSpec, outcome: LawOutcome | undefined): Graded {
  const expected = expectedOfLaw(spec);
  if (!outcome)
    return {
      state: 'errored',
      message: `${spec.model}: law ${spec.law} was not measured (is "${spec.model}" a model of this suite, and did it score?)`,
      actual: null,
      expected,
    };
  if ('error' in outcome)
    return {
      state: 'errored',
      message: `${spec.model} ${spec.law}: ${outcome.error}`,
      actual: null,
      expected,
    };
  switch (outcome.law) {
    case 'severity_monotonicity': {
      const tol = spec.options.tolerance ?? 0;
      const means = outcome.levels.map((l) => l.mean);
      const drops = outcome.levels.slice(1).filter((l, i) => l.mean < means[i]! - tol);
      const series = outcome.levels.map((l) => `${l.severity}: ${f3(l.mean)}`).join(', ');
      const worstTypes = Object.entries(outcome.byType)
        .filter(([, m]) => m.some((v, i) => i > 0 && v < m[i - 1]! - tol))
        .map(([t]) => t);
      const actual = Object.fromEntries(outcome.levels.map((l) => [String(l.severity), l.mean]));
      return drops.length === 0
        ? {
            state: 'passed',
            message: `${spec.model} scores stronger faults at least as high: mean score by severity ${series} (${outcome.systems} systems × ${Object.keys(outcome.byType).length} failure types)`,
            actual,
            expected,
          }
        : {
            state: 'failed',
            message: `expected ${spec.model}'s mean score not to fall as injected faults get stronger, got ${series}${worstTypes.length ? `; it falls for ${worstTypes.join(', ')}` : ''}`,
            actual,
            expected,
          };
    }
    case 'dropout_robustness': {
      const max = spec.options.maxIncrease ?? 0.1;
      const rise = outcome.farDropout - outcome.farClean;
      const text = `false-alarm rate on ${outcome.normals} normal systems ${f3(outcome.farClean)} → ${f3(outcome.farDropout)} with ${Math.round(outcome.rate * 100)} % of readings dropped`;
      return rise <= max + 1e-12
        ? {
            state: 'passed',
            message: `${spec.model} tolerates dropouts: ${text}`,
            actual: outcome.farDropout,
            expected,
          }
        : {
            state: 'failed',
            message: `expected ${spec.model}'s false-alarm rate to rise by at most ${max} under dropouts, got ${text} (+${f3(rise)})`,
            actual: outcome.farDropout,
            expected,
          };
    }
    case 'label_shuffle':
      return gradeIdShuffle(spec, outcome);
  }
}

export function expectedOfLaw(spec: LawSpec): string {
  switch (spec.law) {
    case 'severity_monotonicity':
      return 'mean score non-decreasing in severity';
    case 'dropout_robustness':
      return `false-alarm rate rises ≤ ${spec.options.maxIncrease ?? 0.1}`;
    case 'label_shuffle':
      return `AUC not lower with the test ids shuffled (p ≥ ${spec.options.alpha ?? ID_SHUFFLE_ALPHA})`;
  }
}

/**
 * An expected failure (`fails(spec, because)`): passing and failing swap, and the message says
 * which limitation it documents. An errored check stays errored: it did not run; a check that
 * failed on an undefined value stays failed: it measured nothing.
 */
export function applyExpectedFailure(graded: Graded, because: string | undefined): Graded {
  if (because === undefined || graded.state === 'errored') return graded;
  // A check that measured nothing documents no limitation: passing it would make fails(…) green
  // on a model that flags nothing (precision 0/0), and it would never "start to hold" and say so.
  if (graded.state === 'failed' && graded.unmeasured)
    return {
      ...graded,
      message: `fails(…) (${because}) needs the check to measure a failure, and it measured nothing: ${graded.message}`,
    };
  if (graded.state === 'failed')
    return {
      ...graded,
      state: 'passed',
      message: `expected failure (${because}): ${graded.message}`,
    };
  return {
    ...graded,
    state: 'failed',
    message: `expected this to fail (${because}), but it held: ${graded.message}; remove fails(…) if the limitation is gone`,
  };
}
