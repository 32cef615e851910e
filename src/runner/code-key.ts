/**
 * The code part of a score-cache key. A plugin's name, version and options do not say what its
 * code does: a user edits `score`, a helper, a weights file or a linked package and runs again
 * without bumping `version`, and cached scores from the old code would pass a gate the new code
 * fails. A stale hit is a false green; a miss only costs time. So the key covers
 * - the source text of every function on the plugin object (what tsx compiled it to);
 * - every file of the project (any extension: weights, YAML, requirements.txt, lockfiles), by
 *   size, mtime, ctime and inode, following symlinks (each real folder once), except logs
 *   (`*.log`), editors' scratch files, node_modules, version-control and tool-cache folders,
 *   `__baselines__` and the harness's own data, cache, output and history folders;
 * - in each node_modules folder, npm's record of what is installed (`.package-lock.json`) and
 *   every package that is a symlink to a folder outside any node_modules (a workspace or
 *   `npm link`ed package), walked like the project; installed packages are pinned by the
 *   project's lockfile, which the walk covers;
 * - the same (lockfiles, and the linked packages of their node_modules) for every folder above
 *   the project up to the filesystem root, where Node's resolution also looks (npm hoists a
 *   workspace's link to the repository root's node_modules), and above each linked package's
 *   real folder, transitively: what a linked package's own bare imports can load;
 * - what a suite's models reach outside that walk: the files named by the relative and absolute
 *   `import`/`export`/`import()`/`require()`/`new URL(…, import.meta.url)` specifiers of the
 *   suite file, the config and each plugin entry, followed transitively, with the linked packages
 *   their bare specifiers name; the folder of a plugin entry; a process model's spec, `cwd`,
 *   program, the files its arguments name and the folders its `env` puts on PYTHONPATH or
 *   NODE_PATH; a Python virtualenv, and any folder of installed packages (a site-packages or
 *   dist-packages, or one holding a `*.dist-info`, wherever it is reached), by its installed
 *   packages (its entries), not file by file, and the folders its editable installs point to
 *   (editable-installs.ts), file by file.
 * Not covered: files a model reads through a path built at run time outside these, installed
 * packages changed without the lockfile changing, a program found on PATH, the environment
 * (bar the config's `cacheEnv`, score-cache.ts). `--no-cache` skips the cache.
 *
 * Blocking fs calls, on purpose (as in series-fingerprint.ts): the walk stats every file of the
 * project once per run, before anything is scored, and a promise round trip per file costs about
 * 40 times a `statSync`.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import { editableSources } from './editable-installs.ts';
import type { ModelPlugin } from '../plugin/index.ts';

/** A project with more files than this is not fingerprinted: caching is off for it (a miss is safe). */
export const MAX_CODE_FILES = 20_000;
const MAX_FILES = MAX_CODE_FILES;

/** Files larger than this are hashed by their stat only, never read for import specifiers. */
const MAX_SCAN_BYTES = 4 * 1024 * 1024;

/**
 * Folders never walked: version control, tools' caches and editors' state (never a model's
 * input, and .git alone would change the key on every commit), and the baselines the harness
 * writes beside suites (`--update-baseline` would make the next run miss).
 */
const NOT_WALKED = new Set([
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.ipynb_checkpoints',
  '.idea',
  '.vscode',
  '__baselines__',
]);

/**
 * Files never keyed: logs and editors' scratch files. A model that logs into the project on each
 * run (fits.log) would otherwise make every run a miss; nothing scores by reading a log.
 */
const NOT_INPUT = /(?:\.log|\.swp|\.swo|~)$|^\.DS_Store$/;

/** Lockfiles, and npm's record of what it installed, looked for in the folders above the project. */
const LOCKFILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  path.join('node_modules', '.package-lock.json'),
];

/**
 * A folder that pip (or a distro) installs packages into: a `site-packages`/`dist-packages`, or a
 * `pip install --target` folder (it holds a `*.dist-info`). Put on a model's PYTHONPATH it holds
 * thousands of files; walked file by file it cost a second per run, and two of them overflowed
 * MAX_FILES and turned the cache off. Keyed like a virtualenv's site-packages instead. In a
 * `--target` folder only what the dist-infos' RECORDs list is keyed so: the same folder often
 * holds the model's own code (a Lambda-style `pip install -r requirements.txt --target model`),
 * and keyed by name that code's edits were served from the cache. Not `*.egg-info`: setuptools
 * writes one into a src-layout project's own code folder (`src/`), whose files must stay keyed
 * one by one.
 */
const INSTALL_FOLDER = /^(?:site|dist)-packages$/;
const INSTALLED_PACKAGE = /\.dist-info$/;

/** Files whose import specifiers are followed. */
const SCANNED = /\.(?:[cm]?[jt]sx?)$/i;

/**
 * A string literal after `from`, `import`, `import(`, `require(` or `new URL(`. A match in a
 * comment or a string adds a file to the key for nothing: harmless, a miss is safe.
 */
const SPECIFIER =
  /(?:\bfrom|\bimport\s*\(?|\brequire\s*\(|\bnew\s+URL\s*\()\s*(['"`])([^'"`\r\n]+)\1/g;

/** What a suite's models reach beyond the project's folder (see the module comment). */
export interface CodeSources {
  /** Module files whose static import graph is followed: the suite file, the config, plugin entries. */
  readonly modules: readonly string[];
  /** Folders walked whole: a process model's `cwd` and PYTHONPATH folders, the folder of a plugin entry. */
  readonly dirs: readonly string[];
  /** Single files: a process model's program and the files its arguments name. */
  readonly files: readonly string[];
  /** Text that goes into the key as it is: a process model's spec. */
  readonly texts: readonly string[];
}

const NO_SOURCES: CodeSources = { modules: [], dirs: [], files: [], texts: [] };

const statText = (s: Stats): string => `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;

const statOrNull = (p: string): Stats | null => {
  try {
    return statSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
};

const realOrNull = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};

const IN_NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const HARNESS_ROOT = realOrNull(PACKAGE_ROOT) ?? PACKAGE_ROOT;

/**
 * The files of a key, by path relative to the project root, each with its stat (or a marker).
 * Walked once per run for the project, then copied for each suite to add its sources.
 */
export class CodeWalk {
  private readonly entries = new Map<string, string>();
  /** Real paths of the folders walked (a symlink cycle, or a folder reached twice, is walked once). */
  private readonly walked = new Set<string>();
  /** Folders whose lockfiles and node_modules links `above` has keyed. */
  private readonly aboveDone = new Set<string>();
  /** Real paths of the modules whose specifiers were read. */
  private readonly scanned = new Set<string>();
  private readonly skip: ReadonlySet<string>;
  /** More than MAX_FILES: the key is null. */
  private overflow = false;
  /** The folder (or file) being added when the walk overflowed: what the warning names. */
  private overflowIn: string | null = null;

  private constructor(
    private readonly root: string,
    skip: ReadonlySet<string>,
  ) {
    this.skip = skip;
  }

  /** The project's files (see the module comment); `skip` are folders left out (the harness's own). */
  static project(root: string, skip: readonly string[]): CodeWalk {
    const abs = path.resolve(root);
    const skipped = new Set<string>();
    for (const p of skip) {
      skipped.add(path.resolve(p));
      const real = realOrNull(p);
      if (real) skipped.add(real);
    }
    const w = new CodeWalk(abs, skipped);
    w.adding(abs, () => {
      w.walk(abs);
      w.above(abs);
    });
    return w;
  }

  /** A copy with `sources` added (this walk is left as it is, for the next suite). */
  with(sources: CodeSources): CodeWalk {
    const w = new CodeWalk(this.root, this.skip);
    for (const [k, v] of this.entries) w.entries.set(k, v);
    for (const d of this.walked) w.walked.add(d);
    for (const s of this.scanned) w.scanned.add(s);
    for (const d of this.aboveDone) w.aboveDone.add(d);
    w.overflow = this.overflow;
    w.overflowIn = this.overflowIn;
    for (const t of sources.texts) w.entries.set(`text:${createHashHex(t)}`, '');
    for (const d of sources.dirs) w.adding(path.resolve(d), (p) => w.walk(p));
    for (const f of sources.files) w.adding(path.resolve(f), (p) => w.addFile(p));
    for (const m of sources.modules) w.adding(path.resolve(m), (p) => w.scan(p));
    return w;
  }

  /**
   * Where the walk overflowed MAX_FILES (the key is then null), so that the caller can say which
   * folder turned the cache off instead of every run silently refitting; null when it did not.
   */
  overflowedIn(): string | null {
    return this.overflow ? this.overflowIn : null;
  }

  private adding(p: string, add: (p: string) => void): void {
    const before = this.overflow;
    add(p);
    if (this.overflow && !before) this.overflowIn = p;
  }

  /** sha256 of the entries in path order, or null when there were more than MAX_FILES. */
  key(): string | null {
    if (this.overflow) return null;
    const h = createHash('sha256');
    for (const k of [...this.entries.keys()].sort()) h.update(`${k}\0${this.entries.get(k)}\n`);
    return h.digest('hex');
  }

  private name(p: string): string {
    return path.relative(this.root, p) || '.';
  }

  private set(name: string, value: string): void {
    if (this.entries.size >= MAX_FILES && !this.entries.has(name)) this.overflow = true;
    else this.entries.set(name, value);
  }

  private addFile(p: string, st: Stats | null = statOrNull(p)): void {
    this.set(this.name(p), st ? (st.isFile() ? statText(st) : 'not a file') : 'missing');
  }

  private walk(dir: string): void {
    if (this.overflow) return;
    const real = realOrNull(dir);
    if (real === null || this.walked.has(real)) return;
    this.walked.add(real);
    if (statOrNull(path.join(dir, 'pyvenv.cfg'))?.isFile()) return this.venv(dir);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      this.set(this.name(dir), 'unreadable');
      return;
    }
    if (INSTALL_FOLDER.test(path.basename(dir))) return this.sitePackages(dir, names);
    if (names.some((n) => INSTALLED_PACKAGE.test(n))) {
      const installed = installedEntries(dir, names);
      this.sitePackages(
        dir,
        names.filter((n) => installed.has(n)),
      );
      names = names.filter((n) => !installed.has(n));
    }
    for (const n of names) {
      const full = path.join(dir, n);
      // stat, not the Dirent's type: a symlink to a file or a folder is followed.
      const st = statOrNull(full);
      if (!st) this.set(this.name(full), 'dangling');
      else if (st.isDirectory()) {
        if (NOT_WALKED.has(n) || this.skip.has(full) || this.skip.has(realOrNull(full) ?? full))
          continue;
        if (n === 'node_modules') this.nodeModules(full);
        else this.walk(full);
      } else if (st.isFile() && !NOT_INPUT.test(n)) this.addFile(full, st);
      if (this.overflow) return;
    }
  }

  /**
   * What Node's resolution may load from the node_modules of the folders above `dir` (its own
   * are walked with it): their lockfiles, since in a workspace (monorepo) the project is a
   * package whose dependencies are locked and installed at the repository's root, and their
   * linked packages, since npm hoists a workspace's link to `<root>/node_modules`. Both the
   * path and its real path: Node resolves a module's imports from its real path.
   */
  private above(dir: string): void {
    for (const start of new Set([dir, realOrNull(dir) ?? dir])) {
      // A folder done has its own folders above done too (or in hand, further up the stack).
      for (let d = path.dirname(start); !this.aboveDone.has(d); d = path.dirname(d)) {
        this.aboveDone.add(d);
        for (const f of LOCKFILES) {
          const file = path.join(d, f);
          if (statOrNull(file)?.isFile()) this.addFile(file);
        }
        const nm = path.join(d, 'node_modules');
        if (statOrNull(nm)?.isDirectory()) this.nodeModules(nm);
        if (this.overflow || path.dirname(d) === d) break;
      }
    }
  }

  /** npm's record of what is installed, and the linked packages (see the module comment). */
  private nodeModules(dir: string): void {
    const lock = path.join(dir, '.package-lock.json');
    if (statOrNull(lock)) this.addFile(lock);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      if (n.startsWith('@')) {
        let scoped: string[] = [];
        try {
          scoped = readdirSync(path.join(dir, n)).sort();
        } catch {
          // an unreadable scope folder: nothing in it can be imported either
        }
        for (const s of scoped) this.linkedPackage(path.join(dir, n, s));
      } else this.linkedPackage(path.join(dir, n));
    }
  }

  /**
   * Walks `pkg` when it is a symlink to a folder outside every node_modules (not the harness
   * itself), with what its own bare imports may reach: the node_modules of the folders above its
   * real folder (`core`, imported by a workspace `shared` the model imports), transitively.
   */
  private linkedPackage(pkg: string): void {
    let link = false;
    try {
      link = lstatSync(pkg).isSymbolicLink();
    } catch {
      return;
    }
    if (!link) return;
    const real = realOrNull(pkg);
    if (real === null) return this.set(this.name(pkg), 'dangling');
    // The harness is keyed by its version and build (harness-key.ts), not walked as project code.
    if (real === HARNESS_ROOT || `${real}${path.sep}`.includes(IN_NODE_MODULES)) return;
    if (this.skip.has(real) || !statOrNull(real)?.isDirectory()) return;
    this.walk(pkg);
    this.above(real);
  }

  /**
   * A virtualenv: its config and each of its site-packages ({@link sitePackages}).
   */
  private venv(dir: string): void {
    this.addFile(path.join(dir, 'pyvenv.cfg'));
    const sitePackages: string[] = [path.join(dir, 'Lib', 'site-packages')];
    try {
      for (const py of readdirSync(path.join(dir, 'lib')))
        sitePackages.push(path.join(dir, 'lib', py, 'site-packages'));
    } catch {
      // a Windows venv has Lib/ only
    }
    for (const sp of sitePackages) {
      let names: string[];
      try {
        names = readdirSync(sp).sort();
      } catch {
        continue;
      }
      this.sitePackages(sp, names);
    }
  }

  /**
   * A folder of installed packages (a virtualenv's site-packages, or one put on PYTHONPATH): the
   * names of what it holds (a dist-info names its version) and the files of the folders its
   * editable installs point to.
   */
  private sitePackages(sp: string, names: readonly string[]): void {
    // Top-level files by stat (an editable install's .pth, a single-module package), folders by name.
    const listing = names.map((n) => {
      const st = statOrNull(path.join(sp, n));
      return st?.isFile() ? `${n}=${statText(st)}` : n;
    });
    this.set(`venv:${this.name(sp)}`, createHashHex(listing.join('\n')));
    // An editable install's code is not in site-packages: walked like the project, file by file.
    for (const src of editableSources(sp, names)) {
      const st = statOrNull(src);
      if (st?.isDirectory()) this.walk(src);
      else this.addFile(src, st);
    }
  }

  /** Adds `file` and, for a JS/TS module, what its specifiers name, transitively. */
  private scan(file: string): void {
    if (this.overflow) return;
    const real = realOrNull(file);
    if (real === null) return this.set(this.name(file), 'missing');
    if (this.scanned.has(real)) return;
    this.scanned.add(real);
    const st = statOrNull(file);
    this.addFile(file, st);
    if (!st?.isFile() || !SCANNED.test(file) || st.size > MAX_SCAN_BYTES) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[2]!;
      if (spec.includes('${')) continue;
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:')) {
        const target = spec.startsWith('file:')
          ? safeFileUrlPath(spec)
          : path.resolve(path.dirname(file), spec);
        if (target !== null) this.reach(target);
      } else if (!spec.startsWith('node:') && !/^[a-z][a-z0-9+.-]*:/i.test(spec)) {
        this.barePackage(path.dirname(file), spec);
      }
      if (this.overflow) return;
    }
  }

  /** Every file a relative specifier may load (Node's and tsx's extension rules), or `missing`. */
  private reach(target: string): void {
    const found = candidates(target).filter((c) => statOrNull(c)?.isFile());
    if (found.length === 0) {
      // A folder named by `new URL('../weights/', import.meta.url)`: its files are inputs too.
      if (statOrNull(target)?.isDirectory()) this.walk(target);
      else this.set(`missing:${this.name(target)}`, '');
      return;
    }
    for (const f of found) this.scan(f);
  }

  /** A bare specifier's package, looked up in the node_modules folders above `from`. */
  private barePackage(from: string, spec: string): void {
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    // Node looks from the module's real folder; the folder as reached is looked from too (a miss is safe).
    for (const start of new Set([realOrNull(from) ?? from, from])) {
      for (let dir = start; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, 'node_modules', name);
        if (statOrNull(pkg)) {
          this.linkedPackage(pkg);
          break;
        }
        if (path.dirname(dir) === dir) break;
      }
    }
  }
}

const createHashHex = (text: string): string => createHash('sha256').update(text).digest('hex');

function safeFileUrlPath(spec: string): string | null {
  try {
    return new URL(spec).pathname;
  } catch {
    return null;
  }
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** `x.js` may be `x.ts` (TypeScript's mapping, which tsx follows). */
const TWINS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** The files a relative specifier may resolve to: itself, its TypeScript twin, with an extension, or an index. */
function candidates(target: string): string[] {
  const ext = path.extname(target);
  const base = target.slice(0, target.length - ext.length);
  return [
    target,
    ...(TWINS[ext] ?? []).map((t) => base + t),
    ...EXTENSIONS.map((e) => target + e),
    ...EXTENSIONS.map((e) => path.join(target, `index${e}`)),
  ];
}

/**
 * sha256 over the project's files' paths, sizes, mtimes, ctimes and inodes (see the module
 * comment), or null when the tree holds more than MAX_FILES of them (the caller then caches
 * nothing: a miss is always safe).
 */
export async function projectCodeKey(
  root: string,
  skip: readonly string[],
  sources: CodeSources = NO_SOURCES,
): Promise<string | null> {
  return CodeWalk.project(root, skip).with(sources).key();
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

/**
 * The entries of a `pip install --target` folder that pip installed: its `*.dist-info` folders
 * and the top-level names their RECORD files list (`six.py`, `numpy/`, `numpy.libs/`). What no
 * RECORD lists is the folder owner's own (a model's code beside its vendored dependencies).
 */
function installedEntries(dir: string, names: readonly string[]): Set<string> {
  const installed = new Set<string>();
  for (const n of names) {
    if (!INSTALLED_PACKAGE.test(n)) continue;
    installed.add(n);
    let record: string;
    try {
      record = readFileSync(path.join(dir, n, 'RECORD'), 'utf8');
    } catch {
      continue; // no RECORD: only the dist-info itself is known to be installed
    }
    for (const line of record.split('\n')) {
      // The path is the first CSV field (quoted when it holds a comma); `../../bin/x` is outside.
      const first = line.startsWith('"')
        ? line.slice(1, line.indexOf('"', 1))
        : line.split(',')[0]!;
      const top = first.split('/')[0]!;
      if (top && top !== '..' && top !== '.') installed.add(top);
    }
  }
  return installed;
}
