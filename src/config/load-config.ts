import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { MAX_TIMEOUT_MS } from '../defaults.ts';
import { HarnessError, jsonProblem, type Problem } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import { parseTrackingUri } from './tracking-uri.ts';
import type { ResolvedConfig, UserConfig } from './types.ts';

/**
 * Config modules are imported like every user module (through tsx, whatever the folder's
 * "type"), so a config may import the harness's own TypeScript source (`defineConfig`);
 * cosmiconfig's built-in loader transpiles to a temp file and cannot follow such imports.
 */
const importModule: Loader = async (filepath) => {
  const value = await loadDefaultExport(filepath, { what: 'config' });
  // cosmiconfig skips a config whose value is undefined or null: the run would pass on the defaults.
  if (value === undefined || value === null) throw noDefaultExport(filepath, value);
  return value;
};

/** A config module that exports nothing the harness can read, with what to write instead. */
function noDefaultExport(filepath: string, value?: null): HarnessError {
  const what = value === null ? 'exports null as its default' : 'has no default export';
  return new HarnessError(
    'E_CONFIG',
    `${filepath} ${what}: write \`export default defineConfig({ … })\` (import { defineConfig } from 'bess-harness')`,
  );
}

/** `.harnessrc.json`, `.harnessrc` and package.json: JSON.parse, with a syntax error located at line and column. */
const loadJson: Loader = (filepath, content) => {
  let value: unknown;
  try {
    value = JSON.parse(content); // cosmiconfig itself takes the `harness` key of package.json
  } catch (err) {
    throw new HarnessError('E_CONFIG', `the config ${filepath} could not be loaded`, [
      jsonProblem(filepath, content, err),
    ]);
  }
  // A `null` config would be skipped by cosmiconfig, as an empty file would be.
  if (value === null && path.basename(filepath) !== 'package.json') throw emptyJson(filepath);
  return value;
};

/** A JSON config with nothing in it, with what to write instead. */
function emptyJson(filepath: string): HarnessError {
  return new HarnessError(
    'E_CONFIG',
    `${filepath} holds no config: write a JSON object such as { "suites": ["suites/**/*.suite.ts"] }, or remove the file`,
  );
}

/**
 * A config file cosmiconfig would skip without a word (a folder, a FIFO, a file it cannot
 * read) must fail the run, not let it pass on the defaults. Looks where cosmiconfig's
 * `project` strategy looks: from `cwd` up to the first folder with a package.json.
 */
async function refuseUnreadableConfigs(cwd: string): Promise<void> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of SEARCH_PLACES) {
      const file = path.join(dir, name);
      let st;
      try {
        st = await stat(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw new HarnessError(
          'E_CONFIG',
          `the config ${file} cannot be read (${code ?? String(err)})`,
        );
      }
      if (!st.isFile())
        throw new HarnessError(
          'E_CONFIG',
          `the config ${file} is not a regular file: remove it or make it the config`,
        );
      try {
        await access(file, constants.R_OK);
      } catch (err) {
        throw new HarnessError(
          'E_CONFIG',
          `the config ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        );
      }
    }
    if (existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir) return;
  }
}

const SEARCH_PLACES = [
  'harness.config.ts',
  'harness.config.mjs',
  'harness.config.js',
  '.harnessrc.json',
  '.harnessrc',
  'package.json',
];

/** Finds the project's config from `cwd` upwards, validates it, and fills the defaults. */
export async function loadConfig(cwd = process.cwd()): Promise<ResolvedConfig> {
  const explorer = cosmiconfig('harness', {
    searchPlaces: SEARCH_PLACES,
    loaders: {
      '.ts': importModule,
      '.mjs': importModule,
      '.js': importModule,
      '.json': loadJson,
      noExt: loadJson,
    },
    searchStrategy: 'project',
    // An empty config file is a mistake to name, not a file to skip for the defaults.
    ignoreEmptySearchPlaces: false,
  });
  await refuseUnreadableConfigs(cwd);
  let found;
  try {
    found = await explorer.search(cwd);
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new HarnessError('E_CONFIG', `the config could not be loaded: ${message}`);
  }
  if (!found || (found.isEmpty && path.basename(found.filepath) === 'package.json'))
    return resolveConfig({}, null, cwd);
  if (found.isEmpty)
    throw /\.(?:ts|mjs|js)$/.test(found.filepath)
      ? noDefaultExport(found.filepath)
      : emptyJson(found.filepath);
  return resolveConfig(found.config, found.filepath, path.dirname(found.filepath));
}

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
const KNOWN_FIELDS: Readonly<Record<keyof UserConfig, (v: unknown) => string | null>> = {
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
    return bad < 0 ? null : `[${bad}] must be a reporter name, [name, options] or a module path`;
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
    typeof v === 'number' && Number.isInteger(v) && v >= 1
      ? null
      : 'must be a whole number ≥ 1 (worker threads)',
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

/** Validates a user config (one problem per wrong field, naming the file and the field) and fills defaults. */
export function resolveConfig(
  raw: unknown,
  configFile: string | null,
  root: string,
): ResolvedConfig {
  const file = configFile ?? '(config)';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HarnessError(
      'E_CONFIG',
      `${file}: the config must be an object (export default defineConfig({ … }))`,
    );
  }
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const check = KNOWN_FIELDS[key as keyof UserConfig];
    const message = check
      ? check(value)
      : `unknown field (known: ${Object.keys(KNOWN_FIELDS).join(', ')})`;
    if (message)
      problems.push({
        file,
        line: 0,
        column: 0,
        message:
          message.startsWith('[') || message.startsWith('.')
            ? `${key}${message}`
            : `${key}: ${message}`,
      });
  }
  if (problems.length > 0) {
    throw new HarnessError('E_CONFIG', `${file}: ${problems.length} invalid field(s)`, problems);
  }
  const config = raw as UserConfig;
  const abs = (p: string) => path.resolve(root, p);
  return {
    configFile,
    root,
    dataDir: abs(config.dataDir ?? 'data'),
    scenario: config.scenario ?? 'default',
    seed: config.seed === undefined ? null : String(config.seed),
    suites: config.suites ?? ['suites/**/*.suite.ts'],
    plugins: (config.plugins ?? ['plugins']).map(abs),
    models: Object.fromEntries(
      Object.entries(config.models ?? {}).map(([name, spec]) => [
        name,
        typeof spec !== 'string'
          ? { ...spec, cwd: abs(spec.cwd ?? '.') }
          : spec.startsWith('.') || path.isAbsolute(spec)
            ? abs(spec)
            : spec,
      ]),
    ),
    reporters: config.reporters ?? null,
    outDir: abs(config.outDir ?? path.join('.harness', 'last-run')),
    cacheDir: abs(config.cacheDir ?? path.join('.harness', 'cache')),
    runsDir: abs(config.runsDir ?? path.join('.harness', 'runs')),
    history: config.history ?? true,
    timeoutMs: config.timeoutMs ?? 60_000,
    cacheEnv: config.cacheEnv ?? [],
    workers: config.workers ?? availableParallelism(),
    tracking: { mlflow: { uri: config.tracking?.mlflow?.uri ?? null } },
  };
}
