import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { decompressParquetPage, loadCodecsFor, loadZstd } from '../../../src/data/parquet-codecs.ts';
import { FINITE, readFlatColumn, readFlatColumnChecked } from '../../../src/data/parquet-columns.ts';
import { formatSeriesParquet } from '../../../src/data/parquet-write.ts';
import { parseTimestampAt } from '../../../src/data/series-scan.ts';
import { REPO_ROOT } from '../../helpers/run-harness.ts';

const fixture = (name: string): ArrayBuffer => {
  const b = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'parquet', name));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

/** What hyparquet's own row reader makes of a column, as numbers with NaN for null. */
async function reference(buffer: ArrayBuffer, column: string, perMs = 1): Promise<number[]> {
  const rows = await parquetReadObjects({ file: buffer, columns: [column], parsers: { timestampFromMicroseconds: (v: bigint) => Number(v) / 1000 } });
  return rows.map((r) => {
    const v = r[column] as number | bigint | null;
    return v === null ? NaN : typeof v === 'bigint' ? Number(v) / perMs : v;
  });
}

describe('readFlatColumn: flat Parquet columns straight into Float64Arrays', () => {
  // Written by pyarrow (test/fixtures/parquet/make-pyarrow-parts.py): the pages Spark and pyarrow write.
  for (const name of ['pyarrow-v1.parquet', 'pyarrow-v2-plain.parquet']) {
    it(`reads ${name} as hyparquet's row reader does (nulls, several row groups, MICROS, INT32)`, async () => {
      const buffer = fixture(name);
      const md = parquetMetadata(buffer);
      const ts = readFlatColumn(buffer, md, 'timestamp', { kind: 'timestamp', perMs: 1000 });
      expect([...ts]).toEqual(await reference(buffer, 'timestamp'));
      expect(ts[1]! - ts[0]!).toBe(60_000);
      for (const c of ['voltage_v', 'soc_pct']) {
        const got = readFlatColumn(buffer, md, c, { kind: 'number' });
        expect(got).toBeInstanceOf(Float64Array);
        expect([...got]).toEqual(await reference(buffer, c));
      }
      expect(readFlatColumn(buffer, md, 'voltage_v', { kind: 'number' }).filter(Number.isNaN).length).toBeGreaterThan(0);
    });
  }
  // The same table in the codecs other writers use: the same values as the SNAPPY file, read above against hyparquet's reader.
  for (const codec of ['zstd', 'gzip', 'brotli', 'lz4']) {
    it(`reads pyarrow-v1-${codec}.parquet as the SNAPPY file`, async () => {
      const buffer = fixture(`pyarrow-v1-${codec}.parquet`);
      const md = parquetMetadata(buffer);
      await loadCodecsFor(md);
      expect(md.row_groups[0]!.columns[0]!.meta_data!.codec).toBe(codec === 'lz4' ? 'LZ4_RAW' : codec.toUpperCase());
      const snappy = fixture('pyarrow-v1.parquet');
      const snappyMd = parquetMetadata(snappy);
      expect(readFlatColumn(buffer, md, 'timestamp', { kind: 'timestamp', perMs: 1000 })).toEqual(readFlatColumn(snappy, snappyMd, 'timestamp', { kind: 'timestamp', perMs: 1000 }));
      for (const c of ['voltage_v', 'soc_pct']) {
        expect(readFlatColumn(buffer, md, c, { kind: 'number' })).toEqual(readFlatColumn(snappy, snappyMd, c, { kind: 'number' }));
      }
    });
  }

  if (parquetMetadata(fixture('pyarrow-v1.parquet')).row_groups.length < 2) throw new Error('the v1 fixture should hold several row groups');

  it('reads back what formatSeriesParquet wrote: dictionary and plain pages, nulls, timestamps', () => {
    const n = 3000;
    const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 1000);
    // Few distinct values (a dictionary page) and many (plain pages), each with nulls.
    const few = Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? NaN : i % 4));
    const many = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : Math.sin(i) * 1e3));
    const bytes = formatSeriesParquet(t, { voltage_v: many, soc_pct: few });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const md = parquetMetadata(buffer);
    const encodings = md.row_groups[0]!.columns.map((c) => c.meta_data!.encodings.join('|'));
    expect(encodings.some((e) => e.includes('DICTIONARY'))).toBe(true);
    expect(readFlatColumn(buffer, md, 'timestamp', { kind: 'timestamp', perMs: 1 })).toEqual(t);
    expect(readFlatColumn(buffer, md, 'soc_pct', { kind: 'number' })).toEqual(few);
    expect(readFlatColumn(buffer, md, 'voltage_v', { kind: 'number' })).toEqual(many);
  });

  // Delta-encoded timestamps are read as Numbers when they fit; larger steps take hyparquet's BigInt decoder.
  for (const [what, step] of [
    ['irregular steps (miniblock widths 1–16 bits)', (i: number) => 1000 + ((i * 7919) % (1 << ((i % 16) + 1)))],
    ['steps of days and milliseconds (widths over 24 bits)', (i: number) => (i % 3 === 0 ? 86_400_000 * 400 : 1)],
    ['jittered 5 min steps and a gap of a day (one miniblock of 27 bits among 13-bit ones)', (i: number) => (i === 700 ? 86_400_000 : 300_000 + ((i * 7919) % 4001) - 2000)],
  ] as const) {
    it(`reads delta-encoded timestamps with ${what}`, () => {
      const t = new Float64Array(2500);
      t[0] = Date.UTC(2020, 0, 1);
      for (let i = 1; i < t.length; i++) t[i] = t[i - 1]! + step(i);
      const bytes = formatSeriesParquet(t, { soc_pct: new Float64Array(t.length).fill(50) });
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      expect(readFlatColumn(buffer, parquetMetadata(buffer), 'timestamp', { kind: 'timestamp', perMs: 1 })).toEqual(t);
    });
  }

  it('refuses a delta page whose blocks hold no values, instead of looping on it', () => {
    const t = Float64Array.from({ length: 500 }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000);
    const bytes = formatSeriesParquet(t, { soc_pct: new Float64Array(t.length).fill(50) });
    const md = parquetMetadata(bytes);
    const chunk = md.row_groups[0]!.columns[0]!.meta_data!;
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: Number(chunk.data_page_offset) };
    const h = parquetHeader(reader);
    // The page body made a header of blocks of 0 values (block size 0, 1 miniblock, the count,
    // first value 0), then zeros: minimum deltas 0, widths 0, to the end of the page.
    const body = bytes.subarray(reader.offset, reader.offset + h.compressed_page_size);
    body.fill(0);
    body.set([0x00, 0x01, 0xf4, 0x03, 0x00]);
    expect(() => readFlatColumn(bytes, md, 'timestamp', { kind: 'timestamp', perMs: 1 })).toThrow();
  });

  it('reads a file given as a view of a larger buffer, and refuses a page past its end', () => {
    const t = Float64Array.from({ length: 2000 }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000);
    const v = Float64Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? NaN : i % 5));
    const bytes = formatSeriesParquet(t, { voltage_v: v });
    // As scratch space holds it: the file at the start, another file's bytes after it.
    const scratch = new Uint8Array(bytes.length + 4096).fill(0xab);
    scratch.set(bytes);
    const file = scratch.subarray(0, bytes.length);
    const md = parquetMetadata(file);
    expect(readFlatColumn(file, md, 'timestamp', { kind: 'timestamp', perMs: 1 })).toEqual(t);
    expect(readFlatColumn(file, md, 'voltage_v', { kind: 'number' })).toEqual(v);
    // The same metadata over the file cut one byte short of the end of its last page.
    const last = md.row_groups[0]!.columns[1]!.meta_data!;
    const end = Number(last.dictionary_page_offset ?? last.data_page_offset) + Number(last.total_compressed_size);
    const cut = scratch.subarray(0, end - 1);
    expect(() => readFlatColumn(cut, md, 'voltage_v', { kind: 'number' })).toThrow(/a page runs past the end of the file/);
  });

  for (const compression of ['snappy', 'zstd', 'gzip', 'none'] as const) {
    it(`writes ${compression} and reads it back, the same bytes every time`, async () => {
      await loadZstd();
      const n = 5000;
      const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000);
      const v = Float64Array.from({ length: n }, (_, i) => (i % 17 === 0 ? NaN : Math.round(Math.sin(i / 50) * 1e4) / 10));
      const bytes = formatSeriesParquet(t, { voltage_v: v }, { compression });
      expect(formatSeriesParquet(t, { voltage_v: v }, { compression })).toEqual(bytes);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const md = parquetMetadata(buffer);
      const codec = { snappy: 'SNAPPY', zstd: 'ZSTD', gzip: 'GZIP', none: 'UNCOMPRESSED' }[compression];
      expect(md.row_groups[0]!.columns.map((c) => c.meta_data!.codec)).toEqual([codec, codec]);
      expect(readFlatColumn(buffer, md, 'timestamp', { kind: 'timestamp', perMs: 1 })).toEqual(t);
      expect(readFlatColumn(buffer, md, 'voltage_v', { kind: 'number' })).toEqual(v);
    });
  }

  it('counts nulls and flags a column with a value out of range, whatever the page encoding', () => {
    const n = 3000;
    const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 1000);
    const few = Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? NaN : i % 4)); // a dictionary page
    const many = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3); // plain pages
    const bytes = formatSeriesParquet(t, { voltage_v: many, soc_pct: few });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const md = parquetMetadata(buffer);
    const dict = readFlatColumnChecked(buffer, md, 'soc_pct', { kind: 'number' }, FINITE);
    expect([dict.nulls, dict.suspect]).toEqual([300, false]);
    expect(readFlatColumnChecked(buffer, md, 'soc_pct', { kind: 'number' }, { min: 0, max: 2 }).suspect).toBe(true);
    expect(readFlatColumnChecked(buffer, md, 'soc_pct', { kind: 'number' }, { min: 0, max: 3 }).suspect).toBe(false);
    expect(readFlatColumnChecked(buffer, md, 'voltage_v', { kind: 'number' }, { min: -1000, max: 1000 })).toMatchObject({ nulls: 0, suspect: false });
    expect(readFlatColumnChecked(buffer, md, 'voltage_v', { kind: 'number' }, { min: -999, max: 1000 }).suspect).toBe(true);
  });

  // Dictionary pages without nulls are looked up as they are unpacked: every index width, runs and bit-packed groups, a last group cut short.
  for (const distinct of [1, 2, 3, 100, 1000]) {
    it(`reads a dictionary page of ${distinct} distinct values as hyparquet's reader does`, async () => {
      const n = 6001;
      const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 1000);
      // Runs of a held reading, then values that change at every row.
      const v = Float64Array.from({ length: n }, (_, i) => (i < 2000 ? Math.floor(i / 37) % distinct : (i * 7919) % distinct) / 10);
      const bytes = formatSeriesParquet(t, { soc_pct: v });
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const md = parquetMetadata(buffer);
      expect(md.row_groups[0]!.columns[1]!.meta_data!.encodings).toContain('RLE_DICTIONARY');
      const got = readFlatColumn(buffer, md, 'soc_pct', { kind: 'number' });
      expect([...got]).toEqual(await reference(buffer, 'soc_pct'));
      expect(got).toEqual(v);
    });
  }

  // The reader proves a delta column strictly increasing from its blocks' least deltas, so the
  // series reader skips its row-by-row order check: the proof must fail wherever order does.
  it('proves a delta-encoded column strictly increasing only when every step is at least 1', () => {
    const read = (t: Float64Array, range = FINITE) => {
      const bytes = formatSeriesParquet(t, { soc_pct: new Float64Array(t.length).fill(50) });
      return readFlatColumnChecked(bytes, parquetMetadata(bytes), 'timestamp', { kind: 'timestamp', perMs: 1 }, range);
    };
    const start = Date.UTC(2026, 0, 1);
    const regular = Float64Array.from({ length: 3000 }, (_, i) => start + i * 300_000 + ((i * 7919) % 2001));
    expect(read(regular)).toMatchObject({ increasing: true, suspect: false });
    // One step of 0 (a repeated timestamp), one step back, in the last block or the first.
    for (const at of [1, 1500, 2999]) {
      const repeated = regular.slice();
      repeated[at] = repeated[at - 1]!;
      expect(read(repeated).increasing).toBe(false);
      const back = regular.slice();
      back[at] = back[at - 1]! - 1;
      expect(read(back).increasing).toBe(false);
    }
    // Increasing: its first and last values bound it, and judge the range.
    expect(read(regular, { min: start, max: regular[2999]! }).suspect).toBe(false);
    expect(read(regular, { min: start + 1, max: Infinity }).suspect).toBe(true);
    expect(read(regular, { min: -Infinity, max: regular[2999]! - 1 }).suspect).toBe(true);
  });

  it('refuses a page whose levels hold another number of nulls than its header', () => {
    const t = Float64Array.from({ length: 400 }, (_, i) => Date.UTC(2026, 0, 1) + i * 1000);
    const v = Float64Array.from({ length: 400 }, (_, i) => (i % 10 === 3 ? NaN : i % 4));
    const bytes = formatSeriesParquet(t, { soc_pct: v });
    const md = parquetMetadata(bytes);
    expect(readFlatColumn(bytes, md, 'soc_pct', { kind: 'number' })).toEqual(v);
    const chunk = md.row_groups[0]!.columns[1]!.meta_data!;
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: Number(chunk.data_page_offset) };
    const start = reader.offset;
    const h = parquetHeader(reader);
    expect(h.data_page_header_v2?.num_nulls).toBe(40);
    // num_nulls (the v2 header's field 2: an i32 one id after num_values, 0x15, then zigzag 40 = 0x50) made 41, then 39.
    const header = [...bytes.subarray(start, reader.offset)];
    const at = header.findIndex((b, i) => b === 0x15 && header[i + 1] === 0x50) + 1;
    expect(at).toBeGreaterThan(0);
    for (const [nulls, why] of [
      [41, /levels hold another number of values than its 359/],
      [39, /a dictionary page holds 360 indices for 361 values/],
    ] as const) {
      const damaged = bytes.slice();
      damaged[start + at] = nulls * 2;
      expect(() => readFlatColumn(damaged, md, 'soc_pct', { kind: 'number' })).toThrow(why);
    }
  });

  // zstd-jni's streams (Spark, parquet-mr) write frames that do not say their size: the page header does.
  // The fixture is `zstd -c` of a pipe (which leaves the size out): 2,000,000 bytes of i mod 251.
  it('decompresses a ZSTD frame that does not say its size, over the 1 MB zstd-wasm assumes', async () => {
    await loadZstd();
    const frame = new Uint8Array(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'parquet', 'zstd-no-content-size.zst')));
    const want = Uint8Array.from({ length: 2_000_000 }, (_, i) => i % 251);
    // Buffer.equals, not toEqual: vitest's deep equality walks 2 M elements one by one (14 s).
    const got = decompressParquetPage(frame, want.length, 'ZSTD');
    expect(got.length).toBe(want.length);
    expect(Buffer.from(got.buffer, got.byteOffset, got.length).equals(want)).toBe(true);
    expect(() => decompressParquetPage(frame, want.length - 1, 'ZSTD')).toThrow(/ZSTD/);
  });
});

describe('readFlatColumn: integers that are not plain doubles', () => {
  type Encoding = 'PLAIN' | 'DELTA_BINARY_PACKED' | undefined; // undefined: the writer's dictionary
  const write = (name: string, data: unknown[], element: Record<string, unknown>, encoding: Encoding): Uint8Array => {
    const optional = data.includes(null);
    return new Uint8Array(
      parquetWriteBuffer({
        columnData: [{ name, data: data as never, encoding }],
        schema: [
          { name: 'root', num_children: 1 },
          { name, repetition_type: optional ? 'OPTIONAL' : 'REQUIRED', ...element } as never,
        ],
      }),
    );
  };
  const cases = (values: readonly bigint[]): [string, Encoding, unknown[]][] => [
    ['PLAIN', 'PLAIN', [...values]],
    ['PLAIN with nulls', 'PLAIN', [null, ...values, null]],
    ['delta', 'DELTA_BINARY_PACKED', [...values]],
    ['delta with nulls', 'DELTA_BINARY_PACKED', [null, ...values, null]],
    // Each value many times over: the writer picks a dictionary.
    ['a dictionary', undefined, Array.from({ length: 400 }, (_, i) => values[i % values.length])],
  ];
  /** An instant's contract text with all its digits: `2025-12-31T00:44:55.122999756Z`. */
  const text = (units: bigint, perSecond: bigint): string => {
    const s = units / perSecond;
    const f = String(units % perSecond).padStart(String(perSecond).length - 1, '0');
    return `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}.${f}Z`;
  };

  // pandas writes datetime64[ns] as NANOS, Spark writes MICROS. Read through one division as
  // a double, 1767141895122000000 ns was 1767141895121.9998 ms: the same instant in a MILLIS
  // part then escaped "a timestamp may be in one part only".
  for (const [unit, perSecond] of [
    ['NANOS', 1_000_000_000n],
    ['MICROS', 1_000_000n],
  ] as const) {
    const perMs = Number(perSecond) / 1000;
    const ms = [1_767_141_895_122n, 1_767_145_495_000n, 946_684_799_999n, -1n];
    const whole = ms.map((m) => m * (perSecond / 1000n));
    // A fraction of a millisecond: read as the CSV reads the same instant's text.
    const sub = [whole[0]! + 999n, whole[1]! + perSecond / 1000n - 1n, whole[2]! + 1n];
    for (const [what, encoding, data] of cases([...whole, ...sub])) {
      it(`reads ${unit} timestamps exactly (${what}), a fraction of a ms as the CSV reader does`, () => {
        const bytes = write('timestamp', data, { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit } }, encoding);
        const got = readFlatColumn(bytes, parquetMetadata(bytes), 'timestamp', { kind: 'timestamp', perMs });
        const want = data.map((v) => {
          if (v === null) return NaN;
          const units = v as bigint;
          if (units % (perSecond / 1000n) === 0n) return Number(units / (perSecond / 1000n));
          const t = text(units, perSecond);
          return parseTimestampAt(t, 0, t.length);
        });
        expect([...got]).toEqual(want);
        expect(got[data.indexOf(whole[0]!)]).toBe(1_767_141_895_122);
      });
    }
  }

  // pandas' UInt32 and pyarrow's uint32: an INT32 whose bits are unsigned. Read as signed, 3e9 was negative.
  for (const [what, encoding, data] of cases([0n, 2n ** 31n, 3_000_000_000n, 2n ** 32n - 1n, 7n])) {
    it(`reads an unsigned INT32 (UINT_32) as unsigned (${what})`, () => {
      const ints = data.map((v) => (v === null ? null : Number(v)));
      const bytes = write('insulation_resistance_kohm', ints, { type: 'INT32', converted_type: 'UINT_32', logical_type: { type: 'INTEGER', bitWidth: 32, isSigned: false } }, encoding);
      const got = readFlatColumn(bytes, parquetMetadata(bytes), 'insulation_resistance_kohm', { kind: 'uint32' });
      expect([...got]).toEqual(ints.map((v) => v ?? NaN));
    });
  }
});
