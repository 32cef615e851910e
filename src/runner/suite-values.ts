/**
 * The values of a suite's options, checked when the suite is collected, before anything runs. A
 * value the runner cannot use (a threshold kind with a typo, a baseline tolerance given as a
 * string, `models: [undefined]`) once surfaced mid-run as an internal error with a stack
 * trace, or was read as something else (a NaN tolerance passes every drop): now each is an
 * E_SUITE error that names the option and says what it takes.
 */
import { didYouMean, unknownKey } from '../data/index.ts';
import { scenarioKeyProblem } from '../synth/index.ts';

/** A value as a message quotes it (`"0.02"` for a string, `undefined` for nothing). */
const got = (v: unknown): string => JSON.stringify(v) ?? String(v);

const THRESHOLD_KINDS = ['train_fpr', 'fixed', 'top_k', 'best_f1'];

/** Why `threshold` is unusable, or undefined. */
export function thresholdProblem(t: unknown): string | undefined {
  const usage =
    "a number, { kind: 'train_fpr', fpr: 0.05 }, { kind: 'fixed', value: 0.5 }, { kind: 'top_k', k: 10 } or { kind: 'best_f1' }";
  if (typeof t === 'number')
    return Number.isNaN(t) ? `\`threshold\` is NaN: it takes ${usage}` : undefined;
  if (typeof t !== 'object' || t === null) return `\`threshold\` must be ${usage} (got ${got(t)})`;
  const { kind, fpr, value, k } = t as {
    kind?: unknown;
    fpr?: unknown;
    value?: unknown;
    k?: unknown;
  };
  switch (kind) {
    case 'train_fpr':
      return typeof fpr === 'number' && fpr >= 0 && fpr <= 1
        ? undefined
        : `threshold.fpr must be a share of the training normals from 0 to 1, such as 0.05 (got ${String(fpr)})`;
    case 'fixed':
      return typeof value === 'number' && !Number.isNaN(value)
        ? undefined
        : `threshold.value must be a number, the score from which a system is flagged (got ${String(value)})`;
    case 'top_k':
      return Number.isInteger(k) && (k as number) >= 0
        ? undefined
        : `threshold.k must be a whole number ≥ 0, the count of systems flagged (got ${String(k)})`;
    case 'best_f1':
      return undefined;
    default: {
      const hint = typeof kind === 'string' ? didYouMean(kind, THRESHOLD_KINDS) : '';
      return `unknown threshold kind ${JSON.stringify(kind) ?? 'undefined'}${hint} (kinds: ${THRESHOLD_KINDS.join(', ')})`;
    }
  }
}

/**
 * Why `baseline`'s options are unusable, or undefined. A NaN or negative tolerance, an alpha
 * outside (0, 1) or a string in either made the gate pass every drop or fail every run.
 */
export function baselineProblem(b: {
  readonly tolerance?: unknown;
  readonly alpha?: unknown;
  readonly allowUnderpowered?: unknown;
}): string | undefined {
  const { tolerance, alpha, allowUnderpowered } = b;
  if (
    tolerance !== undefined &&
    !(typeof tolerance === 'number' && tolerance >= 0 && tolerance < 1)
  )
    return `baseline.tolerance must be a ROC AUC drop from 0 to below 1, such as 0.02 (got ${got(tolerance)})`;
  if (alpha !== undefined && !(typeof alpha === 'number' && alpha > 0 && alpha < 1))
    return `baseline.alpha must be a significance level between 0 and 1, such as 0.05 (got ${got(alpha)})`;
  if (allowUnderpowered !== undefined && typeof allowUnderpowered !== 'boolean')
    return `baseline.allowUnderpowered must be true or false (got ${got(allowUnderpowered)})`;
  return undefined;
}

/** Why entry `i` of `models` is no model, or undefined. */
export function modelEntryProblem(entry: unknown, i: number): string | undefined {
  const ok =
    (typeof entry === 'string' && entry !== '') ||
    (Array.isArray(entry) &&
      typeof entry[0] === 'string' &&
      entry[0] !== '' &&
      (entry.length === 1 || (typeof entry[1] === 'object' && entry[1] !== null))) ||
    (typeof entry === 'object' &&
      entry !== null &&
      !Array.isArray(entry) &&
      typeof (entry as { name?: unknown }).name === 'string');
  if (ok) return undefined;
  const seen = typeof entry === 'function' ? 'a function' : got(entry);
  return `models[${i}] must be a plugin name ('zscore'), [name, options] or a plugin object with a name, such as defineModel({ name, score }) (got ${seen})`;
}

/** The keys of each form of `dataset` (see DatasetSpec in suite.ts). */
const DATASET_KEYS = {
  scenario: { scenario: true, systems: true, days: true, interval: true, seed: true },
  source: { source: true },
  path: { path: true, source: true },
} as const;

/**
 * Why `dataset` is unusable, or undefined. A key outside its form was ignored: `{ scenario:
 * 'default', anomalyRate: 0 }` generated the default fleet with its anomalies, and a suite meant
 * for an all-normal fleet was judged on another one.
 */
export function datasetProblem(d: unknown): string | undefined {
  if (typeof d === 'string') return d === '' ? '`dataset` is an empty scenario name' : undefined;
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    return `\`dataset\` must be a scenario name, { scenario, systems?, days?, interval?, seed? }, { source } or { path } (got ${got(d)})`;
  const form =
    'scenario' in d ? 'scenario' : 'path' in d ? 'path' : 'source' in d ? 'source' : null;
  if (form === null)
    return `\`dataset\` needs one of scenario, source or path (got keys ${Object.keys(d).join(', ') || 'none'})`;
  const bad = unknownKey(d, DATASET_KEYS[form], `dataset (${form} form)`);
  const inline = (d as { scenario?: unknown }).scenario;
  if (bad === undefined && form === 'scenario' && typeof inline !== 'string') {
    // An inline scenario's typo (`anomalyrate`) generated the default fleet: checked here, at collection.
    return scenarioKeyProblem(inline, 'dataset.scenario');
  }
  if (bad === undefined) return undefined;
  return form === 'scenario'
    ? `${bad}; other scenario fields go in an inline scenario: dataset: { scenario: { name: 'mine', anomalyRate: 0, … } }`
    : bad;
}
