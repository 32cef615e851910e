/**
 * Where a project's config is: the harness's own search, from the working directory up to the
 * folder that holds package.json. It replaces cosmiconfig's, which let a config be ignored
 * without a word: it knew only some file names (a `harness.config.cjs` was never read), it read
 * the first of two configs in a folder and ignored the other, and its meta-config (a
 * `.config/config.json` in the working directory) could redirect the search or crash it.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, jsonProblem } from '../errors.ts';

/** Config file names, in the order a folder that holds two of them lists them. */
export const CONFIG_FILES = [
  'harness.config.ts',
  'harness.config.mts',
  'harness.config.cts',
  'harness.config.js',
  'harness.config.mjs',
  'harness.config.cjs',
  'harness.config.json',
  '.harnessrc.json',
  '.harnessrc',
] as const;

/** Config files read as JSON; the others are modules. */
const JSON_CONFIGS: ReadonlySet<string> = new Set([
  'harness.config.json',
  '.harnessrc.json',
  '.harnessrc',
]);

/** The package.json key a config may sit under. */
export const PACKAGE_KEY = 'harness';

/** The config a search found. */
export type FoundConfig =
  | { readonly kind: 'module'; readonly file: string }
  | { readonly kind: 'json'; readonly file: string }
  /** The `harness` key of package.json, its value already read. */
  | { readonly kind: 'package'; readonly file: string; readonly value: unknown };

/**
 * The project's config: the first folder from `cwd` upwards that holds a config file or a
 * package.json with a `harness` key, searching no higher than the first folder with a
 * package.json. Null when there is none (the defaults). Two configs in that folder are a
 * HarnessError naming both: the harness would read one and ignore the other.
 */
export async function findConfig(cwd: string): Promise<FoundConfig | null> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const found: FoundConfig[] = [];
    for (const name of CONFIG_FILES) {
      const file = path.join(dir, name);
      if (await readableFile(file))
        found.push({ kind: JSON_CONFIGS.has(name) ? 'json' : 'module', file });
    }
    const pkgFile = path.join(dir, 'package.json');
    const pkg = (await readableFile(pkgFile)) ? await readJsonFile(pkgFile) : undefined;
    if (isObject(pkg) && Object.hasOwn(pkg, PACKAGE_KEY))
      found.push({ kind: 'package', file: pkgFile, value: pkg[PACKAGE_KEY] });
    if (found.length > 1) throw twoConfigs(dir, found);
    if (found.length === 1) return found[0]!;
    if (pkg !== undefined || path.dirname(dir) === dir) return null;
  }
}

/** The error for a folder with more than one config, naming each. */
function twoConfigs(dir: string, found: readonly FoundConfig[]): HarnessError {
  const names = found.map((f) =>
    f.kind === 'package' ? `${f.file} ("${PACKAGE_KEY}" key)` : f.file,
  );
  return new HarnessError(
    'E_CONFIG',
    `${found.length} configs in ${dir}: ${names.join(', ')}; the harness reads one config and would ignore the others: keep one of them (move what the others say into it)`,
  );
}

/**
 * True when `file` is a file the harness can read, false when there is none. A config that is
 * there but cannot be read (a folder, a FIFO, no permission) fails the run: skipping it would
 * run on the defaults.
 */
async function readableFile(file: string): Promise<boolean> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw cannotRead(file, err);
  }
  if (!st.isFile())
    throw new HarnessError(
      'E_CONFIG',
      `the config ${file} is not a regular file: remove it or make it the config`,
    );
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    throw cannotRead(file, err);
  }
  return true;
}

function cannotRead(file: string, err: unknown): HarnessError {
  const code = (err as NodeJS.ErrnoException).code;
  return new HarnessError('E_CONFIG', `the config ${file} cannot be read (${code ?? String(err)})`);
}

/**
 * A JSON file's value, with a syntax error located at its line and column. A UTF-8 byte order
 * mark (Windows editors write one) is skipped, as Node skips it in package.json; columns count
 * from the character after it.
 */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(file, err);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '' && path.basename(file) !== 'package.json') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HarnessError('E_CONFIG', `${file} is not valid JSON`, [jsonProblem(file, text, err)]);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
