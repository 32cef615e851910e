/**
 * bin/compile.js, on a small package of its own in a temp folder: what it writes, and when it
 * compiles again (the CLI runs whatever dist/ holds, so a dist/ older than its sources would
 * judge models with yesterday's code).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCompiled } from '../../../bin/compile.js';

let root = '';
const write = async (rel: string, text: string): Promise<void> => {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), text);
};
const read = (rel: string): Promise<string> => readFile(path.join(root, rel), 'utf8');

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-compile-'));
  await write('package.json', '{ "type": "module" }\n');
  await write('src/a.ts', "import { b } from './b.ts';\nexport const a: number = b + 1;\n");
  await write('src/b.ts', 'export const b = 41;\n');
  await write('src/page/app.css', 'body { margin: 0 }\n');
  await write('plugins/p/index.ts', "import { a } from 'bess-harness';\nexport default a;\n");
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureCompiled', () => {
  it('writes each source as JavaScript beside where it sits, importing its compiled neighbours, and copies the other files', async () => {
    expect(await ensureCompiled(root)).toBe(true);
    const a = await read('dist/src/a.js');
    expect(a).toContain('from "./b.js"');
    expect(a).not.toContain(': number');
    expect(await read('dist/plugins/p/index.js')).toContain('from "bess-harness"');
    expect(await read('dist/src/page/app.css')).toBe('body { margin: 0 }\n');
    const { a: value } = (await import(path.join(root, 'dist/src/a.js'))) as { a: number };
    expect(value).toBe(42);
  });

  it('compiles again when a source changes, and only then: new times with the same bytes (an unpacked tarball) are not a change', async () => {
    await ensureCompiled(root);
    expect(await ensureCompiled(root)).toBe(false);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(root, 'src/b.ts'), later, later);
    expect(await ensureCompiled(root)).toBe(false);
    await write('src/b.ts', 'export const b = 1;\n');
    expect(await ensureCompiled(root)).toBe(true);
    expect(await read('dist/src/b.js')).toContain('b = 1');
  });

  it('removes the compiled file of a source that is gone (nothing imports stale code), and what a killed compile left', async () => {
    await ensureCompiled(root);
    // A compile killed mid-write leaves a temporary file, which `npm pack` would ship.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await write(`dist/src/a.js.tmp-${dead}`, 'half');
    // One of a compile that runs (this test's parent process stands for it) is left alone.
    await write(`dist/src/a.js.tmp-${process.ppid}`, 'being written');
    await write('src/a.ts', 'export const a = 1;\n');
    await rm(path.join(root, 'src/b.ts'));
    expect(await ensureCompiled(root)).toBe(true);
    await expect(stat(path.join(root, 'dist/src/b.js'))).rejects.toThrow(/ENOENT/);
    await expect(stat(path.join(root, `dist/src/a.js.tmp-${dead}`))).rejects.toThrow(/ENOENT/);
    expect(await read(`dist/src/a.js.tmp-${process.ppid}`)).toBe('being written');
  });

  it('refuses a source that does not compile, naming its file, line and column, and leaves the stamp as it was', async () => {
    await ensureCompiled(root);
    const stamp = await read('dist/.stamp.json');
    await write('src/b.ts', 'export const b = ;\n');
    await expect(ensureCompiled(root)).rejects.toThrow(/src\/b\.ts:1:\d+/);
    expect(await read('dist/.stamp.json')).toBe(stamp);
    // Still stale: the next start tries again instead of running the old code.
    await expect(ensureCompiled(root)).rejects.toThrow(/src\/b\.ts/);
  });
});
