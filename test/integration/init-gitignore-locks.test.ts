/**
 * The locks a kill -9 leaves in a project's committed folders are kept out of git by the
 * .gitignore `harness init` writes. Only the labels lock (`*.csv.lock`) was: `kill -9` during
 * `harness run --update-baseline` left `suites/__baselines__/.<suite>.json.lock` to be committed,
 * and a committed out dir kept `.run-record.json.lock`. Here real processes take each lock the
 * harness makes in such a folder and are killed with SIGKILL holding it; the files a lock makes
 * beside itself for a moment are named as the harness names them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPathOf } from '../../src/data/file-lock.ts';
import { lockSidePath } from '../../src/data/lock-side-files.ts';
import { pathExists } from '../../src/data/path-exists.ts';
import { baselinePath } from '../../src/runner/baseline.ts';
import { RECORD_POINTER_FILE } from '../../src/track/record-pointer.ts';
import { harnessEnv, REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

const CHILD = path.join(REPO_ROOT, 'test', 'helpers', 'lock-child.mjs');

let t: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** Takes the lock of `file` in a real process and kills it with SIGKILL while it holds it. */
async function killHolding(file: string): Promise<void> {
  const child = spawn(process.execPath, [CHILD, file, 'hold'], {
    env: harnessEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const closed = once(child, 'close');
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()),
  );
  child.kill('SIGKILL');
  await closed;
}

describe("init's .gitignore and the locks a kill leaves", () => {
  it('keeps the baseline, out dir and labels locks a kill -9 leaves, and their side files, out of git', async () => {
    t = await tempDir('bess-init-locks-');
    const dir = t.dir;
    expect(spawnSync('git', ['init', '-q', dir]).status).toBe(0);
    const init = await runHarness(['init', '--yes'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    // What an update of the suite's baseline, a committed out dir and a label save lock.
    const files = [
      baselinePath(path.join(dir, 'suites', 'my-model.suite.ts'), 'my model'),
      path.join(dir, 'reports', RECORD_POINTER_FILE),
      path.join(dir, 'data', 'real', 'labels.csv'),
    ];
    const left: string[] = [];
    for (const file of files) {
      await mkdir(path.dirname(file), { recursive: true });
      await killHolding(file);
      const lock = lockPathOf(file);
      expect(await pathExists(lock), `${lock} was not left`).toBe(true);
      left.push(lock);
      for (const kind of ['new', 'stale'] as const) {
        const side = lockSidePath(lock, kind);
        await writeFile(side, '1 0123456789ab\n');
        left.push(side);
      }
    }
    expect(left.map((f) => path.relative(dir, f))).toContain(
      path.join('suites', '__baselines__', '.my_model.json.lock'),
    );
    const status = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=all'], {
      encoding: 'utf8',
    });
    expect(status.status).toBe(0);
    expect(status.stdout.split('\n').filter((l) => l.includes('.lock'))).toEqual([]);
    for (const f of left) {
      const ignored = spawnSync('git', ['-C', dir, 'check-ignore', '-q', f]);
      expect(ignored.status, `${path.relative(dir, f)} is not ignored by git`).toBe(0);
    }
  });
});
