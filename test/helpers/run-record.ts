/**
 * Run folders of the local store (src/track/types.ts) for the tracking tests, written from a real
 * RunResult by the store's own writer (`recordRun`). `syntheticRun` builds a RunResult from evaluateScores on seeded scores (fast, for unit tests);
 * `tinyHarnessRun` runs real suites on a generated fleet in a fixture project.
 */
import { createHash } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config.ts';
import { inBucketOrder } from '../../src/data/strata.ts';
import { LEAD_TIME_BUCKETS, leadTimeBucket } from '../../src/data/schema.ts';
import { evaluateScores } from '../../src/metrics/evaluate.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { CaseResult, RunResult, SuiteResult } from '../../src/runner/types.ts';
import { createRng } from '../../src/synth/random.ts';
import { recordRun } from '../../src/track/write-record.ts';
import { makeProject } from './run-harness.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Records `run` in `<runsDir>/<run_id>/` with the store's own writer (what `harness run` does)
 * and returns the folder. `root` makes suite files relative and is where git is asked.
 */
export async function writeRunFolder(
  runsDir: string,
  run: RunResult,
  root: string,
): Promise<string> {
  return (
    await recordRun(run, {
      runsDir,
      root,
      configFile: null,
      argv: ['--reporter', 'plain'],
      ownDirs: [],
    })
  ).dir;
}

// 120 systems: 40 anomalies of three failure types with lead times, 80 normals.
const N = 120;
const Y = Array.from({ length: N }, (_, i) => (i < 40 ? 1 : 0));
const FAILURE = Y.map((_, i) =>
  i < 20 ? 'thermal_runaway' : i < 36 ? 'cell_imbalance' : i < 40 ? 'internal_short' : 'none',
);
const LEAD = Y.map((l, i) => (l === 1 ? [2, 10, 45, 120][i % 4]! : null));
/** Scenario tags with names no MLflow key may hold, and systems without any. */
const TAGS = Y.map((_, i) => (i % 3 === 0 ? ['hot/dry.v2'] : i % 3 === 1 ? ['grid+peak'] : []));

/** A scored case of the systems `from`..N (from = 40: normals only, so every ranking metric is undefined). */
function scored(
  suite: string,
  model: string,
  version: string,
  options: unknown,
  scores: number[],
  from = 0,
): CaseResult {
  const pick = <T>(xs: readonly T[]) => xs.slice(from);
  const y = pick(Y);
  const systemIds = pick(Y.map((_, i) => `bess-${String(i).padStart(3, '0')}`));
  const summary = inBucketOrder(
    evaluateScores({
      y,
      scores: pick(scores),
      threshold: 0.5,
      strata: {
        failure_type: pick(FAILURE),
        scenario_tags: pick(TAGS),
        lead_time_bucket: pick(
          Y.map((l, i) => (l === 1 ? (leadTimeBucket(LEAD[i]) ?? null) : 'none')),
        ),
      },
      leadTimes: pick(LEAD),
      leadTimeBuckets: LEAD_TIME_BUCKETS,
      systemIds,
      minPositives: 5,
    }),
  );
  return {
    state: 'scored',
    suite,
    model,
    version,
    options,
    seed: `track-fixture:${suite}:${model}`,
    summary,
    systemIds,
    y: Float64Array.from(y),
    scores: Float64Array.from(pick(scores)),
    timings: { fitMs: 12.5, scoreMs: 80 },
    cached: false,
  };
}

/**
 * A run of two suites: `detectors` with a good model (nested options), a random one and one that
 * crashed; `edge` with a model scored on normals only (its ranking metrics are undefined).
 */
export function syntheticRun(startedAt = '2026-11-26T15:30:12.345Z', root = '/project'): RunResult {
  const rng = createRng('track-fixture');
  const good = Y.map((l, i) =>
    l === 1
      ? FAILURE[i] === 'cell_imbalance'
        ? 0.3 + 0.5 * rng.next()
        : 0.6 + 0.4 * rng.next()
      : 0.5 * rng.next(),
  );
  const random = Y.map(() => rng.next());
  const detectors: SuiteResult = {
    name: 'detectors',
    file: `${root}/suites/detectors.suite.ts`,
    dataset: {
      kind: 'scenario',
      name: 'default',
      dataDir: `${root}/.harness/data/default`,
      hash: sha('fixture'),
      dataHash: sha('data'),
      dataSource: 'synthetic',
      labelVersion: 1,
      labelsHash: sha('labels'),
      systems: 240,
      train: 120,
      test: 120,
      testFraction: 0.5,
      splitSeed: '7',
      generated: false,
    },
    threshold: 'fixed 0.5',
    cases: [
      scored(
        'detectors',
        'good',
        '2',
        { sensor: 'cell_delta_v_mv', window: { days: 7, step: 'hourly' }, weights: [1, 2] },
        good,
      ),
      scored('detectors', 'random', '1', {}, random),
      {
        state: 'errored',
        suite: 'detectors',
        model: 'crashy',
        version: '1',
        options: {},
        seed: 'track-fixture:detectors:crashy',
        error: 'score(bess-007): sensor temp_cell_max_c missing\nsecond line',
      },
    ],
    assertions: [],
    durationMs: 1200,
  };
  const edge: SuiteResult = {
    name: 'edge',
    file: `${root}/suites/edge.suite.ts`,
    dataset: detectors.dataset,
    threshold: 'fixed 0.5',
    cases: [
      scored(
        'edge',
        'flat',
        '1',
        { level: 0.1 },
        Y.map(() => 0.1),
        40,
      ),
    ],
    assertions: [],
    durationMs: 300,
  };
  return {
    harnessVersion: '0.1.0',
    startedAt,
    seed: 'track-fixture',
    suites: [detectors, edge],
    summary: {
      suites: 2,
      cases: { scored: 3, errored: 1 },
      assertions: { passed: 0, failed: 0, errored: 0 },
      gates: { passed: 0, failed: 0 },
      exitCode: 2,
      durationMs: 1500,
    },
  };
}

const CRASHY = `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'crashy', version: '1', score(series) { throw new Error('boom: no ' + series.id); } });
`;

/**
 * Runs two real suites in a fixture project (a 40-system fleet of 3 days, generated once, scored
 * in this process): `tiny-a` with random, zscore and a plugin that crashes, and an assertion
 * about each that passes (random), fails (zscore) and errors (crashy); `tiny-b` with random
 * and pca, and no assertion. Returns the RunResult and the project folder (remove it with `cleanup`).
 */
export async function tinyHarnessRun(): Promise<{
  run: RunResult;
  root: string;
  cleanup: () => Promise<void>;
}> {
  const dataset = `{ scenario: { name: 'mlflow-fleet', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } }`;
  const project = await makeProject({
    'harness.config.ts': `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'mlflow', workers: 1 });\n`,
    'plugins/crashy/index.ts': CRASHY,
    'suites/a.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'tiny-a', dataset: ${dataset}, split: { test: 0.5, seed: 7 }, models: ['random', ['zscore', { sensor: 'temp_cell_max_c' }], 'crashy'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1), metric('zscore', 'roc_auc').toBeLessThan(0), metric('crashy', 'roc_auc').toBeWithin(0, 1)] });
`,
    'suites/b.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'tiny-b', dataset: ${dataset}, split: { test: 0.5, seed: 7 }, models: ['random', ['pca', { components: 2 }]] });
`,
  });
  const config = await loadConfig(project.dir);
  const suites = await collectSuites(config);
  const run = await runSuites(suites, config, [], {
    seed: 'mlflow',
    harnessVersion: '0.1.0',
    cache: false,
  });
  return { run, root: project.dir, cleanup: project.cleanup };
}
