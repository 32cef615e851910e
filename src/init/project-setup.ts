/**
 * How the project around `harness init`'s folder installs and where its repository starts: the
 * workflow init writes must install with the project's package manager, from the repository
 * root (the only place GitHub reads .github/workflows), and the commands it prints must run.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export type PackageManager = 'npm' | 'pnpm' | 'yarn';

/** What init found of the project's installation. */
export interface ProjectSetup {
  readonly manager: PackageManager;
  /** Yarn 2+ (`--immutable`; `--frozen-lockfile` is Yarn 1's). */
  readonly yarnBerry: boolean;
  /** The lockfile, absolute; undefined when there is none. */
  readonly lockfile?: string;
  /**
   * The repository root: the nearest folder at or above the project holding `.git`, else the
   * nearest workspace root above it (a package.json with "workspaces", pnpm-workspace.yaml),
   * else the project itself.
   */
  readonly repoRoot: string;
  /** The project's package.json, parsed; undefined when it has none. */
  readonly pkg?: Record<string, unknown>;
  /**
   * The package.json beside the lockfile when that is another folder (a workspace root, or a
   * root npm walked up to from a folder without package.json), parsed: it may be the one that
   * declares bess-harness.
   */
  readonly lockPkg?: Record<string, unknown>;
}

const LOCKFILES: readonly (readonly [string, PackageManager])[] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    // A byte order mark (Windows editors write one) is skipped, as npm and Node skip it.
    const v: unknown = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The folders from `dir` up to the filesystem root. */
function* upFrom(dir: string): Generator<string> {
  for (let at = dir; ; at = path.dirname(at)) {
    yield at;
    if (path.dirname(at) === at) return;
  }
}

/** Reads the project in `dir`; see {@link ProjectSetup}. */
export async function readProjectSetup(dir: string): Promise<ProjectSetup> {
  let gitRoot: string | undefined;
  let workspaceRoot: string | undefined;
  for (const at of upFrom(dir)) {
    if (await exists(path.join(at, '.git'))) {
      gitRoot = at;
      break;
    }
    if (at !== dir && !workspaceRoot) {
      const pkg = await readJson(path.join(at, 'package.json'));
      if (pkg?.['workspaces'] || (await exists(path.join(at, 'pnpm-workspace.yaml'))))
        workspaceRoot = at;
    }
  }
  const repoRoot = gitRoot ?? workspaceRoot ?? dir;
  // The lockfile and packageManager field of the project, or of its workspace root up to the repository's.
  let lockfile: string | undefined;
  let manager: PackageManager | undefined;
  let declared: string | undefined;
  for (const at of upFrom(dir)) {
    for (const [name, pm] of LOCKFILES) {
      if (!lockfile && (await exists(path.join(at, name)))) {
        lockfile = path.join(at, name);
        manager ??= pm;
      }
    }
    const field = (await readJson(path.join(at, 'package.json')))?.['packageManager'];
    if (!declared && typeof field === 'string') declared = field;
    if (at === repoRoot || lockfile) break;
  }
  const fromField = /^(npm|pnpm|yarn)@/.exec(declared ?? '')?.[1] as PackageManager | undefined;
  manager = fromField ?? manager ?? 'npm';
  const yarnMajor = /^yarn@(\d+)/.exec(declared ?? '')?.[1];
  const yarnBerry =
    manager === 'yarn' &&
    (yarnMajor !== undefined
      ? Number(yarnMajor) >= 2
      : lockfile !== undefined &&
        (await readFile(lockfile, 'utf8').catch(() => '')).includes('__metadata:'));
  const pkg = await readJson(path.join(dir, 'package.json'));
  const lockDir = lockfile && path.dirname(lockfile);
  const lockPkg =
    lockDir && lockDir !== path.resolve(dir)
      ? await readJson(path.join(lockDir, 'package.json'))
      : undefined;
  return {
    manager,
    yarnBerry,
    ...(lockfile ? { lockfile } : {}),
    repoRoot,
    ...(pkg ? { pkg } : {}),
    ...(lockPkg ? { lockPkg } : {}),
  };
}

/** How the package manager runs a bin of the project's dependencies. */
export function execPrefix(manager: PackageManager): string {
  return manager === 'npm' ? 'npx' : manager === 'pnpm' ? 'pnpm exec' : 'yarn';
}

/** A dependency of the project as declared in package.json (dependencies or devDependencies). */
export function declaredRange(setup: Pick<ProjectSetup, 'pkg'>, name: string): string | undefined {
  for (const field of ['dependencies', 'devDependencies']) {
    const deps = setup.pkg?.[field];
    if (typeof deps === 'object' && deps !== null) {
      const v = (deps as Record<string, unknown>)[name];
      if (typeof v === 'string') return v;
    }
  }
  return undefined;
}
