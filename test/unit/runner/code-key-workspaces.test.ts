import { mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectCodeKey } from '../../../src/runner/code-key.ts';

/**
 * Code a model reaches only indirectly, outside the project: an npm workspace the model's
 * workspace imports (`model` → `shared` → `core`, the links hoisted to the repository's root
 * node_modules as npm lays them out), a package `npm link`ed from elsewhere whose own imports
 * resolve there, and a virtualenv's editable installs. An audit found each served stale scores.
 */
describe('projectCodeKey: workspaces, linked packages and editable installs', () => {
  let base = '';
  let mono = '';
  let project = '';
  const files: Record<string, string> = {
    'mono/package.json': '{"name":"mono","private":true,"workspaces":["packages/*"]}\n',
    'mono/package-lock.json': '{"lockfileVersion":3}\n',
    'mono/packages/model/package.json': '{"name":"model","private":true,"type":"module"}\n',
    'mono/packages/model/plugins/ws/index.ts':
      "import { feat } from 'shared';\nimport { far } from 'farlib';\nexport default (x: number) => feat(x) * far;\n",
    'mono/packages/shared/package.json':
      '{"name":"shared","type":"module","main":"index.js","dependencies":{"core":"*"}}\n',
    'mono/packages/shared/index.js':
      "import { SIGN } from 'core';\nexport const feat = (x) => SIGN * x;\n",
    'mono/packages/core/package.json': '{"name":"core","type":"module","main":"index.js"}\n',
    'mono/packages/core/index.js': 'export const SIGN = 1;\n',
    // `npm link`ed from a checkout elsewhere; its own import resolves in that checkout.
    'elsewhere/farlib/package.json': '{"name":"farlib","type":"module","main":"index.js"}\n',
    'elsewhere/farlib/index.js': "import { K } from 'farcore';\nexport const far = K;\n",
    'elsewhere/farcore/package.json': '{"name":"farcore","type":"module","main":"index.js"}\n',
    'elsewhere/farcore/index.js': 'export const K = 1;\n',
    // The venv's editable installs: a .pth path line, and setuptools' finder.
    'mono/packages/model/.venv/pyvenv.cfg': 'home = /usr/bin\n',
    'pyshared/pyshared/__init__.py': 'SIGN = 1\n',
    'pylib/src/pylib/__init__.py': 'W = 1\n',
  };
  const sitePackages = () => path.join(project, '.venv', 'lib', 'python3.11', 'site-packages');
  const sources = () => ({
    modules: [path.join(project, 'plugins', 'ws', 'index.ts')],
    dirs: [],
    files: [],
    texts: [],
  });
  const keyNow = () => projectCodeKey(project, [path.join(project, 'data')], sources());
  /** Rewrites `rel` to `text` (of the same size) and moves its mtime, as an editor's save would. */
  async function edit(rel: string, text: string): Promise<void> {
    const file = path.join(base, rel);
    await writeFile(file, text);
    await utimes(file, new Date(), new Date(Date.now() + 60_000));
  }

  beforeAll(async () => {
    base = await realpath(await mkdtemp(path.join(tmpdir(), 'bess-codekey-ws-')));
    mono = path.join(base, 'mono');
    project = path.join(mono, 'packages', 'model');
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
      await writeFile(path.join(base, rel), text);
    }
    // What `npm install` makes of the workspaces: links in the root's node_modules only.
    await mkdir(path.join(mono, 'node_modules'), { recursive: true });
    for (const p of ['model', 'shared', 'core'])
      await symlink(`../packages/${p}`, path.join(mono, 'node_modules', p), 'dir');
    // `npm link farlib` in the project; farlib's checkout links its own dependency.
    await mkdir(path.join(project, 'node_modules'), { recursive: true });
    await symlink(
      path.join(base, 'elsewhere', 'farlib'),
      path.join(project, 'node_modules', 'farlib'),
      'dir',
    );
    await mkdir(path.join(base, 'elsewhere', 'node_modules'), { recursive: true });
    await symlink('../farcore', path.join(base, 'elsewhere', 'node_modules', 'farcore'), 'dir');
    await mkdir(sitePackages(), { recursive: true });
    await writeFile(path.join(sitePackages(), '_pyshared.pth'), `${path.join(base, 'pyshared')}\n`);
    await writeFile(
      path.join(sitePackages(), '__editable__.pylib-0.1.pth'),
      'import __editable___pylib_0_1_finder; __editable___pylib_0_1_finder.install()\n',
    );
    await writeFile(
      path.join(sitePackages(), '__editable___pylib_0_1_finder.py'),
      `import sys\nMAPPING: dict[str, str] = {'pylib': '${path.join(base, 'pylib', 'src', 'pylib')}'}\nNAMESPACES: dict[str, list[str]] = {}\n`,
    );
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('is the same when nothing changed', async () => {
    const a = await keyNow();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyNow()).toBe(a);
  });

  it.each([
    ['a workspace imported by a workspace the model imports', 'mono/packages/core/index.js'],
    ['the workspace the model imports', 'mono/packages/shared/index.js'],
    ["a linked package's own linked dependency, outside the project", 'elsewhere/farcore/index.js'],
    ['the source of an editable install named by a .pth file', 'pyshared/pyshared/__init__.py'],
    [
      "the source of an editable install named by setuptools' finder",
      'pylib/src/pylib/__init__.py',
    ],
  ])('changes with %s', async (_, rel) => {
    const before = await keyNow();
    await edit(rel, files[rel]!.replace('1', '2'));
    expect(await keyNow()).not.toBe(before);
  });

  it("changes with a workspace linked in the root's node_modules when the suite names no module", async () => {
    const before = await projectCodeKey(project, []);
    await edit('mono/packages/core/index.js', 'export const SIGN = 3;\n');
    expect(await projectCodeKey(project, [])).not.toBe(before);
  });
});
