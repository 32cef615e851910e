/**
 * `harness compare`: what changed between two recorded runs, and whether it matters. Pure: it
 * reads two loaded runs (run.json, results.json, score files) and returns data; src/report/
 * formats it. Deltas are `after − before`.
 *
 * ROC AUC changes are tested with the paired DeLong test when both runs scored the same systems
 * with the same labels (joined by system_id), the usual case for "same data, new model
 * version"; otherwise with an unpaired z-test on the two DeLong variances, which is weaker and
 * confounded by the change of data, and is said to be so.
 */
import {
  delongAuc,
  delongPairedTest,
  type JsonCell,
  type JsonCi,
  normalCdf,
} from '../metrics/index.ts';
import type { ResultsJson } from '../report/index.ts';
import { stableJson } from '../stable-json.ts';
import { caseKey, type LoadedRun } from './read-runs.ts';
import type { StoredScores } from './scores-file.ts';
import type { CaseRecord, RunRecord, SuiteRecord } from './types.ts';

/** One side of a comparison, for the header. */
export interface RunSide {
  readonly run_id: string;
  readonly started_at: string;
  readonly exit_code: 0 | 1 | 2;
  readonly git: RunRecord['git'];
}

/** A provenance field that differs: the "why did it change" answer. `scope` is `run`, a suite, or `suite/model`. */
export interface Change {
  readonly scope: string;
  readonly field: string;
  readonly before: string | number | boolean | null;
  readonly after: string | number | boolean | null;
}

/** A number in both runs; `delta` is null when either is undefined. */
export interface ValueDelta {
  readonly before: number | null;
  readonly after: number | null;
  readonly delta: number | null;
}

export interface MetricDelta extends ValueDelta {
  readonly name: string;
  readonly ci_before: JsonCi | null;
  readonly ci_after: JsonCi | null;
}

/** A breakdown cell (column = stratum) in either run. */
export interface StratumDelta {
  readonly column: string;
  readonly stratum: string;
  readonly presence: Presence;
  /** Too few anomalies in either run to read much into it. */
  readonly too_few: boolean;
  readonly roc_auc: ValueDelta;
  readonly average_precision: ValueDelta;
  readonly recall: ValueDelta;
}

/** The test of the ROC AUC change of one case. */
export type AucTest =
  | {
      readonly kind: 'paired';
      /** Systems scored in both runs (all of them). */
      readonly n: number;
      readonly auc_before: number | null;
      readonly auc_after: number | null;
      readonly diff: number | null;
      readonly z: number | null;
      /** Two-sided p-value of H0: same AUC; null when the test is undefined (see `note`). */
      readonly p_value: number | null;
      readonly ci: readonly [number, number] | null;
      readonly note: string | null;
    }
  | {
      readonly kind: 'unpaired';
      /** Why the runs could not be paired: `different systems (40 vs 38, 30 shared)`. */
      readonly reason: string;
      readonly n_before: number;
      readonly n_after: number;
      readonly shared: number;
      readonly auc_before: number;
      readonly auc_after: number;
      readonly diff: number;
      readonly z: number | null;
      readonly p_value: number | null;
    }
  | { readonly kind: 'none'; readonly reason: string };

export type Presence = 'both' | 'added' | 'removed';

/** A case's state in one run. */
export interface CaseState {
  readonly state: 'scored' | 'errored';
  readonly error: string | null;
}

export type CaseComparison =
  /** Only in the later run (added) or only in the earlier one (removed). */
  | { readonly model: string; readonly status: 'added' | 'removed'; readonly state: CaseState }
  /** Errored in either run: nothing to compare. */
  | {
      readonly model: string;
      readonly status: 'errored';
      readonly before: CaseState;
      readonly after: CaseState;
    }
  | {
      readonly model: string;
      readonly status: 'compared';
      readonly n: { readonly before: number; readonly after: number };
      readonly metrics: readonly MetricDelta[];
      readonly strata: readonly StratumDelta[];
      readonly test: AucTest;
    };

export interface SuiteComparison {
  readonly name: string;
  readonly presence: Presence;
  /** The suite's own error (it could not run) in either run. */
  readonly error: { readonly before: string | null; readonly after: string | null };
  readonly cases: readonly CaseComparison[];
}

export interface RunComparison {
  readonly before: RunSide;
  readonly after: RunSide;
  readonly changes: readonly Change[];
  readonly suites: readonly SuiteComparison[];
}

type ResultsSuite = ResultsJson['suites'][number];
type ResultsCase = ResultsSuite['cases'][number];
type ScoredResultsCase = Extract<ResultsCase, { state: 'scored' }>;

/** Compares two loaded runs: provenance changes, then per suite and model the metric, stratum and AUC-test deltas. */
export function compareRuns(before: LoadedRun, after: LoadedRun): RunComparison {
  const changes = runChanges(before.record, after.record);
  const suites: SuiteComparison[] = [];
  for (const name of unionBy(before.record.suites, after.record.suites, (s) => s.name)) {
    const a = before.record.suites.find((s) => s.name === name);
    const b = after.record.suites.find((s) => s.name === name);
    if (a && b) changes.push(...suiteChanges(a, b));
    const ra = before.results.suites.find((s) => s.name === name);
    const rb = after.results.suites.find((s) => s.name === name);
    const cases: CaseComparison[] = [];
    for (const model of unionBy(a?.cases ?? [], b?.cases ?? [], (c) => c.model)) {
      const ca = a?.cases.find((c) => c.model === model);
      const cb = b?.cases.find((c) => c.model === model);
      if (ca && cb) changes.push(...caseChanges(`${name}/${model}`, ca, cb));
      const xa = ra?.cases.find((c) => c.model === model);
      const xb = rb?.cases.find((c) => c.model === model);
      cases.push(
        compareCase(
          model,
          xa,
          xb,
          before.scores.get(caseKey(name, model)),
          after.scores.get(caseKey(name, model)),
        ),
      );
    }
    suites.push({
      name,
      presence: a && b ? 'both' : a ? 'removed' : 'added',
      error: { before: a?.error ?? null, after: b?.error ?? null },
      cases,
    });
  }
  return { before: side(before.record), after: side(after.record), changes, suites };
}

/** Cases whose paired test shows a significant ROC AUC drop at `alpha` (two-sided): what `--fail-on-drop` fails on. */
export function significantDrops(
  c: RunComparison,
  alpha: number,
): {
  readonly suite: string;
  readonly model: string;
  readonly diff: number;
  readonly p_value: number;
}[] {
  const out: { suite: string; model: string; diff: number; p_value: number }[] = [];
  for (const s of c.suites) {
    for (const k of s.cases) {
      if (k.status !== 'compared' || k.test.kind !== 'paired') continue;
      const { diff, p_value } = k.test;
      if (diff !== null && p_value !== null && diff < 0 && p_value < alpha)
        out.push({ suite: s.name, model: k.model, diff, p_value });
    }
  }
  return out;
}

/** A case of the earlier run that `--fail-on-drop` could not judge (no paired test with a p-value), and why. */
export interface UnjudgedCase {
  readonly suite: string;
  readonly model: string;
  readonly reason: string;
  /** The later run could not score it (the plugin crashed, or its suite could not run). */
  readonly failed: boolean;
}

/**
 * What `--fail-on-drop` judged: how many cases had a paired test with a p-value, and every case
 * of the earlier run that had none. A gate that judged nothing, or whose model crashed in the
 * later run, has not shown that nothing dropped.
 */
export function gateCoverage(c: RunComparison): {
  readonly judged: number;
  readonly unjudged: readonly UnjudgedCase[];
} {
  let judged = 0;
  const unjudged: UnjudgedCase[] = [];
  for (const s of c.suites) {
    for (const k of s.cases) {
      const at = { suite: s.name, model: k.model };
      if (k.status === 'compared') {
        if (k.test.kind === 'paired' && k.test.p_value !== null) judged++;
        else
          unjudged.push({
            ...at,
            reason:
              k.test.kind === 'none'
                ? k.test.reason
                : k.test.kind === 'unpaired'
                  ? `not paired: ${k.test.reason}`
                  : `no paired p-value: ${k.test.note ?? 'the test is undefined'}`,
            failed: false,
          });
      } else if (k.status === 'errored') {
        const crashed = k.after.state === 'errored';
        const first = ((crashed ? k.after : k.before).error ?? '').split('\n')[0];
        unjudged.push({
          ...at,
          reason: `errored in the ${crashed ? 'later' : 'earlier'} run: ${first}`,
          failed: crashed,
        });
      } else if (k.status === 'removed') {
        const err = s.error.after;
        unjudged.push(
          err !== null
            ? { ...at, reason: `its suite could not run in the later run: ${err}`, failed: true }
            : { ...at, reason: 'only in the earlier run', failed: false },
        );
      }
    }
  }
  return { judged, unjudged };
}

function side(r: RunRecord): RunSide {
  return { run_id: r.run_id, started_at: r.started_at, exit_code: r.exit_code, git: r.git };
}

/** Names in `a`'s order, then those only in `b`. */
function unionBy<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): string[] {
  const names = a.map(key);
  for (const k of b.map(key)) if (!names.includes(k)) names.push(k);
  return names;
}

type Primitive = string | number | boolean | null;

function diffFields(
  scope: string,
  fields: readonly (readonly [string, Primitive, Primitive])[],
): Change[] {
  return fields
    .filter(([, x, y]) => x !== y)
    .map(([field, before, after]) => ({ scope, field, before, after }));
}

function runChanges(a: RunRecord, b: RunRecord): Change[] {
  return diffFields('run', [
    ['git commit', a.git.commit, b.git.commit],
    ['uncommitted changes', a.git.dirty, b.git.dirty],
    ['git branch', a.git.branch, b.git.branch],
    ['config file', a.config.file, b.config.file],
    ['config hash', a.config.hash, b.config.hash],
    ['harness version', a.harness_version, b.harness_version],
    ['seed', a.seed, b.seed],
    ['arguments', a.argv.join(' '), b.argv.join(' ')],
  ]);
}

function suiteChanges(a: SuiteRecord, b: SuiteRecord): Change[] {
  const fields: [string, Primitive, Primitive][] = [['threshold', a.threshold, b.threshold]];
  // A suite that could not load its data has no dataset to compare; its error is shown instead.
  const da = a.dataset;
  const db = b.dataset;
  if (da && db) {
    fields.push(
      ['dataset', `${da.kind} ${da.name}`, `${db.kind} ${db.name}`],
      ['data source', da.data_source, db.data_source],
      ['dataset hash', da.hash, db.hash],
      ['data_hash', da.data_hash, db.data_hash],
      ['label_version', da.label_version, db.label_version],
      ['labels_hash', da.labels_hash, db.labels_hash],
      ['split', stableJson(a.split), stableJson(b.split)],
    );
  }
  return diffFields(a.name, fields);
}

function caseChanges(scope: string, a: CaseRecord, b: CaseRecord): Change[] {
  return diffFields(scope, [
    ['version', a.version, b.version],
    ['options', stableJson(a.options), stableJson(b.options)],
    ['seed', a.seed, b.seed],
  ]);
}

const stateOf = (c: ResultsCase): CaseState => ({
  state: c.state,
  error: c.state === 'errored' ? c.error : null,
});

function compareCase(
  model: string,
  a: ResultsCase | undefined,
  b: ResultsCase | undefined,
  sa: StoredScores | undefined,
  sb: StoredScores | undefined,
): CaseComparison {
  if (!a || !b) return { model, status: a ? 'removed' : 'added', state: stateOf((a ?? b)!) };
  if (a.state === 'errored' || b.state === 'errored')
    return { model, status: 'errored', before: stateOf(a), after: stateOf(b) };
  return {
    model,
    status: 'compared',
    n: { before: a.n, after: b.n },
    metrics: metricDeltas(a, b),
    strata: stratumDeltas(a, b),
    test:
      sa && sb
        ? aucTest(sa, sb)
        : {
            kind: 'none',
            reason: `the record has no scores for ${sa ? 'the later' : 'the earlier'} run`,
          },
  };
}

function delta(before: number | null | undefined, after: number | null | undefined): ValueDelta {
  const x = before ?? null;
  const y = after ?? null;
  return { before: x, after: y, delta: x === null || y === null ? null : y - x };
}

function metricDeltas(a: ScoredResultsCase, b: ScoredResultsCase): MetricDelta[] {
  return unionBy(Object.keys(a.metrics), Object.keys(b.metrics), (k) => k).map((name) => ({
    name,
    ...delta(a.metrics[name], b.metrics[name]),
    ci_before: a.ci[name] ?? null,
    ci_after: b.ci[name] ?? null,
  }));
}

function stratumDeltas(a: ScoredResultsCase, b: ScoredResultsCase): StratumDelta[] {
  const out: StratumDelta[] = [];
  for (const column of unionBy(Object.keys(a.breakdown), Object.keys(b.breakdown), (k) => k)) {
    const ca: readonly JsonCell[] = a.breakdown[column] ?? [];
    const cb: readonly JsonCell[] = b.breakdown[column] ?? [];
    for (const stratum of unionBy(ca, cb, (c) => c.stratum)) {
      const x = ca.find((c) => c.stratum === stratum);
      const y = cb.find((c) => c.stratum === stratum);
      out.push({
        column,
        stratum,
        presence: x && y ? 'both' : x ? 'removed' : 'added',
        too_few: (x?.too_few ?? false) || (y?.too_few ?? false),
        roc_auc: delta(x?.metrics.roc_auc, y?.metrics.roc_auc),
        average_precision: delta(x?.metrics.average_precision, y?.metrics.average_precision),
        recall: delta(x?.metrics.recall, y?.metrics.recall),
      });
    }
  }
  return out;
}

/** AUCs equal to this are the same ranking (both are sums of the same placements). */
const SAME_AUC = 1e-12;

/**
 * The paired DeLong test when both runs scored the same systems with the same labels, else the
 * unpaired z-test on the two DeLong variances, else (too few of a class) no test and why.
 */
export function aucTest(a: StoredScores, b: StoredScores): AucTest {
  const at = new Map(b.systemIds.map((id, i) => [id, i] as const));
  if (at.size !== b.systemIds.length || new Set(a.systemIds).size !== a.systemIds.length) {
    return {
      kind: 'none',
      reason:
        'a system id repeats within a run (systems of several sources with one id): cannot join the runs by system',
    };
  }
  let shared = 0;
  let relabelled = 0;
  for (let i = 0; i < a.systemIds.length; i++) {
    const j = at.get(a.systemIds[i]!);
    if (j === undefined) continue;
    shared++;
    if (a.y[i] !== b.y[j]) relabelled++;
  }
  const n1 = a.systemIds.length;
  const n2 = b.systemIds.length;
  if (shared === n1 && shared === n2 && relabelled === 0) {
    const aligned = Float64Array.from(a.systemIds, (id) => b.scores[at.get(id)!]!);
    const t = delongPairedTest(a.y, aligned, a.scores);
    if (t.value !== null) {
      return {
        kind: 'paired',
        n: n1,
        auc_before: t.aucB,
        auc_after: t.aucA,
        diff: t.diff,
        z: t.z,
        p_value: t.pValue,
        ci: t.ci,
        note: null,
      };
    }
    const before = delongAuc(a.y, a.scores);
    const after = delongAuc(a.y, aligned);
    const aucs =
      before.value !== null && after.value !== null
        ? { auc_before: before.auc, auc_after: after.auc, diff: after.auc - before.auc }
        : { auc_before: null, auc_after: null, diff: null };
    // Zero variance of the difference: both runs order every anomaly/normal pair alike, so the
    // AUCs are equal and there is no evidence of a change (p = 1), as for identical scores.
    if (t.code === 'zero_variance' && aucs.diff !== null && Math.abs(aucs.diff) < SAME_AUC) {
      return {
        kind: 'paired',
        n: n1,
        ...aucs,
        diff: 0,
        z: 0,
        p_value: 1,
        ci: [0, 0],
        note: 'both runs rank every anomaly/normal pair alike',
      };
    }
    return { kind: 'paired', n: n1, ...aucs, z: null, p_value: null, ci: null, note: t.reason };
  }
  const reason =
    shared === n1 && shared === n2
      ? `the same ${n1} systems, ${relabelled} with another label`
      : `different systems (${n1} vs ${n2}, ${shared} shared)`;
  const before = delongAuc(a.y, a.scores);
  const after = delongAuc(b.y, b.scores);
  if (before.value === null)
    return {
      kind: 'none',
      reason: `not paired: ${reason}; no unpaired test either: ${before.reason}`,
    };
  if (after.value === null)
    return {
      kind: 'none',
      reason: `not paired: ${reason}; no unpaired test either: ${after.reason}`,
    };
  const diff = after.auc - before.auc;
  const variance = before.variance + after.variance;
  const z = variance > 0 ? diff / Math.sqrt(variance) : null;
  const p = z !== null ? 2 * normalCdf(-Math.abs(z)) : Math.abs(diff) < SAME_AUC ? 1 : null;
  return {
    kind: 'unpaired',
    reason,
    n_before: n1,
    n_after: n2,
    shared,
    auc_before: before.auc,
    auc_after: after.auc,
    diff,
    z,
    p_value: p,
  };
}
