/**
 * Importing beside a real system stored as a Parquet partition (raw/system_id=<id>/part-0.parquet):
 * the import copied every other raw entry as a file, so once such a folder existed every import
 * failed with EISDIR. Now the folder is kept (its files linked), and `--replace` of that system
 * removes it.
 */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSeriesParquet } from '../../src/data/parquet-write.ts';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const run = (...args: string[]) => runHarness(args, { cwd: dir });

/** 50 rows every 5 min from 2024-07-01T00:00Z, voltage from `v0` up. */
function export5min(v0: number): string {
  const t0 = Date.UTC(2024, 6, 1);
  const rows = Array.from(
    { length: 50 },
    (_, i) => `${new Date(t0 + i * 300_000).toISOString()},${v0 + i / 10}`,
  );
  return `ts,V\n${rows.join('\n')}\n`;
}

/** A stored CSV series rewritten as its Parquet partition, as a user converts it with pandas. */
async function toPartition(raw: string, id: string): Promise<Uint8Array> {
  const lines = (await readFile(path.join(raw, `${id}.csv`), 'utf8')).trim().split('\n').slice(1);
  const ts = Float64Array.from(lines, (l) => Date.parse(l.split(',')[0]!));
  const v = Float64Array.from(lines, (l) => Number(l.split(',')[1]));
  const bytes = formatSeriesParquet(ts, { voltage_v: v });
  await mkdir(path.join(raw, `system_id=${id}`));
  await writeFile(path.join(raw, `system_id=${id}`, 'part-0.parquet'), bytes);
  await rm(path.join(raw, `${id}.csv`));
  return bytes;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-partitions-'));
  await writeFile(path.join(dir, 'rack1.csv'), export5min(700));
  await writeFile(path.join(dir, 'rack2.csv'), export5min(710));
  await mkdir(path.join(dir, 'feb'));
  await writeFile(path.join(dir, 'feb', 'rack1.csv'), export5min(720));
  await writeFile(
    path.join(dir, 'map.json'),
    JSON.stringify({
      timestamp: { column: 'ts', format: 'iso' },
      columns: { voltage_v: 'V' },
      metadata: { operational_mode: 'unknown' },
    }),
  );
});
afterAll(() => cleanup());

describe('harness import beside a Parquet partition in real/raw', { timeout: 120_000 }, () => {
  it('keeps the partition folder of another system, and --replace of that system removes it', async () => {
    const raw = path.join(dir, 'd', 'real', 'raw');
    expect((await run('import', 'rack1.csv', '--mapping', 'map.json', '--data', 'd')).code).toBe(0);
    const part = await toPartition(raw, 'rack1');
    const partFile = path.join(raw, 'system_id=rack1', 'part-0.parquet');
    const inode = (await stat(partFile)).ino;
    expect((await run('validate', '--data', 'd')).code).toBe(0);

    const second = await run('import', 'rack2.csv', '--mapping', 'map.json', '--data', 'd');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect((await readdir(raw)).sort()).toEqual(['rack2.csv', 'system_id=rack1']);
    expect(new Uint8Array(await readFile(partFile))).toEqual(part);
    expect((await stat(partFile)).ino).toBe(inode); // linked, not copied
    const valid = await run('validate', '--data', 'd');
    expect(valid.stdout).toMatch(/2 systems checked/);
    expect(valid.code).toBe(0);

    const replaced = await run(
      'import',
      'feb/rack1.csv',
      '--mapping',
      'map.json',
      '--data',
      'd',
      '--replace',
    );
    expect(replaced.stderr).toBe('');
    expect(replaced.code).toBe(0);
    expect((await readdir(raw)).sort()).toEqual(['rack1.csv', 'rack2.csv']);
    expect(await readFile(path.join(raw, 'rack1.csv'), 'utf8')).toMatch(
      /^timestamp,voltage_v\n2024-07-01T00:00:00Z,720\.00\n/,
    );
    expect((await run('validate', '--data', 'd')).code).toBe(0);
  });

  it('the same series again over its Parquet partition is written again unchanged, not refused as different', async () => {
    const raw = path.join(dir, 'same', 'real', 'raw');
    expect((await run('import', 'rack2.csv', '--mapping', 'map.json', '--data', 'same')).code).toBe(
      0,
    );
    await toPartition(raw, 'rack2');
    const again = await run('import', 'rack2.csv', '--mapping', 'map.json', '--data', 'same');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('1 written again unchanged');
    // Other readings under the same id are still a change that needs --replace.
    await mkdir(path.join(dir, 'other'));
    await writeFile(path.join(dir, 'other', 'rack2.csv'), export5min(711));
    await toPartition(raw, 'rack2');
    const other = await run('import', 'other/rack2.csv', '--mapping', 'map.json', '--data', 'same');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('rack2: the stored series differs from the imported one');
  });
});
