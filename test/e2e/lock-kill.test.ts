/**
 * A kill at every step of taking and letting go of a data-file lock (src/data/file-lock.ts): the
 * lock it leaves, if any, names its owner, so the next process finds it dead and takes it over.
 * The lock used to be created empty and filled after: a kill between the two left an empty lock
 * that named no owner, and every later label save, import or generate waited 30 s and gave up,
 * until it was deleted by hand. And a kill during a takeover left the stale lock, moved aside, in
 * data/real (committed) forever, under a name .gitignore did not cover.
 *
 * strace injects the signal at each system call on the lock file (-P): SIGKILL with the call
 * failed (the kill lands before it), SIGINT after it (the child ends as the CLI does on Ctrl+C).
 * Skipped where strace is missing or may not trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockPathOf, withFileLock } from '../../src/data/file-lock.ts';
import { gitignoreLines } from '../../src/init/templates.ts';
import { harnessEnv, REPO_ROOT, tempDir } from '../helpers/run-harness.ts';

const STRACE = '/usr/bin/strace';
const CHILD = path.join(REPO_ROOT, 'test', 'helpers', 'lock-child.mjs');

function straceWorks(): boolean {
  try {
    return spawnSync(STRACE, ['-f', '-qq', '-o', '/dev/null', 'true']).status === 0;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let t: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  t = await tempDir('bess-lock-kill-');
});
afterEach(() => t.cleanup());

describe.skipIf(!straceWorks())(
  'a kill at any step of a data-file lock',
  { timeout: 300_000 },
  () => {
    it('never leaves a lock that names no owner, nor a file beside it that the next lock does not remove', async () => {
      const real = path.join(t.dir, 'real');
      const file = path.join(real, 'labels.csv');
      /** The lock child under strace, watching the calls on the lock file; the trace's lines. */
      const traced = async (inject: readonly string[]): Promise<string[]> => {
        await rm(real, { recursive: true, force: true });
        await mkdir(real);
        const trace = path.join(t.dir, 'lock.strace');
        spawnSync(
          STRACE,
          [
            '-f',
            '-qq',
            '-o',
            trace,
            '-P',
            lockPathOf(file),
            ...inject,
            process.execPath,
            CHILD,
            file,
          ],
          // One thread for file calls: strace counts a call per thread.
          { env: harnessEnv({ UV_THREADPOOL_SIZE: '1' }), stdio: 'ignore' },
        );
        return (await readFile(trace, 'utf8')).split('\n');
      };
      // Each call on the lock file, as `<name>:when=<k>` (its k-th of that name).
      const seen = new Map<string, number>();
      const steps: string[] = [];
      for (const line of await traced([])) {
        const name = /^\d+\s+(\w+)\(/.exec(line)?.[1];
        if (name === undefined) continue;
        seen.set(name, (seen.get(name) ?? 0) + 1);
        steps.push(`${name}:when=${seen.get(name)}`);
      }
      expect(steps.length).toBeGreaterThan(3);
      for (const step of steps) {
        for (const signal of ['error=EIO:signal=SIGKILL', 'signal=SIGINT']) {
          const [name, when] = step.split(':');
          await traced(['-e', `inject=${name}:${signal}:${when}`]);
          const left = await readFile(lockPathOf(file), 'utf8').catch(() => undefined);
          if (left !== undefined)
            expect(left, `${signal} at ${step}`).toMatch(/^\d+ [0-9a-f]{12}( \d+)?\n$/);
          expect(await withFileLock(file, async () => 'ran', 1000), `${signal} at ${step}`).toBe(
            'ran',
          );
          expect(await readdir(real), `${signal} at ${step}`).toEqual([]);
        }
      }
    });

    it('a takeover killed midway leaves a file git ignores, and the next lock removes it', async () => {
      const real = path.join(t.dir, 'real');
      const file = path.join(real, 'labels.csv');
      await mkdir(real);
      // The stale lock is a FIFO: the takeover moves it aside, then blocks reading it, and is
      // killed there, between the move and the removal.
      const lock = lockPathOf(file);
      expect(spawnSync('mkfifo', [lock]).status).toBe(0);
      const child = spawn(process.execPath, [CHILD, lock, 'aside', '99999 0123456789ab\n'], {
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let entries = await readdir(real);
      while (entries.includes(path.basename(lock)) || entries.length === 0) {
        await sleep(20);
        entries = await readdir(real);
      }
      child.kill('SIGKILL');
      await exited;
      expect(entries).toHaveLength(1);
      // init's .gitignore covers it, as it covers the lock: data/real is committed.
      expect(spawnSync('git', ['init', '-q', t.dir]).status).toBe(0);
      await writeFile(path.join(t.dir, '.gitignore'), gitignoreLines().join('\n') + '\n');
      const ignored = spawnSync('git', [
        '-C',
        t.dir,
        'check-ignore',
        '-q',
        path.join('real', entries[0]!),
      ]);
      expect(ignored.status, `${entries[0]} is not ignored by git`).toBe(0);
      expect(await withFileLock(file, async () => 'ran', 1000)).toBe('ran');
      expect(await readdir(real)).toEqual([]);
    });
  },
);
