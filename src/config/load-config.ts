import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { tsImport } from 'tsx/esm/api';
import { HarnessError, type Problem } from '../errors.ts';
import type { ResolvedConfig, UserConfig } from './types.ts';

/**
 * TypeScript configs are imported through the tsx loader the CLI runs under, so a config may
 * import the harness's own TypeScript source (`defineConfig`); cosmiconfig's built-in loader
 * transpiles to a temp file and cannot follow such imports.
 */
const importTs: Loader = async (filepath) => {
  const mod: unknown = await tsImport(pathToFileURL(filepath).href, import.meta.url);
  return unwrapDefault(mod);
};

/** The default export, also when a CommonJS-scoped project wraps it as `{ default: { default } }`. */
function unwrapDefault(mod: unknown): unknown {
  let value = mod;
  while (
    typeof value === 'object' &&
    value !== null &&
    'default' in value &&
    Object.keys(value).every((k) => k === 'default' || k === '__esModule')
  ) {
    value = (value as { default: unknown }).default;
  }
  return value;
}

const SEARCH_PLACES = ['harness.config.ts', 'harness.config.mjs', 'harness.config.js', '.harnessrc.json', '.harnessrc', 'package.json'];

/** Finds the project's config from `cwd` upwards, validates it, and fills the defaults. */
export async function loadConfig(cwd = process.cwd()): Promise<ResolvedConfig> {
  const explorer = cosmiconfig('harness', {
    searchPlaces: SEARCH_PLACES,
    loaders: { '.ts': importTs, '.mjs': importTs, '.js': importTs },
    searchStrategy: 'project',
  });
  let found;
  try {
    found = await explorer.search(cwd);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new HarnessError('E_CONFIG', `the config could not be loaded: ${message}`);
  }
  if (!found || found.isEmpty) return resolveConfig({}, null, cwd);
  return resolveConfig(found.config, found.filepath, path.dirname(found.filepath));
}

const KNOWN_FIELDS: Readonly<Record<keyof UserConfig, (v: unknown) => string | null>> = {
  dataDir: (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string (a folder path)'),
  scenario: (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a scenario name or path'),
  seed: (v) => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? null : 'must be a string or a number'),
};

/** Validates a user config (one problem per wrong field, naming the file and the field) and fills defaults. */
export function resolveConfig(raw: unknown, configFile: string | null, root: string): ResolvedConfig {
  const file = configFile ?? '(config)';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HarnessError('E_CONFIG', `${file}: the config must be an object (export default defineConfig({ … }))`);
  }
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const check = KNOWN_FIELDS[key as keyof UserConfig];
    const message = check ? check(value) : `unknown field (known: ${Object.keys(KNOWN_FIELDS).join(', ')})`;
    if (message) problems.push({ file, line: 0, column: 0, message: `${key}: ${message}` });
  }
  if (problems.length > 0) {
    throw new HarnessError('E_CONFIG', `${file}: ${problems.length} invalid field(s)`, problems);
  }
  const config = raw as UserConfig;
  return {
    configFile,
    root,
    dataDir: path.resolve(root, config.dataDir ?? 'data'),
    scenario: config.scenario ?? 'default',
    seed: config.seed === undefined ? null : String(config.seed),
  };
}
