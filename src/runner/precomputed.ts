/**
 * A suite's precomputed scores (`scores: { path }`): scores a job outside the harness wrote (a
 * Spark job over a Parquet fleet, docs/spark.md), judged like a model's case: on the suite's test
 * split, at a threshold chosen the same way (a train-FPR one from the training normals' scores),
 * with the same metrics, breakdowns, assertions and baseline gate. Nothing is fitted or scored here.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathExists, readScoreRows, type ScoreRow } from '../data/index.ts';
import type { SystemRecord } from '../data/types.ts';
import { displayPath, HarnessError, type Problem } from '../errors.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import type { PooledRun } from './cross-validate.ts';
import type { ModelRun } from './score.ts';
import type { ScoresSpec, SuiteSpec, SuiteThreshold } from './suite.ts';
import { thresholdValue, trainFprOf } from './threshold-value.ts';

/** Ids listed in one message before "and N more". */
const SHOWN = 10;

/** The suite's `scores` entries as a list. */
export function scoresEntries(spec: SuiteSpec): readonly ScoresSpec[] {
  const s = spec.scores;
  if (s === undefined) return [];
  return Array.isArray(s) ? (s as readonly ScoresSpec[]) : [s as ScoresSpec];
}

/** The names of a suite's precomputed-scores cases, in order. */
export function scoresCaseNames(spec: SuiteSpec): string[] {
  return scoresEntries(spec).map(scoresCaseName);
}

/** The case name of a scores entry: its `name`, else the file's name without its extension (`scores.parquet` → `scores`). */
export function scoresCaseName(entry: ScoresSpec): string {
  if (entry.name !== undefined) return entry.name;
  const base = path.basename(entry.path.replace(/[\\/]+$/, ''));
  return base.replace(/\.(csv|parquet)$/i, '') || base;
}

/**
 * Reads one scores entry (its path relative to `root`) and matches it to the dataset's systems:
 * every system must have a score, and every score must name a system of the dataset (a row with
 * a `source` column matches that source only). Throws a HarnessError naming the file, and the
 * line of each score that matches no system.
 */
export async function readPrecomputed(
  entry: ScoresSpec,
  root: string,
  systems: readonly SystemRecord[],
  where: string,
): Promise<{ readonly plugin: ModelPlugin; readonly scoreOf: (s: SystemRecord) => number }> {
  const file = path.resolve(root, entry.path);
  if (!(await pathExists(file)))
    throw new HarnessError(
      'E_SCORES',
      `${where}: the scores file ${displayPath(file)} does not exist (scores: { path: ${JSON.stringify(entry.path)} } is relative to ${displayPath(root) || '.'})`,
    );
  // The one reader of score files (CSV or Parquet), as `harness evaluate`'s.
  const rows = await readScoreRows(file);
  const known = new Set(systems.map(keyOf));
  // The source of each id, or null when the id is in both sources (a score row must then say which).
  const sourceOf = new Map<string, string | null>();
  for (const s of systems) sourceOf.set(s.systemId, sourceOf.has(s.systemId) ? null : s.source);
  const problems: Problem[] = [];
  const score = new Map<string, number>();
  for (const r of rows) {
    const keys = rowKey(r, known, sourceOf);
    if (keys === 'ambiguous')
      problems.push({
        file,
        line: r.line,
        column: 1,
        message: `system ${r.systemId} is in both sources of the dataset: add a source column to say which`,
      });
    else if (keys === null)
      problems.push({
        file,
        line: r.line,
        column: 1,
        message: `system ${r.systemId}${r.source ? ` (${r.source})` : ''} is not in the suite's dataset`,
      });
    else score.set(keys, r.score);
  }
  const unscored = systems.filter((s) => !score.has(keyOf(s)));
  if (problems.length > 0 || unscored.length > 0) {
    const parts = [
      problems.length > 0 ? `${problems.length} score(s) name no system of the dataset` : '',
      unscored.length > 0
        ? `${unscored.length} system(s) of the dataset have no score: ${listed(unscored.map((s) => s.systemId))}`
        : '',
    ].filter((p) => p !== '');
    throw new HarnessError(
      'E_SCORES',
      `${where}: the scores in ${displayPath(file)} do not match the dataset: ${parts.join('; ')}`,
      problems.slice(0, 50),
    );
  }
  const h = createHash('sha256');
  for (const s of systems) h.update(`${keyOf(s)}\u0000${score.get(keyOf(s))}\n`);
  const plugin: ModelPlugin = {
    name: scoresCaseName(entry),
    // What a baseline or run record compares: the scores themselves, not the file's bytes.
    version: entry.version ?? `scores-${h.digest('hex').slice(0, 12)}`,
    options: { scores: entry.path },
    score() {
      throw new Error('precomputed scores are not scored by the harness');
    },
  };
  return { plugin, scoreOf: (s) => score.get(keyOf(s))! };
}

function keyOf(s: { readonly source: string; readonly systemId: string }): string {
  return `${s.source}\u0000${s.systemId}`;
}

/** The dataset key a score row names: null when none, 'ambiguous' when its id is in both sources and the row names no source. */
function rowKey(
  r: ScoreRow,
  known: ReadonlySet<string>,
  sourceOf: ReadonlyMap<string, string | null>,
): string | null | 'ambiguous' {
  if (r.source !== undefined) {
    const key = keyOf({ source: r.source, systemId: r.systemId });
    return known.has(key) ? key : null;
  }
  const source = sourceOf.get(r.systemId);
  if (source === undefined) return null;
  return source === null ? 'ambiguous' : keyOf({ source, systemId: r.systemId });
}

/**
 * The case of precomputed scores over the suite's splits, as `scoreSplits` pools a model's:
 * one split is judged at its threshold; with k folds each score becomes its margin over its
 * fold's train-FPR threshold, judged at 0.
 */
export function precomputedRun(
  plugin: ModelPlugin,
  scoreOf: (s: SystemRecord) => number,
  splits: readonly {
    readonly train: readonly SystemRecord[];
    readonly test: readonly SystemRecord[];
  }[],
  threshold: SuiteThreshold,
): PooledRun {
  const trainFpr = trainFprOf(threshold);
  const test = splits.flatMap((s) => s.test);
  const scores = new Float64Array(test.length);
  const base = { plugin, scores, fitMs: 0, scoreMs: 0, cached: false };
  let offset = 0;
  let trainNormals: number[] = [];
  for (const [f, split] of splits.entries()) {
    const run: ModelRun = {
      plugin,
      error: null,
      testScores: Float64Array.from(split.test, scoreOf),
      trainNormalScores: split.train.filter((s) => s.label.label === 'normal').map(scoreOf),
      fitMs: 0,
      scoreMs: 0,
    };
    const margin = splits.length > 1 && trainFpr !== null;
    const thr = trainFpr !== null ? thresholdValue(run, threshold) : 0;
    if (margin && !Number.isFinite(thr))
      return {
        ...base,
        threshold: Infinity,
        error: `fold ${f + 1}: no training normals to set the ${trainFpr * 100} % FPR threshold on`,
      };
    run.testScores.forEach((v, i) => (scores[offset + i] = margin ? v - thr : v));
    if (splits.length === 1) trainNormals = run.trainNormalScores;
    offset += split.test.length;
  }
  const thr =
    trainFpr === null
      ? (threshold as PooledRun['threshold'])
      : splits.length > 1
        ? ({ kind: 'fixed', value: 0 } as const)
        : trainNormals.length > 0
          ? ({ kind: 'train_fpr', fpr: trainFpr, trainNormalScores: trainNormals } as const)
          : Infinity;
  return { ...base, error: null, threshold: thr };
}

function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN).join(', ');
  return ids.length > SHOWN ? `${shown} and ${ids.length - SHOWN} more` : shown;
}
