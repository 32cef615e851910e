import { mkdir, mkdtemp, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load-config.ts';
import type { ResolvedConfig } from '../../../src/config/types.ts';
import { projectCodeKey } from '../../../src/runner/code-key.ts';
import { modelCodeSources } from '../../../src/runner/plugins.ts';

/**
 * A suite's models beyond the project folder: a process model whose cwd, program and script lie
 * outside it, and a plugin folder outside it. Each edit there must change the code key.
 */
describe('modelCodeSources: what the code key follows for a suite’s models', () => {
  let base = '';
  let root = '';
  let config: ResolvedConfig;
  const suiteFile = () => path.join(root, 'suites', 's.suite.ts');
  const keyNow = async (entries: Parameters<typeof modelCodeSources>[0]) =>
    projectCodeKey(root, [], await modelCodeSources(entries, config, suiteFile()));
  const touch = (rel: string) =>
    utimes(path.join(base, rel), new Date(), new Date(Date.now() + 60_000));

  beforeAll(async () => {
    base = await realpath(await mkdtemp(path.join(tmpdir(), 'bess-sources-')));
    root = path.join(base, 'proj');
    const files: Record<string, string> = {
      'proj/suites/s.suite.ts': 'export default [];\n',
      'pymodels/dv.py': 'SIGN = -1.0\n',
      'pymodels/weights.npz': 'w',
      'scripts/run_model.py': 'import dv\n',
      'shared/featlib/__init__.py': 'def feat(df):\n    return 0.0\n',
      'jslib/feat.js': 'module.exports = () => 0;\n',
      'libs.zip': 'PK',
      'venv/pyvenv.cfg': 'home = /usr/bin\n',
      'venv/bin/python': '#!/bin/sh\n',
      'venv/lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA': 'numpy\n',
      'outside-plugins/far/index.ts':
        'export default { name: "far", version: "1", score: () => 0 };\n',
      'outside-plugins/far/weights.onnx': 'onnx',
    };
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
      await writeFile(path.join(base, rel), text);
    }
    config = resolveConfig(
      {
        plugins: ['../outside-plugins'],
        models: {
          pydv: {
            command: ['../venv/bin/python', '../scripts/run_model.py'],
            cwd: '../pymodels',
            env: { MODEL_SIGN: '1' },
          },
          // Its code comes from folders its env puts on the import path, relative to its cwd.
          pyshared: {
            command: ['python', '-m', 'models.m'],
            cwd: '.',
            env: {
              PYTHONPATH: `/nonexistent${path.delimiter}../shared${path.delimiter}../libs.zip`,
            },
          },
          jsshared: { command: ['node', 'm.js'], env: { NODE_PATH: '../jslib' } },
        },
      },
      null,
      root,
    );
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it.each([
    ['a file in its cwd', 'pymodels/dv.py'],
    ['a weights file in its cwd', 'pymodels/weights.npz'],
    ['the script its arguments name', 'scripts/run_model.py'],
    ['its program', 'venv/bin/python'],
  ])('covers a process model: %s', async (_, rel) => {
    const before = await keyNow(['pydv']);
    await touch(rel);
    expect(await keyNow(['pydv'])).not.toBe(before);
  });

  it.each([
    ['pyshared', 'a module in a folder its env.PYTHONPATH names', 'shared/featlib/__init__.py'],
    ['pyshared', 'a zip its env.PYTHONPATH names', 'libs.zip'],
    ['jsshared', 'a module in a folder its env.NODE_PATH names', 'jslib/feat.js'],
  ])('covers a process model (%s): %s', async (model, _, rel) => {
    const before = await keyNow([model]);
    await touch(rel);
    expect(await keyNow([model])).not.toBe(before);
  });

  it('covers a process model’s virtualenv by what it has installed', async () => {
    const before = await keyNow(['pydv']);
    const sp = path.join(base, 'venv', 'lib', 'python3.11', 'site-packages');
    await rm(path.join(sp, 'numpy-1.26.4.dist-info'), { recursive: true });
    await mkdir(path.join(sp, 'numpy-2.0.0.dist-info'));
    expect(await keyNow(['pydv'])).not.toBe(before);
  });

  it('covers a process model’s spec (its env, its command)', async () => {
    const before = await keyNow(['pydv']);
    const spec = config.models['pydv'] as { readonly env: Record<string, string> };
    const flipped = {
      ...config,
      models: { pydv: { ...spec, env: { MODEL_SIGN: '-1' } } },
    } as unknown as ResolvedConfig;
    const after = await projectCodeKey(
      root,
      [],
      await modelCodeSources(['pydv'], flipped, suiteFile()),
    );
    expect(after).not.toBe(before);
  });

  it('covers a named plugin in a plugin folder outside the project, and the files beside it', async () => {
    for (const rel of ['outside-plugins/far/index.ts', 'outside-plugins/far/weights.onnx']) {
      const before = await keyNow([['far', {}]]);
      await touch(rel);
      expect(await keyNow([['far', {}]])).not.toBe(before);
    }
  });
});
