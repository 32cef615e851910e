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
    // A Lambda-style model folder: its own code beside what `pip install --target` put there.
    'lambda/dep-1.0.dist-info/METADATA',
    'lambda/dep/__init__.py',
    'lambda/pkg/core.py',
    'lambda/run.py',
  ]) {
    await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await writeFile(path.join(base, rel), 'x');
  }
  await writeFile(
    path.join(base, 'lambda/dep-1.0.dist-info/RECORD'),
    'dep/__init__.py,sha256=abc,1\ndep-1.0.dist-info/METADATA,sha256=def,1\ndep-1.0.dist-info/RECORD,,\n',
  );
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

it("a --target folder's own code (no RECORD lists it) is keyed file by file: an edit is a miss", async () => {
  const lambda = path.join(base, 'lambda');
  const later = (rel: string, by: number) =>
    utimes(path.join(lambda, rel), new Date(), new Date(Date.now() + by));
  const before = key([lambda]);
  expect(before).not.toBeNull();
  // What pip installed is keyed by what is installed, as in a venv: touching it is no miss.
  await later('dep/__init__.py', 60_000);
  expect(key([lambda])).toBe(before);
  await later('pkg/core.py', 120_000);
  const edited = key([lambda]);
  expect(edited).not.toBe(before);
  await later('run.py', 180_000);
  expect(key([lambda])).not.toBe(edited);
});
