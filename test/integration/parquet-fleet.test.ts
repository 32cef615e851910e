/**
 * The Parquet layout end to end, through the real bin: `generate --format parquet` writes the
 * same fleet as CSV (same series, NaN included, same metadata and labels) with the same bytes on
 * every run; `validate` and the loader find what is wrong in a bad Parquet file and name it;
 * `evaluate` reads Parquet scores, one file or Spark's folder of parts.
 */
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load-dataset.ts';
import { formatSeriesParquet } from '../../src/data/parquet-write.ts';
import { hashTree, runHarness, tempDir } from '../helpers/run-harness.ts';

const SMALL = ['--systems', '12', '--days', '2', '--interval', '15m', '--seed', '5'];

describe('the Parquet layout', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const dir = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir();
    for (const [out, format] of [
      ['csv', 'csv'],
      ['pq', 'parquet'],
      ['pq2', 'parquet'],
    ] as const) {
      const r = await runHarness(['generate', ...SMALL, '--format', format, '--out', dir(out)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });
  afterAll(async () => tmp.cleanup());

  it('writes raw/system_id=<id>/part-0.parquet beside the same metadata.csv and labels.csv, byte-identical on a second run', async () => {
    const [csv, pq, pq2] = await Promise.all([
      hashTree(dir('csv')),
      hashTree(dir('pq')),
      hashTree(dir('pq2')),
    ]);
    expect(pq2).toEqual(pq);
    expect(pq['metadata.csv']).toBe(csv['metadata.csv']);
    expect(pq['labels.csv']).toBe(csv['labels.csv']);
    const ids = Object.keys(csv)
      .filter((f) => f.startsWith('raw'))
      .map((f) => path.basename(f, '.csv'));
    expect(ids).toHaveLength(12);
    const parts = Object.keys(pq).filter((f) => f.startsWith('raw'));
    expect(parts.sort()).toEqual(
      ids.map((id) => path.join('raw', `system_id=${id}`, 'part-0.parquet')).sort(),
    );
    // Without --compression the pages are stored uncompressed: the layout is for loading speed.
    const part = await readFile(path.join(dir('pq'), parts[0]!));
    const md = parquetMetadata(
      part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer,
    );
    expect(new Set(md.row_groups[0]!.columns.map((c) => c.meta_data!.codec))).toEqual(
      new Set(['UNCOMPRESSED']),
    );
  });

  it('loads the same series as the CSV fleet of the same seed, bit for bit, NaN included', async () => {
    const [a, b] = await Promise.all([
      loadDataset({ dataDir: dir('csv') }),
      loadDataset({ dataDir: dir('pq') }),
    ]);
    expect(b.systems.map((s) => [s.systemId, s.label, s.metadata])).toEqual(
      a.systems.map((s) => [s.systemId, s.label, s.metadata]),
    );
    let missing = 0;
    for (let i = 0; i < a.systems.length; i++) {
      const [x, y] = await Promise.all([a.systems[i]!.loadSeries(), b.systems[i]!.loadSeries()]);
      expect(Object.keys(y.sensors)).toEqual(Object.keys(x.sensors));
      expect(y.timestamps).toEqual(x.timestamps);
      for (const c of Object.keys(x.sensors)) {
        const u = x.sensors[c]!;
        const v = y.sensors[c]!;
        expect(v).toBeInstanceOf(Float64Array);
        // toEqual treats NaN as equal to NaN, and Object.is tells 0 from -0: compare bits.
        expect(
          Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(
            Buffer.from(u.buffer, u.byteOffset, u.byteLength),
          ),
        ).toBe(true);
        missing += u.filter((n) => Number.isNaN(n)).length;
      }
    }
    // The fleet holds missing readings, so the NaN ↔ null path was exercised.
    expect(missing).toBeGreaterThan(0);
  });

  it('loads every series at once as it loads them one by one (the parts read share scratch space)', async () => {
    const ds = await loadDataset({ dataDir: dir('pq') });
    const oneByOne: Awaited<ReturnType<(typeof ds.systems)[number]['loadSeries']>>[] = [];
    for (const s of ds.systems) oneByOne.push(await s.loadSeries());
    const atOnce = await Promise.all(ds.systems.map((s) => s.loadSeries()));
    const bits = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    atOnce.forEach((got, i) => {
      const want = oneByOne[i]!;
      expect(got.systemId).toBe(want.systemId);
      expect(bits(got.timestamps).equals(bits(want.timestamps))).toBe(true);
      expect(Object.keys(got.sensors)).toEqual(Object.keys(want.sensors));
      for (const [c, v] of Object.entries(want.sensors))
        expect(bits(got.sensors[c]!).equals(bits(v!))).toBe(true);
    });
    // Systems differ, so a part decoded from another's bytes would show.
    expect(
      bits(atOnce[0]!.sensors['voltage_v']!).equals(bits(atOnce[1]!.sensors['voltage_v']!)),
    ).toBe(false);
  });

  it('validates a generated Parquet fleet', async () => {
    const r = await runHarness(['validate', '--data', dir('pq')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/12 systems checked: valid/);
    expect(r.code).toBe(0);
  });

  it('--compression zstd: ZSTD parts, the same bytes on a second run, a valid fleet of the same series', async () => {
    for (const out of ['pqz', 'pqz2']) {
      const r = await runHarness([
        'generate',
        ...SMALL,
        '--format',
        'parquet',
        '--compression',
        'zstd',
        '--out',
        dir(out),
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const [a, b] = await Promise.all([hashTree(dir('pqz')), hashTree(dir('pqz2'))]);
    expect(b).toEqual(a);
    const id = (await readdir(path.join(dir('pqz'), 'raw'))).sort()[0]!;
    const part = await readFile(path.join(dir('pqz'), 'raw', id, 'part-0.parquet'));
    const md = parquetMetadata(
      part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer,
    );
    expect(new Set(md.row_groups[0]!.columns.map((c) => c.meta_data!.codec))).toEqual(
      new Set(['ZSTD']),
    );
    const v = await runHarness(['validate', '--data', dir('pqz')]);
    expect(v.stdout).toMatch(/12 systems checked: valid/);
    expect(v.code).toBe(0);
    const [x, y] = await Promise.all([
      loadDataset({ dataDir: dir('pq') }),
      loadDataset({ dataDir: dir('pqz') }),
    ]);
    expect((await y.systems[3]!.loadSeries()).sensors).toEqual(
      (await x.systems[3]!.loadSeries()).sensors,
    );
    // A ZSTD page that is not zstd (its frame's magic number damaged): a problem naming the file, exit 2, no stack trace.
    const fleet = dir('pqz-corrupt');
    await cp(dir('pqz'), fleet, { recursive: true, dereference: true });
    const bad = Buffer.from(part);
    const magic = bad.indexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    expect(magic).toBeGreaterThan(0);
    bad[magic] = 0;
    const file = path.join(fleet, 'raw', id, 'part-0.parquet');
    await writeFile(file, bad);
    const r = await runHarness(['validate', '--data', fleet]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(path.join('raw', id, 'part-0.parquet'));
    expect(r.stdout + r.stderr).toMatch(/not a readable Parquet file/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('reports a system with both raw/<id>.csv and raw/system_id=<id>/', async () => {
    const fleet = dir('both');
    // dereference: the fleet folder is a symlink to its version, which must stay as generated.
    await cp(dir('pq'), fleet, { recursive: true, dereference: true });
    const csvFile = (await readdir(path.join(dir('csv'), 'raw'))).sort()[0]!;
    await cp(path.join(dir('csv'), 'raw', csvFile), path.join(fleet, 'raw', csvFile));
    const r = await runHarness(['validate', '--data', fleet]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(
      `raw/${csvFile}:1:0: system ${path.basename(csvFile, '.csv')} has both ${csvFile} and system_id=${path.basename(csvFile, '.csv')}/: keep one layout`,
    );
  });

  describe('a bad Parquet file', () => {
    /** A copy of the Parquet fleet with sys-0001's part replaced by `bytes`. */
    const broken = async (
      name: string,
      bytes: Uint8Array,
    ): Promise<{ fleet: string; part: string }> => {
      const fleet = dir(name);
      // dereference: the fleet folder is a symlink to its version, which must stay as generated.
      await cp(dir('pq'), fleet, { recursive: true, dereference: true });
      const id = (await readdir(path.join(fleet, 'raw'))).sort()[0]!;
      const part = path.join(fleet, 'raw', id, 'part-0.parquet');
      await writeFile(part, bytes);
      return { fleet, part };
    };
    const ts = (n: number, swap?: number): Float64Array => {
      const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 300_000);
      if (swap !== undefined) [t[swap], t[swap + 1]] = [t[swap + 1]!, t[swap]!];
      return t;
    };
    const volts = (n: number): Float64Array =>
      Float64Array.from({ length: n }, (_, i) => 800 + i / 10);

    const expectExit2Naming = async (
      fleet: string,
      part: string,
      pattern: RegExp,
    ): Promise<string> => {
      const r = await runHarness(['validate', '--data', fleet]);
      expect(r.code).toBe(2);
      const out = r.stdout + r.stderr;
      expect(out).toContain(path.relative(fleet, part));
      expect(out).toMatch(pattern);
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      return out;
    };

    it('with unsorted timestamps: the row and the column are named', async () => {
      const { fleet, part } = await broken(
        'unsorted',
        formatSeriesParquet(ts(10, 4), { voltage_v: volts(10) }),
      );
      await expectExit2Naming(
        fleet,
        part,
        /row 6, column timestamp: 2026-01-01T00:20:00Z is not after row 5: timestamps must strictly increase/,
      );
      // The loader says the same, and names the file.
      const ds = await loadDataset({ dataDir: fleet });
      const sys = ds.systems.find((s) => part.includes(`system_id=${s.systemId}`))!;
      await expect(sys.loadSeries()).rejects.toMatchObject({
        code: 'E_DATA',
        problems: [
          { file: part, line: 0, message: expect.stringMatching(/^row 6, column timestamp: /) },
        ],
      });
    });

    it('without a timestamp column', async () => {
      const bytes = new Uint8Array(
        parquetWriteBuffer({ columnData: [{ name: 'voltage_v', data: volts(5), type: 'DOUBLE' }] }),
      );
      const { fleet, part } = await broken('no-timestamp', bytes);
      await expectExit2Naming(fleet, part, /missing column timestamp/);
    });

    it('with an unknown column and an impossible reading', async () => {
      const v = volts(6);
      v[2] = 9000;
      const { fleet, part } = await broken(
        'unknown-column',
        formatSeriesParquet(ts(6), { voltage_v: v, voltage: volts(6) }),
      );
      await expectExit2Naming(
        fleet,
        part,
        /unknown column "voltage" \(did you mean "voltage_v"\?\)/,
      );
      const { fleet: f2, part: p2 } = await broken(
        'impossible',
        formatSeriesParquet(ts(6), { voltage_v: v }),
      );
      await expectExit2Naming(f2, p2, /row 3, column voltage_v: 9000 is physically impossible/);
    });

    it('with a NaN stored where a missing reading is null, in a dictionary or a PLAIN page', async () => {
      // Nulls beside the NaN must not count as NaNs: one null, one stored NaN, in each file.
      const write = (encoding: 'PLAIN' | undefined) =>
        new Uint8Array(
          parquetWriteBuffer({
            columnData: [
              { name: 'timestamp', data: BigInt64Array.from(ts(6), (t) => BigInt(t)) },
              { name: 'voltage_v', data: [800, null, 800, Number.NaN, 800, 801], encoding },
            ],
            schema: [
              { name: 'root', num_children: 2 },
              {
                name: 'timestamp',
                type: 'INT64',
                repetition_type: 'REQUIRED',
                logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
              },
              { name: 'voltage_v', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
            ],
          }),
        );
      for (const encoding of [undefined, 'PLAIN'] as const) {
        const { fleet, part } = await broken(`nan-${encoding ?? 'dict'}`, write(encoding));
        await expectExit2Naming(
          fleet,
          part,
          /column voltage_v: 1 NaN value: NaN is not a reading \(a missing reading is null\)/,
        );
      }
    });

    it('that is not Parquet at all', async () => {
      const { fleet, part } = await broken(
        'corrupt',
        new TextEncoder().encode('timestamp,voltage_v\nnot parquet\n'),
      );
      await expectExit2Naming(fleet, part, /not a readable Parquet file/);
    });

    it('truncated', async () => {
      const id = (await readdir(path.join(dir('pq'), 'raw'))).sort()[0]!;
      const good = await readFile(path.join(dir('pq'), 'raw', id, 'part-0.parquet'));
      const { fleet, part } = await broken('truncated', good.subarray(0, good.length - 30));
      await expectExit2Naming(fleet, part, /not a readable Parquet file/);
    });

    it('were copies: the generated fleet is as it was', async () => {
      expect(await hashTree(dir('pq'))).toEqual(await hashTree(dir('pq2')));
    });
  });

  describe('evaluate --scores as Parquet', () => {
    let rows: { id: string; anomaly: boolean }[];
    beforeAll(async () => {
      const [, ...lines] = (await readFile(path.join(dir('pq'), 'labels.csv'), 'utf8'))
        .trim()
        .split('\n');
      rows = lines.map((l) => ({ id: l.split(',')[0]!, anomaly: l.split(',')[1] === 'anomaly' }));
      expect(rows.some((r) => r.anomaly) && rows.some((r) => !r.anomaly)).toBe(true);
    });
    const scoresParquet = (ids: readonly string[], scores: readonly number[]): Uint8Array =>
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'system_id', data: [...ids], type: 'STRING' },
            { name: 'score', data: Float64Array.from(scores), type: 'DOUBLE' },
          ],
        }),
      );
    const perfect = (): number[] => rows.map((r) => (r.anomaly ? 0.9 : 0.1));

    it('judges one .parquet file as it judges the same scores in CSV', async () => {
      const file = dir('scores.parquet');
      await writeFile(
        file,
        scoresParquet(
          rows.map((r) => r.id),
          perfect(),
        ),
      );
      const csv = dir('scores.csv');
      await writeFile(
        csv,
        `system_id,score\n${rows.map((r, i) => `${r.id},${perfect()[i]}`).join('\n')}\n`,
      );
      const a = await runHarness(['evaluate', '--scores', file, '--data', dir('pq'), '--json']);
      const b = await runHarness(['evaluate', '--scores', csv, '--data', dir('pq'), '--json']);
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      const ja = JSON.parse(a.stdout) as { n: number; metrics: { roc_auc: number } };
      expect(ja.n).toBe(rows.length);
      expect(ja.metrics.roc_auc).toBe(1);
      // Same judgement; only the file names differ.
      expect(a.stdout.replaceAll(file, 'S')).toBe(b.stdout.replaceAll(csv, 'S'));
    });

    it("reads Spark's folder of parts, leaving out _SUCCESS and dot-files", async () => {
      const folder = dir('spark-scores.parquet');
      await mkdir(folder);
      const half = Math.ceil(rows.length / 2);
      const ids = rows.map((r) => r.id);
      await writeFile(
        path.join(folder, 'part-00000-abc.snappy.parquet'),
        scoresParquet(ids.slice(0, half), perfect().slice(0, half)),
      );
      await writeFile(
        path.join(folder, 'part-00001-abc.snappy.parquet'),
        scoresParquet(ids.slice(half), perfect().slice(half)),
      );
      await writeFile(path.join(folder, '_SUCCESS'), '');
      await writeFile(path.join(folder, '.part-00000-abc.snappy.parquet.crc'), 'crc');
      const r = await runHarness(['evaluate', '--scores', folder, '--data', dir('pq'), '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { n: number }).n).toBe(rows.length);
      await rm(folder, { recursive: true });
    });

    it("refuses scores partitioned by Spark's partitionBy (source=…/ folders), rather than read them without their source or leave them out", async () => {
      const folder = dir('partitioned-scores.parquet');
      await mkdir(path.join(folder, 'source=synthetic'), { recursive: true });
      const ids = rows.map((r) => r.id);
      await writeFile(path.join(folder, 'part-00000.parquet'), scoresParquet(ids, perfect()));
      await writeFile(
        path.join(folder, 'source=synthetic', 'part-00000.parquet'),
        scoresParquet(ids, perfect()),
      );
      const r = await runHarness(['evaluate', '--scores', folder, '--data', dir('pq')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'partitioned-scores.parquet: the scores are partitioned (source=synthetic/): write them without partitionBy',
      );
      await rm(folder, { recursive: true });
    });

    it('rejects unknown ids, NaN, duplicates and a missing column with clear messages, exit 2', async () => {
      const ids = [...rows.map((r) => r.id), rows[0]!.id];
      const scores = [...perfect(), 0.5];
      scores[1] = NaN;
      const file = dir('bad-scores.parquet');
      await writeFile(file, scoresParquet(ids, scores));
      const r = await runHarness(['evaluate', '--scores', file, '--data', dir('pq')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/bad-scores\.parquet: row 2: score is not finite: NaN/);
      expect(r.stderr).toContain(
        `duplicate score for system ${rows[0]!.id}: bad-scores.parquet row 1 and bad-scores.parquet row ${ids.length}`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

      await writeFile(
        file,
        scoresParquet([...rows.map((r) => r.id), 'no-such-system'], [...perfect(), 0.3]),
      );
      const u = await runHarness(['evaluate', '--scores', file, '--data', dir('pq')]);
      expect(u.code).toBe(2);
      expect(u.stderr).toMatch(/no-such-system/);

      await writeFile(
        file,
        new Uint8Array(
          parquetWriteBuffer({
            columnData: [
              { name: 'system_id', data: rows.map((r) => r.id), type: 'STRING' },
              { name: 'scor', data: Float64Array.from(perfect()), type: 'DOUBLE' },
            ],
          }),
        ),
      );
      const m = await runHarness(['evaluate', '--scores', file, '--data', dir('pq')]);
      expect(m.code).toBe(2);
      expect(m.stderr).toMatch(/missing column score/);
      expect(m.stderr).toMatch(/unknown column "scor" \(did you mean "score"\?\)/);
      // An unknown column is not also judged as text, which it need not be.
      expect(m.stderr).not.toMatch(/column scor is DOUBLE/);
    });
  });
});
