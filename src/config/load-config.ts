import { availableParallelism } from 'node:os';
import path from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { DEFAULT_OUT_DIR, MAX_WORKERS } from '../defaults.ts';
import { HarnessError, type Problem } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import {
  CONFIG_FILES,
  PACKAGE_KEY,
  parseJson,
  readJsonFile,
  refuseIgnoredConfigs,
  scanConfigFolder,
} from './config-files.ts';
import { fieldProblem } from './fields.ts';
import type { ResolvedConfig, UserConfig } from './types.ts';

/**
 * Finds the project's config with cosmiconfig, from `cwd` up to the folder with package.json,
 * validates it, and fills the defaults. A second config beside the one read is refused
 * (config-files.ts), and whatever cosmiconfig throws (its meta-config, package.json in the
 * working directory, is parsed when the explorer is made) becomes a HarnessError, located when
 * it is JSON.
 */
export async function loadConfig(cwd = process.cwd()): Promise<ResolvedConfig> {
  const start = path.resolve(cwd);
  const scan = await scanConfigFolder(start);
  let found;
  try {
    found = await cosmiconfig(PACKAGE_KEY, {
      searchPlaces: [...CONFIG_FILES, 'package.json'],
      loaders: {
        '.ts': importModule,
        '.mts': importModule,
        '.cts': importModule,
        '.js': importModule,
        '.mjs': importModule,
        '.cjs': importModule,
        '.json': loadJson,
        noExt: loadJson,
      },
      searchStrategy: 'project',
      // An empty config file is a mistake to name, not a file to skip for the defaults.
      ignoreEmptySearchPlaces: false,
      cache: false,
    }).search(start);
  } catch (err) {
    throw await cosmiconfigFailure(err);
  }
  refuseIgnoredConfigs(scan, found?.filepath ?? null);
  if (!found) return resolveConfig({}, null, start);
  const file = found.filepath;
  if (found.isEmpty) {
    if (/\.[mc]?[jt]s$/.test(file)) throw noDefaultExport(file);
    // A blank package.json is not JSON; a blank JSON config holds nothing.
    if (path.basename(file) === 'package.json') parseJson(file, '');
    throw emptyJson(file);
  }
  return resolveConfig(found.config, file, path.dirname(file));
}

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

/**
 * JSON configs and package.json, with a syntax error located (cosmiconfig itself takes the
 * `harness` key of package.json). A null config would be skipped by cosmiconfig: an error.
 */
const loadJson: Loader = (filepath, content) => {
  const value = parseJson(filepath, content);
  if (path.basename(filepath) !== 'package.json') {
    if (value === null) throw emptyJson(filepath);
    return value;
  }
  if (typeof value !== 'object' || value === null) return {}; // no "harness" key
  if (Object.hasOwn(value, PACKAGE_KEY) && (value as Record<string, unknown>)[PACKAGE_KEY] === null)
    throw new HarnessError(
      'E_CONFIG',
      `${filepath}: "${PACKAGE_KEY}" is null: make it an object such as { "suites": ["suites/**/*.suite.ts"] }, or remove the key`,
    );
  return value;
};

/**
 * What cosmiconfig threw, as a HarnessError: a JSON file that does not parse (its meta-config
 * parses the working directory's package.json with its own loader) is re-read to locate the
 * mistake; anything else is named with its file.
 */
async function cosmiconfigFailure(err: unknown): Promise<unknown> {
  if (err instanceof HarnessError) return err;
  const file = (err as { filepath?: unknown }).filepath;
  const full = err instanceof Error ? err.message : String(err);
  // cosmiconfig's JSON loader puts "JSON Error in <file>:" on a line of its own.
  const message = full.split('\n').find((l) => l.trim() && !l.startsWith('JSON Error in')) ?? full;
  if (typeof file === 'string' && file.endsWith('.json')) {
    try {
      await readJsonFile(file);
    } catch (located) {
      return located;
    }
  }
  if (full.includes('\uFEFF'))
    return new HarnessError(
      'E_CONFIG',
      `${String(file)}: cosmiconfig cannot read a file that starts with a UTF-8 byte order mark: save it without one`,
    );
  return new HarnessError(
    'E_CONFIG',
    `${typeof file === 'string' ? file : "cosmiconfig's meta-config"}: the config could not be loaded: ${message}`,
  );
}

/** A config module that exports nothing the harness can read, with what to write instead. */
function noDefaultExport(filepath: string, value?: null): HarnessError {
  const what = value === null ? 'exports null as its default' : 'has no default export';
  return new HarnessError(
    'E_CONFIG',
    `${filepath} ${what}: write \`export default defineConfig({ … })\` (import { defineConfig } from 'bess-harness')`,
  );
}

/** A JSON config with nothing in it, with what to write instead. */
function emptyJson(filepath: string): HarnessError {
  return new HarnessError(
    'E_CONFIG',
    `${filepath} holds no config: write a JSON object such as { "suites": ["suites/**/*.suite.ts"] }, or remove the file`,
  );
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
    const message = fieldProblem(key, value);
    if (message) problems.push({ file, line: 0, column: 0, message });
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
    outDir: abs(config.outDir ?? DEFAULT_OUT_DIR),
    cacheDir: abs(config.cacheDir ?? path.join('.harness', 'cache')),
    runsDir: abs(config.runsDir ?? path.join('.harness', 'runs')),
    history: config.history ?? true,
    timeoutMs: config.timeoutMs ?? 60_000,
    cacheEnv: config.cacheEnv ?? [],
    workers: config.workers ?? Math.min(availableParallelism(), MAX_WORKERS),
    tracking: { mlflow: { uri: config.tracking?.mlflow?.uri ?? null } },
  };
}
