import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/data/atomic.ts';
import { formatLabelsCsv } from '../../../src/data/csv-write.ts';
import { readLabelsFile } from '../../../src/data/load-labels.ts';
import type { LabelRow } from '../../../src/data/types.ts';
import { HarnessError } from '../../../src/errors.ts';
import { labelRow, tempDir } from './fixture.ts';

describe('readLabelsFile', () => {
  const existing: LabelRow[] = [labelRow('r1', 'real', 1), labelRow('s1', 'synthetic', 0), labelRow('r2', 'real', 0), labelRow('s2', 'synthetic', 1)];

  it("refuses, with file:line:column, a row of the other source in a source folder's file", async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'labels.csv');
    await writeFileAtomic(file, formatLabelsCsv(existing));
    const err = (await readLabelsFile(file, { folderSource: 'real' }).catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.problems.map((p) => `${p.line}:${p.column}`)).toEqual(['3:5', '5:5']);
    expect(err.problems[0]?.message).toMatch(/source synthetic in the real labels file/);
    await writeFileAtomic(file, `${formatLabelsCsv([])}`);
    expect(await readLabelsFile(file, { folderSource: 'real' })).toEqual([]);
  });

  it('round-trips through the labels file, and a malformed file is refused, not dropped', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'labels.csv');
    expect(await readLabelsFile(file, { allowMissing: true })).toEqual([]);
    await writeFileAtomic(file, formatLabelsCsv(existing));
    expect(await readLabelsFile(file)).toEqual(existing);
    await writeFile(file, `${formatLabelsCsv(existing)}r3,anomaly,none,3,real,1\n`);
    const err = (await readLabelsFile(file, { allowMissing: true }).catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.problems).toEqual([{ file, line: 6, column: 3, message: 'an anomaly needs a failure type, found none' }]);
  });
});

describe('writeFileAtomic', () => {
  it('creates parents, replaces the file and leaves no temp file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a', 'b', 'out.csv');
    await writeFileAtomic(file, 'one\n');
    await writeFileAtomic(file, new TextEncoder().encode('two\n'));
    expect(await readFile(file, 'utf8')).toBe('two\n');
    expect(await readdir(path.dirname(file))).toEqual(['out.csv']);
  });

  it('on failure leaves the target as it was and removes the temp file', async () => {
    const dir = await tempDir();
    // The target is a non-empty folder: the temp file is written, the rename over it fails.
    const target = path.join(dir, 'taken');
    await mkdir(target);
    await writeFile(path.join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readdir(target)).toEqual(['keep']);
  });
});
