import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { formatSeriesParquet } from '../../../src/data/parquet-write.ts';
import { readPageHeader, readParquetFooter } from '../../../src/data/parquet-thrift.ts';
import { REPO_ROOT } from '../../helpers/run-harness.ts';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'parquet');

/** A structure with its fields sorted and the undefined ones left out: hyparquet writes every field, defined or not. */
const plain = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(plain)
    : v instanceof Uint8Array
      ? [...v]
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, plain((v as Record<string, unknown>)[k])]),
          )
        : v;

/** The fields of hyparquet's FileMetaData a series reader uses (readParquetFooter skips statistics and key-value metadata). */
function used(md: ReturnType<typeof parquetMetadata>): unknown {
  return plain({
    version: md.version,
    num_rows: md.num_rows,
    created_by: md.created_by,
    metadata_length: md.metadata_length,
    schema: md.schema,
    row_groups: md.row_groups.map((g) => ({
      num_rows: g.num_rows,
      total_byte_size: g.total_byte_size,
      columns: g.columns.map((c) => {
        const m = c.meta_data!;
        return {
          file_path: c.file_path,
          file_offset: c.file_offset,
          meta_data: {
            type: m.type,
            encodings: m.encodings,
            path_in_schema: m.path_in_schema,
            codec: m.codec,
            num_values: m.num_values,
            total_uncompressed_size: m.total_uncompressed_size,
            total_compressed_size: m.total_compressed_size,
            data_page_offset: m.data_page_offset,
            index_page_offset: m.index_page_offset,
            dictionary_page_offset: m.dictionary_page_offset,
          },
        };
      }),
    })),
  });
}

/** Our writer's file of a few systems' worth of columns: timestamps, dictionary and plain pages, nulls. */
function ownFile(): Uint8Array {
  const n = 2000;
  const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000);
  return formatSeriesParquet(t, {
    voltage_v: Float64Array.from({ length: n }, (_, i) => (i % 17 === 0 ? NaN : Math.sin(i) * 1e3)),
    soc_pct: Float64Array.from({ length: n }, (_, i) => i % 7),
  });
}

const files: [string, Uint8Array][] = [
  ['formatSeriesParquet', ownFile()],
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.parquet'))
    .map((f): [string, Uint8Array] => [f, new Uint8Array(readFileSync(path.join(FIXTURES, f)))]),
];

describe('readParquetFooter and readPageHeader: the Thrift structures a series reader needs', () => {
  it('has fixtures from pyarrow (v1 and v2 pages, several codecs) besides our writer', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  for (const [name, bytes] of files) {
    it(`reads the footer and every page header of ${name} as hyparquet does`, () => {
      const md = parquetMetadata(bytes);
      expect(used(readParquetFooter(bytes) as never)).toEqual(used(md));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let pages = 0;
      for (const group of md.row_groups) {
        for (const c of group.columns) {
          const m = c.meta_data!;
          const start = Number(m.dictionary_page_offset || m.data_page_offset);
          const end = start + Number(m.total_compressed_size);
          const theirs = { view, offset: start };
          const ours = { offset: start };
          while (theirs.offset < end) {
            const want = parquetHeader(theirs);
            const got = readPageHeader(bytes, ours, end);
            // Page statistics are skipped, as in the footer.
            const strip = (h: typeof want) => plain({ ...h, data_page_header: h.data_page_header && { ...h.data_page_header, statistics: undefined }, data_page_header_v2: h.data_page_header_v2 && { ...h.data_page_header_v2, statistics: undefined } });
            expect(strip(got)).toEqual(strip(want));
            expect(ours.offset).toBe(theirs.offset);
            theirs.offset += want.compressed_page_size;
            ours.offset = theirs.offset;
            pages++;
          }
        }
      }
      expect(pages).toBeGreaterThanOrEqual(md.row_groups.length * md.row_groups[0]!.columns.length);
    });
  }

  it('refuses a file without its magic number, a footer longer than the file, and one cut short', () => {
    const bytes = ownFile();
    expect(() => readParquetFooter(bytes.subarray(0, 8))).toThrow(/too short/);
    expect(() => readParquetFooter(bytes.subarray(0, bytes.length - 1))).toThrow(/footer != PAR1/);
    const long = bytes.slice();
    long.set([0xff, 0xff, 0xff, 0x7f], long.length - 8);
    expect(() => readParquetFooter(long)).toThrow(/exceeds available buffer/);
    // The footer's length made shorter: its decoding runs into the end of what it was given.
    const short = bytes.slice();
    const length = new DataView(short.buffer).getUint32(short.length - 8, true);
    new DataView(short.buffer).setUint32(short.length - 8, length - 40, true);
    expect(() => readParquetFooter(short)).toThrow(/its footer/);
  });

  it('refuses a list longer than the bytes left and structs nested deeper than Parquet nests, without trying', () => {
    // FileMetaData { 2: list<struct> of 2^21 items }: refused before any item is read.
    const list = Uint8Array.from([0x29, 0xfc, 0x80, 0x80, 0x80, 0x01, 0x00]);
    const wrap = (footer: Uint8Array): Uint8Array => {
      const out = new Uint8Array(footer.length + 12);
      out.set([0x50, 0x41, 0x52, 0x31]);
      out.set(footer, 4);
      new DataView(out.buffer).setUint32(out.length - 8, footer.length, true);
      out.set([0x50, 0x41, 0x52, 0x31], out.length - 4);
      return out;
    };
    expect(() => readParquetFooter(wrap(list))).toThrow(/a list of 2097152 items where 1 bytes are left/);
    // Field 7 (skipped) as a struct holding a struct holding … 1,000 deep.
    const deep = new Uint8Array(2002);
    deep.fill(0x1c, 0, 1000);
    deep[0] = 0x7c;
    expect(() => readParquetFooter(wrap(deep))).toThrow(/nests deeper than Parquet does/);
  });

  // Bytes flipped at random in a footer: every outcome is a footer or an Error that says what is
  // wrong (never another exception, a hang, or a list allocated for a billion items).
  it('ends every damaged footer of 3,000 in a footer or an Error', () => {
    const rng = seedrandom('parquet-thrift');
    const sources = files.slice(0, 3).map(([, b]) => b);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const b = (sources[i % sources.length] as Uint8Array).slice();
      const length = new DataView(b.buffer).getUint32(b.length - 8, true);
      const start = b.length - 8 - length;
      for (let k = 0; k < 1 + (i % 4); k++) b[start + Math.floor(rng() * length)] = Math.floor(rng() * 256);
      try {
        readParquetFooter(b);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/footer|parquet/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
  });
});
