/**
 * A RunResult for the file-writing reporters, built from real parts: `evaluateScores` summaries
 * (via the assertion tests' `scoredCase`), `gradeAssertions` on `createExpectApi` specs, and
 * `compareWithBaseline` for the gates. It holds a passed, a failed and two errored assertions
 * (one whose message carries `<&"'`, a pipe and ANSI colour codes), a crashed model case, a
 * failed baseline gate, a stale baseline and a suite that could not run.
 */
import { createExpectApi, gradeAssertions, type GradedCase } from '../../../src/assert/index.ts';
import { compareWithBaseline, type BaselineFile } from '../../../src/runner/baseline.ts';
import { optionsHash } from '../../../src/stable-json.ts';
import type { CaseResult, DatasetInfo, RunResult, SuiteResult } from '../../../src/runner/types.ts';
import { createRng } from '../../../src/synth/random.ts';
import { scoredCase } from '../assert/cases.ts';

/** A model name with every XML special character, a pipe and a colour code in it. */
export const NASTY_MODEL = 'we<ird> & "quoted" \'model\' | \u001b[31mred\u001b[0m';
export const CRASH_ERROR =
  'score(sys-0007): sensor <temp> missing | \u001b[1mcheck\u001b[22m the "plugin" & its \'options\'\nsecond line';

const N = 80;
const y = Array.from({ length: N }, (_, i) => (i < 30 ? 1 : 0));
const failureType = y.map((_, i) => (i < 15 ? 'short' : i < 30 ? 'fade' : 'none'));
const season = y.map((_, i) => (i % 2 === 0 ? 'summer' : 'winter'));
const rng = createRng('report-fixture');
const good = y.map((l, i) =>
  l === 1
    ? failureType[i] === 'fade'
      ? 0.3 + 0.5 * rng.next()
      : 0.6 + 0.4 * rng.next()
    : 0.5 * rng.next(),
);
const strong = y.map((l) => (l === 1 ? 0.7 + 0.3 * rng.next() : 0.4 * rng.next()));
const random = y.map(() => rng.next());

const graded = {
  good: scoredCase(y, good, { failure_type: failureType, season }),
  random: scoredCase(y, random, { failure_type: failureType, season }),
};

function caseResult(
  suite: string,
  model: string,
  g: Extract<GradedCase, { state: 'scored' }>,
): CaseResult {
  return {
    state: 'scored',
    suite,
    model,
    version: '1',
    options: {},
    seed: `report-fixture:${suite}:${model}`,
    summary: g.summary,
    systemIds: g.systemIds,
    y: g.y,
    scores: g.scores,
    timings: { fitMs: 3, scoreMs: 12 },
  };
}

const dataset = (hash: string): DatasetInfo => ({
  kind: 'scenario',
  name: 'report-fleet',
  dataDir: '/project/.harness/data/report-fleet',
  hash,
  systems: 160,
  train: 80,
  test: 80,
  generated: false,
  dataHash: 'd'.repeat(64),
  dataSource: 'synthetic',
  labelVersion: 1,
  labelsHash: 'l'.repeat(64),
  testFraction: 0.5,
  splitSeed: 's',
});

/**
 * A baseline in which `good` scored like `strong` (today's `good` is a real regression) and
 * `random` as it does today (its gate holds).
 */
function baselineFile(hash: string): BaselineFile {
  const before = scoredCase(y, strong);
  const entry = (c: Extract<GradedCase, { state: 'scored' }>) => ({
    version: '1',
    options_hash: optionsHash({}),
    metrics: c.summary.metrics,
    ci: c.summary.ci,
    strata: {},
    system_ids: c.systemIds,
    labels: Array.from(c.y),
    scores: Array.from(c.scores),
  });
  return {
    schema: 1,
    suite: 'detectors',
    created_at: '2025-01-01T00:00:00.000Z',
    harness_version: '0.1.0',
    dataset: { kind: 'scenario', name: 'report-fleet', hash },
    models: { good: entry(before), random: entry(graded.random) },
  } as BaselineFile;
}

function detectorsSuite(): SuiteResult {
  const { metric, model } = createExpectApi();
  const specs = [
    metric('good', 'roc_auc').toBeGreaterThan(0.7), // passed
    metric('random', 'roc_auc').toBeGreaterThan(0.95), // failed
    metric(NASTY_MODEL, 'roc_auc').toBeGreaterThan(0.5), // errored: unknown model, its name in the message
    model('good').toBeat('random'), // passed
    metric('crashy', 'recall').toBeGreaterThan(0.5), // errored: the case crashed
  ];
  const gradedCases: Record<string, GradedCase> = {
    ...graded,
    crashy: { state: 'errored', error: CRASH_ERROR },
  };
  const assertions = gradeAssertions(specs, gradedCases);
  const base: SuiteResult = {
    name: 'detectors',
    file: '/project/suites/detectors.suite.ts',
    dataset: dataset('aaaa1111'),
    threshold: 'fixed 0.5',
    cases: [
      caseResult('detectors', 'good', graded.good),
      caseResult('detectors', 'random', graded.random),
      {
        state: 'errored',
        suite: 'detectors',
        model: 'crashy',
        version: '1',
        options: {},
        seed: 'report-fixture:detectors:crashy',
        error: CRASH_ERROR,
      },
    ],
    assertions,
    durationMs: 1234,
  };
  return {
    ...base,
    baseline: compareWithBaseline(base, baselineFile('aaaa1111'), { tolerance: 0.02, alpha: 0.05 }),
  };
}

function staleSuite(): SuiteResult {
  const { metric } = createExpectApi();
  const assertions = gradeAssertions([metric('good', 'roc_auc').toBeWithin(0, 1)], graded);
  const base: SuiteResult = {
    name: 'stale one',
    file: '/project/suites/stale.suite.ts',
    dataset: dataset('bbbb2222'),
    threshold: 'fixed 0.5',
    cases: [caseResult('stale one', 'good', graded.good)],
    assertions,
    durationMs: 200,
  };
  return {
    ...base,
    baseline: compareWithBaseline(base, baselineFile('cccc3333'), { tolerance: 0.02, alpha: 0.05 }),
  };
}

const brokenSuite: SuiteResult = {
  name: 'broken',
  file: '/project/suites/broken.suite.ts',
  dataset: null,
  threshold: 'fixed 0.5',
  cases: [],
  assertions: [],
  error: 'dataset "missing<fleet>" could not be loaded: ENOENT',
  durationMs: 5,
};

/** The run, with its summary counted the way src/runner/run.ts counts it. */
export function buildRun(): RunResult {
  const suites = [detectorsSuite(), staleSuite(), brokenSuite];
  const cases = suites.flatMap((s) => s.cases);
  const assertions = suites.flatMap((s) => s.assertions);
  const count = (state: 'passed' | 'failed' | 'errored') =>
    assertions.filter((a) => a.state === state).length;
  const gates = suites.flatMap((s) => s.baseline?.gates ?? []);
  const gatesFailed =
    gates.filter((g) => g.state === 'failed').length +
    suites.filter((s) => s.baseline?.status === 'stale').length;
  return {
    harnessVersion: '0.1.0',
    startedAt: '2025-06-01T12:34:56.789Z',
    seed: 'report-fixture',
    suites,
    summary: {
      suites: suites.length,
      cases: {
        scored: cases.filter((c) => c.state === 'scored').length,
        errored: cases.filter((c) => c.state === 'errored').length,
      },
      assertions: { passed: count('passed'), failed: count('failed'), errored: count('errored') },
      gates: {
        passed: gates.length - gates.filter((g) => g.state === 'failed').length,
        failed: gatesFailed,
      },
      exitCode: 2,
      durationMs: 1439.5,
    },
  };
}

/** A run whose every check held (no suites at all): exit 0, as the runner would grade it. */
export function greenRun(): RunResult {
  return {
    ...buildRun(),
    suites: [],
    summary: {
      suites: 0,
      cases: { scored: 0, errored: 0 },
      assertions: { passed: 0, failed: 0, errored: 0 },
      gates: { passed: 0, failed: 0 },
      exitCode: 0,
      durationMs: 1200,
    },
  };
}
