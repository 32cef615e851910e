import { mkdir, mkdtemp, realpath, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginCodeKey, projectCodeKey } from '../../../src/runner/code-key.ts';
import { defineModel } from '../../../src/index.ts';

describe('the code part of the score-cache key', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'bess-codekey-'));
    await mkdir(path.join(root, 'plugins', 'm'), { recursive: true });
    await mkdir(path.join(root, 'node_modules', 'x'), { recursive: true });
    await mkdir(path.join(root, 'data'), { recursive: true });
    await writeFile(path.join(root, 'plugins', 'm', 'index.ts'), 'export default 1;\n');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('differs for two plugins alike in name, version and options whose score differs', () => {
    const a = defineModel({
      name: 'm',
      version: '1',
      options: { k: 1 },
      score: (s) => s.sensors.soc_pct?.length ?? 0,
    });
    const b = defineModel({ name: 'm', version: '1', options: { k: 1 }, score: () => Number.NaN });
    const a2 = defineModel({
      name: 'm',
      version: '1',
      options: { k: 1 },
      score: (s) => s.sensors.soc_pct?.length ?? 0,
    });
    expect(pluginCodeKey(a)).not.toBe(pluginCodeKey(b));
    expect(pluginCodeKey(a)).toBe(pluginCodeKey(a2));
  });

  it('changes with an edited code file of the project, not with installed packages, skipped folders, data or logs', async () => {
    const before = await projectCodeKey(root, [path.join(root, 'data')]);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(path.join(root, 'node_modules', 'x', 'index.js'), 'x');
    await writeFile(path.join(root, 'data', 'helper.ts'), 'x');
    await writeFile(path.join(root, 'plugins', 'm', 'fit.log'), 'a model logging its fits');
    await mkdir(path.join(root, '.git'), { recursive: true });
    await writeFile(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expect(await projectCodeKey(root, [path.join(root, 'data')])).toBe(before);
    const file = path.join(root, 'plugins', 'm', 'index.ts');
    await writeFile(file, 'export default 2;\n'); // same size: the mtime tells
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await projectCodeKey(root, [path.join(root, 'data')])).not.toBe(before);
  });
});

/**
 * The false greens an audit found: each input a model's scores depend on, changed in a way the
 * old key (code files under the root, by size and mtime, symlinks not followed) did not see.
 */
describe('projectCodeKey: what a model reads beyond the code files under the root', () => {
  let base = '';
  let root = '';
  const skip = () => [path.join(root, 'data'), path.join(root, '.harness')];
  /** Rewrites `file` with `text` and gives it back its mtime: only the ctime and content moved. */
  async function editKeepingMtime(file: string, text: string): Promise<void> {
    await utimes(file, 1_700_000_000, 1_700_000_000);
    const before = await stat(file);
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, text);
    await utimes(file, 1_700_000_000, 1_700_000_000);
    const after = await stat(file);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
  }
  /** Sets `file`'s mtime ahead, as an editor's save would. */
  const touch = (file: string) => utimes(file, new Date(), new Date(Date.now() + 60_000));

  beforeAll(async () => {
    base = await realpath(await mkdtemp(path.join(tmpdir(), 'bess-codekey-out-')));
    root = path.join(base, 'proj');
    const files: Record<string, string> = {
      'proj/suites/s.suite.ts': "import m from '../plugins/m/index.ts';\nexport default m;\n",
      'proj/plugins/m/index.ts':
        "import { SIGN } from '../../../shared/helper.ts';\nimport { F } from 'featlib';\nimport * as w from '../../../weights-outside/load.js';\nexport default SIGN * F * w.W;\n",
      'shared/helper.ts': 'export const SIGN = 1;\n',
      'packages/featlib/package.json': '{ "name": "featlib", "main": "index.ts" }\n',
      'packages/featlib/index.ts': 'export const F = 1;\n',
      'weights-outside/load.ts':
        "import { readFileSync } from 'node:fs';\nexport const W = Number(readFileSync(new URL('./w.yaml', import.meta.url), 'utf8'));\n",
      'weights-outside/w.yaml': '1\n',
      'proj/weights/m.yaml': 'sign: 1\n',
      'proj/requirements.txt': 'numpy==1.26.4\n',
      'proj/model.pkl': 'pickle',
      'proj/src/constants.ts': 'export const K = 1;\n',
      'shared-lib/util.ts': 'export const U = 1;\n',
      'pymodels/dv.py': 'SIGN = 1.0\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
      await writeFile(path.join(base, rel), text);
    }
    await mkdir(path.join(root, 'node_modules'), { recursive: true });
    await symlink('../../packages/featlib', path.join(root, 'node_modules', 'featlib'), 'dir');
    await symlink('../shared-lib', path.join(root, 'lib'), 'dir');
    // A symlink cycle: walked once, not for ever.
    await symlink('..', path.join(root, 'plugins', 'm', 'loop'), 'dir');
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  const sources = () => ({
    modules: [path.join(root, 'suites', 's.suite.ts')],
    dirs: [path.join(base, 'pymodels')],
    files: [],
    texts: [],
  });
  const keyNow = () => projectCodeKey(root, skip(), sources());

  it('is the same when nothing changed', async () => {
    const a = await keyNow();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyNow()).toBe(a);
  });

  it.each([
    ['a helper imported from outside the root', 'shared/helper.ts'],
    ['a linked package in node_modules', 'packages/featlib/index.ts'],
    ['a file of a symlinked folder in the project', 'shared-lib/util.ts'],
    ['a process model file in a cwd outside the root', 'pymodels/dv.py'],
    ['a file read through new URL(…, import.meta.url) outside the root', 'weights-outside/w.yaml'],
    ['a weights file (YAML) in the project', 'proj/weights/m.yaml'],
    ['requirements.txt', 'proj/requirements.txt'],
    ['a pickled model', 'proj/model.pkl'],
  ])('changes with %s', async (_, rel) => {
    const before = await keyNow();
    await touch(path.join(base, rel));
    expect(await keyNow()).not.toBe(before);
  });

  it('changes with a file edited in place whose size and mtime were put back (its ctime moved)', async () => {
    const before = await keyNow();
    await editKeepingMtime(path.join(root, 'src', 'constants.ts'), 'export const K = 2;\n');
    expect(await keyNow()).not.toBe(before);
  });

  it("changes with the lockfile of a workspace's root above the project", async () => {
    await writeFile(path.join(base, 'package-lock.json'), '{"lockfileVersion":3}\n');
    const before = await keyNow();
    await touch(path.join(base, 'package-lock.json'));
    expect(await keyNow()).not.toBe(before);
  });

  it('changes when a symlinked folder is pointed elsewhere', async () => {
    const before = await keyNow();
    await rm(path.join(root, 'lib'));
    await symlink('../packages', path.join(root, 'lib'), 'dir');
    expect(await keyNow()).not.toBe(before);
  });
});
