/**
 * Runs built from real parts for the run-store tests: `evaluateScores` summaries of seeded
 * scores, suites with a dataset and a split, and a RunResult as `runSuites` returns it.
 * `loaded` turns one into what `compareRuns` reads, through the same builder and the same
 * results.json text the store writes.
 */
import type { AssertionResult } from '../../../src/assert/types.ts';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { resultsJsonText } from '../../../src/report/json.ts';
import { caseSeed } from '../../../src/runner/run.ts';
import type { CaseResult, DatasetInfo, RunResult, SuiteResult } from '../../../src/runner/types.ts';
import { createRng } from '../../../src/synth/random.ts';
import { buildRunRecord } from '../../../src/track/build-record.ts';
import { caseKey, type LoadedRun } from '../../../src/track/read-runs.ts';
import type { StoredScores } from '../../../src/track/scores-file.ts';

/** A fleet of test systems: ids, labels and a failure type per system. */
export interface Fleet {
  readonly ids: readonly string[];
  readonly y: readonly number[];
  readonly failureType: readonly string[];
}

/** `n` systems, the first `anomalies` of them anomalies, alternating two failure types. */
export function fleet(n: number, anomalies: number, prefix = 'sys'): Fleet {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  const y = ids.map((_, i) => (i < anomalies ? 1 : 0));
  return {
    ids,
    y,
    failureType: y.map((l, i) =>
      l === 0 ? 'none' : i % 2 === 0 ? 'cell_imbalance' : 'internal_short',
    ),
  };
}

/** Seeded scores: anomalies shifted up by `separation` (0 = chance). */
export function scoresFor(f: Fleet, separation: number, seed: string): number[] {
  const rng = createRng(seed);
  return f.y.map((l) => rng.next() + separation * l);
}

export function scored(
  suite: string,
  model: string,
  f: Fleet,
  scores: readonly number[],
  extra: Partial<{ version: string; options: unknown; cached: boolean }> = {},
): CaseResult {
  const summary = evaluateScores({
    y: f.y,
    scores,
    threshold: 0.5,
    strata: { failure_type: f.failureType },
    systemIds: [...f.ids],
    minPositives: 2,
  });
  return {
    state: 'scored',
    suite,
    model,
    version: extra.version ?? '1',
    options: extra.options ?? {},
    seed: `unit:${suite}:${model}`,
    summary,
    systemIds: f.ids,
    y: Float64Array.from(f.y),
    scores: Float64Array.from(scores),
    timings: { fitMs: 5, scoreMs: 7 },
    cached: extra.cached ?? false,
  };
}

export function errored(suite: string, model: string, error: string): CaseResult {
  return {
    state: 'errored',
    suite,
    model,
    version: '1',
    options: {},
    seed: `unit:${suite}:${model}`,
    error,
  };
}

export function dataset(f: Fleet, extra: Partial<DatasetInfo> = {}): DatasetInfo {
  return {
    kind: 'scenario',
    name: 'unit-fleet',
    dataDir: '/project/.harness/cache/datasets/unit-fleet',
    hash: 'a'.repeat(64),
    systems: 2 * f.ids.length,
    train: f.ids.length,
    test: f.ids.length,
    generated: false,
    dataHash: 'b'.repeat(64),
    dataSource: 'synthetic',
    labelVersion: 1,
    labelsHash: 'c'.repeat(64),
    testFraction: 0.5,
    splitSeed: 'unit',
    ...extra,
  };
}

export function suite(
  name: string,
  cases: readonly CaseResult[],
  ds: DatasetInfo | null,
  assertions: readonly AssertionResult[] = [],
): SuiteResult {
  return {
    name,
    file: `/project/suites/${name}.suite.ts`,
    dataset: ds,
    threshold: 'fixed 0.5',
    cases,
    assertions,
    durationMs: 12,
    ...(ds ? {} : { error: 'the dataset could not be loaded' }),
  };
}

export function run(
  unseeded: readonly SuiteResult[],
  startedAt = '2026-03-01T10:00:00.000Z',
  seed = 'unit',
): RunResult {
  // As the runner does: every case carries the seed its model got from the run's seed.
  const suites = unseeded.map((s) => ({
    ...s,
    cases: s.cases.map((c) => ({ ...c, seed: caseSeed(seed, s.name, c.model) })),
  }));
  const cases = suites.flatMap((s) => s.cases);
  const errored = cases.filter((c) => c.state === 'errored').length;
  return {
    harnessVersion: '0.1.0',
    startedAt,
    seed,
    suites,
    summary: {
      suites: suites.length,
      cases: { scored: cases.length - errored, errored },
      assertions: { passed: 0, failed: 0, errored: 0 },
      gates: { passed: 0, failed: 0 },
      exitCode: errored > 0 || suites.some((s) => s.error) ? 2 : 0,
      durationMs: 1500,
    },
  };
}

/** What `loadRun` would read back for this run, without the file system. */
export function loaded(
  r: RunResult,
  runId: string,
  git: { commit: string | null; dirty: boolean | null } = { commit: 'f'.repeat(40), dirty: false },
): LoadedRun {
  const { record, scores: byFile } = buildRunRecord(r, {
    runId,
    root: '/project',
    argv: [],
    git: { ...git, branch: 'main' },
    config: { file: 'harness.config.ts', hash: 'd'.repeat(64) },
  });
  const scores = new Map<string, StoredScores>();
  for (const s of record.suites)
    for (const c of s.cases)
      if (c.scores_file) scores.set(caseKey(s.name, c.model), byFile.get(c.scores_file)!);
  return { record, results: JSON.parse(resultsJsonText(r)), scores };
}
