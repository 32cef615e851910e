import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { lockPathOf, removeStaleLock, withFileLock } from '../../../src/data/file-lock.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the data-file lock', () => {
  it('holds the owner pid while it runs and is gone after, also when fn throws', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    const seen = await withFileLock(file, () => readFile(lockPathOf(file), 'utf8'));
    expect(seen).toMatch(new RegExp(`^${process.pid} [0-9a-f]{12}\\n$`));
    await expect(readFile(lockPathOf(file), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(withFileLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(readFile(lockPathOf(file), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('keeps the lock beside the folder, so a folder swapped while it is held keeps one lock', () => {
    expect(lockPathOf(path.join(dir, 'synthetic', 'labels.csv'))).toBe(path.join(dir, '.synthetic.labels.csv.lock'));
  });

  it('takes one lock for one file reached through links (its own, or its folder\'s), but keeps a version link by name', async () => {
    const real = await realpath(dir);
    await mkdir(path.join(dir, 'repo'));
    await writeFile(path.join(dir, 'repo', 'labels.csv'), 'x\n');
    await mkdir(path.join(dir, 'a', 'real'), { recursive: true });
    await symlink('../../repo/labels.csv', path.join(dir, 'a', 'real', 'labels.csv'));
    await mkdir(path.join(dir, 'b'));
    await symlink(path.join(dir, 'repo'), path.join(dir, 'b', 'real'));
    const one = path.join(real, '.repo.labels.csv.lock');
    expect(lockPathOf(path.join(dir, 'a', 'real', 'labels.csv'))).toBe(one);
    expect(lockPathOf(path.join(dir, 'b', 'real', 'labels.csv'))).toBe(one);
    expect(lockPathOf(path.join(dir, 'b', 'real', 'new.csv'))).toBe(path.join(real, '.repo.new.csv.lock'));
    // harness generate swaps synthetic -> .synthetic.v-<hex>: the lock must not move with it.
    await mkdir(path.join(dir, '.synthetic.v-abc123'));
    await symlink('.synthetic.v-abc123', path.join(dir, 'synthetic'));
    expect(lockPathOf(path.join(dir, 'synthetic', 'labels.csv'))).toBe(path.join(real, '.synthetic.labels.csv.lock'));
  });

  it('takes over a lock whose owner is dead (kill -9 leaves it behind)', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), `${dead}\n`);
    expect(await withFileLock(file, async () => 'ran', 1000)).toBe('ran');
  });

  it('a takeover removes only the stale lock it judged: a lock another process took since stays', async () => {
    // Two processes find the same dead owner's lock. The first removes it and takes the lock; the
    // second, removing the file by name, removed the first one's live lock, and both wrote.
    const file = path.join(dir, 'real', 'labels.csv');
    const lock = lockPathOf(file);
    await mkdir(path.dirname(lock), { recursive: true });
    await writeFile(lock, '4242 0123456789ab\n'); // the first one's, taken after the second judged
    await removeStaleLock(lock, '99999 stale\n');
    expect(await readFile(lock, 'utf8')).toBe('4242 0123456789ab\n');
    expect(await readdir(path.dirname(lock))).toEqual([path.basename(lock)]);
    // The lock it judged is removed, and nothing is left beside it.
    await removeStaleLock(lock, '4242 0123456789ab\n');
    expect(await readdir(path.dirname(lock))).toEqual([]);
    // Gone already (the other one removed it): nothing to do.
    await removeStaleLock(lock, '4242 0123456789ab\n');
  });

  it('takes over a lock holding its own pid that it does not hold: an earlier process with the same pid left it', async () => {
    // A container restarted after a kill -9 gives the new server the pid the old one had.
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), `${process.pid}\n`);
    expect(await withFileLock(file, async () => 'ran', 500)).toBe('ran');
  });

  it('still waits for a holder in this process (same pid, held): the two run one after the other', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    const order: string[] = [];
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered = (): void => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = withFileLock(file, async () => {
      order.push('first in');
      entered();
      await gate;
      order.push('first out');
    });
    await inside;
    const second = withFileLock(file, async () => void order.push('second'));
    // Give the second a few polls at the held lock before the first lets go.
    await new Promise((resolve) => setTimeout(resolve, 300));
    open();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second']);
  });

  it('waits for a live owner, and gives up with a message naming it', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), '1\n'); // pid 1 is always running
    const err = await withFileLock(file, async () => 'ran', 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toContain(`${file} is locked by process 1`);
  });
});
