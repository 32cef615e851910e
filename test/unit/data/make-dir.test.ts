import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDir } from '../../../src/data/make-dir.ts';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-mkdir-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('makeDir', () => {
  it('makes the missing folders, top down, and is content with folders that exist', async () => {
    const deep = path.join(root, 'a', 'b', 'c');
    await makeDir(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDir(deep);
    await makeDir(root);
  });

  it('two at once on the same folders both succeed (two runs sharing a cache)', async () => {
    const deep = path.join(root, 'x', 'y', 'z');
    await Promise.all([makeDir(deep), makeDir(deep), makeDir(path.join(deep, 'w'))]);
    expect((await stat(path.join(deep, 'w'))).isDirectory()).toBe(true);
  });

  // Node's own mkdir(…, { recursive: true }) never returns here: it retries forever at 100 % CPU.
  it.runIf(process.platform === 'linux')('fails under /proc with ENOENT, at once', async () => {
    await expect(makeDir('/proc/bess-harness-x/y')).rejects.toMatchObject({ code: 'ENOENT' });
  }, 5_000);

  it('fails where a file stands: EEXIST for the folder itself, ENOTDIR for one below it', async () => {
    const file = path.join(root, 'f');
    await writeFile(file, '');
    await expect(makeDir(file)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDir(path.join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
