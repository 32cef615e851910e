import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { assertionModel, checkRecord, checkUploadResults, recordError } from '../record-check.ts';
import { readScoredCaseScores, type ScoresFile } from '../read-runs.ts';
import type { ResultsJson } from '../../report/index.ts';
import type { EvaluationSummary } from '../../metrics/index.ts';
import type { SourceComparison } from '../../runner/index.ts';
import type { CaseRecord, RunRecord, SuiteRecord } from '../types.ts';

/** A scored case as results.json holds it (src/report/json.ts): identity, cache flag, timings, then the evaluation summary. */
export interface ScoredResultsCase extends EvaluationSummary {
  readonly model: string;
  readonly version: string | null;
  readonly options: unknown;
  readonly state: 'scored';
  readonly cached: boolean;
  readonly timings_ms: { readonly fitMs: number; readonly scoreMs: number };
  readonly sources?: SourceComparison;
}

export interface ErroredResultsCase {
  readonly model: string;
  readonly version: string | null;
  readonly options: unknown;
  readonly state: 'errored';
  readonly error: string;
}

export type ResultsCase = ScoredResultsCase | ErroredResultsCase;

/** How the assertions about one case were graded. */
export interface AssertionCounts {
  readonly passed: number;
  readonly failed: number;
  readonly errored: number;
}

/** One case of the run: what run.json says about it and what results.json measured. */
export interface RunCase {
  readonly suite: SuiteRecord;
  readonly record: CaseRecord;
  readonly result: ResultsCase;
  /**
   * The assertions about the case's model (a metric assertion's subject, a `beats`, contract
   * or law assertion's model), graded; every assertion of the suite for {@link SUITE_CASE}.
   * null when results.json lists no assertions for the suite (a record from before they were read).
   */
  readonly assertions: AssertionCounts | null;
  /** The model's baseline gate (the suite has `baseline`), or null when it has none. */
  readonly gate: 'passed' | 'failed' | null;
  /** The suite failed before any model ran: this case stands for the suite (see {@link SUITE_CASE}). */
  readonly suiteError?: true;
  /** A scored case's scores file (`scores.csv` and the charts), read and checked with the folder. */
  readonly scores: ScoresFile | null;
}

/**
 * The model name of the case that stands for a suite which failed before any of its models ran
 * (its dataset did not load, a plugin could not be resolved). Such a suite has no case of its
 * own, so its upload made no MLflow run and said "synced": a user watching MLflow saw nothing of
 * a run that exited 2. Parentheses keep it apart from any model's name.
 */
export const SUITE_CASE = '(suite)';

function suiteErrorCase(
  suite: SuiteRecord,
  error: string,
  seed: string,
  assertions: AssertionCounts | null,
): RunCase {
  const base = {
    model: SUITE_CASE,
    version: null,
    options: null,
    state: 'errored',
    error,
  } as const;
  return {
    suite,
    record: { ...base, seed, cached: false, timings_ms: null, scores_file: null },
    result: base,
    assertions,
    gate: null,
    suiteError: true,
    scores: null,
  };
}

/** A run folder of the local store, read and cross-checked. */
export interface RunFolder {
  readonly dir: string;
  readonly record: RunRecord;
  /** results.json as written, uploaded byte for byte. */
  readonly resultsBytes: Uint8Array;
  readonly cases: readonly RunCase[];
}

/**
 * Reads `run.json` and `results.json` of a run folder and pairs every case of run.json with its
 * results (by suite and model name: a suite never lists a model twice), and reads the scores of
 * every scored case with the checks `harness compare` makes (a file cut short, rows that are not
 * the systems results.json counts). A folder that is not a complete run record is a HarnessError
 * naming the file (and the field), and nothing is uploaded: before, a half-written scores file
 * was uploaded as scores.csv with charts drawn from it, and the sync said "synced".
 */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const runFile = path.join(dir, 'run.json');
  const resultsFile = path.join(dir, 'results.json');
  const record = checkRecord(await readJson(runFile), runFile);
  const resultsBytes = await readBytes(resultsFile);
  const results = parseJsonText(Buffer.from(resultsBytes).toString('utf8'), resultsFile);
  const bySuite = resultsBySuite(checkUploadResults(results, resultsFile));
  const cases: RunCase[] = [];
  for (const suite of record.suites) {
    const judged = bySuite.get(suite.name)?.assertions ?? null;
    if (suite.error !== null && suite.cases.length === 0)
      cases.push(suiteErrorCase(suite, suite.error, record.seed, judged && countOf(judged)));
    for (const c of suite.cases) {
      const result = bySuite.get(suite.name)?.cases.get(c.model);
      if (!result)
        throw recordError(
          resultsFile,
          `has no case for model "${c.model}" of suite "${suite.name}" that run.json lists`,
        );
      if (result.state !== c.state)
        throw recordError(
          resultsFile,
          `says model "${c.model}" of suite "${suite.name}" ${result.state}, run.json says ${c.state}`,
        );
      if (c.state === 'scored' && c.scores_file === null)
        throw recordError(
          runFile,
          `model "${c.model}" of suite "${suite.name}" was scored but has no scores_file`,
        );
      const about = judged && countOf(judged.filter((a) => assertionModel(a.spec) === c.model));
      const gate = bySuite.get(suite.name)?.gates.get(c.model) ?? null;
      const scores =
        result.state === 'scored' && c.scores_file !== null
          ? await readScoredCaseScores(dir, c.scores_file, result)
          : null;
      cases.push({ suite, record: c, result, assertions: about, gate, scores });
    }
  }
  return { dir, record, resultsBytes, cases };
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw recordError(
      file,
      code === 'ENOENT'
        ? 'missing: not a complete run record'
        : `cannot be read (${code ?? String(err)})`,
    );
  }
}

async function readJson(file: string): Promise<unknown> {
  return parseJsonText(Buffer.from(await readBytes(file)).toString('utf8'), file);
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw recordError(
      file,
      `is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/** An assertion of results.json as far as the uploader reads it (checked by checkUploadResults). */
interface Graded {
  readonly state: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

/** One suite of results.json: its cases by model name, and its graded assertions (null when it lists none). */
interface SuiteResults {
  readonly cases: ReadonlyMap<string, ResultsCase>;
  readonly assertions: readonly Graded[] | null;
  /** Each model's baseline gate, when the suite has one. */
  readonly gates: ReadonlyMap<string, 'passed' | 'failed'>;
}

function resultsBySuite(results: ResultsJson): Map<string, SuiteResults> {
  const out = new Map<string, SuiteResults>();
  for (const s of results.suites) {
    const cases = new Map(s.cases.map((c) => [c.model, c as unknown as ResultsCase]));
    const assertions = (s as { assertions?: readonly Graded[] }).assertions ?? null;
    out.set(s.name, { cases, assertions, gates: gatesOf(s) });
  }
  return out;
}

/**
 * The baseline gates of a suite of results.json, by model. A regressed model's gate failed the
 * run (exit 1) while its assertions held: counted with the assertions only, MLflow said `pass`.
 */
function gatesOf(suite: unknown): Map<string, 'passed' | 'failed'> {
  const gates = (suite as { baseline?: { gates?: unknown } | null }).baseline?.gates;
  const out = new Map<string, 'passed' | 'failed'>();
  if (!Array.isArray(gates)) return out;
  for (const g of gates as { model?: unknown; state?: unknown }[])
    if (typeof g?.model === 'string' && (g.state === 'passed' || g.state === 'failed'))
      out.set(g.model, g.state);
  return out;
}

function countOf(assertions: readonly Graded[]): AssertionCounts {
  const n = (state: string) => assertions.filter((a) => a.state === state).length;
  return { passed: n('passed'), failed: n('failed'), errored: n('errored') };
}
