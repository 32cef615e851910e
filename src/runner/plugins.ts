import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../config/types.ts';
import { MAX_TIMEOUT_MS } from '../defaults.ts';
import { HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import { createProcessPlugin, type ModelPlugin } from '../plugin/index.ts';
import { readPackageVersion } from '../version.ts';
import type { ModelEntry } from './suite.ts';
import { pathExists } from '../data/index.ts';
import { FROM_SOURCE } from '../package-root.ts';
import { stableJson } from '../stable-json.ts';
import type { CodeSources } from './code-key.ts';

/**
 * The harness's own plugins (random, zscore, pca), found after the project's: compiled, beside
 * the compiled harness (dist/plugins/<name>/index.js), or their source when the harness runs from
 * source (under vitest). A project's plugin folders hold `<name>/index.ts`.
 */
const BUILTIN_PLUGINS = fileURLToPath(new URL('../../plugins/', import.meta.url));
const BUILTIN_ENTRY = FROM_SOURCE ? 'index.ts' : 'index.js';
/** The plugin folders to look in, each with the name of its plugins' entry file. */
const pluginDirs = (config: ResolvedConfig): [string, string][] => [
  ...config.plugins.map((dir): [string, string] => [dir, 'index.ts']),
  [BUILTIN_PLUGINS, BUILTIN_ENTRY],
];

type Factory = (options?: Readonly<Record<string, unknown>>) => unknown;

/**
 * Turns a suite's model entry into a plugin. A name is looked up, in order, in the config's
 * `models` map, in each plugin folder (`<dir>/<name>/index.ts`), among the built-in plugins, and
 * as an npm package. The module's default export is a factory `(options) => plugin` or a plugin.
 */
export async function resolveModel(
  entry: ModelEntry,
  config: ResolvedConfig,
  suiteFile: string,
): Promise<ModelPlugin> {
  if (typeof entry === 'object' && !Array.isArray(entry)) return checkPlugin(entry, suiteFile);
  const [name, options] =
    typeof entry === 'string'
      ? [entry, undefined]
      : (entry as readonly [string, Readonly<Record<string, unknown>>]);
  const mapped = config.models[name];
  if (mapped !== undefined && typeof mapped !== 'string') {
    // A program speaking the process protocol; its process starts on the plugin's first call.
    return createProcessPlugin(name, mapped, options ?? {}, {
      root: config.root,
      harnessVersion: await readPackageVersion(),
    });
  }
  const found = await locate(name, config);
  if (!found) {
    const known = await knownModelNames(config);
    throw new HarnessError(
      'E_PLUGIN',
      `${suiteFile}: unknown model "${name}" (known: ${known.join(', ') || 'none'}; add it to plugins/${name}/index.ts or to \`models\` in the config)`,
    );
  }
  const exported = await loadDefaultExport(found, { what: 'plugin', name });
  let plugin: unknown = exported;
  if (typeof exported === 'function') {
    try {
      plugin = await (exported as Factory)(options ?? {});
    } catch (err) {
      throw new HarnessError(
        'E_PLUGIN',
        `${found}: the model plugin "${name}" rejected its options: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  } else if (options !== undefined) {
    throw new HarnessError(
      'E_PLUGIN',
      `${suiteFile}: model "${name}" takes no options (its module exports a plugin object, not a factory)`,
    );
  }
  return checkPlugin(plugin, found);
}

async function locate(name: string, config: ResolvedConfig): Promise<string | null> {
  const mapped = config.models[name];
  if (typeof mapped === 'string')
    return path.isAbsolute(mapped) ? mapped : resolvePackage(mapped, config.root);
  for (const [dir, entry] of pluginDirs(config)) {
    const file = path.join(dir, name, entry);
    if (await pathExists(file)) return file;
  }
  return resolvePackage(name, config.root);
}

/**
 * What the score cache's code key must follow for a suite's model entries beyond the project's
 * folder (code-key.ts): the suite file and the config, whose imports reach the plugin objects
 * they hold and the helpers those import; each named plugin's entry file and folder (a plugin
 * folder or a `models` path may lie outside the project); each process model's spec, `cwd`,
 * program (and its virtualenv), the files its arguments name and the folders its `env` puts on
 * PYTHONPATH or NODE_PATH. The harness's own plugins and installed npm packages are left out:
 * the harness's version and build and the lockfile key them.
 */
export async function modelCodeSources(
  entries: readonly ModelEntry[],
  config: ResolvedConfig,
  suiteFile: string,
): Promise<CodeSources> {
  const modules = [suiteFile, ...(config.configFile ? [config.configFile] : [])];
  const dirs: string[] = [];
  const files: string[] = [];
  const texts: string[] = [];
  const isFile = (p: string) =>
    stat(p).then(
      (s) => s.isFile(),
      () => false,
    );
  for (const entry of entries) {
    if (typeof entry === 'object' && !Array.isArray(entry)) continue; // an object of the suite file
    const name = typeof entry === 'string' ? entry : (entry as readonly [string, unknown])[0];
    const mapped = config.models[name];
    if (mapped !== undefined && typeof mapped !== 'string') {
      texts.push(stableJson({ process: name, ...mapped }));
      const cwd = mapped.cwd ? path.resolve(config.root, mapped.cwd) : config.root;
      dirs.push(cwd);
      const [program, ...args] = mapped.command;
      // A program given as a path is the config folder's (as the process plugin runs it); a bare
      // name is found on PATH, outside what the key can follow.
      if (program!.includes('/')) {
        const file = path.resolve(config.root, program!);
        files.push(file);
        const venv = path.dirname(path.dirname(file));
        if (await isFile(path.join(venv, 'pyvenv.cfg'))) dirs.push(venv);
      }
      for (const a of args) {
        const file = path.resolve(cwd, a);
        if (await isFile(file)) modules.push(file);
      }
      // A zip on PYTHONPATH is one file; a folder is walked like `cwd`.
      for (const p of importPathEntries(mapped.env, cwd))
        ((await isFile(p)) ? files : dirs).push(p);
      continue;
    }
    const found = await locate(name, config).catch(() => null);
    if (
      !found ||
      found.startsWith(BUILTIN_PLUGINS) ||
      found.includes(`${path.sep}node_modules${path.sep}`)
    )
      continue;
    modules.push(found);
    dirs.push(path.dirname(found));
  }
  return { modules, dirs, files, texts };
}

/**
 * Variables of a process model's `env` that name folders its program imports code from: a model
 * importing `featlib` from `PYTHONPATH: '../shared'` scored from the old featlib when the folder
 * was not keyed. Relative entries are the process's `cwd`'s, as the interpreter reads them.
 */
const IMPORT_PATH_VARS = ['PYTHONPATH', 'NODE_PATH'];

/** The folders (or zip files) a process model's `env` puts on its import path. */
function importPathEntries(
  env: Readonly<Record<string, string>> | undefined,
  cwd: string,
): string[] {
  const out: string[] = [];
  for (const name of IMPORT_PATH_VARS) {
    for (const entry of (env?.[name] ?? '').split(path.delimiter)) {
      if (entry !== '') out.push(path.resolve(cwd, entry));
    }
  }
  return out;
}

function resolvePackage(name: string, root: string): string | null {
  try {
    return createRequire(path.join(root, 'package.json')).resolve(name);
  } catch {
    return null;
  }
}

/** Names a suite can use: the config's models, and the plugin folders' entries. */
export async function knownModelNames(config: ResolvedConfig): Promise<string[]> {
  const names = new Set(Object.keys(config.models));
  for (const [dir, entry] of pluginDirs(config)) {
    try {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        if (e.isDirectory() && (await pathExists(path.join(dir, e.name, entry)))) names.add(e.name);
      }
    } catch {
      // a missing plugin folder is fine
    }
  }
  return [...names].sort();
}

function checkPlugin(p: unknown, where: string): ModelPlugin {
  const plugin = p as Partial<ModelPlugin>;
  const problems: string[] = [];
  if (typeof p !== 'object' || p === null)
    problems.push('expected an object made with defineModel({ name, version, score })');
  else {
    if (typeof plugin.name !== 'string' || plugin.name === '')
      problems.push('`name` must be a non-empty string');
    if (typeof plugin.version !== 'string') problems.push('`version` must be a string');
    if (typeof plugin.score !== 'function')
      problems.push('`score(series, ctx)` must be a function');
    if (plugin.fit !== undefined && typeof plugin.fit !== 'function')
      problems.push('`fit` must be a function');
    // Past 2^31 − 1 ms Node fires a timer at once: a timeout of 1e10 timed every call out at 1 ms.
    const t = plugin.timeoutMs;
    if (t !== undefined && !(Number.isInteger(t) && t >= 1 && t <= MAX_TIMEOUT_MS))
      problems.push(
        `\`timeoutMs\` must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS.toLocaleString('en-US')} (got ${String(t)})`,
      );
  }
  if (problems.length > 0)
    throw new HarnessError('E_PLUGIN', `${where}: not a model plugin: ${problems.join('; ')}`);
  return plugin as ModelPlugin;
}
