/**
 * Scenario fixtures for property tests of the generator and the pipeline: any mix of mode,
 * season, climate and failure-type weights, anomaly rates of exactly 0, exactly 1 or in
 * between, 1–3 systems over 1–3 days at 5 min – 1 h, data-quality probabilities 0–1 and
 * severity ranges. Every fixture is valid: `resolveScenario` accepts it.
 */
import fc from 'fast-check';
import { CLIMATES, FAILURE_TYPES, OPERATIONAL_MODES, SEASONS } from '../data/index.ts';
import type { LeadTimeDistribution, ScenarioSpec, Weights } from '../synth/types.ts';

/** Options of {@link scenarioSpecArb}. */
export interface ScenarioSpecOptions {
  /** Most systems / days. Default 3 / 3. */
  readonly maxSystems?: number;
  readonly maxDays?: number;
}

/** A share in [0, 1] with both ends common. */
function shareArb(): fc.Arbitrary<number> {
  return fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));
}

/** Weights over `names`, some of them 0, at least one positive. */
export function weightsArb<K extends string>(names: readonly K[]): fc.Arbitrary<Weights<K>> {
  const weight = fc.oneof(
    fc.constant(1),
    fc.constant(0),
    fc.double({ min: 0.01, max: 5, noNaN: true }),
  );
  return fc.array(weight, { minLength: names.length, maxLength: names.length }).map((ws) => {
    const out: Partial<Record<K, number>> = {};
    names.forEach((n, i) => (out[n] = ws[i] ?? 0));
    if (!ws.some((w) => w > 0)) out[names[0] as K] = 1;
    return out;
  });
}

function leadTimeArb(): fc.Arbitrary<LeadTimeDistribution | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc
      .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 120 }))
      .map(([a, b]): LeadTimeDistribution => ({ kind: 'uniform', min: a, max: a + b })),
    fc
      .record({
        median: fc.double({ min: 0.5, max: 60, noNaN: true }),
        sigma: fc.double({ min: 0, max: 1.5, noNaN: true }),
      })
      .map((l): LeadTimeDistribution => ({ kind: 'lognormal', ...l })),
  );
}

/** A valid ScenarioSpec (see the module comment). */
export function scenarioSpecArb(opts: ScenarioSpecOptions = {}): fc.Arbitrary<ScenarioSpec> {
  return fc
    .record({
      systems: fc.integer({ min: 1, max: opts.maxSystems ?? 3 }),
      days: fc.integer({ min: 1, max: opts.maxDays ?? 3 }),
      interval: fc.constantFrom('1h', '5m', '10m', '15m', '30m'),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
      modes: weightsArb(OPERATIONAL_MODES),
      seasons: weightsArb(SEASONS),
      climates: weightsArb(CLIMATES),
      anomalyRate: fc.oneof(
        fc.constant(0),
        fc.constant(1),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      ),
      failureTypes: weightsArb(FAILURE_TYPES),
      severity: fc
        .tuple(shareArb(), shareArb())
        .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
      subtleRate: shareArb(),
      noise: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 3, noNaN: true })),
      dataQuality: fc.record({
        sensorDropout: shareArb(),
        stuckSensor: shareArb(),
        spike: shareArb(),
        timestampGap: shareArb(),
        noisyNormal: shareArb(),
      }),
      leadTimeDays: leadTimeArb(),
    })
    .map(({ leadTimeDays, ...spec }): ScenarioSpec => ({
      name: 'property',
      ...spec,
      ...(leadTimeDays ? { leadTimeDays } : {}),
    }));
}
