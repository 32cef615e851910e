/**
 * The one way the harness imports a module a user wrote: a config, a suite, a model plugin, a
 * reporter, a scenario fixture or an import mapping. It loads `.ts`, `.mts`, `.cts`, `.js`,
 * `.mjs` and `.cjs` files whatever the nearest package.json's "type" says, and a failure is a
 * HarnessError naming the file (with `file:line:column` for a syntax error), never a stack.
 *
 * Leaf module: it imports nothing of the harness but `errors.ts`.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerCjs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';
import { HarnessError } from '../errors.ts';
import { NAMESPACE, loadFailure } from './load-failure.ts';

/** What a user module is to the harness: it names the module in messages and picks the error code. */
export type UserModuleKind = 'config' | 'suite' | 'plugin' | 'reporter' | 'scenario' | 'mapping';

export interface LoadOptions {
  readonly what: UserModuleKind;
  /** The name the user knows the module by, when it is not the file (a model plugin's name). */
  readonly name?: string;
}

const KINDS: Readonly<Record<UserModuleKind, { readonly code: string; readonly noun: string }>> = {
  config: { code: 'E_CONFIG', noun: 'config' },
  suite: { code: 'E_SUITE', noun: 'suite' },
  plugin: { code: 'E_PLUGIN', noun: 'model plugin' },
  reporter: { code: 'E_REPORTER', noun: 'reporter' },
  scenario: { code: 'E_SCENARIO', noun: 'scenario' },
  mapping: { code: 'E_MAPPING', noun: 'mapping' },
};

interface Loaders {
  readonly importEsm: (specifier: string, parentURL: string) => Promise<Record<string, unknown>>;
  readonly requireCjs: (id: string, fromFile: string) => unknown;
}
let loaders: Loaders | undefined;

/**
 * tsx's loader in a namespace of its own, registered once per thread, both halves of it. In a
 * CommonJS-scoped folder a `.ts` file is CommonJS to Node, and the plain ESM hook the CLI
 * registers has no CommonJS partner: Node then ends up in `require()` of an ES module "in a
 * cycle". tsx's CommonJS hook compiles such a file (ESM syntax or not) to CommonJS. The
 * namespace keeps the hooks to user modules, and makes them work where the CLI's hooks are
 * absent (under vitest). Unlike tsx's `tsImport`, which registers new hooks on every call, a
 * module is loaded once per thread.
 */
function userLoaders(): Loaders {
  if (!loaders) {
    const cjs = registerCjs({ namespace: NAMESPACE });
    const esm = registerEsm({ namespace: NAMESPACE });
    loaders = {
      importEsm: (specifier, parentURL) =>
        esm.import(specifier, parentURL) as Promise<Record<string, unknown>>,
      requireCjs: (id, fromFile) => cjs.require(id, fromFile),
    };
  }
  return loaders;
}

/**
 * Node's rule for a file's module format: `.mjs`/`.mts` are ES modules, `.cjs`/`.cts`
 * CommonJS, anything else what the nearest package.json's "type" says (CommonJS without one).
 */
async function isCommonJs(file: string): Promise<boolean> {
  const ext = path.extname(file);
  if (ext === '.mjs' || ext === '.mts') return false;
  if (ext === '.cjs' || ext === '.cts') return true;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const text = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => null);
    if (text !== null) {
      try {
        // Node skips a byte order mark (Windows editors write one); JSON.parse does not.
        return (JSON.parse(text.replace(/^\uFEFF/, '')) as { type?: unknown }).type !== 'module';
      } catch {
        return true; // Node itself would refuse the file; its message is the one to show
      }
    }
    if (path.dirname(dir) === dir) return true;
  }
}

/** TypeScript's names for a JavaScript file, which tsx's `require` tries first (`x.js` → `x.ts`). */
const TWINS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.ts', '.tsx'],
  '.cjs': ['.cts'],
};

/** True when tsx's `require` would load a TypeScript file next to `file` instead of it. */
async function hasTypeScriptTwin(file: string): Promise<boolean> {
  const ext = path.extname(file);
  for (const twin of TWINS[ext] ?? []) {
    if (
      await stat(file.slice(0, -ext.length) + twin).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return true;
  }
  return false;
}

/**
 * The module's namespace; a CommonJS module's `module.exports` is its default, as Node's own
 * `import` gives it. A CommonJS file goes through tsx's `require` rather than its `import`:
 * imported, it would run inside a `data:` URL wrapper, and every stack frame in it (where an
 * assertion was written, where the module threw) would name that URL instead of the file.
 * Except when a TypeScript twin sits next to the file: tsx's `require` would load the twin.
 */
/**
 * Modules this thread has loaded, by file. Node keeps a loaded module anyway; remembering it here
 * also skips the package.json walk and the loader hooks' resolution, which add up when a plugin
 * is made again for every fleet of a contract check (thousands of times).
 */
const loadedFiles = new Map<string, Promise<Record<string, unknown>>>();

function importFile(file: string): Promise<Record<string, unknown>> {
  let loading = loadedFiles.get(file);
  if (!loading) {
    loading = importFileOnce(file);
    loadedFiles.set(file, loading);
    // A failure is not kept: the next call tries again (and reports the error again).
    loading.catch(() => loadedFiles.delete(file));
  }
  return loading;
}

async function importFileOnce(file: string): Promise<Record<string, unknown>> {
  const commonJs = await isCommonJs(file);
  // An ES module goes through the thread's own tsx hook when the CLI or a worker registered one:
  // the module then shares this thread's copy of the harness (one HarnessError class, the public
  // API loaded once), as it always did in a "type": "module" project.
  if (!commonJs && (await globalTsxHook()))
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const { importEsm, requireCjs } = userLoaders();
  if (commonJs && !(await hasTypeScriptTwin(file))) return { default: requireCjs(file, file) };
  // Resolved from the file's own folder, not from this .ts module: tsx would take a `.ts`
  // parent as licence to load `x.ts` for `x.js` (TypeScript's extension mapping).
  return importEsm(pathToFileURL(file).href, pathToFileURL(path.dirname(file) + path.sep).href);
}

const TSX_HOOK = Symbol.for('bess-harness.tsx-hook');
let registering: Promise<void> | undefined;

/**
 * True when this thread has tsx's ESM hook registered globally (the CLI, the pool's workers; not
 * vitest). Their entries leave the function that registers it (tsx-on-demand.js), called here
 * once, before the first user module: the harness's own modules, loaded before, stay off the
 * hook's thread.
 */
async function globalTsxHook(): Promise<boolean> {
  const register = (globalThis as Record<symbol, unknown>)[TSX_HOOK];
  if (typeof register !== 'function') return false;
  await (registering ??= (register as () => Promise<void>)());
  return true;
}

/** The message every load failure starts with: `the model plugin "x" /p/plugins/x/index.ts could not be loaded`. */
function couldNotLoad(file: string, opts: LoadOptions): string {
  return `the ${KINDS[opts.what].noun}${opts.name === undefined ? '' : ` "${opts.name}"`} ${file} could not be loaded`;
}

/**
 * The default export of `file` (an absolute path); for a CommonJS module, `module.exports`. An
 * ES module compiled to CommonJS (a `.ts` file in a CommonJS-scoped folder) arrives as
 * `{ default: X }` marked `__esModule`: that is unwrapped to X, so the value is the same
 * whatever the folder's "type". A module is loaded once per thread: a second call returns
 * the same value.
 */
export async function loadDefaultExport(file: string, opts: LoadOptions): Promise<unknown> {
  const { code } = KINDS[opts.what];
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    const why =
      st.code === 'ENOENT' || st.code === 'ENOTDIR'
        ? 'file not found'
        : `cannot read it (${st.code ?? st.message})`;
    throw new HarnessError(code, `${couldNotLoad(file, opts)}: ${why}`);
  }
  if (!st.isFile()) throw new HarnessError(code, `${couldNotLoad(file, opts)}: not a regular file`);
  let value: unknown;
  try {
    value = (await importFile(file))['default'];
  } catch (err) {
    const { reason, problems } = loadFailure(err, file);
    throw new HarnessError(code, `${couldNotLoad(file, opts)}: ${reason}`, problems);
  }
  if (typeof value !== 'object' || value === null || !('default' in value)) return value;
  const compiledEsm = (value as { __esModule?: unknown }).__esModule === true;
  const onlyDefault = Object.keys(value).every((k) => k === 'default');
  return compiledEsm || onlyDefault ? (value as { default: unknown }).default : value;
}
