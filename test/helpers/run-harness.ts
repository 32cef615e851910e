import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a harness started by a test: the test process's, without MLFLOW_* (a
 * developer's own tracking server must never receive test runs), plus what the test sets.
 */
export function harnessEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')),
  );
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

/** Runs the real `harness` bin as a user would, in `cwd`, with colours off. */
export function runHarness(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return runCommand(process.execPath, [BIN, ...args], opts);
}

/** Runs any command (npm, npx, tsc, the harness) in `cwd` with the environment of {@link harnessEnv}. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: harnessEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectOutput(child, resolve, reject);
  });
}

/** Gathers a child's stdout and stderr until it closes. */
function collectOutput(
  child: ChildProcessByStdio<null, Readable, Readable>,
  resolve: (r: RunResult) => void,
  reject: (err: Error) => void,
): void {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', reject);
  child.on('close', (code) => resolve({ code, stdout, stderr }));
}

/** A fresh temporary folder, and a function that removes it. */
export async function tempDir(
  prefix = 'bess-harness-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** sha256 of every file below `dir`, keyed by relative path: two trees are byte-identical iff these are equal. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, entry.name);
      // A source folder is a symlink to its current version (see src/data/fleet-commit.ts): follow it.
      const isDir =
        entry.isDirectory() ||
        (entry.isSymbolicLink() && (await stat(path.join(dir, r))).isDirectory());
      if (isDir) await walk(r);
      else
        out[r] = createHash('sha256')
          .update(await readFile(path.join(dir, r)))
          .digest('hex');
    }
  }
  await walk('');
  return out;
}

/**
 * A fixture project in a temp folder, as a user would have it: its own package.json, config,
 * plugins and suites, with `bess-harness` installed (a symlink to this repository), so fixture
 * files import `bess-harness` exactly like the README says.
 */
export async function makeProject(
  files: Readonly<Record<string, string>>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const { mkdir, symlink, writeFile } = await import('node:fs/promises');
  const t = await tempDir('bess-project-');
  await mkdir(path.join(t.dir, 'node_modules'), { recursive: true });
  await symlink(REPO_ROOT, path.join(t.dir, 'node_modules', 'bess-harness'), 'dir');
  const all = {
    'package.json': JSON.stringify({ name: 'fixture', type: 'module', private: true }),
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(t.dir, rel)), { recursive: true });
    await writeFile(path.join(t.dir, rel), text);
  }
  return t;
}

/**
 * Runs the real `harness` bin under a pseudo-terminal (`script -qfec … /dev/null`), as a
 * person at a terminal would: stdout is a TTY of `columns` × `rows` (default 100 × 40), CI is
 * unset, colours off. The output is the raw byte stream, cursor moves and erases included;
 * `onOutput` is given it so far, as it comes (to act once the terminal shows something).
 */
export function runHarnessInTty(
  args: readonly string[],
  opts: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    columns?: number;
    rows?: number;
    onOutput?: (soFar: string) => void;
  } = {},
): Promise<RunResult> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const cmd = `stty cols ${opts.columns ?? 100} rows ${opts.rows ?? 40}; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...env } = harnessEnv(opts.env);
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: opts.cwd ?? REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (opts.onOutput) {
      let soFar = '';
      child.stdout.on('data', (d: Buffer) => opts.onOutput!((soFar += d.toString())));
    }
    collectOutput(child, resolve, reject);
  });
}
