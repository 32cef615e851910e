/**
 * `import --labels` checks each failure_at against the series it labels, as `harness validate`
 * does: before, a failure_at a year before the data, or 17 days after it with lead_time_days 2,
 * was merged at exit 0 and validate then refused the labels file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../../src/errors.ts';
import { importExports } from '../../../../src/data/import/index.ts';
import { validateMapping } from '../../../../src/data/import/mapping.ts';
import { pathExists } from '../../../../src/data/path-exists.ts';
import { tempDir } from '../../../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const HEADER = 'system_id,label,failure_type,lead_time_days,source,label_version,failure_at';

/** Three days of hourly rows from 2025-01-01 for system `id`. */
async function exportOf(id: string): Promise<string> {
  const t0 = Date.UTC(2025, 0, 1);
  const rows = Array.from({ length: 72 }, (_, i) => `${new Date(t0 + i * 3_600_000).toISOString()},700`);
  const file = path.join(dir, `${id}.csv`);
  await writeFile(file, `ts,U\n${rows.join('\n')}\n`);
  return file;
}
const mapping = () =>
  validateMapping({ timestamp: { column: 'ts' }, columns: { voltage_v: 'U' }, metadata: { operational_mode: 'arbitrage' } }, path.join(dir, 'm.json'));
async function labels(name: string, rows: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
  return file;
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof HarnessError ? e : Promise.reject(e)),
  );

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-label-spans-'));
});
afterAll(() => cleanup());

describe('import --labels against the series spans', () => {
  it('refuses a failure_at before the imported data, or after it off its lead time, at the cell, and writes nothing', async () => {
    const data = path.join(dir, 'd1');
    const file = await labels('bad.csv', [
      'rack1,anomaly,thermal_runaway,2,real,1,2024-01-03T11:00:00Z', // a year before the data
      'rack2,anomaly,thermal_runaway,2,real,1,2025-01-20T00:00:00Z', // 17 days after, lead 2
    ]);
    const err = await refusal(importExports({ files: [await exportOf('rack1'), await exportOf('rack2')], mapping: mapping(), dataDir: data, labels: file }));
    expect(err?.problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column}`)).toEqual(['bad.csv:2:7', 'bad.csv:3:7']);
    expect(err?.problems[0]!.message).toMatch(/before the first sample of rack1/);
    expect(err?.problems[1]!.message).toMatch(/after the last sample of rack2.*lead_time_days says 2/);
    expect(await pathExists(path.join(data, 'real'))).toBe(false);
  });

  it('checks a label of a stored system against its stored series, and merges one that agrees', async () => {
    const data = path.join(dir, 'd2');
    await importExports({ files: [await exportOf('rack1')], mapping: mapping(), dataDir: data });
    const bad = await labels('stored-bad.csv', ['rack1,anomaly,thermal_runaway,2,real,1,2025-01-20T00:00:00Z']);
    const err = await refusal(importExports({ files: [await exportOf('rack3')], mapping: mapping(), dataDir: data, labels: bad }));
    expect(err?.problems.map((p) => p.line)).toEqual([2]);
    expect(await pathExists(path.join(data, 'real/raw/rack3.csv'))).toBe(false);
    // last sample 2025-01-03T23:00Z, failure 2 days later, lead 2: agrees
    const good = await labels('stored-good.csv', ['rack1,anomaly,thermal_runaway,2,real,1,2025-01-05T23:00:00Z']);
    await importExports({ files: [await exportOf('rack3')], mapping: mapping(), dataDir: data, labels: good });
    expect(await readFile(path.join(data, 'real/labels.csv'), 'utf8')).toContain('rack1,anomaly,thermal_runaway,2,real,1');
  });
});
