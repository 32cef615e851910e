import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MAX_WORKERS } from '../defaults.ts';
import { HarnessError, type Problem } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import { fieldProblem } from './fields.ts';
import { findConfig, PACKAGE_KEY, readJsonFile } from './find-config.ts';
import type { ResolvedConfig, UserConfig } from './types.ts';

/**
 * Finds the project's config from `cwd` upwards (find-config.ts), validates it, and fills the
 * defaults. Modules (`harness.config.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`) are imported
 * like every user module, through tsx whatever the folder's "type", so a config may import the
 * harness's own TypeScript source (`defineConfig`); JSON configs are parsed with a syntax error
 * located at its line and column.
 */
export async function loadConfig(cwd = process.cwd()): Promise<ResolvedConfig> {
  const found = await findConfig(cwd);
  if (!found) return resolveConfig({}, null, path.resolve(cwd));
  const { file } = found;
  let value: unknown;
  if (found.kind === 'module') {
    value = await loadDefaultExport(file, { what: 'config' });
    // Nothing to read would otherwise run on the defaults.
    if (value === undefined || value === null) throw noDefaultExport(file, value);
  } else if (found.kind === 'json') {
    value = await readJsonFile(file);
    if (value === undefined || value === null) throw emptyJson(file);
  } else {
    value = found.value;
    if (value === null)
      throw new HarnessError(
        'E_CONFIG',
        `${file}: "${PACKAGE_KEY}" is null: make it an object such as { "suites": ["suites/**/*.suite.ts"] }, or remove the key`,
      );
  }
  return resolveConfig(value, file, path.dirname(file));
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
    outDir: abs(config.outDir ?? path.join('.harness', 'last-run')),
    cacheDir: abs(config.cacheDir ?? path.join('.harness', 'cache')),
    runsDir: abs(config.runsDir ?? path.join('.harness', 'runs')),
    history: config.history ?? true,
    timeoutMs: config.timeoutMs ?? 60_000,
    cacheEnv: config.cacheEnv ?? [],
    workers: config.workers ?? Math.min(availableParallelism(), MAX_WORKERS),
    tracking: { mlflow: { uri: config.tracking?.mlflow?.uri ?? null } },
  };
}
