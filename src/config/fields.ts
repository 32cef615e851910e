/**
 * The config's fields and what each accepts: one checker per field, shared by the config file
 * (resolveConfig) and by the settings code gives createHarness in place of it (`overrides`), so
 * that a value refused in the file is refused there too.
 */
import { MAX_TIMEOUT_MS, MAX_WORKERS } from '../defaults.ts';
import { HarnessError } from '../errors.ts';
import { stableJson } from '../stable-json.ts';
import { parseTrackingUri } from './tracking-uri.ts';
import type { UserConfig } from './types.ts';

const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
/**
 * What is wrong with a timeout in ms, or null: the `--timeout` flag's range. Past it Node caps
 * the timer to 1 ms and every call would time out at once.
 */
const timeoutProblem = (v: unknown): string | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_TIMEOUT_MS
    ? null
    : `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS.toLocaleString('en-US')} (24 hours)`;
/** A process model entry: a non-empty `command` of strings, and the optional fields typed right. */
const isProcessSpec = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return (
    Array.isArray(m.command) &&
    m.command.length > 0 &&
    m.command.every(nonEmptyString) &&
    (m.cwd === undefined || typeof m.cwd === 'string') &&
    (m.version === undefined || typeof m.version === 'string') &&
    (m.shipState === undefined || typeof m.shipState === 'boolean') &&
    (m.timeoutMs === undefined || timeoutProblem(m.timeoutMs) === null) &&
    (m.env === undefined ||
      (typeof m.env === 'object' &&
        m.env !== null &&
        Object.values(m.env).every((e) => typeof e === 'string')))
  );
};
const stringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(nonEmptyString);

/** One checker per field: null when fine, else what is wrong (the field path is added by the caller). */
const FIELD_CHECKS: Readonly<Record<keyof UserConfig, (v: unknown) => string | null>> = {
  dataDir: (v) => (nonEmptyString(v) ? null : 'must be a non-empty string (a folder path)'),
  scenario: (v) => (nonEmptyString(v) ? null : 'must be a scenario name or path'),
  seed: (v) =>
    typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
      ? null
      : 'must be a string or a number',
  suites: (v) =>
    stringList(v) && v.length > 0
      ? null
      : 'must be a non-empty list of globs, e.g. ["suites/**/*.suite.ts"]',
  plugins: (v) => (stringList(v) ? null : 'must be a list of folders, e.g. ["plugins"]'),
  models: (v) =>
    processTimeoutProblem(v) ??
    (typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((m) => nonEmptyString(m) || isProcessSpec(m))
      ? null
      : 'must map model names to module paths or package names, e.g. { "mymodel": "./models/mymodel.ts" }, or to a process model, e.g. { "iforest": { "command": ["python", "-m", "my_models.iforest"] } }'),
  reporters: (v) => {
    if (!Array.isArray(v))
      return 'must be a list, e.g. ["plain", ["json", { "file": "results.json" }]]';
    const bad = v.findIndex(
      (r) =>
        !(
          nonEmptyString(r) ||
          (Array.isArray(r) &&
            r.length === 2 &&
            nonEmptyString(r[0]) &&
            typeof r[1] === 'object' &&
            r[1] !== null)
        ),
    );
    if (bad >= 0) return `[${bad}] must be a reporter name, [name, options] or a module path`;
    // The same reporter twice printed its report twice, or wrote its file twice.
    const keys = v.map((r) => stableJson(r));
    const again = keys.findIndex((k, i) => keys.indexOf(k) !== i);
    return again < 0
      ? null
      : `[${again}] is the same reporter as [${keys.indexOf(keys[again]!)}]: give it once`;
  },
  outDir: (v) => (nonEmptyString(v) ? null : 'must be a non-empty string (a folder path)'),
  cacheDir: (v) => (nonEmptyString(v) ? null : 'must be a non-empty string (a folder path)'),
  runsDir: (v) => (nonEmptyString(v) ? null : 'must be a non-empty string (a folder path)'),
  history: (v) =>
    typeof v === 'boolean' ? null : 'must be true (record every run in runsDir) or false',
  timeoutMs: timeoutProblem,
  cacheEnv: (v) =>
    stringList(v) ? null : 'must be a list of environment variable names, e.g. ["MODEL_PATH"]',
  workers: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_WORKERS
      ? null
      : `must be a whole number of worker threads from 1 to ${MAX_WORKERS}, as --workers`,
  tracking: checkTracking,
};

/** `.<name>.timeoutMs: …` for the first process model whose timeoutMs is out of range, else null. */
function processTimeoutProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return null;
  for (const [name, spec] of Object.entries(v)) {
    const t =
      typeof spec === 'object' && spec !== null
        ? (spec as { timeoutMs?: unknown }).timeoutMs
        : undefined;
    const problem = t === undefined ? null : timeoutProblem(t);
    if (problem) return `.${name}.timeoutMs: ${problem}`;
  }
  return null;
}

/** Field names that would put a secret in a committed file. */
const SECRET_FIELDS = /token|password|secret|user|auth|key/i;

/** `tracking: { mlflow: { uri } }`; the URI must be one the harness can log to (see parseTrackingUri). */
function checkTracking(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'must be { mlflow: { uri: "http://127.0.0.1:5000" } }';
  for (const [k, mlflow] of Object.entries(v)) {
    if (k !== 'mlflow') return `.${k}: unknown tracker (known: mlflow)`;
    if (typeof mlflow !== 'object' || mlflow === null || Array.isArray(mlflow))
      return '.mlflow: must be { uri: "http://127.0.0.1:5000" }';
    for (const [field, value] of Object.entries(mlflow)) {
      if (field !== 'uri') {
        return SECRET_FIELDS.test(field)
          ? `.mlflow.${field}: credentials do not belong in a config file; set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN, in the environment`
          : `.mlflow.${field}: unknown field (known: uri)`;
      }
      if (!nonEmptyString(value))
        return '.mlflow.uri: must be the URL of an MLflow server, e.g. "http://127.0.0.1:5000"';
      try {
        parseTrackingUri(value, 'tracking.mlflow.uri');
      } catch (err) {
        if (err instanceof HarnessError)
          return `.mlflow.uri: ${err.message.replace(/^tracking\.mlflow\.uri: /, '')}`;
        throw err;
      }
    }
  }
  return null;
}

/** The config's field names, in the order messages list them. */
export const CONFIG_FIELDS = Object.keys(FIELD_CHECKS) as readonly (keyof UserConfig)[];

/**
 * What is wrong with `value` as the field `key` (`workers: must be …`, `reporters[1] must be …`,
 * `sed: unknown field (known: …)`), or null. Only the fields of `known` are taken (default:
 * all). A key is looked up as the object's own: `constructor` or `__proto__` is an unknown
 * field, not a method of every object.
 */
export function fieldProblem(
  key: string,
  value: unknown,
  known: readonly (keyof UserConfig)[] = CONFIG_FIELDS,
): string | null {
  if (!Object.hasOwn(FIELD_CHECKS, key) || !known.includes(key as keyof UserConfig))
    return `${key}: unknown field (known: ${known.join(', ')})`;
  const message = FIELD_CHECKS[key as keyof UserConfig](value);
  if (message === null) return null;
  return message.startsWith('[') || message.startsWith('.')
    ? `${key}${message}`
    : `${key}: ${message}`;
}
