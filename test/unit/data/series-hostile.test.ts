/**
 * Series files as they arrive from outside: CR-only line breaks, rows that are all bad, and many
 * series loaded at once through the one scratch buffer, one of them broken. Each bad file is one
 * clear located problem; the good ones load bit for bit as they do alone.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimeseries } from '../../../src/data/load-timeseries.ts';
import { HarnessError } from '../../../src/errors.ts';
import { mulberry32 } from '../../helpers/seeded.ts';
import { tempDir } from './fixture.ts';

async function writeRaw(dir: string, id: string, csv: string): Promise<string> {
  const file = path.join(dir, 'synthetic', 'raw', `${id}.csv`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, csv);
  return file;
}

async function problemsOf(p: Promise<unknown>): Promise<{ file: string; line: number; column: number; message: string }[]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  return (err as HarnessError).problems.map(({ file, line, column, message }) => ({ file, line, column, message }));
}

const HEADER = 'timestamp,voltage_v,temp_cell_max_c';
const ROWS = ['2026-01-01T00:00:00Z,700.5,25', '2026-01-01T01:00:00Z,701,26.25'];

describe('a series file with hostile line breaks or rows', () => {
  it('CR-only line breaks: one problem saying so, not a header of columns glued to values', async () => {
    const dir = await tempDir();
    const file = await writeRaw(dir, 'S1', [HEADER, ...ROWS, ''].join('\r'));
    expect(await problemsOf(loadTimeseries('S1', { dataDir: dir }))).toEqual([
      { file, line: 1, column: 0, message: expect.stringMatching(/^a CR alone breaks the first line/) },
    ]);
  });

  it('rows that are all ragged: each is located, and the file is not also said to have no data rows', async () => {
    const dir = await tempDir();
    const file = await writeRaw(dir, 'S2', `${HEADER}\n2026-01-01T00:00:00Z,700\n2026-01-01T01:00:00Z,1,2,3\n`);
    expect(await problemsOf(loadTimeseries('S2', { dataDir: dir }))).toEqual([
      { file, line: 2, column: 3, message: 'row has 2 fields but the header has 3' },
      { file, line: 3, column: 4, message: 'row has 4 fields but the header has 3' },
    ]);
  });

  it('a header and blank lines only: still "no data rows"', async () => {
    const dir = await tempDir();
    const file = await writeRaw(dir, 'S3', `${HEADER}\n\n\n`);
    expect(await problemsOf(loadTimeseries('S3', { dataDir: dir }))).toEqual([
      { file, line: 1, column: 0, message: 'file has a header but no data rows' },
    ]);
  });
});

describe('many series loaded at once through the shared scratch space', () => {
  it('one broken file fails naming itself; every other series is bit for bit what it is when loaded alone', async () => {
    const dir = await tempDir();
    const rand = mulberry32(20261203);
    const ids = Array.from({ length: 40 }, (_, k) => `S-${String(k).padStart(2, '0')}`);
    let broken = '';
    for (const [k, id] of ids.entries()) {
      // Sizes from a few rows to a few thousand, so a later read is both shorter and longer than the scratch in use.
      const n = 3 + Math.floor(rand() * (k % 3 === 0 ? 4000 : 40));
      const lines = [HEADER];
      for (let i = 0; i < n; i++) {
        const ts = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z');
        lines.push(`${ts},${(600 + rand() * 200).toFixed(3)},${rand() < 0.05 ? '' : (10 + rand() * 40).toFixed(2)}`);
      }
      if (k === 17) {
        lines[3] = lines[3]!.replace(/,[^,]*$/, ',hot');
        broken = await writeRaw(dir, id, `${lines.join('\r\n')}\r\n`);
      } else await writeRaw(dir, id, `${lines.join('\n')}\n`);
    }
    const alone: unknown[] = [];
    for (const id of ids) alone.push(await loadTimeseries(id, { dataDir: dir }).catch((e: unknown) => e));
    const together = await Promise.all(ids.map((id) => loadTimeseries(id, { dataDir: dir }).catch((e: unknown) => e)));
    const bits = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const [k, id] of ids.entries()) {
      const a = alone[k];
      const b = together[k];
      if (k === 17) {
        expect(b).toBeInstanceOf(HarnessError);
        expect((b as HarnessError).problems).toEqual([
          { file: broken, line: 4, column: 3, message: 'not a number: "hot" in column temp_cell_max_c (a missing reading is an empty field)' },
        ]);
        continue;
      }
      expect(b, id).not.toBeInstanceOf(Error);
      const sa = a as Awaited<ReturnType<typeof loadTimeseries>>;
      const sb = b as Awaited<ReturnType<typeof loadTimeseries>>;
      expect(sb.systemId).toBe(id);
      expect(bits(sb.timestamps).equals(bits(sa.timestamps)), id).toBe(true);
      expect(Object.keys(sb.sensors)).toEqual(['voltage_v', 'temp_cell_max_c']);
      for (const c of Object.keys(sa.sensors)) expect(bits(sb.sensors[c]!).equals(bits(sa.sensors[c]!)), `${id} ${c}`).toBe(true);
    }
  });
});
