import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../data/index.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { delongAuc, delongPairedTest, normalCdf, normalQuantile } from '../metrics/index.ts';
import { optionsHash } from '../stable-json.ts';
import type { CaseResult, DatasetInfo, SuiteResult } from './types.ts';

/** Version of the baseline file layout. */
const BASELINE_SCHEMA = 1;

/** What a baseline keeps of one model: enough to re-test a later run against it. */
interface BaselineModel {
  readonly version: string;
  readonly options_hash: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly ci: unknown;
  /** Per breakdown column, stratum → roc_auc: shown as deltas, not gated. */
  readonly strata: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  readonly system_ids: readonly string[];
  readonly labels: readonly number[];
  readonly scores: readonly number[];
}

/** How the systems were split when the baseline was written: another split is a stale baseline. */
export interface BaselineSplit {
  /** Share of systems tested (null with folds or a source split). */
  readonly test: number | null;
  readonly folds: number | null;
  /** `synthetic→real` of a sim-to-real split, else null. */
  readonly sources: string | null;
  /** Seed of the split (null for a source split, which draws none). */
  readonly seed: string | null;
}

export interface BaselineFile {
  readonly schema: number;
  readonly suite: string;
  readonly created_at: string;
  readonly harness_version: string;
  readonly dataset: {
    readonly kind: string;
    readonly name: string;
    /** Labels and metadata (`path`, `source`), or the scenario and generator (`scenario`). */
    readonly hash: string;
    /**
     * sha256 of every series file's bytes (`path` and `source` datasets; a scenario's `hash`
     * already covers its series). Absent in baselines written before it was recorded: such a
     * baseline of a `path` or `source` dataset is stale.
     */
    readonly series_hash?: string;
    /** Absent in older baselines: then the split is not compared. */
    readonly split?: BaselineSplit;
  };
  readonly models: Readonly<Record<string, BaselineModel>>;
}

/** How a suite's run compared with its baseline: one gate per model, like assertions. */
export interface BaselineReport {
  readonly file: string;
  readonly status: 'compared' | 'missing' | 'updated' | 'stale';
  readonly message: string;
  readonly gates: readonly Gate[];
}

/** One model's baseline gate: its ROC AUC against the stored one, the test, and the verdict. */
export interface Gate {
  readonly model: string;
  readonly state: 'passed' | 'failed';
  readonly message: string;
  readonly actual: number | null;
  readonly baseline: number | null;
  readonly pValue?: number;
  /**
   * The smallest roc_auc drop the test could detect at the suite's alpha with 80 % power, from
   * the standard error the gate's DeLong test measured. A gate whose tolerance is below it could
   * not have seen a drop of that size: it fails as underpowered unless the suite allows it.
   */
  readonly minDetectableDrop?: number;
  /** True when minDetectableDrop is larger than the tolerance. */
  readonly underpowered?: boolean;
}

/** Settings of the gate. */
export interface GateOptions {
  /** A drop smaller than this is a wiggle, never a failure. Default 0.02 AUC. */
  readonly tolerance: number;
  /** One-sided significance level of the drop. Default 0.05. */
  readonly alpha: number;
  /** Pass a gate that could not have detected a drop of `tolerance` (it still says so). Default false. */
  readonly allowUnderpowered?: boolean;
}

/** The power at which the smallest detectable drop is computed. */
const POWER = 0.8;

/** `suites/__baselines__/<suite>.json`, beside the suite file. */
export function baselinePath(suiteFile: string, suiteName: string): string {
  return path.join(
    path.dirname(suiteFile),
    '__baselines__',
    `${suiteName.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`,
  );
}

/**
 * Writes the suite's scored cases as its new baseline. `previous`: the stored baseline (null when
 * there is none or it is unreadable). Of its entries, those of models that errored in this run are
 * kept (an update must not drop a model's gate because it crashed once), and with `keepUnlisted`
 * (--model) those of models this run left out. The message says what was kept, dropped and
 * replaced (old → new roc_auc), and when the run failed assertions, so an update never loses a
 * good baseline unnoticed.
 */
export async function writeBaseline(
  suite: SuiteResult,
  harnessVersion: string,
  previous: BaselineFile | null = null,
  options: { readonly keepUnlisted?: boolean } = {},
): Promise<BaselineReport> {
  const file = baselinePath(suite.file, suite.name);
  if (!suite.dataset)
    return {
      file,
      status: 'missing',
      message: 'the suite did not run: no baseline written',
      gates: [],
    };
  // Entries of a baseline made on other data (or another split) are not carried into this one.
  const staleBy = previous ? staleReason(previous, suite.dataset) : undefined;
  const usable = staleBy === undefined ? previous : null;
  const scored = new Set(suite.cases.filter((c) => c.state === 'scored').map((c) => c.model));
  const errored = new Set(suite.cases.filter((c) => c.state === 'errored').map((c) => c.model));
  const models: Record<string, BaselineModel> = {};
  const carried: string[] = [];
  const keptErrored: string[] = [];
  const dropped: string[] = [];
  for (const [name, entry] of Object.entries(usable?.models ?? {})) {
    if (scored.has(name)) continue;
    if (errored.has(name)) {
      models[name] = entry;
      keptErrored.push(name);
    } else if (options.keepUnlisted === true) {
      models[name] = entry;
      carried.push(name);
    } else dropped.push(name);
  }
  const written: string[] = [];
  const replaced: string[] = [];
  for (const c of suite.cases) {
    if (c.state !== 'scored') continue;
    written.push(c.model);
    const strata: Record<string, Record<string, number | null>> = {};
    for (const [col, cells] of Object.entries(c.summary.breakdown))
      strata[col] = Object.fromEntries(cells.map((cell) => [cell.stratum, cell.metrics.roc_auc]));
    const old = previous?.models[c.model];
    const now = c.summary.metrics['roc_auc'] ?? null;
    const was = old ? (old.metrics['roc_auc'] ?? null) : undefined;
    if (was !== undefined && was !== now)
      replaced.push(`${c.model} roc_auc ${aucText(was)} → ${aucText(now)}`);
    models[c.model] = {
      version: c.version,
      options_hash: optionsHash(c.options),
      metrics: c.summary.metrics,
      ci: c.summary.ci,
      strata,
      system_ids: c.systemIds,
      labels: Array.from(c.y),
      scores: Array.from(c.scores),
    };
  }
  const lost = [...errored].filter((m) => !(m in models));
  const undefinedAuc = suite.cases
    .filter((c) => c.state === 'scored' && (c.summary.metrics['roc_auc'] ?? null) === null)
    .map((c) => c.model);
  const content: BaselineFile = {
    schema: BASELINE_SCHEMA,
    suite: suite.name,
    created_at: new Date().toISOString(),
    harness_version: harnessVersion,
    dataset: {
      kind: suite.dataset.kind,
      name: suite.dataset.name,
      hash: suite.dataset.hash,
      ...(suite.dataset.seriesHash !== undefined ? { series_hash: suite.dataset.seriesHash } : {}),
      split: splitOf(suite.dataset),
    },
    models,
  };
  await writeFileAtomic(file, JSON.stringify(content, null, 1) + '\n');
  const failedAssertions = suite.assertions.filter((a) => a.state === 'failed').length;
  const notes = [
    ...(keptErrored.length > 0
      ? [`kept the old entry of ${keptErrored.join(', ')}: errored in this run`]
      : []),
    ...(lost.length > 0
      ? [
          `${lost.join(', ')} errored and ${previous ? 'the old baseline holds no entry of this data for it' : 'there was no baseline'}: not in the baseline, its gate fails until it is updated`,
        ]
      : []),
    ...(undefinedAuc.length > 0
      ? [
          `roc_auc is undefined for ${undefinedAuc.join(', ')} (no anomalous or no normal system tested): their gates will fail until it is defined`,
        ]
      : []),
    ...(dropped.length > 0 ? [`dropped ${dropped.join(', ')}: no longer in the suite`] : []),
    ...(previous && staleBy !== undefined
      ? [`replaced the stale baseline of ${previous.created_at} (${staleBy})`]
      : []),
    ...(replaced.length > 0 ? [`replaced ${replaced.join(', ')}`] : []),
    ...(failedAssertions > 0
      ? [
          `this run failed ${failedAssertions} assertion${failedAssertions === 1 ? '' : 's'}, and the baseline now holds its figures`,
        ]
      : []),
  ];
  return {
    file,
    status: 'updated',
    message: `baseline written for ${written.join(', ') || 'no model'}${carried.length > 0 ? ` (kept: ${carried.join(', ')})` : ''}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
    gates: [],
  };
}

const aucText = (v: number | null): string => (v === null ? 'undefined' : v.toFixed(3));

/** The split of a run as a baseline records it. */
export function splitOf(d: DatasetInfo): BaselineSplit {
  return {
    test: d.folds === undefined && !d.splitSources ? (d.testFraction ?? null) : null,
    folds: d.folds ?? null,
    sources: d.splitSources ? `${d.splitSources.train}→${d.splitSources.test}` : null,
    seed: d.splitSources ? null : d.splitSeed,
  };
}

function splitText(s: BaselineSplit): string {
  const how =
    s.sources !== null
      ? `trained on ${s.sources.replace('→', ', tested on ')}`
      : s.folds !== null
        ? `${s.folds}-fold`
        : `${s.test === null ? '?' : +(s.test * 100).toFixed(2)} % tested`;
  return s.seed === null ? how : `${how}, seed ${JSON.stringify(s.seed)}`;
}

/**
 * Why a baseline cannot be compared with a run on `d`, or undefined when it can: other labels or
 * metadata (or another scenario), other telemetry (the series files of a `path` or `source`
 * dataset), or another split. A baseline written before the series were recorded cannot show it
 * was made on this telemetry: for a `path` or `source` dataset it is stale; a scenario's hash
 * covers its series. A baseline that does not record its split is compared on what it has.
 */
export function staleReason(b: BaselineFile, d: DatasetInfo): string | undefined {
  if (b.dataset.hash !== d.hash)
    return `the baseline was made on other data (${b.dataset.kind} ${b.dataset.name}, hash ${b.dataset.hash.slice(0, 12)} ≠ ${d.hash.slice(0, 12)})`;
  if (d.kind !== 'scenario') {
    const was = b.dataset.series_hash;
    if (was === undefined)
      return `the baseline does not record the telemetry it was made on (written before series files were hashed), so it cannot be shown to hold for this data`;
    if (was !== d.seriesHash)
      return `the baseline was made on other telemetry: the series files of ${d.kind} ${d.name} changed (series hash ${was.slice(0, 12)} ≠ ${(d.seriesHash ?? 'unknown').slice(0, 12)})`;
  }
  const split = b.dataset.split;
  if (split) {
    const now = splitOf(d);
    if (
      split.test !== now.test ||
      split.folds !== now.folds ||
      split.sources !== now.sources ||
      split.seed !== now.seed
    )
      return `the baseline was made on another split (${splitText(split)}; this run: ${splitText(now)})`;
  }
  return undefined;
}

/** Reads a suite's baseline, or null when it has none. A corrupt file is the user's to fix: exit 2. */
export async function readBaseline(
  suiteFile: string,
  suiteName: string,
): Promise<BaselineFile | null> {
  const file = baselinePath(suiteFile, suiteName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // Only a missing file is "no baseline". An unreadable one (permissions, a folder in its
    // place) was read as none too, and the gate it holds was skipped: a green run.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HarnessError(
      'E_BASELINE',
      `${file}: the baseline cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): fix its permissions, or delete it and run \`harness run --update-baseline\``,
    );
  }
  let problem: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    problem = baselineProblem(parsed, suiteName);
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  if (problem !== undefined)
    throw new HarnessError(
      'E_BASELINE',
      `${file}: not a baseline file (${problem}); delete it or run \`harness run --update-baseline\``,
    );
  return parsed as BaselineFile;
}

/**
 * What is wrong with a parsed baseline file, or undefined when the gate can use it. A file edited
 * by hand or copied from another suite must stop the run (exit 2), never be read as "no roc_auc,
 * not gated" or crash the comparison on a missing field.
 */
function baselineProblem(b: unknown, suiteName: string): string | undefined {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(b)) return 'not a JSON object';
  if (b['schema'] !== BASELINE_SCHEMA)
    return `schema ${String(b['schema'])} is not ${BASELINE_SCHEMA}`;
  if (b['suite'] !== suiteName)
    return `it is the baseline of suite ${JSON.stringify(b['suite'])}, not of "${suiteName}"`;
  const dataset = b['dataset'];
  if (!isObject(dataset) || typeof dataset['hash'] !== 'string') return '"dataset.hash" is missing';
  if ('series_hash' in dataset && typeof dataset['series_hash'] !== 'string')
    return '"dataset.series_hash" is not a string';
  if ('split' in dataset) {
    const sp = dataset['split'];
    const numOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
    const strOrNull = (v: unknown) => v === null || typeof v === 'string';
    if (
      !isObject(sp) ||
      !numOrNull(sp['test']) ||
      !numOrNull(sp['folds']) ||
      !strOrNull(sp['sources']) ||
      !strOrNull(sp['seed'])
    )
      return '"dataset.split" is not { test, folds, sources, seed }';
  }
  if (typeof b['created_at'] !== 'string') return '"created_at" is missing';
  if (!isObject(b['models'])) return '"models" is not an object';
  for (const [name, m] of Object.entries(b['models'])) {
    const at = `models.${name}`;
    if (!isObject(m)) return `"${at}" is not an object`;
    if (typeof m['version'] !== 'string' || typeof m['options_hash'] !== 'string')
      return `"${at}" needs "version" and "options_hash"`;
    const metrics = m['metrics'];
    if (!isObject(metrics) || !('roc_auc' in metrics)) return `"${at}.metrics.roc_auc" is missing`;
    const auc = metrics['roc_auc'];
    if (auc !== null && !(typeof auc === 'number' && auc >= 0 && auc <= 1))
      return `"${at}.metrics.roc_auc" is ${JSON.stringify(auc)}, not a number in [0, 1] or null`;
    const ids = m['system_ids'];
    const labels = m['labels'];
    const scores = m['scores'];
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string'))
      return `"${at}.system_ids" is not a list of ids`;
    if (!Array.isArray(labels) || !labels.every((x) => x === 0 || x === 1))
      return `"${at}.labels" is not a list of 0 and 1`;
    if (!Array.isArray(scores) || !scores.every((x) => typeof x === 'number' && Number.isFinite(x)))
      return `"${at}.scores" is not a list of finite numbers`;
    if (labels.length !== ids.length || scores.length !== ids.length)
      return `"${at}" has ${ids.length} system_ids, ${labels.length} labels and ${scores.length} scores`;
  }
  return undefined;
}

/**
 * Compares a run with its baseline. ROC AUC is gated per model: a drop fails only when it is
 * larger than the tolerance AND significant — by the paired DeLong test when the same systems
 * were scored (the usual case: same fixture, same split), else by an unpaired z-test on the two
 * DeLong variances. Baselines made on other data, other telemetry or another split are reported
 * as stale (see {@link staleReason}), never compared.
 */
export function compareWithBaseline(
  suite: SuiteResult,
  baseline: BaselineFile,
  options: GateOptions,
): BaselineReport {
  const file = baselinePath(suite.file, suite.name);
  if (!suite.dataset)
    return { file, status: 'compared', message: 'the suite did not run', gates: [] };
  const stale = staleReason(baseline, suite.dataset);
  if (stale !== undefined) {
    return {
      file,
      status: 'stale',
      message: `${stale}: not compared; run \`harness run --update-baseline\` if the change is intended`,
      gates: [],
    };
  }
  const gates: Gate[] = [];
  for (const c of suite.cases) {
    if (c.state !== 'scored') continue;
    const base = baseline.models[c.model];
    // A model added since the baseline was written has nothing to be compared with: like a
    // stale baseline, it fails until the baseline is updated, never passes ungated.
    if (!base) gates.push(notInBaseline(c, baseline));
    else gates.push(gateModel(c, base, options));
  }
  return {
    file,
    status: 'compared',
    message: `compared with the baseline of ${baseline.created_at}`,
    gates,
  };
}

/**
 * A suite that declares `baseline: { … }` but has no baseline file: every scored model fails its
 * gate, as a model missing from a baseline does. Before, the suite passed ungated (a baseline
 * never written, or never committed, so a clean CI checkout has none). A suite without
 * `baseline:` and without a file is not gated and not failed: it never asked for a gate.
 */
export function missingBaseline(suite: SuiteResult): BaselineReport {
  const file = baselinePath(suite.file, suite.name);
  const gates: Gate[] = suite.cases
    .filter((c) => c.state === 'scored')
    .map((c) => ({
      model: c.model,
      state: 'failed',
      message: `${c.model} is not gated: the suite sets \`baseline\` but no baseline is stored; run \`harness run --update-baseline\` and commit ${displayPath(file)}`,
      actual: c.summary.metrics.roc_auc ?? null,
      baseline: null,
    }));
  return {
    file,
    status: 'missing',
    message: `no baseline is stored (${displayPath(file)}): the suite's baseline gate fails until one is written`,
    gates,
  };
}

function notInBaseline(c: Extract<CaseResult, { state: 'scored' }>, baseline: BaselineFile): Gate {
  const held = Object.keys(baseline.models);
  return {
    model: c.model,
    state: 'failed',
    message: `${c.model} is not in the baseline (it holds ${held.length > 0 ? held.join(', ') : 'no model'}), so it is not gated; run \`harness run --update-baseline\` to add it`,
    actual: c.summary.metrics['roc_auc'] ?? null,
    baseline: null,
  };
}

function gateModel(
  c: Extract<CaseResult, { state: 'scored' }>,
  base: BaselineModel,
  o: GateOptions,
): Gate {
  const now = c.summary.metrics['roc_auc'] ?? null;
  const was = base.metrics['roc_auc'] ?? null;
  const changed =
    base.version !== c.version || base.options_hash !== optionsHash(c.options)
      ? ` (plugin changed: v${base.version} → v${c.version})`
      : '';
  // A gate that cannot compare must not pass: an undefined roc_auc (a test split with no
  // anomaly or no normal system, now or when the baseline was written) was "not gated" and held.
  if (now === null || was === null) {
    const where =
      now === null && was === null
        ? 'now and in the baseline'
        : now === null
          ? `now (the baseline has ${was!.toFixed(3)})`
          : `in the baseline (now ${now.toFixed(3)})`;
    return {
      model: c.model,
      state: 'failed',
      message: `${c.model} roc_auc is undefined ${where}, so the gate cannot compare: roc_auc needs anomalous and normal systems among the ${c.y.length} tested; test on more systems (a larger split.test), then run \`harness run --update-baseline\`${changed}`,
      actual: now,
      baseline: was,
    };
  }
  const drop = was - now;
  const sameSystems =
    base.system_ids.length === c.systemIds.length &&
    base.system_ids.every((id, i) => id === c.systemIds[i]) &&
    base.labels.every((l, i) => l === c.y[i]);
  let p: number;
  let se: number;
  let how: string;
  if (sameSystems) {
    const t = delongPairedTest(c.y, base.scores, c.scores);
    p = t.value === null ? (drop > 0 ? 0 : 1) : normalCdf(-t.z);
    se = t.value === null ? 0 : Math.sqrt(t.variance);
    how = 'paired DeLong';
  } else {
    const a = delongAuc(base.labels, base.scores);
    const b = delongAuc(c.y, c.scores);
    const v = (a.value === null ? 0 : a.variance) + (b.value === null ? 0 : b.variance);
    p = v > 0 ? normalCdf(-drop / Math.sqrt(v)) : drop > 0 ? 0 : 1;
    se = Math.sqrt(v);
    how = 'unpaired DeLong z-test (other systems than the baseline)';
  }
  const minDetectableDrop = (normalQuantile(1 - o.alpha) + normalQuantile(POWER)) * se;
  const underpowered = minDetectableDrop > o.tolerance;
  const delta = `${was.toFixed(3)} → ${now.toFixed(3)} (${drop >= 0 ? '−' : '+'}${Math.abs(drop).toFixed(3)})`;
  const regressed = drop > o.tolerance && p < o.alpha;
  const failed = regressed || (underpowered && o.allowUnderpowered !== true);
  const power = `the smallest drop this test can detect at alpha ${o.alpha} with ${POWER * 100} % power is ${minDetectableDrop.toFixed(3)}, above the ${o.tolerance} tolerance`;
  const message = regressed
    ? `${c.model} roc_auc regressed: ${delta}, beyond the ${o.tolerance} tolerance and significant (${how}, one-sided p ${p < 1e-4 ? '< 0.0001' : `= ${p.toFixed(4)} < ${o.alpha}`})${changed}`
    : underpowered && o.allowUnderpowered !== true
      ? `underpowered: ${c.model} roc_auc ${delta}: ${power} (${how}), so the gate could not see a regression of that size; test on more systems, raise baseline.tolerance, or set baseline: { allowUnderpowered: true }${changed}`
      : `${c.model} roc_auc holds against the baseline: ${delta}${drop > 0 ? ` (${drop > o.tolerance ? `p = ${p.toFixed(3)}, not significant` : 'within tolerance'})` : ''}${underpowered ? ` (underpowered, allowed: ${power})` : ''}${changed}`;
  return {
    model: c.model,
    state: failed ? 'failed' : 'passed',
    message,
    actual: now,
    baseline: was,
    pValue: p,
    minDetectableDrop,
    underpowered,
  };
}
