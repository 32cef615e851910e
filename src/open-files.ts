/**
 * Running out of file descriptors (`ulimit -n`) is the machine's limit, not a bug of the harness
 * nor a missing file: it is said as such, with the limit and how to raise it, exit 2. Node's ESM
 * loader reads a module graph in parallel (Vega's is hundreds of files), so a low limit (64, 128)
 * fails while the harness loads its own modules, and not always as EMFILE: a package.json that
 * could not be opened is read as absent, and the import fails as "Cannot find package
 * '…/d3-shape/index.js'". A leaf module: the CLI, the module loader and the data readers use it.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The soft and hard limits of open files of this process, or undefined where /proc has none (macOS). */
interface Limits {
  readonly soft: number;
  readonly hard: number;
}

const isOpenFilesCode = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
};

/** Read once; null where there is nothing to read. */
let limits: Limits | null | undefined;

/**
 * This process's open-files limits, read from /proc/self/limits once and kept: once no file can
 * be opened, neither can that one, so the CLI reads it at start (openFilesLimit()).
 */
function readLimits(): Limits | undefined {
  if (limits !== undefined) return limits ?? undefined;
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    const n = (s: string | undefined): number => (s === 'unlimited' ? Infinity : Number(s));
    limits = m ? { soft: n(m[1]), hard: n(m[2]) } : null;
  } catch (err) {
    // Out of descriptors right now: ask again later rather than keep "unknown".
    if (isOpenFilesCode(err)) return undefined;
    limits = null;
  }
  return limits ?? undefined;
}

/** The soft limit of open files (`ulimit -n`), or undefined where it cannot be read; read once. */
export function openFilesLimit(): number | undefined {
  return readLimits()?.soft;
}

/** What to raise the limit to. */
const WANTED = 4096;

/**
 * The message for running out of file descriptors (`code` EMFILE: this process's; ENFILE: the
 * machine's). Node raises its soft limit to the hard one as it starts, so the limit named is the
 * hard limit: only root may raise that in the same shell; anyone where it is set.
 */
export function tooManyOpenFiles(code: 'EMFILE' | 'ENFILE' = 'EMFILE'): string {
  if (code === 'ENFILE')
    return 'too many open files on this machine (ENFILE: its system-wide limit, fs.file-max, is reached): close other programs, or raise it with `sysctl fs.file-max`';
  const l = readLimits();
  if (l === undefined) return `too many open files (raise the limit with \`ulimit -n ${WANTED}\`)`;
  const root = process.getuid?.() === 0;
  const where =
    l.soft < l.hard || root
      ? ''
      : ", as root, or where the hard limit is set: `docker run --ulimit nofile=4096`, systemd's LimitNOFILE";
  return `too many open files (the limit is ${l.soft}: raise it with \`ulimit -n ${WANTED}\`${where})`;
}

/**
 * The message when `err` comes of running out of file descriptors, else undefined: an EMFILE or
 * ENFILE anywhere in its `cause` chain, or a module Node could not find though it is there (see
 * {@link presentYetNotFound}).
 */
export function openFilesProblem(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (isOpenFilesCode(e)) return tooManyOpenFiles((e as NodeJS.ErrnoException).code as 'EMFILE');
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND') continue;
    // A module tsx loads carries its namespace as a query: not part of the file's path.
    const m =
      /^Cannot find (?:package|module) '(\/[^']+?)(?:(?:\?|%3F)[^']*)?'(?: imported from (\S+))?/.exec(
        e.message,
      );
    const verdict = m === null ? false : presentYetNotFound(m[1]!, m[2]);
    if (verdict !== false) return tooManyOpenFiles(verdict);
  }
  return undefined;
}

const isFile = (file: string): boolean => {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
};

/**
 * Whether Node's "cannot find `file`" (imported from `importer`) can only mean it could not open
 * what was there: `file` is a file; or it lies in a package, imported from outside it, whose
 * package.json, had Node read it, would not have led to `file` (its `exports` do not map to it,
 * or, for the `<package>/index.js` Node falls back to without a package.json, its `main` exists).
 * From inside the package it is the package's own relative import: a file missing from a broken
 * install. A package.json that cannot be opened now answers the question too. Returns the errno
 * to report, or false.
 */
function presentYetNotFound(
  file: string,
  importer: string | undefined,
): 'EMFILE' | 'ENFILE' | false {
  if (isFile(file)) return 'EMFILE';
  const root = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*)(?:\/|$)/.exec(file)?.[1];
  if (root === undefined) return false;
  const from = importer?.startsWith('file://') ? importer.slice('file://'.length) : importer;
  if (from !== undefined && from.startsWith(`${root}/`)) return false;
  let pkg: { exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof pkg;
  } catch (err) {
    return isOpenFilesCode(err) ? ((err as NodeJS.ErrnoException).code as 'EMFILE') : false;
  }
  if (pkg === null || typeof pkg !== 'object') return false;
  if (pkg.exports !== undefined && pkg.exports !== null)
    return exportTargets(pkg.exports).some((t) => targetMatches(root, t, file)) ? false : 'EMFILE';
  if (file !== path.join(root, 'index.js') || typeof pkg.main !== 'string') return false;
  const main = path.resolve(root, pkg.main);
  return [main, `${main}.js`, path.join(main, 'index.js')].some(isFile) ? 'EMFILE' : false;
}

/** Every target string of a package's `exports`, whatever its nesting of conditions and subpaths. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (Array.isArray(exports)) return exports.flatMap(exportTargets);
  if (exports !== null && typeof exports === 'object')
    return Object.values(exports).flatMap(exportTargets);
  return [];
}

/** Whether the `exports` target `target` (`./dist/*.js` patterns included) of the package at `root` can be `file`. */
function targetMatches(root: string, target: string, file: string): boolean {
  const full = path.join(root, target);
  if (!full.includes('*')) return full === file;
  const [before, after] = full.split('*', 2) as [string, string];
  return (
    file.length >= before.length + after.length && file.startsWith(before) && file.endsWith(after)
  );
}
