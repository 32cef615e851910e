/**
 * The code part of a score-cache key. A plugin's name, version and options do not say what its
 * code does: a user edits `score` and runs again without bumping `version`, and cached scores
 * from the old code would pass a gate the new code fails. So the key also covers
 * - the source text of every function on the plugin object (what tsx compiled it to), and
 * - the size and mtime of every code file of the project (helpers a plugin imports), outside
 *   node_modules, dot-folders and the harness's own data, cache and output folders.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelPlugin } from '../plugin/index.ts';

/** Files with these endings count as code (a process plugin may be Python, R or Julia). */
const CODE = /\.(?:[cm]?[jt]sx?|py|r|jl|json)$/i;

/** A project with more code files than this is not fingerprinted: caching is off for it. */
const MAX_FILES = 20_000;

/**
 * sha256 over the project's code files' paths, sizes and mtimes, or null when the tree holds
 * more than MAX_FILES of them (the caller then caches nothing: a miss is always safe).
 */
export async function projectCodeKey(
  root: string,
  skip: readonly string[],
): Promise<string | null> {
  const skipped = new Set(skip.map((p) => path.resolve(p)));
  const files: string[] = [];
  async function walk(dir: string): Promise<boolean> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return true; // unreadable folder: nothing of it can be imported either
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'node_modules' || e.name.startsWith('.') || skipped.has(full)) continue;
        if (!(await walk(full))) return false;
      } else if (e.isFile() && CODE.test(e.name)) {
        files.push(full);
        if (files.length > MAX_FILES) return false;
      }
    }
    return true;
  }
  if (!(await walk(path.resolve(root)))) return null;
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    const st = await stat(f).catch(() => null);
    h.update(`${path.relative(root, f)}\0${st ? `${st.size}:${st.mtimeMs}` : 'gone'}\n`);
  }
  return h.digest('hex');
}

/** sha256 of the source text of every function the plugin object holds, in key order. */
export function pluginCodeKey(plugin: ModelPlugin): string {
  const h = createHash('sha256');
  const obj = plugin as unknown as Record<string, unknown>;
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (typeof v === 'function') h.update(`${k}\0${Function.prototype.toString.call(v)}\n`);
  }
  return h.digest('hex');
}
