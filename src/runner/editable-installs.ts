/**
 * Where a virtualenv's editable installs (`pip install -e ../pyshared`) keep their code. Their
 * source lies outside site-packages, often outside the project: keying the venv by what
 * site-packages lists would miss an edit to it (code-key.ts walks the folders this returns).
 * Read, not imported: each installer records the folders in a file of site-packages:
 * - a `.pth` file's path lines (setuptools' compat mode, hatchling, flit, pdm, poetry, uv);
 * - setuptools' `__editable___<name>_finder.py`: `MAPPING = {'pkg': '/src/pkg'}` and `NAMESPACES`;
 * - the `editables` library's `_editable_impl_<name>.py` (hatchling's exact mode): `F.map('pkg', '/src/pkg')`.
 * Lines a `.pth` runs (`import …`) are code, not paths; the finder they load is read as above.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Files larger than this are not editable-install records (a finder is a few kB). */
const MAX_RECORD_BYTES = 256 * 1024;

const FINDER = /^(?:__editable__.*_finder|_editable_impl_.*)\.py$/;
/** The lines of a finder that name source paths. */
const FINDER_PATH_LINE = /^\s*(?:MAPPING|NAMESPACES)\b|\.map\(|\.add_to_path\(/;
/** A Python string literal in single or double quotes (no triple quotes: a finder's repr() has none). */
const PY_STRING = /'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"/g;

const readSmall = (file: string): string | null => {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > MAX_RECORD_BYTES ? null : text;
  } catch {
    return null;
  }
};

/**
 * The absolute paths the editable installs of `sitePackages` point to (its entries are `names`),
 * sorted and without duplicates; paths inside site-packages are left out (listed already).
 */
export function editableSources(sitePackages: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  const add = (p: string): void => {
    const abs = path.resolve(sitePackages, p);
    // Never a filesystem root: a stray '/' in a record must not walk the whole disk.
    if (path.dirname(abs) === abs) return;
    const rel = path.relative(sitePackages, abs);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return;
    found.add(abs);
  };
  for (const n of names) {
    if (n.endsWith('.pth')) {
      const text = readSmall(path.join(sitePackages, n));
      for (const raw of text?.split(/\r?\n/) ?? []) {
        const line = raw.trim();
        // site.py runs lines that start with `import`; `#` lines are comments.
        if (line === '' || line.startsWith('#') || /^import[ \t]/.test(line)) continue;
        add(line);
      }
    } else if (FINDER.test(n)) {
      const text = readSmall(path.join(sitePackages, n));
      for (const line of text?.split(/\r?\n/) ?? []) {
        if (!FINDER_PATH_LINE.test(line)) continue;
        for (const m of line.matchAll(PY_STRING)) {
          const value = (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1');
          if (path.isAbsolute(value)) add(value);
        }
      }
    }
  }
  return [...found].sort();
}
