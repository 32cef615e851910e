/**
 * Inputs an import must refuse, each with exit 2, a message that names the files and nothing
 * written: two files of one name (siteA/rack1.csv, siteB/rack1.csv; rack1.csv and rack1.parquet)
 * were merged into one system `rack1`, rows interleaved and half dropped, exit 0; a file with a
 * header and no rows was "every one of the 0 rows was dropped (is timestamp.format right?)".
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const run = (...args: string[]) => runHarness(args, { cwd: dir });
const nothingWritten = (data: string) => expect(readdir(path.join(dir, data))).rejects.toThrow();

const T0 = Date.UTC(2024, 6, 1);
function export5min(v0: number): string {
  const rows = Array.from(
    { length: 20 },
    (_, i) => `${new Date(T0 + i * 300_000).toISOString()},${v0 + i}`,
  );
  return `ts,V\n${rows.join('\n')}\n`;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-inputs-'));
  for (const site of ['siteA', 'siteB']) await mkdir(path.join(dir, site));
  await writeFile(path.join(dir, 'siteA', 'rack1.csv'), export5min(700));
  await writeFile(path.join(dir, 'siteB', 'rack1.csv'), export5min(800));
  const buf = parquetWriteBuffer({
    columnData: [
      {
        name: 'ts',
        data: Array.from({ length: 20 }, (_, i) => T0 + 6_000_000 + i * 300_000),
        type: 'DOUBLE',
      },
      { name: 'V', data: Array.from({ length: 20 }, (_, i) => 900 + i), type: 'DOUBLE' },
    ],
  });
  await writeFile(path.join(dir, 'siteA', 'rack1.parquet'), new Uint8Array(buf));
  await writeFile(path.join(dir, 'empty.csv'), 'ts,V\n');
  const mapping = { columns: { voltage_v: 'V' }, metadata: { operational_mode: 'unknown' } };
  await writeFile(
    path.join(dir, 'iso.json'),
    JSON.stringify({ ...mapping, timestamp: { column: 'ts', format: 'iso' } }),
  );
  await writeFile(
    path.join(dir, 'epoch.json'),
    JSON.stringify({ ...mapping, timestamp: { column: 'ts', format: 'epoch_ms' } }),
  );
});
afterAll(() => cleanup());

describe('harness import refuses', { timeout: 120_000 }, () => {
  it('two files that would be one system named after them, naming both', async () => {
    const r = await run(
      'import',
      'siteA/rack1.csv',
      'siteB/rack1.csv',
      '--mapping',
      'iso.json',
      '--data',
      'd1',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /siteA\/rack1\.csv and .*siteB\/rack1\.csv would both be the system "rack1"/,
    );
    await nothingWritten('d1');
    const mixed = await run(
      'import',
      'siteA/rack1.csv',
      'siteA/rack1.parquet',
      '--mapping',
      'iso.json',
      '--data',
      'd2',
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(
      /siteA\/rack1\.csv and .*siteA\/rack1\.parquet would both be the system "rack1"/,
    );
    await nothingWritten('d2');
  });

  it('a file with a header and no rows, at its line 2', async () => {
    const r = await run('import', 'empty.csv', '--mapping', 'iso.json', '--data', 'd3');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('empty.csv:2:1: no data rows after the header');
    expect(r.stderr).not.toContain('timestamp.format');
    await nothingWritten('d3');
    // Beside a file with rows it is a warning.
    const beside = await run(
      'import',
      'siteA/rack1.csv',
      'empty.csv',
      '--mapping',
      'iso.json',
      '--data',
      'd5',
      '--dry-run',
    );
    expect(beside.code).toBe(0);
    expect(beside.stdout).toMatch(/warning: .*empty\.csv: no data rows after the header/);
    // Rows dropped for their timestamps still point at the format.
    const wrong = await run('import', 'siteA/rack1.csv', '--mapping', 'epoch.json', '--data', 'd4');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /every one of the 20 rows was dropped \(is timestamp\.format right\?\)/,
    );
  });
});
