import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { lockPathOf, withFileLock } from '../../../src/data/file-lock.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the data-file lock', () => {
  it('holds the owner pid while it runs and is gone after, also when fn throws', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    const seen = await withFileLock(file, () => readFile(lockPathOf(file), 'utf8'));
    expect(seen).toBe(`${process.pid}\n`);
    await expect(readFile(lockPathOf(file), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(withFileLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(readFile(lockPathOf(file), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('keeps the lock beside the folder, so a folder swapped while it is held keeps one lock', () => {
    expect(lockPathOf(path.join(dir, 'synthetic', 'labels.csv'))).toBe(path.join(dir, '.synthetic.labels.csv.lock'));
  });

  it('takes over a lock whose owner is dead (kill -9 leaves it behind)', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), `${dead}\n`);
    expect(await withFileLock(file, async () => 'ran', 1000)).toBe('ran');
  });

  it('waits for a live owner, and gives up with a message naming it', async () => {
    const file = path.join(dir, 'real', 'labels.csv');
    await writeFile(lockPathOf(file), '1\n'); // pid 1 is always running
    const err = await withFileLock(file, async () => 'ran', 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toContain(`${file} is locked by process 1`);
  });
});
