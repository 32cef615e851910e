import { mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesFingerprint } from '../../../src/data/index.ts';

describe('seriesFingerprint', () => {
  let dataDir = '';
  let file = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bess-fingerprint-'));
    await mkdir(path.join(dataDir, 'synthetic', 'raw'), { recursive: true });
    file = path.join(dataDir, 'synthetic', 'raw', 's1.csv');
    await writeFile(file, 'timestamp,v\n2024-01-01T00:00:00Z,1.5\n');
    // Whole seconds: utimes takes seconds as a double, which could not give back a finer mtime.
    await utimes(file, 1_700_000_000, 1_700_000_000);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('changes when a series is edited in place and given its old size and mtime back', async () => {
    const before = seriesFingerprint(dataDir, 'synthetic', 's1');
    const st = await stat(file);
    // ctime has a granularity: a write in the same tick as the first could keep it.
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, 'timestamp,v\n2024-01-01T00:00:00Z,9.5\n'); // same size
    await utimes(file, 1_700_000_000, 1_700_000_000);
    expect((await stat(file)).mtimeMs).toBe(st.mtimeMs);
    expect(seriesFingerprint(dataDir, 'synthetic', 's1')).not.toBe(before);
  });

  it('changes when a series is replaced by a copy with the same size and mtime', async () => {
    const before = seriesFingerprint(dataDir, 'synthetic', 's1');
    const st = await stat(file);
    const copy = `${file}.new`;
    await writeFile(copy, (await readFile(file, 'utf8')).replace('9.5', '7.5'));
    await utimes(copy, 1_700_000_000, 1_700_000_000);
    expect((await stat(copy)).size).toBe(st.size);
    await rename(copy, file);
    expect(seriesFingerprint(dataDir, 'synthetic', 's1')).not.toBe(before);
  });

  // A file the reader refuses (Spark and pyarrow would read it as rows) added beside a system's
  // parts: a run must load the series again, and be refused, not serve the cached score.
  it("changes when a file that is not a part lands in a Parquet system's folder, not for _SUCCESS", async () => {
    const folder = path.join(dataDir, 'synthetic', 'raw', 'system_id=p1');
    await mkdir(folder);
    await writeFile(path.join(folder, 'part-0.parquet'), 'PAR1');
    const before = seriesFingerprint(dataDir, 'synthetic', 'p1');
    await writeFile(path.join(folder, '_SUCCESS'), '');
    await writeFile(path.join(folder, '.part-0.parquet.crc'), '');
    expect(seriesFingerprint(dataDir, 'synthetic', 'p1')).toBe(before);
    await writeFile(path.join(folder, 'part-00001'), 'PAR1');
    const stray = seriesFingerprint(dataDir, 'synthetic', 'p1');
    expect(stray).not.toBe(before);
    await rm(path.join(folder, 'part-00001'));
    await mkdir(path.join(folder, 'month=2'));
    expect(seriesFingerprint(dataDir, 'synthetic', 'p1')).not.toBe(before);
  });

  it('stays the same when nothing changed', () => {
    expect(seriesFingerprint(dataDir, 'synthetic', 's1')).toBe(
      seriesFingerprint(dataDir, 'synthetic', 's1'),
    );
  });
});
