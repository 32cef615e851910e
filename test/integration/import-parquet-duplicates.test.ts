/**
 * A duplicate row of a Parquet export is reported by its row, as the file's other problems are:
 * the report called it a line (`dup.parquet:3:0: … of the row on line 1`), which a Parquet file
 * does not have.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-parquet-dup-'));
  // Row 3 repeats row 1's time with another voltage.
  const times = ['00:00', '00:05', '00:00', '00:10'].map((hm) => new Date(`2024-07-01T${hm}:00Z`));
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'ts', data: times },
      { name: 'U', data: [700, 701, 799, 702] },
    ],
    schema: [
      { name: 'root', num_children: 2 },
      {
        name: 'ts',
        type: 'INT64',
        repetition_type: 'REQUIRED',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      },
      { name: 'U', type: 'DOUBLE', repetition_type: 'REQUIRED' },
    ],
  });
  await writeFile(path.join(dir, 'dup.parquet'), new Uint8Array(buf));
  await writeFile(
    path.join(dir, 'map.json'),
    JSON.stringify({
      timestamp: { column: 'ts', format: 'iso' },
      system: { id: 'pq' },
      columns: { voltage_v: 'U' },
      metadata: { operational_mode: 'unknown' },
    }),
  );
});
afterAll(() => cleanup());

it('names the rows of a Parquet duplicate, not lines', async () => {
  const r = await runHarness(['import', 'dup.parquet', '--mapping', 'map.json', '--data', 'd'], {
    cwd: dir,
  });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain(
    'first: dup.parquet: row 3: conflicting duplicate of row 1 (system pq)',
  );
  expect(r.stdout).not.toContain('line');
}, 60_000);
