/**
 * An in-memory Dataset from a generated fleet: no files, the generator's columns wrapped as
 * SystemSeries. For plugin and runner tests that need real-looking data without disk I/O.
 */
import { deriveFeature } from '../../src/data/load-timeseries.ts';
import { datasetOf, recordOf } from '../../src/data/in-memory.ts';
import type { DerivedFeature } from '../../src/data/schema.ts';
import type { Dataset, MetadataRow, SystemRecord, SystemSeries } from '../../src/data/types.ts';
import type { ModelPlugin, ScoreContext } from '../../src/plugin/model.ts';
import { resolveScenario } from '../../src/synth/define.ts';
import { generateSystem, planFleet, planToLabel, planToMetadata } from '../../src/synth/index.ts';
import type { GeneratedSystem, ResolvedScenario, ScenarioSpec } from '../../src/synth/types.ts';
import defaultScenario from '../../suites/scenarios/default.scenario.ts';

/** The in-memory records and datasets themselves live in src/data/in-memory.ts (one definition). */
export { datasetOf, recordOf };

/** A generated system with its dataset record and its series (all columns in memory). */
export interface InMemorySystem {
  readonly record: SystemRecord;
  readonly generated: GeneratedSystem;
  /** The series as a loader would return it, with the derived features asked for. */
  series(derive?: readonly DerivedFeature[]): SystemSeries;
}

/** A fleet as a Dataset plus direct access to each system. */
export interface InMemoryFleet {
  readonly scenario: ResolvedScenario;
  readonly dataset: Dataset;
  readonly systems: readonly InMemorySystem[];
}

/** Wraps generated columns as a SystemSeries (fresh `sensors` object; the arrays are shared, do not mutate). */
export function toSeries(
  gen: GeneratedSystem,
  derive: readonly DerivedFeature[] = [],
): SystemSeries {
  const sensors: Record<string, Float64Array> = { ...gen.columns };
  const series: SystemSeries = {
    systemId: gen.plan.systemId,
    source: 'synthetic',
    timestamps: gen.timestamps,
    sensors,
  };
  for (const name of derive) sensors[name] = deriveFeature(series, name);
  return series;
}

/** Generates a whole fleet into memory. Keep it small: every column of every system is held. */
export function inMemoryFleet(scenario: ResolvedScenario): InMemoryFleet {
  const systems = planFleet(scenario).map((plan): InMemorySystem => {
    const generated = generateSystem(plan, scenario);
    return {
      generated,
      record: recordOf(planToLabel(plan), planToMetadata(plan), (derive) =>
        toSeries(generated, derive),
      ),
      series: (derive = []) => toSeries(generated, derive),
    };
  });
  return { scenario, dataset: datasetOf(systems.map((s) => s.record)), systems };
}

/**
 * The default scenario shrunk for tests: 80 systems × 10 days at 15 minutes, 30 % anomalies,
 * every failure type and the default data-quality faults. About a second to generate.
 */
export function smallDefaultFleet(
  overrides: Partial<Omit<ScenarioSpec, 'name'>> = {},
): InMemoryFleet {
  return inMemoryFleet(
    resolveScenario({
      ...defaultScenario,
      systems: 80,
      days: 10,
      interval: '15m',
      anomalyRate: 0.3,
      ...overrides,
    }),
  );
}

/**
 * A deterministic split stratified by failure type (`none` for normals): the systems of each
 * stratum alternate between train and test in id order, so both halves see every type.
 */
export function stratifiedHalves<T extends { readonly record: SystemRecord }>(
  systems: readonly T[],
): { train: T[]; test: T[] } {
  const seen = new Map<string, number>();
  const train: T[] = [];
  const test: T[] = [];
  for (const s of systems) {
    const key = s.record.label.failure_type;
    const i = seen.get(key) ?? 0;
    seen.set(key, i + 1);
    (i % 2 === 0 ? train : test).push(s);
  }
  return { train, test };
}

/** A ScoreContext for tests: the given seed, a live signal, the system's metadata. */
export function scoreContext(seed: string, metadata: MetadataRow): ScoreContext {
  return { seed, signal: new AbortController().signal, metadata };
}

/** Fits a plugin on `train` (if it fits) and scores `test`, in order, as the runner would. */
export async function fitAndScore(
  plugin: ModelPlugin<any>,
  train: readonly InMemorySystem[],
  test: readonly InMemorySystem[],
  seed = 'test-seed',
): Promise<number[]> {
  const signal = new AbortController().signal;
  await plugin.fit?.(datasetOf(train.map((s) => s.record)), { seed, signal });
  const scores: number[] = [];
  for (const s of test)
    scores.push(
      await plugin.score(s.series(plugin.derive ?? []), scoreContext(seed, s.record.metadata)),
    );
  return scores;
}

/** 1 for an anomaly, 0 for a normal, in the order of `systems`. */
export function labelsOf(systems: readonly { readonly record: SystemRecord }[]): number[] {
  return systems.map((s) => (s.record.label.label === 'anomaly' ? 1 : 0));
}
