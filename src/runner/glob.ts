import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.ts';

/**
 * A small glob for suite patterns (`suites/**\/*.suite.ts`). Node 20 has no fs.glob; this is all
 * the harness needs. Anything else is refused rather than read as literal characters: a glob
 * that silently matches nothing drops its suites from the gate.
 */
export const GLOB_SYNTAX =
  '`*` (any characters of one name), `**` (any number of folders), `?` (one character) and `{a,b}` (either)';

/** A glob as written without a leading `./` (`./gates/*.suite.ts`): matched paths never start with it. */
export function normaliseGlob(glob: string): string {
  return glob.replace(/^(?:\.\/)+/, '');
}

/** What makes `glob` one this matcher cannot take, or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  const g = normaliseGlob(glob);
  if (g === '') return 'is empty';
  if (path.posix.isAbsolute(g) || path.win32.isAbsolute(g))
    return 'is an absolute path: write it relative to the project folder';
  if (g.split('/').includes('..'))
    return 'leaves the project folder (`..`): only files below it are searched; move the suites below it, or link their folder in';
  const unsupported = /[[\]()!|\\]/.exec(g);
  if (unsupported)
    return `uses \`${unsupported[0]}\`, which suite globs do not support: they support ${GLOB_SYNTAX}`;
  let depth = 0;
  for (const c of g) {
    depth += c === '{' ? 1 : c === '}' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) return 'has a `{` without its `}` (or the other way round)';
  return undefined;
}

/**
 * The regular expression of a glob: `**` matches any number of folders, `*` anything but a
 * slash, `?` one character but a slash, `{a,b}` either alternative.
 * @throws HarnessError (`code`) when the glob uses what {@link globProblem} refuses.
 */
export function globToRegExp(glob: string, code = 'E_CONFIG'): RegExp {
  const problem = globProblem(glob);
  if (problem) throw new HarnessError(code, `the glob "${glob}" ${problem}`);
  const g = normaliseGlob(glob);
  let re = '';
  let depth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      re += g[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += g[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      re += '(?:';
      depth++;
    } else if (c === '}') {
      re += ')';
      depth--;
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The folder a glob's walk starts from: its leading names without a wildcard. Starting there
 * lets a glob name a dot-folder (`.gates/*.suite.ts`), which a walk from the root skips.
 */
export function globBase(glob: string): string {
  const parts = normaliseGlob(glob).split('/');
  const first = parts.findIndex((p) => /[*?{]/.test(p));
  return parts.slice(0, first < 0 ? parts.length - 1 : Math.min(first, parts.length - 1)).join('/');
}

/** One glob's matches: the files (absolute, sorted) and the folder searched. */
export interface GlobMatch {
  readonly glob: string;
  readonly folder: string;
  readonly files: readonly string[];
}

/**
 * The files below `root` each glob matches, in the globs' order. Below the glob's base folder,
 * node_modules and dot-folders are skipped; symlinked folders are followed, each real folder
 * once (a link back up cannot loop). A folder that cannot be listed (other than one that does
 * not exist) is a HarnessError (`code`), not a glob that matched nothing.
 */
export async function matchGlobs(
  root: string,
  globs: readonly string[],
  code = 'E_CONFIG',
): Promise<GlobMatch[]> {
  const out: GlobMatch[] = [];
  for (const glob of globs) {
    const pattern = globToRegExp(glob, code);
    const base = globBase(glob);
    const files: string[] = [];
    const seen = new Set<string>();
    const walk = async (rel: string): Promise<void> => {
      const dir = path.join(root, rel);
      let entries: Dirent[];
      try {
        const real = await realpath(dir);
        if (seen.has(real)) return;
        seen.add(real);
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        const errno = (err as NodeJS.ErrnoException).code;
        if (errno === 'ENOENT' || errno === 'ENOTDIR') return;
        throw new HarnessError(
          code,
          `cannot list ${dir} to match "${glob}" (${errno ?? String(err)}): make it a folder the harness can read, or change the glob`,
        );
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (await isFolder(e, path.join(root, r))) await walk(r);
        else if (pattern.test(r)) files.push(path.join(root, r));
      }
    };
    await walk(base);
    out.push({ glob, folder: path.join(root, base), files: files.sort() });
  }
  return out;
}

/** A folder, or a symlink to one; a dangling link counts as a file, so its loader names it. */
async function isFolder(entry: Dirent, file: string): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return stat(file).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Files below `root` that match one of the globs, sorted and once each (see {@link matchGlobs}). */
export async function findFiles(
  root: string,
  globs: readonly string[],
  code = 'E_CONFIG',
): Promise<string[]> {
  const matches = await matchGlobs(root, globs, code);
  return [...new Set(matches.flatMap((m) => m.files))].sort();
}
