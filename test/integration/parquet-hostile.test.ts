/**
 * Parquet inputs as a data scientist's or a CI job's pyarrow writes them, through the real bin
 * and loader: each bad one ends in exit 2 with a line naming the file and the column, never an
 * internal error and never exit 0; good ones in every codec, read concurrently (the reader's
 * scratch space is shared), hold exactly the float bits pyarrow reads. The files are written by
 * test/fixtures/parquet/make-hostile.py into this test's temp folder.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/errors.ts';
import { loadDataset } from '../../src/data/load-dataset.ts';
import { REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

const PY = path.join(REPO_ROOT, '.venv-python', 'bin', 'python');
const MAKE = path.join(REPO_ROOT, 'test', 'fixtures', 'parquet', 'make-hostile.py');

/** The fleet every case starts from (13 systems, 2 days at 1 min, seed 11), in `format`. */
const generateFleet = (out: string, format: 'csv' | 'parquet') =>
  runHarness([
    'generate',
    '--systems',
    '13',
    '--days',
    '2',
    '--interval',
    '1m',
    '--seed',
    '11',
    '--format',
    format,
    '--out',
    out,
  ]);

describe('hostile Parquet inputs', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const at = (...p: string[]): string => path.join(tmp.dir, 'cases', ...p);
  beforeAll(async () => {
    tmp = await tempDir();
    const base = path.join(tmp.dir, 'base');
    const gen = await generateFleet(base, 'parquet');
    expect(gen.code).toBe(0);
    await promisify(execFile)(PY, [MAKE, base, at()]);
  }, 120_000);
  afterAll(async () => tmp.cleanup());

  /** `harness validate` of a case folder: its exit code and every line it printed. */
  const validate = async (name: string): Promise<{ code: number | null; out: string }> => {
    const r = await runHarness(['validate', '--data', at(name)]);
    return { code: r.code, out: r.stdout + r.stderr };
  };

  describe('timestamps no ISO 8601 text can hold (years past 9999: a unit written wrong)', () => {
    it('fail validation, naming the part file, the row and the column', async () => {
      const r = await validate('ts-ns-as-ms');
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/system_id=sys-0001\/part-0\.parquet: row 1, column timestamp: .*year/);
    });

    it('fail validation past year 9999 even where a Date could hold them', async () => {
      const r = await validate('ts-year-11476');
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/part-0\.parquet: row 1, column timestamp: .*year/);
    });

    it('are reported, not an internal error, when a repeated one must be named', async () => {
      const r = await validate('ts-ns-as-ms-repeated');
      expect(r.out).not.toContain('internal error');
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/part-0\.parquet: row 1, column timestamp: /);
    });

    it('are reported, not an internal error, when two parts overlap', async () => {
      const r = await validate('ts-far-two-parts');
      expect(r.out).not.toContain('internal error');
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/part-[01]\.parquet: row 1, column timestamp: /);
    });

    it('stop the loader with a HarnessError naming the part', async () => {
      const ds = await loadDataset({ dataDir: at('ts-ns-as-ms') });
      const sys = ds.systems.find((s) => s.systemId === 'sys-0001');
      const err = await sys!.loadSeries().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).message).toContain(
        path.join('system_id=sys-0001', 'part-0.parquet'),
      );
    });
  });

  it('evaluate --alarms reads the spans of a Parquet fleet as those of the CSV fleet of the same seed', async () => {
    // It looked for raw/<id>.csv only: every system of a Parquet fleet had "no series".
    const csv = path.join(tmp.dir, 'base-csv');
    const gen = await generateFleet(csv, 'csv');
    expect(gen.code).toBe(0);
    const alarms = path.join(tmp.dir, 'alarms.csv');
    await writeFile(
      alarms,
      'system_id,alarm_at\nsys-0001,2025-05-17T06:00:00Z\nsys-0004,2025-05-18T12:00:00Z\n',
    );
    const judge = async (dir: string): Promise<unknown> => {
      const r = await runHarness([
        'evaluate',
        '--alarms',
        alarms,
        '--labels',
        path.join(dir, 'labels.csv'),
        '--data',
        dir,
        '--json',
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { metrics: unknown }).metrics;
    };
    expect(await judge(path.join(tmp.dir, 'base'))).toEqual(await judge(csv));
    const damaged = await runHarness([
      'evaluate',
      '--alarms',
      alarms,
      '--labels',
      path.join(tmp.dir, 'base', 'labels.csv'),
      '--data',
      at('page-fewer-rows'),
    ]);
    expect(damaged.code).toBe(2);
    expect(damaged.stdout + damaged.stderr).toContain(
      path.join('system_id=sys-0001', 'part-0.parquet'),
    );
  });

  it('refuses two columns named timestamp', async () => {
    const r = await validate('duplicate-timestamp');
    expect(r.code).toBe(2);
    expect(r.out).toContain('system_id=sys-0001/part-0.parquet: duplicate column "timestamp"');
  });

  it('names the missing partition folder of a system in the metadata, not a CSV file', async () => {
    const r = await validate('partition-missing');
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      `system sys-0002 (synthetic) has no raw series: no folder ${path.join(at('partition-missing'), 'raw', 'system_id=sys-0002')}/`,
    );
    expect(r.out).not.toContain('raw file');
  });

  describe('a page header whose row count is damaged (pyarrow refuses each of these files)', () => {
    it.each([
      [
        'page-fewer-rows',
        /column voltage_v, row group 1: its pages hold 80 rows, the row group 100/,
      ],
      [
        'page-more-rows',
        /column voltage_v, row group 1: a page of 120 rows where its row group has 100 left/,
      ],
      [
        'page-v2-counts-disagree',
        /column voltage_v, row group 1: a page of 100 rows that says it holds 80 values/,
      ],
    ])('%s: exit 2 naming the part, the column and the row group', async (name, message) => {
      const r = await validate(name);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(
        new RegExp(
          `system_id=sys-0001/part-0\\.parquet: not a readable Parquet file \\(${message.source}`,
        ),
      );
    });

    it("is not loaded as the next column's values", async () => {
      const ds = await loadDataset({ dataDir: at('page-fewer-rows') });
      const sys = ds.systems.find((s) => s.systemId === 'sys-0001');
      await expect(sys!.loadSeries()).rejects.toThrow(/part-0\.parquet/);
    });
  });

  describe('page checksums (Spark writes a CRC-32 of each page)', () => {
    it('a part written with them validates and loads as any other', async () => {
      const r = await validate('crc-good');
      expect(r.code, r.out).toBe(0);
      const ds = await loadDataset({ dataDir: at('crc-good') });
      const s = await ds.systems.find((x) => x.systemId === 'sys-0001')!.loadSeries();
      const base = await (
        await loadDataset({ dataDir: path.join(tmp.dir, 'base') })
      ).systems
        .find((x) => x.systemId === 'sys-0001')!
        .loadSeries();
      expect(Array.from(s.sensors['voltage_v']!)).toEqual(Array.from(base.sensors['voltage_v']!));
    });

    it('a byte flipped in a page (a reading off in its last digits) is exit 2, naming the part and the column', async () => {
      const r = await validate('crc-flipped');
      expect(r.code).toBe(2);
      expect(r.out).toMatch(
        /system_id=sys-0001\/part-0\.parquet: not a readable Parquet file \(column voltage_v, row group 1: a page's bytes do not match its checksum/,
      );
      const ds = await loadDataset({ dataDir: at('crc-flipped') });
      await expect(ds.systems.find((x) => x.systemId === 'sys-0001')!.loadSeries()).rejects.toThrow(
        /part-0\.parquet/,
      );
    });
  });

  describe('scores.parquet with a column of the wrong type', () => {
    const evaluate = async (name: string): Promise<{ code: number | null; out: string }> => {
      const base = path.join(tmp.dir, 'base');
      const r = await runHarness([
        'evaluate',
        '--scores',
        at('scores', name.includes('parts') ? name : `${name}.parquet`),
        '--labels',
        path.join(base, 'labels.csv'),
        '--metadata',
        path.join(base, 'metadata.csv'),
      ]);
      return { code: r.code, out: r.stdout + r.stderr };
    };

    it('reads good scores (the control), and a folder of parts with an empty one whose columns pyarrow typed NULL', async () => {
      expect((await evaluate('good')).code).toBe(0);
      expect((await evaluate('parts-one-empty')).code).toBe(0);
    });

    it('reads integer scores of every width pandas and Spark write (int8, int16, uint16), and Parquet named .pq', async () => {
      const good = await runHarness([
        'evaluate',
        '--json',
        '--scores',
        at('scores', 'good.parquet'),
        '--labels',
        path.join(tmp.dir, 'base', 'labels.csv'),
      ]);
      expect(good.code).toBe(0);
      for (const name of ['int8', 'int16', 'uint16'])
        expect((await evaluate(name)).code, name).toBe(0);
      const pq = await runHarness([
        'evaluate',
        '--json',
        '--scores',
        at('scores', 'good.pq'),
        '--labels',
        path.join(tmp.dir, 'base', 'labels.csv'),
      ]);
      expect(pq.code).toBe(0);
      expect(JSON.parse(pq.stdout).metrics).toEqual(JSON.parse(good.stdout).metrics);
    });

    it('an int64 score past 2^53: exit 2 at its row (read as a double, 2^53 + 1 tied with 2^53)', async () => {
      const r = await evaluate('int64-past-2-53');
      expect(r.code).toBe(2);
      expect(r.out).toContain(
        'int64-past-2-53.parquet: row 2: score 9007199254740993 is an integer past 2^53',
      );
    });

    it('a part Spark reads that is not *.parquet (part-00001.PARQUET): exit 2 naming it, with --allow-missing too', async () => {
      for (const extra of [[], ['--allow-missing']]) {
        const r = await runHarness([
          'evaluate',
          '--scores',
          at('scores', 'parts-upper-case'),
          '--labels',
          path.join(tmp.dir, 'base', 'labels.csv'),
          ...extra,
        ]);
        expect(r.code).toBe(2);
        expect(r.stdout + r.stderr).toContain(
          `${at('scores', 'parts-upper-case', 'part-00001.PARQUET')}: a file among the score parts that is not a part`,
        );
      }
    });

    it('checks page checksums: scores written with them are read (the control), one flipped bit is exit 2 naming the file and column', async () => {
      expect((await evaluate('scores-crc-good')).code).toBe(0);
      const r = await evaluate('scores-crc-flipped');
      expect(r.code).toBe(2);
      expect(r.out).toMatch(
        /scores-crc-flipped\.parquet: not a readable Parquet file \(column score, row group 1: a page's bytes do not match its checksum/,
      );
    });

    // A DECIMAL has no one double: pyarrow's cast reads 0.70 as 0.7000000000000001, Python's float() as 0.7.
    it.each([
      ['decimal', 'score', /DECIMAL/],
      ['string', 'score', /BYTE_ARRAY \(STRING\)/],
      ['timestamp', 'score', /INT64 \(TIMESTAMP\)/],
      ['struct', 'score', /a group/],
      ['int-ids', 'system_id', /INT64/],
    ])('%s: exit 2, one line naming the file and column %s', async (name, column, type) => {
      const r = await evaluate(name);
      expect(r.code).toBe(2);
      const lines = r.out
        .split('\n')
        .filter((l) => l.startsWith(`${at('scores', name)}.parquet: `));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`column ${column} is `);
      expect(lines[0]).toMatch(type);
    });

    it('two score columns: exit 2, a duplicate column (the last one was judged, silently)', async () => {
      const r = await evaluate('two-score-columns');
      expect(r.code).toBe(2);
      expect(r.out).toContain('two-score-columns.parquet: duplicate column "score"');
    });

    it('parts with and without a source column: exit 2 naming the part without (its rows were taken as synthetic)', async () => {
      const r = await evaluate('parts-mixed-source');
      expect(r.code).toBe(2);
      expect(r.out).toContain(
        'parts-mixed-source/part-00001.parquet: has no source column but part-00000.parquet has one: every part of the scores needs the same columns',
      );
    });

    it('a null source is called null', async () => {
      const r = await evaluate('null-source');
      expect(r.code).toBe(2);
      expect(r.out).toContain('null-source.parquet: row 2: source is null');
    });
  });

  it('loads 13 series of 13 writers (every codec, v1 and v2 pages, dictionary fallback) concurrently, bit for bit as pyarrow reads them', async () => {
    const expected = at('codecs-expected');
    const ds = await loadDataset({ dataDir: at('codecs') });
    expect(ds.systems).toHaveLength(13);
    const series = await Promise.all(ds.systems.map((s) => s.loadSeries()));
    let compared = 0;
    for (const s of series) {
      for (const file of await readdir(path.join(expected, s.systemId))) {
        const column = file.slice(0, -'.f64'.length);
        const bytes = await readFile(path.join(expected, s.systemId, file));
        const want = new Float64Array(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        );
        const got = column === 'timestamp' ? s.timestamps : s.sensors[column];
        // A column all null may be left out; then every expected value is NaN.
        if (!got) {
          expect(
            want.every((v) => Number.isNaN(v)),
            `${s.systemId} ${column}`,
          ).toBe(true);
          continue;
        }
        expect(got.length, `${s.systemId} ${column}`).toBe(want.length);
        // Bits, not values: 0 and -0 differ; every NaN (a null) is the same missing reading.
        const a = new BigUint64Array(got.buffer, got.byteOffset, got.length);
        const b = new BigUint64Array(want.buffer);
        let differ = 0;
        for (let i = 0; i < want.length; i++) {
          if (Number.isNaN(want[i]!) ? !Number.isNaN(got[i]!) : a[i] !== b[i]) differ++;
        }
        expect(differ, `${s.systemId} ${column}`).toBe(0);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(13 * 5);
  });
});
