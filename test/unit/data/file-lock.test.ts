import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import {
  holdsFileLock,
  lockPathOf,
  removeStaleLock,
  UNNAMED_GRACE_MS,
  withFileLock,
} from '../../../src/data/file-lock.ts';
import { convertToVersionLink } from '../../../src/data/fleet-commit.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the data-file lock', () => {
  it('holds the owner pid while it runs and is gone after, also when fn throws', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    const seen = await withFileLock(file, () => readFile(lockPathOf(file), 'utf8'));
    // Its pid, a token, and (where the kernel says it) when it started.
    expect(seen).toMatch(new RegExp(`^${process.pid} [0-9a-f]{12}( \\d+)?\\n$`));
    await expect(readFile(lockPathOf(file), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(withFileLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(readFile(lockPathOf(file), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('keeps the lock beside a folder that is a version link or missing, so a folder swapped while it is held keeps one lock', async () => {
    const real = await realpath(dir);
    expect(lockPathOf(path.join(dir, 'synthetic', 'labels.csv'))).toBe(path.join(real, '.synthetic.labels.csv.lock'));
    // harness generate swaps synthetic -> .synthetic.v-<hex>: the lock must not move with it.
    await mkdir(path.join(dir, '.synthetic.v-abc123'));
    await symlink('.synthetic.v-abc123', path.join(dir, 'synthetic'));
    expect(lockPathOf(path.join(dir, 'synthetic', 'labels.csv'))).toBe(path.join(real, '.synthetic.labels.csv.lock'));
  });

  it('keeps the lock inside any other folder, which may sit in a folder the user may not write', async () => {
    const real = await realpath(dir);
    await mkdir(path.join(dir, 'real'));
    expect(lockPathOf(path.join(dir, 'real', 'labels.csv'))).toBe(path.join(real, 'real', '.labels.csv.lock'));
  });

  it("takes one lock for one file reached through links (its own, or its folder's), inside the folder it really is in", async () => {
    const real = await realpath(dir);
    await mkdir(path.join(dir, 'repo'));
    await writeFile(path.join(dir, 'repo', 'labels.csv'), 'x\n');
    await mkdir(path.join(dir, 'a', 'real'), { recursive: true });
    await symlink('../../repo/labels.csv', path.join(dir, 'a', 'real', 'labels.csv'));
    await mkdir(path.join(dir, 'b'));
    await symlink(path.join(dir, 'repo'), path.join(dir, 'b', 'real'));
    const one = path.join(real, 'repo', '.labels.csv.lock');
    expect(lockPathOf(path.join(dir, 'a', 'real', 'labels.csv'))).toBe(one);
    expect(lockPathOf(path.join(dir, 'b', 'real', 'labels.csv'))).toBe(one);
    expect(lockPathOf(path.join(dir, 'b', 'real', 'new.csv'))).toBe(path.join(real, 'repo', '.new.csv.lock'));
  });

  it('names a loop of links as it is, for the read that follows to report, instead of throwing', async () => {
    await mkdir(path.join(dir, 'real'));
    await symlink('b', path.join(dir, 'real', 'labels.csv'));
    await symlink('labels.csv', path.join(dir, 'real', 'b'));
    expect(lockPathOf(path.join(dir, 'real', 'labels.csv'))).toBe(path.join(await realpath(dir), 'real', '.labels.csv.lock'));
  });

  it('a waiter whose lock moved meanwhile (generate made the folder a version link) takes the new one, not the old', async () => {
    // generate makes a plain synthetic/ a version link under the lock inside it; from then on
    // the file's lock is beside it. One who waited on the inside lock must not run beside the
    // holder of the new one.
    const real = await realpath(dir);
    await mkdir(path.join(dir, 'synthetic'));
    const file = path.join(dir, 'synthetic', 'labels.csv');
    expect(lockPathOf(file)).toBe(path.join(real, 'synthetic', '.labels.csv.lock'));
    const order: string[] = [];
    const gate = () => {
      let open = (): void => undefined;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    };
    const held = gate();
    const convert = gate();
    const converted = gate();
    const release = gate();
    const thirdIn = gate();
    const thirdOut = gate();
    const one = withFileLock(file, async () => {
      held.open();
      await convert.opened;
      await convertToVersionLink(path.join(dir, 'synthetic'));
      converted.open();
      await release.opened;
    });
    await held.opened;
    const two = withFileLock(file, async () => void order.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 100)); // it waits on the lock inside
    convert.open();
    await converted.opened;
    expect(lockPathOf(file)).toBe(path.join(real, '.synthetic.labels.csv.lock'));
    const three = withFileLock(file, async () => {
      order.push('third in');
      thirdIn.open();
      await thirdOut.opened;
      order.push('third out');
    });
    await thirdIn.opened;
    release.open();
    await one;
    await new Promise((resolve) => setTimeout(resolve, 200));
    thirdOut.open();
    await Promise.all([two, three]);
    expect(order).toEqual(['third in', 'third out', 'second']);
  });

  it('takes over a lock whose pid now names another process (one that started after the owner)', async () => {
    // The killed owner's pid handed to another process kept its lock "alive": every command
    // waited 30 s and gave up.
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), `${process.ppid} 0123456789ab 1\n`); // running, but it did not start at tick 1
    expect(await withFileLock(file, async () => 'ran', 1000)).toBe('ran');
  });

  it('says whether this process holds the lock of a file now', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    expect(await holdsFileLock(file)).toBe(false);
    await withFileLock(file, async () => {
      expect(await holdsFileLock(file)).toBe(true);
      await rm(lockPathOf(file)); // deleted by hand: another process may take it now
      expect(await holdsFileLock(file)).toBe(false);
    });
    expect(await holdsFileLock(file)).toBe(false);
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

  it('takes over a lock that names no owner (empty, or not one) once it is older than the grace', async () => {
    // An older harness created the lock and then filled it: a kill between the two left it
    // empty, and every later writer waited 30 s and gave up, "locked by process ?".
    const file = path.join(dir, 'real', 'labels.csv');
    await mkdir(path.join(dir, 'real'));
    for (const content of ['', 'not a lock\n']) {
      await writeFile(lockPathOf(file), content);
      const made = (Date.now() - UNNAMED_GRACE_MS - 1000) / 1000;
      await utimes(lockPathOf(file), made, made);
      expect(await withFileLock(file, async () => 'ran', 1000)).toBe('ran');
      expect(await readdir(path.join(dir, 'real'))).toEqual([]);
    }
  });

  it('waits for a lock that names no owner while it is younger than the grace (its writer may be between its two steps)', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    await mkdir(path.join(dir, 'real'));
    await writeFile(lockPathOf(file), '');
    const err = await withFileLock(file, async () => 'ran', 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toContain(`${file} is locked by no process (the lock file names no owner)`);
    expect(await readFile(lockPathOf(file), 'utf8')).toBe('');
  });

  it('removes what a takeover killed midway left beside the lock, once its process is dead', async () => {
    // A kill between moving a stale lock aside and removing it left the file in data/real,
    // which is committed, forever. The names are an older harness's and this one's.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const file = path.join(dir, 'real', 'labels.csv');
    await mkdir(path.join(dir, 'real'));
    const left = [`.labels.csv.lock.stale-${dead}-0123456789ab`, `.stale-${dead}-0123456789ab.labels.csv.lock`, `.new-${dead}-0123456789ab.labels.csv.lock`];
    // A live process's (the parent of this one) is in the middle of its own takeover: kept.
    const live = `.stale-${process.ppid}-0123456789ab.labels.csv.lock`;
    for (const name of [...left, live]) await writeFile(path.join(dir, 'real', name), '99999 stale\n');
    expect(await withFileLock(file, async () => 'ran', 1000)).toBe('ran');
    expect(await readdir(path.join(dir, 'real'))).toEqual([live]);
  });

  it('waits for a live owner, and gives up with a message naming it', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), '1\n'); // pid 1 is always running
    const err = await withFileLock(file, async () => 'ran', 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toContain(`${file} is locked by process 1`);
  });
});
