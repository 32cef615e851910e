/**
 * A Parquet export whose timestamps are local times (logical type TIMESTAMP with
 * isAdjustedToUTC=false, what pandas writes for a naive datetime). They were imported as UTC,
 * the mapping's timestamp.timezone ignored: a Berlin export two hours off, exit 0. Now they are
 * wall-clock times in that zone (DST as for text), and without a zone the import is refused.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const run = (...args: string[]) => runHarness(args, { cwd: dir });

/** Berlin wall times every 15 min from 01:30 to 03:30 on the fall-back night: 02:00–02:45 come twice. */
const WALL = [
  ...['01:30', '01:45', '02:00', '02:15', '02:30', '02:45'],
  ...['02:00', '02:15', '02:30', '02:45', '03:00', '03:15', '03:30'],
].map((hm) => new Date(`2024-10-27T${hm}:00Z`));

const mapping = (timestamp: Record<string, string>) =>
  JSON.stringify({
    timestamp: { column: 'Zeit', format: 'iso', ...timestamp },
    system: { id: 'pq' },
    columns: { voltage_v: 'U' },
    metadata: { operational_mode: 'unknown' },
  });

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-local-parquet-'));
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'Zeit', data: WALL },
      { name: 'U', data: WALL.map((_, i) => 700 + i) },
    ],
    schema: [
      { name: 'root', num_children: 2 },
      {
        name: 'Zeit',
        type: 'INT64',
        repetition_type: 'REQUIRED',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' },
      },
      { name: 'U', type: 'DOUBLE', repetition_type: 'REQUIRED' },
    ],
  });
  await writeFile(path.join(dir, 'naive.parquet'), new Uint8Array(buf));
  await writeFile(path.join(dir, 'berlin.json'), mapping({ timezone: 'Europe/Berlin' }));
  await writeFile(path.join(dir, 'nozone.json'), mapping({}));
});
afterAll(() => cleanup());

describe('harness import of Parquet local times', { timeout: 60_000 }, () => {
  it('reads them in the mapping timezone, through the repeated hour', async () => {
    const r = await run('import', 'naive.parquet', '--mapping', 'berlin.json', '--data', 'd1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = (await readFile(path.join(dir, 'd1/real/raw/pq.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1);
    // 01:30 CEST is 23:30Z the day before; then every 15 min, the second 02:00 one hour after the first.
    const t0 = Date.UTC(2024, 9, 26, 23, 30);
    expect(rows).toEqual(
      WALL.map(
        (_, i) =>
          `${new Date(t0 + i * 900_000).toISOString().replace('.000', '')},${(700 + i).toFixed(2)}`,
      ),
    );
  });

  it('refuses them without timestamp.timezone, naming the file and the column', async () => {
    const r = await run('import', 'naive.parquet', '--mapping', 'nozone.json', '--data', 'd2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /naive\.parquet: column "Zeit" holds local times .* gives no timestamp\.timezone/,
    );
    await expect(readdir(path.join(dir, 'd2'))).rejects.toThrow();
  });
});
