import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The code a run was made with. Every field is null outside a git checkout or without git. */
export interface GitState {
  readonly commit: string | null;
  readonly branch: string | null;
  /** Uncommitted changes (tracked or untracked), the harness's own output folders left out. */
  readonly dirty: boolean | null;
}

const UNKNOWN: GitState = { commit: null, branch: null, dirty: null };

/**
 * Reads HEAD, the branch and whether the working tree is dirty with one `git status` in `root`.
 * Never throws: not a repository, git not installed or a git that hangs all give null fields,
 * because a missing commit must not stop a run from being recorded.
 *
 * `ownDirs` (out, cache and runs folders) are excluded from the dirty check: a project that
 * does not ignore `.harness/` would otherwise look dirty from the second run on.
 */
export async function readGitState(
  root: string,
  ownDirs: readonly string[] = [],
): Promise<GitState> {
  const excludes = ownDirs
    .map((d) => path.relative(root, d))
    .filter((r) => r !== '' && !r.startsWith('..') && !path.isAbsolute(r))
    .map((r) => `:(exclude)${r.split(path.sep).join('/')}`);
  let stdout: string;
  try {
    ({ stdout } = await run(
      'git',
      ['status', '--porcelain=v2', '--branch', '--untracked-files=normal', '--', ...excludes],
      {
        cwd: root,
        timeout: 10_000,
        maxBuffer: 64 << 20,
        // A status for a record must not take the index lock a user's own git command may need.
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
      },
    ));
  } catch {
    return UNKNOWN;
  }
  let commit: string | null = null;
  let branch: string | null = null;
  let dirty = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length).trim();
      commit = /^[0-9a-f]{7,64}$/.test(oid) ? oid : null; // `(initial)`: no commit yet
    } else if (line.startsWith('# branch.head ')) {
      const head = line.slice('# branch.head '.length).trim();
      branch = head === '(detached)' ? null : head;
    } else if (line !== '' && !line.startsWith('#')) {
      dirty = true;
    }
  }
  return { commit, branch, dirty };
}
