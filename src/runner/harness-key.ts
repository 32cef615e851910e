/**
 * The harness's own part of a score-cache key: its version and a hash of its code. The harness
 * derives features, loads and splits the data and runs the plugins; an upgraded harness (or one
 * rebuilt from edited source) can score differently, and the old one's cached scores would then
 * pass a gate the new one fails. Contents are hashed, not sizes and mtimes: an npm install gives
 * every file of a package the same fixed mtime.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FROM_SOURCE, PACKAGE_ROOT } from '../package-root.ts';
import { readPackageVersion } from '../version.ts';

/**
 * The folders of the harness that run: its compiled code (dist/) or, from source (under vitest),
 * src/ and plugins/; and python/, the process protocol's Python side a model may import.
 */
const CODE_DIRS = FROM_SOURCE ? ['src', 'plugins', 'python'] : ['dist', 'python'];

let once: Promise<string> | undefined;

/** `<version>+<16 hex digits of the harness's code>`, computed once per process. */
export function harnessKey(): Promise<string> {
  return (once ??= compute());
}

async function compute(): Promise<string> {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(path.join(PACKAGE_ROOT, rel)).sort();
    } catch {
      return; // a folder the package does not ship
    }
    for (const n of names) {
      if (n === 'node_modules' || n === '__pycache__' || n.startsWith('.')) continue;
      const r = path.join(rel, n);
      const full = path.join(PACKAGE_ROOT, r);
      const st = statSync(full, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(r);
      else if (st?.isFile()) h.update(`${r}\0`).update(readFileSync(full)).update('\n');
    }
  };
  for (const dir of CODE_DIRS) walk(dir);
  return `${await readPackageVersion()}+${h.digest('hex').slice(0, 16)}`;
}
