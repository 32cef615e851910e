/**
 * Graded cases for the assertion tests, built from real `evaluateScores` outputs on seeded
 * synthetic scores, so grading is tested against the summaries the runner will hand it.
 */
import { evaluateScores, type StrataColumn } from '../../../src/metrics/evaluate.ts';
import { createRng } from '../../../src/synth/random.ts';
import type { GradedCase } from '../../../src/assert/types.ts';

/** A scored case from labels, scores and strata (ids default to s000, s001, …). */
export function scoredCase(
  y: readonly number[],
  scores: readonly number[],
  strata: Readonly<Record<string, StrataColumn>> = {},
  systemIds: readonly string[] = y.map((_, i) => `s${String(i).padStart(3, '0')}`),
): Extract<GradedCase, { state: 'scored' }> {
  const summary = evaluateScores({ y, scores, strata, systemIds, threshold: 0.5, minPositives: 5 });
  return {
    state: 'scored',
    summary,
    y: Float64Array.from(y),
    scores: Float64Array.from(scores),
    systemIds,
  };
}

// 120 systems: 40 anomalies (short 20, fade 17, leak 3), 80 normals (failure_type none).
const N = 120;
export const y = Array.from({ length: N }, (_, i) => (i < 40 ? 1 : 0));
export const failureType = y.map((_, i) =>
  i < 20 ? 'short' : i < 37 ? 'fade' : i < 40 ? 'leak' : 'none',
);
/** Ten sites with 4 anomalies each: every stratum is too_few at minPositives 5. */
export const site = y.map((_, i) => `site${i % 10}`);
const strata = { failure_type: failureType, site };

const rng = createRng('assert-cases');
const perfect = y.map((l) => (l === 1 ? 1 + rng.next() : 0.9 * rng.next()));
const random = y.map(() => rng.next());
const good = y.map(
  (l) => 1 / (1 + Math.exp(-(l === 1 ? rng.normal(1.5, 1) : rng.normal(-0.5, 1)))),
);
/** Sees shorts perfectly, fades not at all (scores them like normals). */
const fadeBlind = y.map((_, i) =>
  failureType[i] === 'short' ? 0.9 + 0.1 * rng.next() : 0.6 * rng.next(),
);

/** The main suite's cases: a perfect model, a random one, a good one, a fade-blind one, one that crashed. */
export const cases: Readonly<Record<string, GradedCase>> = {
  perfect: scoredCase(y, perfect, strata),
  random: scoredCase(y, random, strata),
  good: scoredCase(y, good, strata),
  fadeblind: scoredCase(y, fadeBlind, strata),
  crashed: {
    state: 'errored',
    error: 'score() threw: TypeError: sensor "temp_cell_max_c" missing',
  },
};

/** The number a case reports for `metric` (throws if the case is not scored: a fixture bug). */
export function value(model: string, metric: string): number | null {
  const c = cases[model];
  if (c?.state !== 'scored') throw new Error(`fixture: ${model} is not scored`);
  return c.summary.metrics[metric] ?? null;
}

/** Every system normal: roc_auc is undefined (null with a reason). */
export const allNormalCases: Readonly<Record<string, GradedCase>> = {
  quiet: scoredCase(
    Array.from({ length: 30 }, () => 0),
    Array.from({ length: 30 }, () => rng.next()),
    {
      failure_type: Array.from({ length: 30 }, () => 'none'),
    },
  ),
};

/**
 * A small split (15 anomalies, 15 normals: the fewest toBeat's DeLong test runs on) where
 * `slight` is `base` with one anomaly lifted to the top: a real but small AUC gain that 30
 * systems cannot show to be significant.
 */
function smallSplit(): Readonly<Record<string, GradedCase>> {
  const r = createRng('assert-small');
  const ys = Array.from({ length: 30 }, (_, i) => (i < 15 ? 1 : 0));
  const base = ys.map((l) => r.normal(l === 1 ? 0.3 : 0, 1));
  const slight = [...base];
  slight[0] = Math.max(...base) + 1;
  return { base: scoredCase(ys, base), slight: scoredCase(ys, slight) };
}
export const smallCases = smallSplit();
