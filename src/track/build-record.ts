/**
 * A finished run as a run record (run.json) and the score files beside it. Pure: the caller
 * reads git and the config file and passes them in, so the record of a given run is fixed.
 */
import path from 'node:path';
import type { AssertionResult } from '../assert/types.ts';
import type { CaseResult, RunResult, SuiteResult } from '../runner/types.ts';
import type { GitState } from './git-state.ts';
import type { StoredScores } from './scores-file.ts';
import {
  RUN_RECORD_SCHEMA,
  type CaseRecord,
  type DatasetRecord,
  type RunRecord,
  type SuiteRecord,
} from './types.ts';

/** What the record needs besides the run itself. */
export interface RecordContext {
  readonly runId: string;
  /** The project root: suite and config paths are stored relative to it. */
  readonly root: string;
  readonly argv: readonly string[];
  readonly git: GitState;
  readonly config: { readonly file: string | null; readonly hash: string | null };
}

/** run.json, and the scores of every scored case by its path inside the run folder. */
export interface BuiltRecord {
  readonly record: RunRecord;
  readonly scores: ReadonlyMap<string, StoredScores>;
}

/** The record of a finished run; every scored case gets `scores/<suite>/<model>.csv`. */
export function buildRunRecord(run: RunResult, ctx: RecordContext): BuiltRecord {
  const scores = new Map<string, StoredScores>();
  const suiteDirs = new UniqueNames();
  const suites = run.suites.map((s) =>
    suiteRecord(s, ctx.root, `scores/${suiteDirs.take(s.name)}`, scores),
  );
  const record: RunRecord = {
    schema: RUN_RECORD_SCHEMA,
    run_id: ctx.runId,
    started_at: run.startedAt,
    finished_at: new Date(Date.parse(run.startedAt) + run.summary.durationMs).toISOString(),
    duration_ms: run.summary.durationMs,
    exit_code: run.summary.exitCode,
    harness_version: run.harnessVersion,
    argv: [...ctx.argv],
    seed: run.seed,
    git: ctx.git,
    config: ctx.config,
    suites,
  };
  return { record, scores };
}

function suiteRecord(
  s: SuiteResult,
  root: string,
  scoresDir: string,
  scores: Map<string, StoredScores>,
): SuiteRecord {
  const ds = s.dataset;
  const files = new UniqueNames();
  const count = (state: AssertionResult['state']) =>
    s.assertions.filter((a) => a.state === state).length;
  return {
    name: s.name,
    file: path.relative(root, s.file).split(path.sep).join('/'),
    error: s.error ?? null,
    threshold: s.threshold,
    dataset: ds ? datasetRecord(ds) : null,
    split: ds
      ? {
          test: ds.testFraction ?? null,
          folds: ds.folds ?? null,
          seed: ds.splitSeed,
          ...(ds.splitSources ? { sources: ds.splitSources } : {}),
        }
      : null,
    cases: s.cases.map((c) => {
      if (c.state === 'errored') return caseRecord(c, null);
      const file = `${scoresDir}/${files.take(c.model)}.csv`;
      scores.set(file, { systemIds: c.systemIds, y: c.y, scores: c.scores });
      return caseRecord(c, file);
    }),
    assertions: { passed: count('passed'), failed: count('failed'), errored: count('errored') },
  };
}

function datasetRecord(ds: NonNullable<SuiteResult['dataset']>): DatasetRecord {
  return {
    kind: ds.kind,
    name: ds.name,
    data_source: ds.dataSource,
    scenario: ds.kind === 'scenario' ? ds.name : null,
    hash: ds.hash,
    data_hash: ds.dataHash,
    label_version: ds.labelVersion,
    labels_hash: ds.labelsHash,
    systems: ds.systems,
    train: ds.train,
    test: ds.test,
  };
}

function caseRecord(c: CaseResult, scoresFile: string | null): CaseRecord {
  if (c.state === 'errored') {
    return {
      model: c.model,
      version: c.version,
      options: c.options,
      state: 'errored',
      error: c.error,
      seed: c.seed,
      cached: false,
      timings_ms: null,
      scores_file: null,
    };
  }
  return {
    model: c.model,
    version: c.version,
    options: c.options,
    state: 'scored',
    error: null,
    seed: c.seed,
    cached: c.cached ?? false,
    timings_ms: { fit: c.timings.fitMs, score: c.timings.scoreMs },
    scores_file: scoresFile,
  };
}

/**
 * File names from suite and model names, which are free text: anything but `[A-Za-z0-9_.-]`
 * becomes `_`, a leading dot is escaped (no `..`, no hidden files), and a name that collides
 * with an earlier one gets `-2`, `-3`, … (readers follow `scores_file`, never rebuild the path).
 * Names are compared without case, so the record also unpacks on a case-insensitive file system.
 */
class UniqueNames {
  private readonly taken = new Set<string>();

  take(name: string): string {
    let base = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || '_';
    if (base.startsWith('.')) base = `_${base}`;
    let out = base;
    for (let k = 2; this.taken.has(out.toLowerCase()); k++) out = `${base}-${k}`;
    this.taken.add(out.toLowerCase());
    return out;
  }
}
