import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readGitState } from '../../../src/track/git-state.ts';
import { tempDir } from '../../helpers/run-harness.ts';

const git = async (cwd: string, ...args: string[]) =>
  (
    await promisify(execFile)(
      'git',
      ['-c', 'user.email=t@bess.local', '-c', 'user.name=t', ...args],
      { cwd },
    )
  ).stdout.trim();

describe('readGitState', () => {
  let t: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => t?.cleanup());

  it('is all null outside a git checkout, without throwing', async () => {
    t = await tempDir();
    expect(await readGitState(t.dir)).toEqual({ commit: null, branch: null, dirty: null });
    expect(await readGitState(path.join(t.dir, 'does-not-exist'))).toEqual({
      commit: null,
      branch: null,
      dirty: null,
    });
  });

  it('reads HEAD and the branch; the harness’s own folders do not make the tree dirty, anything else does', async () => {
    t = await tempDir();
    await git(t.dir, 'init', '-q', '-b', 'main');
    expect(await readGitState(t.dir)).toEqual({ commit: null, branch: 'main', dirty: false }); // no commit yet
    await writeFile(path.join(t.dir, 'a.txt'), 'a\n');
    await git(t.dir, 'add', 'a.txt');
    await git(t.dir, 'commit', '-q', '-m', 'a');
    const head = await git(t.dir, 'rev-parse', 'HEAD');
    expect(await readGitState(t.dir)).toEqual({ commit: head, branch: 'main', dirty: false });
    const runs = path.join(t.dir, '.harness', 'runs');
    await mkdir(runs, { recursive: true });
    await writeFile(path.join(runs, 'x.json'), '{}');
    expect(
      (await readGitState(t.dir, [runs, path.join(t.dir, '.harness', 'cache'), '/elsewhere']))
        .dirty,
    ).toBe(false);
    expect((await readGitState(t.dir)).dirty).toBe(true);
    await writeFile(path.join(t.dir, 'a.txt'), 'changed\n');
    expect(await readGitState(t.dir, [runs])).toEqual({
      commit: head,
      branch: 'main',
      dirty: true,
    });
    await git(t.dir, 'checkout', '-q', '--detach');
    expect((await readGitState(t.dir, [runs])).branch).toBeNull();
  });
});
