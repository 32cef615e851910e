import { mkdir, mkdtemp, realpath, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CodeWalk } from '../../../src/runner/code-key.ts';

/**
 * Folders of installed packages reached outside a venv (on PYTHONPATH) are keyed by what they
 * hold, like a venv's site-packages; a project's own src/ with setuptools' egg-info is not one.
 */
let base = '';
const key = (dirs: string[]) =>
  CodeWalk.project(path.join(base, 'proj'), [])
    .with({ modules: [], dirs, files: [], texts: [] })
    .key();

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'bess-install-')));
  for (const rel of [
    'proj/a.ts',
    'target/featlib-1.0.dist-info/METADATA',
    'target/featlib/core.py',
    'src/mypkg.egg-info/PKG-INFO',
    'src/mypkg/model.py',
  ]) {
    await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await writeFile(path.join(base, rel), 'x');
  }
});
afterAll(() => rm(base, { recursive: true, force: true }));

it('a pip --target folder is keyed by what is installed: another version is a miss', async () => {
  const target = path.join(base, 'target');
  const before = key([target]);
  expect(before).not.toBeNull();
  await rename(
    path.join(target, 'featlib-1.0.dist-info'),
    path.join(target, 'featlib-1.1.dist-info'),
  );
  expect(key([target])).not.toBe(before);
});

it('a src-layout folder with an egg-info is still keyed file by file: an edit is a miss', async () => {
  const src = path.join(base, 'src');
  const before = key([src]);
  await utimes(path.join(src, 'mypkg', 'model.py'), new Date(), new Date(Date.now() + 60_000));
  expect(key([src])).not.toBe(before);
});
