import { createHash } from 'node:crypto';
import { LEAD_TIME_BUCKETS } from '../../data/index.ts';
import type { JsonCell, JsonCi } from '../../metrics/index.ts';
import { fmt } from '../../report/index.ts';
import type { RunRecord } from '../types.ts';
import { PayloadBuilder, type RunPayload } from './batch.ts';
import type { KeyValue } from './client.ts';
import type { AssertionCounts, RunCase, ScoredResultsCase } from './run-folder.ts';

/** One (suite, model) case as an MLflow run: where it goes, what it is called, and what it logs. */
export interface CaseRun {
  readonly suite: string;
  readonly model: string;
  /** The suite's name: one experiment per suite. */
  readonly experimentName: string;
  /** `<model>@<version>`, or the model's name when it has no version. */
  readonly runName: string;
  /** The harness run's start and end (epoch ms): every case of a run shares them. */
  readonly startTime: number;
  readonly endTime: number;
  /** FINISHED for a scored case, FAILED for one whose model crashed or whose suite failed before any model ran. */
  readonly status: 'FINISHED' | 'FAILED';
  readonly userId: string | null;
  /** Tags the run is created with; `harness.case_id` finds it again (see caseId). */
  readonly identity: readonly KeyValue[];
  readonly payload: RunPayload;
}

/** Tag that identifies the MLflow run of one case of one harness run. */
export const CASE_ID_TAG = 'harness.case_id';

/**
 * A hex id of (harness run, suite, model): what `harness runs sync` searches for before it creates
 * a run, so a run whose creation reached the server but never made it into tracking.json is
 * found instead of duplicated. Hex, so it needs no quoting in an MLflow filter string.
 */
export function caseId(runId: string, suite: string, model: string): string {
  return createHash('sha256')
    .update(JSON.stringify([runId, suite, model]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Maps a case of a run record to its MLflow run:
 * - params: model, version, options (flattened to `options.<k>`), split.test / split.folds /
 *   split.seed, seed (the model's), threshold (how the suite chose it);
 * - tags: provenance (harness run id, version, suite file, git, dataset and label hashes,
 *   data_source, scenario) and MLflow's own (`mlflow.runName`, `mlflow.source.*`, `mlflow.user`,
 *   `mlflow.note.content`); `harness.error` for a crashed model; the verdict: `harness.exit_code`
 *   (the harness run's), `harness.assertions.passed|failed|errored` and `harness.verdict` (the
 *   assertions about the case, when results.json lists them);
 * - metrics: every metric of the case with its CI bounds (`roc_auc.ci_low`), counts and
 *   confusion, timings, each breakdown cell (`roc_auc.failure_type.thermal_runaway`), each
 *   lead-time bucket (`recall.lead_time.7-30d`), caught_with_warning and the per-source
 *   comparison; an undefined metric becomes the tag `metric.<key>.undefined` with its reason.
 * All metrics carry the harness run's start time, so a re-upload logs identical points.
 */
export function caseRun(record: RunRecord, c: RunCase, env: NodeJS.ProcessEnv): CaseRun {
  const { suite, record: cr, result } = c;
  const startTime = Date.parse(record.started_at);
  const b = new PayloadBuilder(startTime);
  const runName = c.suiteError
    ? 'suite error'
    : cr.version
      ? `${cr.model}@${cr.version}`
      : cr.model;
  const user = env['USER'] || env['LOGNAME'] || null;

  b.param('model', cr.model);
  if (cr.version !== null) b.param('version', cr.version);
  for (const [parts, value] of flattenOptions(cr.options)) b.param(['options', ...parts], value);
  // A suite that failed before its data loaded drew no split.
  const split = suite.split;
  if (split?.test != null) b.param('split.test', String(split.test));
  if (split?.folds != null) b.param('split.folds', String(split.folds));
  if (split?.sources) {
    b.param('split.train_source', split.sources.train);
    b.param('split.test_source', split.sources.test);
  }
  if (split) b.param('split.seed', split.seed);
  b.param('seed', cr.seed);
  b.param('threshold', suite.threshold);

  b.tag('harness.run_id', record.run_id);
  b.tag('harness.version', record.harness_version);
  b.tag('harness.suite_file', suite.file);
  b.tag('harness.cached', String(cr.cached));
  if (record.git.commit !== null) {
    b.tag('git.commit', record.git.commit);
    b.tag('mlflow.source.git.commit', record.git.commit);
  }
  if (record.git.branch !== null) {
    b.tag('git.branch', record.git.branch);
    b.tag('mlflow.source.git.branch', record.git.branch);
  }
  if (record.git.dirty !== null) b.tag('git.dirty', String(record.git.dirty));
  const ds = suite.dataset;
  if (ds) {
    b.tag('dataset.kind', ds.kind);
    b.tag('dataset.name', ds.name);
    b.tag('dataset.hash', ds.hash);
    b.tag('data_hash', ds.data_hash);
    b.tag('data_source', ds.data_source);
    b.tag('labels_hash', ds.labels_hash);
    if (ds.label_version !== null) b.tag('label_version', String(ds.label_version));
    if (ds.scenario !== null) b.tag('scenario', ds.scenario);
  }
  b.tag('mlflow.source.name', suite.file);
  b.tag('mlflow.source.type', 'LOCAL');
  if (user) b.tag('mlflow.user', user);
  b.tag('mlflow.note.content', noteOf(record, c, runName));
  // The gate's verdict, so a user reading only MLflow sees a red run as red: the status says only
  // whether the case completed (FINISHED) or crashed (FAILED), as in MLflow's own runs.
  b.tag('harness.exit_code', String(record.exit_code));
  if (c.assertions) {
    for (const [state, n] of Object.entries(c.assertions))
      b.tag(['harness', 'assertions', state], String(n));
    b.tag('harness.verdict', verdictOf(c.assertions, c.gate));
  }
  if (c.gate !== null) b.tag('harness.baseline_gate', c.gate);

  if (result.state === 'errored') b.tag('harness.error', result.error);
  else logScored(b, result);

  return {
    suite: suite.name,
    model: cr.model,
    experimentName: suite.name,
    runName,
    startTime,
    endTime: Date.parse(record.finished_at),
    status: result.state === 'scored' ? 'FINISHED' : 'FAILED',
    userId: user,
    identity: [
      { key: CASE_ID_TAG, value: caseId(record.run_id, suite.name, cr.model) },
      { key: 'harness.run_id', value: record.run_id },
    ],
    payload: b.build(),
  };
}

function logScored(b: PayloadBuilder, r: ScoredResultsCase): void {
  for (const [name, value] of Object.entries(r.metrics)) b.metric(name, value, r.undefined[name]);
  for (const [name, ci] of Object.entries(r.ci)) logCi(b, [name], ci, r.undefined[`ci.${name}`]);
  b.metric('n', r.n);
  b.metric('positives', r.positives);
  b.metric('negatives', r.negatives);
  for (const [k, v] of Object.entries(r.confusion)) b.metric(['confusion', k], v);
  b.metric('timing.fit_ms', r.timings_ms.fitMs);
  b.metric('timing.score_ms', r.timings_ms.scoreMs);
  for (const [column, cells] of Object.entries(r.breakdown)) {
    for (const cell of cells) logCell(b, column, stratumPart(cell.stratum, null), cell);
  }
  for (const cell of r.lead_time ?? [])
    logCell(b, 'lead_time', stratumPart(cell.stratum, { lo: cell.lo, hi: cell.hi }), cell);
  for (const [days, value] of Object.entries(r.caught_with_warning ?? {})) {
    b.metric(
      ['caught_with_warning', `${days}d`],
      value,
      'caught-with-warning is undefined: no failures',
    );
  }
  if (r.sources) {
    for (const side of ['synthetic', 'real'] as const) {
      const s = r.sources[side];
      if (!s) continue;
      b.metric(['sources', side, 'n'], s.n);
      b.metric(['sources', side, 'positives'], s.positives);
      for (const [name, value] of Object.entries(s.metrics))
        b.metric(['sources', side, name], value, s.undefined[name]);
      logCi(b, ['sources', side, 'roc_auc'], s.ci.roc_auc, s.undefined['ci.roc_auc']);
      // Records written before fpr had a CI have none: nothing to log, rather than a null.
      if (s.ci.fpr !== undefined)
        logCi(b, ['sources', side, 'fpr'], s.ci.fpr, s.undefined['ci.fpr']);
    }
    for (const [name, value] of Object.entries(r.sources.gap))
      b.metric(['sources', 'gap', name], value, 'one of the sources has no value');
  }
}

/** A breakdown or lead-time cell: `<metric>.<column>.<stratum>` for each metric, its CI, n and positives. */
function logCell(b: PayloadBuilder, column: string, stratum: string, cell: JsonCell): void {
  for (const [name, value] of Object.entries(cell.metrics))
    b.metric([name, column, stratum], value, cell.undefined[name]);
  logCi(b, ['roc_auc', column, stratum], cell.ci.roc_auc, cell.undefined['ci.roc_auc']);
  b.metric(['n', column, stratum], cell.n);
  b.metric(['positives', column, stratum], cell.positives);
}

function logCi(
  b: PayloadBuilder,
  parts: readonly string[],
  ci: JsonCi | null,
  reason: string | undefined,
): void {
  b.metric([...parts, 'ci_low'], ci?.low ?? null, reason);
  b.metric([...parts, 'ci_high'], ci?.high ?? null, reason);
}

/**
 * A stratum as a key part. Lead-time buckets are written as day ranges (`[7,30)` → `7-30d`,
 * `90+` → `90d_plus`), both in the lead-time section (which carries the bounds) and in the
 * `lead_time_bucket` breakdown (which names the same buckets); any other stratum is sanitized.
 */
function stratumPart(stratum: string, bounds: { lo: number; hi: number | null } | null): string {
  const b = bounds ?? LEAD_TIME_BUCKETS.find((k) => k.name === stratum) ?? null;
  if (!b) return stratum;
  return b.hi === null || !Number.isFinite(b.hi) ? `${b.lo}d_plus` : `${b.lo}-${b.hi}d`;
}

/** Options as params: nested objects flattened to key parts, anything else as its JSON (strings as they are). */
export function flattenOptions(
  options: unknown,
  prefix: readonly string[] = [],
): [string[], string][] {
  if (options === undefined || options === null)
    return prefix.length === 0 ? [] : [[[...prefix], String(options)]];
  if (typeof options === 'object' && !Array.isArray(options)) {
    return Object.entries(options as Record<string, unknown>).flatMap(([k, v]) =>
      flattenOptions(v, [...prefix, k]),
    );
  }
  const value = typeof options === 'string' ? options : JSON.stringify(options);
  return [[prefix.length === 0 ? ['value'] : [...prefix], value]];
}

/**
 * The verdict of a case's assertions: `error` when one could not be graded, else `fail` when one
 * failed, `pass` when all held, `none` when no assertion is about the case.
 */
export function verdictOf(
  a: AssertionCounts,
  gate: 'passed' | 'failed' | null = null,
): 'pass' | 'fail' | 'error' | 'none' {
  if (a.errored > 0) return 'error';
  if (a.failed > 0 || gate === 'failed') return 'fail';
  return a.passed > 0 || gate === 'passed' ? 'pass' : 'none';
}

/** `assertions: 1 passed, 1 failed · harness run exit 1`, for the note. */
function verdictLine(record: RunRecord, c: RunCase): string {
  const a = c.assertions;
  const counts = a ? `${a.passed} passed, ${a.failed} failed, ${a.errored} errored` : 'unknown';
  return `Assertions about this ${c.suiteError ? 'suite' : 'model'}: ${counts} · harness run exit ${record.exit_code}`;
}

/** The run's description in the MLflow UI (markdown): what ran, on what, and the headline numbers. */
function noteOf(record: RunRecord, c: RunCase, runName: string): string {
  const head = `**${runName}** on suite **${c.suite.name}**, harness run \`${record.run_id}\` (bess-harness ${record.harness_version})`;
  const ds = c.suite.dataset;
  const data = ds
    ? `dataset \`${ds.name}\` (${ds.kind}, ${ds.data_source}): ${ds.train} train / ${ds.test} test systems`
    : 'no dataset';
  if (c.result.state === 'errored')
    return `${head}\n\n${c.suiteError ? 'The suite failed before any model ran' : 'The model failed'}: \`${c.result.error.split('\n')[0]}\`\n\n${verdictLine(record, c)}\n\n${data}`;
  const r = c.result;
  const ci = r.ci['roc_auc'];
  const auc = `ROC AUC ${fmt(r.metrics['roc_auc'])}${ci ? ` [${fmt(ci.low)}, ${fmt(ci.high)}]` : ''}`;
  const line = `${auc} · AP ${fmt(r.metrics['average_precision'])} · recall ${fmt(r.metrics['recall'])} and precision ${fmt(r.metrics['precision'])} at threshold ${fmt(r.threshold.value)} (${c.suite.threshold})`;
  return `${head}\n\n${line}\n\n${verdictLine(record, c)}\n\n${r.n} systems scored (${r.positives} anomalies); ${data}. Artifacts: results.json, scores.csv, charts/.`;
}
