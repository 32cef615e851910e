/**
 * `harness init`: writes a working harness project into a folder without ever overwriting a
 * file. What exists is listed and left alone; the only files it edits are .gitignore (lines
 * appended) and package.json, only after the caller agreed (`confirm`), to add
 * `"type": "module"` where no "type" is set and no .js file would change, dropping a byte order
 * mark (see ensureModulePackage).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { configsIn } from '../config/index.ts';
import { createFileExclusive, writeFileAtomic } from '../data/index.ts';
import { HarnessError, jsonProblem } from '../errors.ts';
import {
  CONFIG,
  gitignoreLines,
  MODEL_NAME,
  PLUGIN,
  SUITE,
  TSCONFIG,
  workflow,
} from './templates.ts';
import { declaredRange, execPrefix, readProjectSetup, type ProjectSetup } from './project-setup.ts';

/** One file `init` looked at, and what it did with it. */
export interface InitEntry {
  /** Relative to the project folder, with `/`. */
  readonly file: string;
  readonly action: 'created' | 'exists' | 'updated' | 'left';
  /** What changed, or why it was left (for `updated` and `left`). */
  readonly detail?: string;
}

export interface InitOptions {
  /** The project folder; created when missing. */
  readonly dir: string;
  /**
   * Asked before package.json is changed to `"type": "module"`; true = change it.
   * `harness init --yes` answers yes without asking.
   */
  readonly confirm: (question: string) => Promise<boolean>;
  /**
   * Reads the project's harness.config.ts when it was there before init (the CLI loads it;
   * init itself runs no user code). Init follows its `dataDir` in .gitignore and says when its
   * `suites` globs leave out the suite it writes. Undefined, or a config it cannot read: the
   * defaults.
   */
  readonly readConfig?: () => Promise<ExistingConfig | undefined>;
}

/** What init needs to know of a config that was there before it. */
export interface ExistingConfig {
  /** The data folder, absolute. */
  readonly dataDir: string;
  /** Where reporters write (junit.xml, …), absolute; the workflow uploads it. */
  readonly outDir?: string;
  /** The `suites` globs as written, for the message. */
  readonly suites: readonly string[];
  /** Whether those globs pick up a file, given by its path relative to the project folder (with `/`). */
  readonly runsSuite: (file: string) => boolean;
}

export interface InitResult {
  readonly dir: string;
  readonly entries: readonly InitEntry[];
  /** The plugin the project was given, for the next commands. */
  readonly modelName: string;
  /**
   * Why `npx tsc --noEmit` would not type-check the plugin and suite, and what to change;
   * undefined when it does.
   */
  readonly tscNote?: string;
  /** The command that type-checks the plugin and suite, in the project's package manager. */
  readonly tscCommand: string;
  /** How the project runs the harness's bin: `npx`, `pnpm exec`, `yarn`. */
  readonly exec: string;
  /** What the project must change for CI to install it (no lockfile, a tarball outside the repository). */
  readonly installNotes: readonly string[];
  /** What stops `harness run` in the project as init left it (a byte order mark it did not remove). */
  readonly warnings: readonly string[];
}

const WORKFLOW_FILE = '.github/workflows/harness.yml';
const CONFIG_FILE = 'harness.config.ts';
const SUITE_FILE = `suites/${MODEL_NAME}.suite.ts`;

/** The files written as they are, in the order they are listed. */
const FILES: readonly (readonly [string, string])[] = [
  [CONFIG_FILE, CONFIG],
  [`plugins/${MODEL_NAME}/index.ts`, PLUGIN],
  [SUITE_FILE, SUITE],
  ['tsconfig.json', TSCONFIG],
  [WORKFLOW_FILE, ''], // content from the project: see workflowFor
];

/** `p` relative to `from`, with `/` ('' when the same folder). */
const posixRelative = (from: string, p: string): string =>
  path.relative(from, p).split(path.sep).join('/');

/**
 * The workflow for the project, and where it goes. GitHub reads workflows only at the
 * repository root's .github/workflows: in a package below it (a monorepo, `--dir sub`) a
 * workflow beside the package is never run, so init writes it at the root, its run steps in the
 * package (`defaults.run.working-directory`), never over an existing one. Writing outside
 * `--dir` is the lesser surprise: the file is listed with its path, and the alternative was a
 * dead workflow and a note saying how to move and edit it.
 */
function workflowFor(
  dir: string,
  setup: ProjectSetup,
  existing: ExistingConfig | undefined,
): { file: string; content: string } {
  const root = setup.repoRoot;
  const sub = posixRelative(root, dir);
  const content = workflow({
    manager: setup.manager,
    yarnBerry: setup.yarnBerry,
    managerPinned: typeof setup.pkg?.['packageManager'] === 'string',
    workingDir: sub,
    ...(setup.lockfile
      ? {
          lockfile: posixRelative(root, setup.lockfile),
          lockDir: posixRelative(root, path.dirname(setup.lockfile)),
        }
      : {}),
    ...(existing?.outDir ? { outDir: posixRelative(dir, existing.outDir) } : {}),
  });
  return { file: path.join(root, WORKFLOW_FILE), content };
}

/** What a fresh clone in CI could not install, and what to do; empty when nothing. */
function installNotes(dir: string, setup: ProjectSetup): string[] {
  const notes: string[] = [];
  if (!setup.lockfile) {
    const lock = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock' }[
      setup.manager
    ];
    notes.push(
      `no lockfile: the workflow's install (${setup.manager === 'npm' ? 'npm ci' : `${setup.manager} install --frozen-lockfile`}) needs one committed; run \`${setup.manager} install\` and commit ${lock}`,
    );
  }
  // Declared by the project, or else by the package.json beside its lockfile (a monorepo root):
  // a `file:` range is relative to the package.json that holds it.
  const own = declaredRange(setup, 'bess-harness');
  const [range, base] =
    own !== undefined || !setup.lockfile
      ? [own, dir]
      : [declaredRange({ pkg: setup.lockPkg }, 'bess-harness'), path.dirname(setup.lockfile)];
  const file = range?.startsWith('file:') ? path.resolve(base, range.slice(5)) : undefined;
  const rel = file && path.relative(setup.repoRoot, file);
  if (
    rel !== undefined &&
    (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel))
  )
    notes.push(
      `package.json installs bess-harness from ${range}, outside the repository: a fresh clone (CI) cannot install it; commit the tarball inside the repository, or install from a git URL or a registry`,
    );
  return notes;
}

/**
 * The command that type-checks the plugin and suite: `npx tsc` finds the tsc npm hoists from
 * bess-harness, but pnpm links only direct dependencies' bins, and the tsconfig's `types:
 * ["node"]` needs @types/node where tsc looks (a direct dependency under pnpm).
 */
function tscCommand(setup: ProjectSetup): string {
  const check = `${execPrefix(setup.manager)} tsc --noEmit`;
  if (setup.manager === 'npm') return check;
  const missing = ['typescript', '@types/node'].filter((d) => !declaredRange(setup, d));
  if (missing.length === 0) return check;
  return `${setup.manager} add -D ${missing.join(' ')} && ${check}`;
}

/** Writes the project; see the module comment. Throws a HarnessError, before writing anything, when package.json is not a JSON object. */
export async function scaffoldProject(opts: InitOptions): Promise<InitResult> {
  const dir = path.resolve(opts.dir);
  const st = await stat(dir).catch(() => null);
  if (st && !st.isDirectory())
    throw new HarnessError(
      'E_INIT',
      `${dir} is not a folder: give --dir a folder (it is created when missing)`,
    );
  const pkg = await readPackage(dir); // first: a broken package.json stops init before it writes anything
  const setup = await readProjectSetup(dir);
  const entries: InitEntry[] = [];
  let existing: ExistingConfig | undefined;
  // A project configured another way (.harnessrc.json, harness.config.cjs, package.json's
  // "harness" key) keeps its config: a harness.config.ts beside it would make two, which every
  // later command refuses.
  const configs = await configsIn(dir);
  const otherConfig = configs.some((c) => path.basename(c.file) === CONFIG_FILE)
    ? undefined
    : configs[0];
  for (const [name, text] of FILES) {
    if (name === CONFIG_FILE && otherConfig) {
      existing = await opts.readConfig?.().catch(() => undefined);
      entries.push({
        file: CONFIG_FILE,
        action: 'left',
        detail: `not written: the project's config is ${
          otherConfig.label === otherConfig.file
            ? posixRelative(dir, otherConfig.file)
            : `package.json's "harness" key`
        }`,
      });
      continue;
    }
    // The config is first: the workflow follows what it says (outDir).
    const placed = name === WORKFLOW_FILE ? workflowFor(dir, setup, existing) : undefined;
    const file = placed?.file ?? path.join(dir, name);
    const content = placed?.content ?? text;
    const rel = posixRelative(dir, file);
    const created = await createFileExclusive(file, content).catch((err: NodeJS.ErrnoException) => {
      throw new HarnessError(
        'E_INIT',
        `${file}: cannot be written (${err.code ?? err.message}); nothing existing was changed`,
      );
    });
    if (!created && rel === CONFIG_FILE)
      existing = await opts.readConfig?.().catch(() => undefined);
    const note =
      placed && rel !== WORKFLOW_FILE
        ? created
          ? `the repository root's workflow (GitHub reads none elsewhere), run in ${posixRelative(setup.repoRoot, dir)}`
          : `the repository root's workflow, left as it is: add a job for this package to it (defaults.run.working-directory: ${posixRelative(setup.repoRoot, dir)})`
        : created && rel === SUITE_FILE
          ? suiteNote(existing)
          : undefined;
    entries.push({
      file: rel,
      action: created ? 'created' : 'exists',
      ...(note !== undefined ? { detail: note } : {}),
    });
  }
  entries.push(await addGitignoreLines(dir, gitignoreLines(dataFolder(dir, existing))));
  const pkgEntry = await ensureModulePackage(dir, pkg, opts.confirm);
  entries.push(pkgEntry);
  const tscNote = await typeCheckNote(dir);
  // A package.json init did not rewrite keeps its mark, and every `harness run` exits 2 on it.
  const warnings =
    pkg !== undefined && hasBom(pkg.text) && pkgEntry.action !== 'updated' ? [BOM_KEPT] : [];
  return {
    dir,
    entries,
    modelName: MODEL_NAME,
    ...(tscNote ? { tscNote } : {}),
    tscCommand: tscCommand(setup),
    exec: execPrefix(setup.manager),
    installNotes: installNotes(dir, setup),
    warnings,
  };
}

/** The files `npx tsc --noEmit` is said to check, relative to the project. */
const CHECKED = [CONFIG_FILE, `plugins/${MODEL_NAME}/index.ts`, SUITE_FILE] as const;

/**
 * Why `npx tsc --noEmit` in `dir` would not type-check what init wrote, read the way tsc reads
 * it (TypeScript's own parser of tsconfig.json: comments, `extends`, `include`, `files`), or
 * undefined when it would: an existing tsconfig whose include leaves them out (`include:
 * ["src"]`), one without allowImportingTsExtensions (the suite imports `../plugins/…/index.ts`),
 * or a package that is not `"type": "module"` under verbatimModuleSyntax (tsc reads the files as
 * CommonJS, where their import lines are errors).
 */
async function typeCheckNote(dir: string): Promise<string | undefined> {
  const ts = (await import('typescript')).default;
  const file = path.join(dir, 'tsconfig.json');
  let problem: string | undefined;
  const parsed = ts.getParsedCommandLineOfConfigFile(file, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      problem = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    },
  });
  if (!parsed || problem !== undefined)
    return `tsc cannot read tsconfig.json (${problem ?? 'unreadable'}): fix it for tsc to check them`;
  const fatal = parsed.errors.find(
    (d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003,
  );
  if (fatal)
    return `tsc reports tsconfig.json: ${ts.flattenDiagnosticMessageText(fatal.messageText, ' ')}`;
  const included = new Set(parsed.fileNames.map((f) => path.resolve(f)));
  const missing = CHECKED.filter((f) => !included.has(path.join(dir, f)));
  if (missing.length > 0) {
    const add = [...new Set(missing.map((f) => f.split('/')[0]!))];
    return `tsconfig.json's "include"${parsed.raw?.include ? ` (${JSON.stringify(parsed.raw.include)})` : ''} leaves out ${missing.join(', ')}: add ${add.map((a) => JSON.stringify(a)).join(', ')} to it`;
  }
  if (!parsed.options.allowImportingTsExtensions)
    return `tsconfig.json needs "allowImportingTsExtensions": true (with "noEmit": true) in compilerOptions: ${SUITE_FILE} imports ../plugins/${MODEL_NAME}/index.ts`;
  const nodeModules =
    (parsed.options.module ?? 0) >= ts.ModuleKind.Node16 &&
    (parsed.options.module ?? 0) <= ts.ModuleKind.NodeNext;
  if (parsed.options.verbatimModuleSyntax && nodeModules && (await currentFormat(dir)) !== 'module')
    return `package.json is not "type": "module", so tsc reads them as CommonJS, where their import lines are errors under verbatimModuleSyntax (TS1295); the harness runs them either way`;
  return undefined;
}

/**
 * The suite init writes never runs when the project's config globs for suites elsewhere: the
 * run still passes on the suites that do match. Says so and what to change; undefined when the
 * globs cover it (or there was no config before init).
 */
function suiteNote(existing: ExistingConfig | undefined): string | undefined {
  if (!existing || existing.runsSuite(SUITE_FILE)) return undefined;
  return `not run: ${CONFIG_FILE}'s suites (${existing.suites.join(', ')}) do not match it; add 'suites/**/*.suite.ts' to them, or move the file where they look`;
}

/** The config's data folder relative to the project (`data` by default); null when outside it. */
function dataFolder(dir: string, existing: ExistingConfig | undefined): string | null {
  if (!existing) return 'data';
  const rel = path.relative(dir, existing.dataDir);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HarnessError(
      'E_INIT',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

/** Appends the lines .gitignore lacks (a line counts with or without its trailing slash or a leading one). */
async function addGitignoreLines(dir: string, lines: readonly string[]): Promise<InitEntry> {
  const file = path.join(dir, '.gitignore');
  const text = await readIfExists(file);
  // `x` covers what `x/` does (folders), not the other way round: `data/synthetic/` misses the symlink.
  const norm = (line: string): string => line.trim().replace(/^\//, '');
  const present = new Set((text ?? '').split(/\r?\n/).map(norm));
  const covered = (l: string): boolean =>
    present.has(norm(l)) || (l.endsWith('/') && present.has(norm(l).slice(0, -1)));
  const missing = lines.filter((l) => !covered(l));
  if (text === undefined) {
    const created = await createFileExclusive(
      file,
      `# bess-harness: generated data and runs\n${missing.join('\n')}\n`,
    );
    if (created) return { file: '.gitignore', action: 'created' };
    return addGitignoreLines(dir, lines); // someone created it meanwhile: append to theirs
  }
  if (missing.length === 0) return { file: '.gitignore', action: 'exists' };
  const sep = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  await replaceFile(
    file,
    `${text}${sep}# bess-harness: generated data and runs\n${missing.join('\n')}\n`,
    `add ${missing.join(', ')} to it`,
  );
  return { file: '.gitignore', action: 'updated', detail: `added ${missing.join(', ')}` };
}

/**
 * Replaces a file of the user's (writeFileAtomic: its mode kept); a file they may not write
 * (read-only) or any other refusal is an E_INIT error naming it, the file left as it was.
 */
async function replaceFile(file: string, content: string, change: string): Promise<void> {
  await writeFileAtomic(file, content).catch((err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'EACCES' || err.code === 'EPERM' ? 'it is read-only' : (err.code ?? err.message);
    throw new HarnessError(
      'E_INIT',
      `${file}: cannot be changed (${why}); it was left as it was. Make it writable and run harness init again, or ${change} yourself`,
    );
  });
}

/** package.json as read: its text and parsed object, or undefined when the project has none. */
interface PackageFile {
  readonly file: string;
  /** The file's text as it is, byte order mark included. */
  readonly text: string;
  readonly pkg: Record<string, unknown>;
}

/** Reads package.json; a file that is not a JSON object is a HarnessError located at line and column. */
async function readPackage(dir: string): Promise<PackageFile | undefined> {
  const file = path.join(dir, 'package.json');
  const text = await readIfExists(file);
  if (text === undefined) return undefined;
  // npm and Node skip a byte order mark (Windows editors write one); columns count after it.
  const json = withoutBom(text);
  let pkg: unknown;
  try {
    pkg = JSON.parse(json);
  } catch (err) {
    throw new HarnessError(
      'E_INIT',
      `${file} could not be read as JSON: fix it and run harness init again`,
      [jsonProblem(file, json, err)],
    );
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) {
    throw new HarnessError('E_INIT', `${file}: expected a JSON object`);
  }
  return { file, text, pkg: pkg as Record<string, unknown> };
}

/** Most folder entries {@link findScript} reads before it gives up (and assumes there is one). */
const SCAN_LIMIT = 20_000;

/**
 * A `.js` or `.jsx` file of the package in `dir` (relative, with `/`), the first one found, which
 * `"type"` decides the module format of; `'more files than init looks through'` past
 * {@link SCAN_LIMIT} entries; undefined when there is none. node_modules, dot-folders and
 * folders with their own package.json (another package scope) are skipped.
 */
async function findScript(dir: string): Promise<string | undefined> {
  const queue = [''];
  let seen = 0;
  while (queue.length > 0) {
    const rel = queue.shift()!;
    const names = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    if (rel !== '' && names.some((d) => d.name === 'package.json' && d.isFile())) continue;
    for (const d of names) {
      if (++seen > SCAN_LIMIT) return `more than ${SCAN_LIMIT.toLocaleString('en-US')} files`;
      const child = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory() && d.name !== 'node_modules' && !d.name.startsWith('.'))
        queue.push(child);
      else if (d.isFile() && /\.jsx?$/.test(d.name)) return child;
    }
  }
  return undefined;
}

/** The module format Node gives a `.js` file in `dir` now: the nearest package.json's "type". */
async function currentFormat(dir: string): Promise<'module' | 'commonjs'> {
  for (let at = dir; ; at = path.dirname(at)) {
    const text = await readFile(path.join(at, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        const { type } = JSON.parse(withoutBom(text)) as { type?: unknown };
        return type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs'; // Node refuses a broken package.json; no format to keep
      }
    }
    if (path.dirname(at) === at) return 'commonjs';
  }
}

/**
 * Suites, plugins and the config are ES modules written in TypeScript. The harness loads them
 * whatever the package's "type" (src/module/), but outside a `"type": "module"` package
 * `tsc` (module NodeNext, as in the tsconfig init writes) checks them as CommonJS.
 *
 * "type" also decides how Node loads every `.js` file of the package, so init changes it only
 * where that changes nothing: it never touches a "type" that is set (`"commonjs"` stays, with
 * --yes too), and adds `"type": "module"` (asking first) only to a package.json without one
 * whose package has no `.js` or `.jsx` file; a package.json it creates beside `.js` files
 * keeps the format they have now.
 */
async function ensureModulePackage(
  dir: string,
  found: PackageFile | undefined,
  confirm: InitOptions['confirm'],
): Promise<InitEntry> {
  const anyway = 'the harness loads the TypeScript config, suites and plugins either way';
  if (found === undefined) {
    const name =
      path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[._-]+/, '') || 'bess-project';
    const script = await findScript(dir);
    const keep = script === undefined ? 'module' : await currentFormat(dir);
    const created = await createFileExclusive(
      path.join(dir, 'package.json'),
      `${JSON.stringify({ name, private: true, ...(keep === 'module' ? { type: 'module' } : {}) }, null, 2)}\n`,
    );
    if (created)
      return {
        file: 'package.json',
        action: 'created',
        ...(keep === 'module'
          ? {}
          : {
              detail: `without "type": "module", which would make ${script} an ES module (a require() in it would break); ${anyway}`,
            }),
      };
    return ensureModulePackage(dir, await readPackage(dir), confirm); // someone wrote one meanwhile
  }
  const current = found.pkg['type'];
  if (current === 'module') return { file: 'package.json', action: 'exists' };
  if (current !== undefined)
    return {
      file: 'package.json',
      action: 'left',
      detail: `"type": ${JSON.stringify(current)} kept: it decides how Node loads every .js file of the package, and init never changes it; ${anyway}`,
    };
  const script = await findScript(dir);
  if (script !== undefined)
    return {
      file: 'package.json',
      action: 'left',
      detail: `no "type" (CommonJS) kept: "type": "module" would make ${script} an ES module (a require() in it would break); ${anyway}`,
    };
  const question = `package.json has no "type" and the package no .js file; the harness's TypeScript config, suites and plugins are ES modules, and "type": "module" makes tsc check them as such. Set it?`;
  if (!(await confirm(question))) {
    return {
      file: 'package.json',
      action: 'left',
      detail: `no "type": ${anyway}; add "type": "module" (or run harness init --yes) for tsc to check your suites as ES modules`,
    };
  }
  await replaceFile(found.file, withModuleType(found.text, found.pkg), 'add "type": "module"');
  return {
    file: 'package.json',
    action: 'updated',
    detail: `"type": "module" (was no "type")${hasBom(found.text) ? `; ${BOM_REMOVED}` : ''}`,
  };
}
const hasBom = (text: string): boolean => text.startsWith('\uFEFF');
const withoutBom = (text: string): string => (hasBom(text) ? text.slice(1) : text);

/**
 * A UTF-8 byte order mark (a Windows editor's) in package.json: npm and Node skip it, but
 * cosmiconfig (which reads package.json for a "harness" key) and tsx (which reads its "type")
 * do not, and every `harness run` beside it exits 2. Init drops it from a package.json it
 * rewrites; of one it leaves, it warns.
 */
const BOM_REMOVED =
  'removed the UTF-8 byte order mark from package.json: cosmiconfig and tsx cannot read it';
const BOM_KEPT =
  'package.json starts with a UTF-8 byte order mark, which cosmiconfig and tsx cannot read: `harness run` exits 2 until it is saved without the mark';

/**
 * package.json with `"type": "module"`, placed after its name/version/description, in the
 * file's own indentation and line ends (CRLF stays CRLF), as a Windows editor wrote it; without
 * a byte order mark (see {@link BOM_REMOVED}).
 */
function withModuleType(text: string, pkg: Record<string, unknown>): string {
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  const out: Record<string, unknown> = {};
  const keys = Object.keys(pkg).filter((k) => k !== 'type');
  const after = ['name', 'version', 'description', 'private'];
  const at = Math.max(0, ...keys.map((k, i) => (after.includes(k) ? i + 1 : 0)));
  keys.forEach((k, i) => {
    if (i === at) out['type'] = 'module';
    out[k] = pkg[k];
  });
  if (!('type' in out)) out['type'] = 'module';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const json = `${JSON.stringify(out, null, indent)}${text.endsWith('\n') ? '\n' : ''}`;
  return json.replaceAll('\n', eol);
}
