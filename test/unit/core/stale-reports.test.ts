import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleReports } from '../../../src/core/stale-reports.ts';
import { tempDir } from '../../helpers/run-harness.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('c-stale-'));
});
afterAll(() => cleanup());

/** Every file below `root`, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

describe('removeStaleReports', () => {
  it('removes the files the harness writes, there and where reporter options send them; nothing else, never a folder', async () => {
    const out = path.join(dir, 'out');
    const files = [
      'results.json',
      'junit.xml',
      'summary.md',
      'run-record.json',
      'report/index.html',
      'ci/junit.xml',
      'web/index.html',
      'notes.txt',
      'report/logo.png',
      'ci/other.xml',
    ];
    for (const f of files) {
      await mkdir(path.dirname(path.join(out, f)), { recursive: true });
      await writeFile(path.join(out, f), 'x');
    }
    await mkdir(path.join(out, 'summary.md.d'));
    await removeStaleReports(out, [
      'plain',
      ['junit', { file: 'ci/junit.xml' }],
      ['html', { dir: 'web' }],
      './rep/mine.ts',
    ]);
    expect(await tree(out)).toEqual(['ci/other.xml', 'notes.txt', 'report/logo.png']);
  });

  it('a missing out dir, or one that is a file, is left as it is', async () => {
    await removeStaleReports(path.join(dir, 'nowhere'), []);
    await writeFile(path.join(dir, 'a-file'), 'x');
    await removeStaleReports(path.join(dir, 'a-file'), []);
    expect(await readdir(dir)).toContain('a-file');
  });
});
