import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * A small glob for suite patterns (`suites/**\/*.suite.ts`): `**` matches any number of folders,
 * `*` anything but a slash. Node 20 has no fs.glob; this is all the harness needs.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files below `root` whose path relative to it matches one of the globs, sorted. Skips node_modules and dot-folders. */
export async function findFiles(root: string, globs: readonly string[]): Promise<string[]> {
  const patterns = globs.map(globToRegExp);
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (patterns.some((p) => p.test(r))) out.push(path.join(root, r));
    }
  }
  await walk('');
  return out.sort();
}
