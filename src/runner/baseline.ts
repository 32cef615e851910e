import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../data/index.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { delongAuc, delongPairedTest, normalCdf, normalQuantile } from '../metrics/index.ts';
import { optionsHash } from '../stable-json.ts';
import type { CaseResult, SuiteResult } from './types.ts';

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

export interface BaselineFile {
  readonly schema: number;
  readonly suite: string;
  readonly created_at: string;
  readonly harness_version: string;
  readonly dataset: { readonly kind: string; readonly name: string; readonly hash: string };
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
 * Writes the suite's scored cases as its new baseline. `kept`: entries of the old baseline to
 * carry over for models this run did not score (left out by --model).
 */
export async function writeBaseline(
  suite: SuiteResult,
  harnessVersion: string,
  kept: BaselineFile['models'] = {},
): Promise<BaselineReport> {
  const file = baselinePath(suite.file, suite.name);
  if (!suite.dataset)
    return {
      file,
      status: 'missing',
      message: 'the suite did not run: no baseline written',
      gates: [],
    };
  const models: Record<string, BaselineModel> = { ...kept };
  const written: string[] = [];
  for (const c of suite.cases) {
    if (c.state !== 'scored') continue;
    written.push(c.model);
    const strata: Record<string, Record<string, number | null>> = {};
    for (const [col, cells] of Object.entries(c.summary.breakdown))
      strata[col] = Object.fromEntries(cells.map((cell) => [cell.stratum, cell.metrics.roc_auc]));
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
  const carried = Object.keys(kept).filter((m) => !written.includes(m));
  const content: BaselineFile = {
    schema: BASELINE_SCHEMA,
    suite: suite.name,
    created_at: new Date().toISOString(),
    harness_version: harnessVersion,
    dataset: { kind: suite.dataset.kind, name: suite.dataset.name, hash: suite.dataset.hash },
    models,
  };
  await writeFileAtomic(file, JSON.stringify(content, null, 1) + '\n');
  return {
    file,
    status: 'updated',
    message: `baseline written for ${written.join(', ') || 'no model'}${carried.length > 0 ? ` (kept: ${carried.join(', ')})` : ''}`,
    gates: [],
  };
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
 * DeLong variances. Baselines made on other data are reported as stale, never compared.
 */
export function compareWithBaseline(
  suite: SuiteResult,
  baseline: BaselineFile,
  options: GateOptions,
): BaselineReport {
  const file = baselinePath(suite.file, suite.name);
  if (!suite.dataset)
    return { file, status: 'compared', message: 'the suite did not run', gates: [] };
  if (baseline.dataset.hash !== suite.dataset.hash) {
    return {
      file,
      status: 'stale',
      message: `the baseline was made on other data (${baseline.dataset.kind} ${baseline.dataset.name}, hash ${baseline.dataset.hash.slice(0, 12)} ≠ ${suite.dataset.hash.slice(0, 12)}): not compared; run \`harness run --update-baseline\` if the change is intended`,
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
  if (now === null || was === null) {
    return {
      model: c.model,
      state: 'passed',
      message: `${c.model} roc_auc: not gated (undefined now or in the baseline)${changed}`,
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
