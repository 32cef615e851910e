/**
 * The harness's config file names, and the check beside cosmiconfig's search that the config it
 * read is the only one: a second config in the same folder (or one cosmiconfig passed over
 * because its meta-config changed the search) would be ignored without a word.
 */
import { constants } from 'node:fs';
import { access, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, jsonProblem } from '../errors.ts';

/** The package.json key a config may sit under, and cosmiconfig's module name. */
export const PACKAGE_KEY = 'harness';

/** Config file names, in cosmiconfig's search order (package.json's key comes last). */
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

/** One config in a folder: a file, or package.json's `harness` key. */
export interface ConfigInFolder {
  readonly file: string;
  readonly label: string;
}

/** The configs of the first folder from the working directory up that holds one. */
export interface ConfigFolder {
  readonly dir: string;
  readonly configs: readonly ConfigInFolder[];
}

/**
 * Looks where cosmiconfig's `project` search looks, from `start` up to the first folder with a
 * config or a package.json, and lists that folder's configs (null: none). A config file that is
 * there but cannot be read (a folder, a FIFO, no permission) fails here, before the search:
 * cosmiconfig would skip it and run on the defaults, or wait on the FIFO for ever.
 */
export async function scanConfigFolder(start: string): Promise<ConfigFolder | null> {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const configs = await configsIn(dir);
    if (configs.length > 0) return { dir, configs };
    if ((await isProjectFolder(dir)) || path.dirname(dir) === dir) return null;
  }
}

/**
 * Refuses a config the harness would ignore: another config in the folder cosmiconfig read
 * `read` in is "2 configs in <folder>", naming both; a config cosmiconfig passed over (its
 * meta-config changed the search) is named with the one it read (null: none).
 */
export function refuseIgnoredConfigs(scan: ConfigFolder | null, read: string | null): void {
  if (!scan) return;
  const { dir, configs } = scan;
  const ignored = configs.filter((c) => c.file !== read);
  if (ignored.length === 0) return;
  const labels = configs.map((c) => c.label);
  if (read !== null && read.startsWith(dir + path.sep)) {
    if (!configs.some((c) => c.file === read)) labels.push(read);
    throw new HarnessError(
      'E_CONFIG',
      `${labels.length} configs in ${dir}: ${labels.join(', ')}; the harness reads one config and would ignore the others: keep one of them (move what the others say into it)`,
    );
  }
  throw new HarnessError(
    'E_CONFIG',
    `${ignored.map((c) => c.label).join(', ')} would be ignored: the harness reads ${read ?? 'no config (the defaults)'}, as cosmiconfig's meta-config (.config/config.* or a "cosmiconfig" key in package.json) changed the search: keep one config`,
  );
}

/** The configs in one folder, in CONFIG_FILES order. */
export async function configsIn(dir: string): Promise<ConfigInFolder[]> {
  const found: ConfigInFolder[] = [];
  for (const name of CONFIG_FILES) {
    const file = path.join(dir, name);
    if (await readableFile(file)) found.push({ file, label: file });
  }
  const pkgFile = path.join(dir, 'package.json');
  const pkg = (await readableFile(pkgFile)) ? await readJsonFile(pkgFile) : undefined;
  if (typeof pkg === 'object' && pkg !== null && Object.hasOwn(pkg, PACKAGE_KEY))
    found.push({ file: pkgFile, label: `${pkgFile} ("${PACKAGE_KEY}" key)` });
  return found;
}

/** Where cosmiconfig's `project` search stops: a folder with package.json or package.yaml. */
async function isProjectFolder(dir: string): Promise<boolean> {
  for (const name of ['package.json', 'package.yaml']) {
    if (
      await stat(path.join(dir, name)).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

/**
 * True when `file` is a file the harness can read, false when there is none; a config that is
 * there but cannot be read is a HarnessError (skipping it would run on the defaults).
 */
async function readableFile(file: string): Promise<boolean> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') await refuseDanglingLink(file);
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

/**
 * A config that is a link to nothing (`harness.config.ts -> ../shared/harness.config.ts`, the
 * shared folder not checked out) is an error: taken for no config, the run passed on the
 * defaults.
 */
async function refuseDanglingLink(file: string): Promise<void> {
  const target = await readlink(file).catch(() => null);
  if (target === null) return;
  throw new HarnessError(
    'E_CONFIG',
    `the config ${file} is a link to ${target}, which does not exist: restore it, or remove the link`,
  );
}

function cannotRead(file: string, err: unknown): HarnessError {
  const code = (err as NodeJS.ErrnoException).code;
  return new HarnessError('E_CONFIG', `the config ${file} cannot be read (${code ?? String(err)})`);
}

/** A JSON file's value (see parseJson), read from disk. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(file, err);
  }
  return parseJson(file, text);
}

/**
 * JSON text's value, with a syntax error located at its line and column. A UTF-8 byte order
 * mark (Windows editors write one) is skipped, as Node skips it in package.json; columns count
 * from the character after it. A blank config file is undefined (package.json must be JSON).
 */
export function parseJson(file: string, text: string): unknown {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '' && path.basename(file) !== 'package.json') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HarnessError('E_CONFIG', `${file} is not valid JSON`, [jsonProblem(file, text, err)]);
  }
}
