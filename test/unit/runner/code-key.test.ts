import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
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

  it('changes with an edited code file of the project, not with node_modules, skipped folders or data', async () => {
    const before = await projectCodeKey(root, [path.join(root, 'data')]);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(path.join(root, 'node_modules', 'x', 'index.js'), 'x');
    await writeFile(path.join(root, 'data', 'helper.ts'), 'x');
    await writeFile(path.join(root, 'plugins', 'm', 'notes.md'), 'not code');
    expect(await projectCodeKey(root, [path.join(root, 'data')])).toBe(before);
    const file = path.join(root, 'plugins', 'm', 'index.ts');
    await writeFile(file, 'export default 2;\n'); // same size: the mtime tells
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await projectCodeKey(root, [path.join(root, 'data')])).not.toBe(before);
  });
});
