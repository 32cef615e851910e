/**
 * Flat Parquet columns straight into Float64Arrays, page by page (page headers read by
 * parquet-thrift.ts), with hyparquet's value decoders for the rare pages this reader does not
 * decode itself, but without its row assembly: `parquetRead`
 * assembles every column into a JS array through the general nested-data (Dremel) algorithm,
 * which was most of the time of reading a series (profiled: ~30 % in assembleLists alone, then
 * the arrays of boxed numbers and nulls to copy again). A series file is flat (a timestamp and
 * one number column per sensor), so a null is just a definition level below the maximum, and a
 * value lands in its row directly.
 *
 * The common pages (PLAIN doubles, dictionary indices, delta timestamps; levels of depth 1) are
 * decoded straight into the output: a dictionary page's indices are looked up as they are
 * unpacked, a PLAIN page without nulls is one byte copy. While writing, the reader notes whether
 * a value may be out of a caller's range (±Infinity, or a sensor's physical limits), judged once
 * per dictionary rather than per row, so the caller's row-by-row check runs only on a column that
 * may need it. Any other page (another encoding, deeper levels) goes through hyparquet's readers.
 *
 * Reads DATA_PAGE (v1, as Spark writes) and DATA_PAGE_V2 (hyparquet-writer) of every codec
 * parquet-codecs.ts decompresses (ZSTD needs its module loaded first: `loadZstd`).
 */
import { parquetSchema, type DecodedArray, type FileMetaData, type PageHeader, type ParquetType, type SchemaElement, type SchemaTree } from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { deltaBinaryUnpack } from 'hyparquet/src/delta.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { CHECKSUM_MISMATCH, checksumMismatch } from './parquet-checksums.ts';
import { decompressParquetPage, PARQUET_DECOMPRESSORS } from './parquet-codecs.ts';
import { readPageHeader } from './parquet-thrift.ts';

/** How a column's stored numbers become the Float64 values of the series. */
export type ColumnScale =
  /** The number as stored (DOUBLE, FLOAT, INT32, INT64). */
  | { readonly kind: 'number' }
  /** An INT32 that holds an unsigned 32-bit integer (UINT_32): its bits read as unsigned. */
  | { readonly kind: 'uint32' }
  /** An INT64 timestamp in `perMs` units per millisecond, as epoch ms (see {@link unitsToMs}). */
  | { readonly kind: 'timestamp'; readonly perMs: number };

/** The range a caller accepts; a column with a value outside it is flagged {@link FlatColumn.suspect}. */
export interface ColumnRange {
  readonly min: number;
  readonly max: number;
}

/** Finite numbers: what every reading must be (±Infinity is not a reading). */
export const FINITE: ColumnRange = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };

/** A column read by {@link readFlatColumnChecked}. */
export interface FlatColumn {
  /** One value per row, NaN for a null. */
  readonly values: Float64Array;
  /** How many rows are null. */
  readonly nulls: number;
  /**
   * True when a value may lie outside the range asked for: then the caller checks row by row.
   * False means none does (a dictionary is judged as a whole: a bad entry flags the column even
   * if no row uses it).
   */
  readonly suspect: boolean;
  /**
   * True when the reader proved the column strictly increasing: delta-encoded pages whose every
   * block's least delta is at least 1, each page starting above the last. A timestamp column
   * written by a regular writer is; then the caller need not check its order row by row.
   * False says nothing (another encoding, a null, a block with a delta below 1).
   */
  readonly increasing: boolean;
}

/**
 * Reads the top-level primitive column `name` of every row group of a Parquet file (its bytes,
 * whole) into a Float64Array of `num_rows` values, NaN for a null.
 */
export function readFlatColumn(file: ArrayBuffer | Uint8Array, metadata: FileMetaData, name: string, scale: ColumnScale): Float64Array {
  return readFlatColumnChecked(file, metadata, name, scale, FINITE).values;
}

/**
 * {@link readFlatColumn}, also counting nulls and flagging values outside `range`; into `into`
 * when given (`num_rows` long), so a caller can put a file's columns in one buffer.
 */
export function readFlatColumnChecked(
  file: ArrayBuffer | Uint8Array,
  metadata: FileMetaData,
  name: string,
  scale: ColumnScale,
  range: ColumnRange,
  into?: Float64Array,
): FlatColumn {
  const rows = Number(metadata.num_rows);
  if (into && into.length !== rows) throw new RangeError(`column ${name}: ${into.length} places for ${rows} rows`);
  const out = into ?? new Float64Array(rows);
  const schemaPath = schemaPathOf(metadata, name);
  const element = schemaPath[schemaPath.length - 1]?.element as SchemaElement;
  const maxDef = element.repetition_type === 'REQUIRED' ? 0 : 1;
  const bytesOfFile = file instanceof Uint8Array ? file : new Uint8Array(file);
  const view = new DataView(bytesOfFile.buffer, bytesOfFile.byteOffset, bytesOfFile.byteLength);
  const state: ReadState = { nulls: 0, suspect: false, increasing: true };
  // The row groups must hold the file's rows: fewer would leave rows of zeros (1970, 0 V), more
  // would write past the column into the caller's next one.
  const groupRows = metadata.row_groups.reduce((a, g) => a + Number(g.num_rows), 0);
  if (groupRows !== rows) throw new Error(`its row groups hold ${groupRows} rows, its footer says ${rows}`);
  let row = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name)?.meta_data;
    if (!chunk) throw new Error(`column ${name} has no chunk in a row group`);
    const where = `column ${name}, row group ${g + 1}`;
    const decoder: ColumnDecoder = {
      pathInSchema: [name],
      type: chunk.type,
      element,
      schemaPath,
      codec: chunk.codec,
      parsers: undefined as never, // only convert() reads parsers, and this reader does its own conversion
      compressors: PARQUET_DECOMPRESSORS,
    };
    // As hyparquet does: a 0 dictionary offset (some writers) means none.
    const reader = { view, offset: Number(chunk.dictionary_page_offset || chunk.data_page_offset) };
    // The chunk's pages end here: a damaged page header's row count must not send the reader on
    // into the next column's pages, whose values it would take as this column's.
    const chunkEnd = Math.min(reader.offset + Number(chunk.total_compressed_size), bytesOfFile.length);
    const end = row + Number(group.num_rows);
    let dictionary: DecodedArray | undefined;
    let dict: Float64Array | undefined;
    while (row < end) {
      if (reader.offset >= chunkEnd) throw new Error(`${where}: its pages hold ${row - (end - Number(group.num_rows))} rows, the row group ${group.num_rows}`);
      const header = readPageHeader(bytesOfFile, reader, chunkEnd);
      // A damaged header's negative size would send the reader back to a page it has read, forever.
      if (!(header.compressed_page_size >= 0 && header.uncompressed_page_size >= 0)) throw new Error(`${where}: a page of a negative size`);
      // Checked: a file may be a view of a larger buffer, whose bytes past its end are not its own.
      if (reader.offset + header.compressed_page_size > bytesOfFile.length) throw new Error(`${where}: a page runs past the end of the file`);
      if (reader.offset + header.compressed_page_size > chunkEnd) throw new Error(`${where}: a page runs past the end of its column chunk`);
      const damage = dataPageProblem(header, end - row);
      if (damage) throw new Error(`${where}: ${damage}`);
      const bytes = bytesOfFile.subarray(reader.offset, reader.offset + header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      // A writer's CRC-32 of the page's bytes (Spark writes one; pyarrow on request): a byte the
      // disk or a copy flipped would otherwise read as a wrong number, silently.
      if (checksumMismatch(bytes, header.crc)) throw new Error(`${where}: ${CHECKSUM_MISMATCH}`);
      if (header.type === 'DICTIONARY_PAGE') {
        const page = decompressParquetPage(bytes, header.uncompressed_page_size, chunk.codec);
        const entries = header.dictionary_page_header?.num_values ?? 0;
        if (chunk.type === 'DOUBLE' && scale.kind === 'number') {
          dictionary = dict = plainDoubles(page, entries);
        } else {
          const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
          dictionary = readPlain(pageReader, chunk.type, entries, element.type_length);
          dict = toFloat64(dictionary, scale);
        }
        // Judged once for the chunk: no row can hold a value its dictionary does not.
        if (outside(dict, 0, dict.length, range)) state.suspect = true;
        continue;
      }
      const fast = decodePageInto(out, row, bytes, header, chunk.type, chunk.codec, maxDef, element.type_length, dict, scale, range, state);
      if (fast !== undefined) {
        // A page starting at or below the previous page's last value breaks the order between them.
        if (fast > 0 && row > 0 && !(out[row]! > out[row - 1]!)) state.increasing = false;
        row += fast;
        continue;
      }
      state.increasing = false; // hyparquet's readers prove nothing about order
      let levels: number[] | undefined;
      let data: DecodedArray;
      let rows: number;
      let encoding: string;
      if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
        ({ definitionLevels: levels, dataPage: data } = readDataPageV2(bytes, header, decoder));
        rows = header.data_page_header_v2.num_rows;
        encoding = header.data_page_header_v2.encoding;
      } else if (header.type === 'DATA_PAGE' && header.data_page_header) {
        const page = decompressParquetPage(bytes, header.uncompressed_page_size, chunk.codec);
        ({ definitionLevels: levels, dataPage: data } = readDataPage(page, header.data_page_header, decoder));
        rows = header.data_page_header.num_values;
        encoding = header.data_page_header.encoding;
      } else {
        continue; // an index page, or another page a reader may skip
      }
      const isDict = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
      if (isDict && !dictionary) throw new Error(`column ${name}: a dictionary-encoded page without a dictionary`);
      // hyparquet gives no levels (an empty array) for a page without nulls.
      state.nulls += fill(out, row, rows, maxDef && levels?.length ? levels : undefined, maxDef, data, isDict ? dictionary : undefined, scale);
      if (!isDict && outside(out, row, row + rows, range)) state.suspect = true;
      row += rows;
    }
  }
  return { values: out, nulls: state.nulls, suspect: state.suspect, increasing: state.increasing && state.nulls === 0 };
}

const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * What is wrong with a data page's header, for a flat column with `left` rows of its row group
 * still to read, or undefined. A flat column has one value (or null) a row, so a page's counts
 * agree with each other and fit in its row group; a damaged header that says otherwise made the
 * decoders read levels or values that are not there (or loop on them), or took the next
 * column's values as this one's.
 */
function dataPageProblem(header: PageHeader, left: number): string | undefined {
  if (header.type === 'DATA_PAGE') {
    const h = header.data_page_header;
    if (!h || !count(h.num_values)) return 'a data page header without its number of values';
    if (h.num_values > left) return `a page of ${h.num_values} rows where its row group has ${left} left`;
  } else if (header.type === 'DATA_PAGE_V2') {
    const h = header.data_page_header_v2;
    if (!h || !count(h.num_rows) || !count(h.num_values) || !count(h.num_nulls) || !count(h.definition_levels_byte_length) || !count(h.repetition_levels_byte_length)) {
      return 'a data page (v2) header without its counts of rows, values, nulls and level bytes';
    }
    if (h.num_rows > left) return `a page of ${h.num_rows} rows where its row group has ${left} left`;
    if (h.num_values !== h.num_rows || h.num_nulls > h.num_rows) return `a page of ${h.num_rows} rows that says it holds ${h.num_values} values, ${h.num_nulls} of them null`;
    if (h.definition_levels_byte_length + h.repetition_levels_byte_length > header.compressed_page_size) return 'a page whose levels are longer than the page';
  }
  return undefined;
}

const schemaTrees = new WeakMap<FileMetaData, SchemaTree>();

/** A file's schema tree, built once for the caller's checks and all of the file's columns. */
export function schemaTreeOf(metadata: FileMetaData): SchemaTree {
  let tree = schemaTrees.get(metadata);
  if (!tree) schemaTrees.set(metadata, (tree = parquetSchema(metadata)));
  return tree;
}

const schemaPaths = new WeakMap<FileMetaData, Map<string, SchemaTree[]>>();

/**
 * The schema path of a top-level column: from a map of the file's top-level columns, made at
 * its first column (hyparquet's getTreePath, a search per column, was 13 ms of loading the
 * default fleet). A name the schema does not hold is refused as getTreePath refuses it.
 */
function schemaPathOf(metadata: FileMetaData, name: string): SchemaTree[] {
  let paths = schemaPaths.get(metadata);
  if (!paths) {
    const tree = schemaTreeOf(metadata);
    paths = new Map();
    // The first of two same-named columns, as getTreePath's find() gives.
    for (const child of tree.children) if (!paths.has(child.element.name)) paths.set(child.element.name, [tree, child]);
    schemaPaths.set(metadata, paths);
  }
  const found = paths.get(name);
  if (!found) throw new Error(`parquet schema element not found: ${name}`);
  return found;
}

/** What a column read has seen so far. */
interface ReadState {
  nulls: number;
  suspect: boolean;
  /** False once a page is not proved strictly increasing (see {@link FlatColumn.increasing}). */
  increasing: boolean;
}

/**
 * True when a value of `values[from, to)` lies outside `range` or is NaN: a null (NaN in the
 * rows) flags its column too, so that the caller, who knows the column's nulls, can tell a
 * stored NaN from them.
 */
function outside(values: Float64Array, from: number, to: number, range: ColumnRange): boolean {
  const { min, max } = range;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!(v >= min && v <= max)) return true;
  }
  return false;
}

/** Writes one page's `rows` values from `row` on: the k-th non-null value at the k-th row whose level is the maximum. Returns the nulls. */
function fill(
  out: Float64Array,
  row: number,
  rows: number,
  levels: readonly number[] | undefined,
  maxDef: number,
  data: DecodedArray,
  dict: DecodedArray | undefined,
  scale: ColumnScale,
): number {
  const value = (k: number): number => scaledValue(dict ? dict[data[k] as number] : data[k], scale);
  let k = 0;
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    if (levels !== undefined && levels[i] !== maxDef) {
      out[row + i] = NaN;
      nulls++;
      continue;
    }
    out[row + i] = value(k);
    k++;
  }
  return nulls;
}

/**
 * Decodes a flat column's data page (v1 or v2; PLAIN, dictionary or delta values) straight into
 * `out` from `row` on, and returns its rows; undefined for anything else (another encoding,
 * levels deeper than 1), which the caller then reads with hyparquet's readers.
 */
function decodePageInto(
  out: Float64Array,
  row: number,
  bytes: Uint8Array,
  header: PageHeader,
  type: ParquetType,
  codec: string,
  maxDef: number,
  typeLength: number | undefined,
  dict: Float64Array | undefined,
  scale: ColumnScale,
  range: ColumnRange,
  state: ReadState,
): number | undefined {
  if (maxDef > 1) return undefined;
  let rows: number;
  let encoding: string;
  let levels: Uint8Array | undefined;
  let page: Uint8Array;
  let nulls = 0;
  if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
    const h = header.data_page_header_v2;
    if (h.repetition_levels_byte_length !== 0) return undefined;
    rows = h.num_rows;
    encoding = h.encoding;
    const levelBytes = h.definition_levels_byte_length;
    if (maxDef && h.num_nulls > 0) {
      levels = levelsOf(rows);
      readLevels(bytes, 0, levelBytes, levels, rows);
      nulls = h.num_nulls;
    }
    const body = bytes.subarray(levelBytes);
    const size = header.uncompressed_page_size - levelBytes;
    page = h.is_compressed === false || size === 0 ? body : decompressParquetPage(body, size, codec);
  } else if (header.type === 'DATA_PAGE' && header.data_page_header) {
    const h = header.data_page_header;
    if (maxDef && h.definition_level_encoding !== 'RLE') return undefined;
    rows = h.num_values;
    encoding = h.encoding;
    const full = decompressParquetPage(bytes, header.uncompressed_page_size, codec);
    let at = 0;
    if (maxDef) {
      const len = full[0]! | (full[1]! << 8) | (full[2]! << 16) | (full[3]! << 24);
      levels = levelsOf(rows);
      readLevels(full, 4, 4 + len, levels, rows);
      for (let i = 0; i < rows; i++) nulls += 1 - levels[i]!;
      if (nulls === 0) levels = undefined;
      at = 4 + len;
    }
    page = full.subarray(at);
  } else {
    return undefined;
  }
  const count = rows - nulls;
  if (encoding !== 'DELTA_BINARY_PACKED') state.increasing = false;
  if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
    const width = page[0] ?? 0;
    if (width > 24) return undefined;
    if (!dict) throw new Error('a dictionary-encoded page without a dictionary');
    gatherHybrid(page, 1, page.length, width, dict, out, row, count);
    if (levels) spreadInPlace(out, row, rows, levels, count);
  } else {
    let values: Float64Array | undefined;
    let increasing = false;
    if (encoding === 'PLAIN' && type === 'DOUBLE' && !levels && scale.kind === 'number') {
      // Little-endian doubles, as Parquet stores them: one byte copy, whatever the alignment.
      if (page.length < count * 8) throw new Error(`a PLAIN page of ${count} doubles holds ${page.length} bytes`);
      new Uint8Array(out.buffer, out.byteOffset + row * 8, count * 8).set(page.subarray(0, count * 8));
    } else if (encoding === 'PLAIN') {
      const view = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      values = toFloat64(readPlain(view, type, count, typeLength), scale);
    } else if (encoding === 'DELTA_BINARY_PACKED' && (type === 'INT64' || type === 'INT32')) {
      // Timestamps: as Numbers when they fit (no BigInt per row), else hyparquet's BigInt decoder.
      // Without nulls straight into the rows; with them, into the page's values, then spread.
      let least = levels ? NaN : deltaInto(page, count, out, row);
      if (least === least) rescaleInPlace(out, row, row + count, scale);
      else {
        values = new Float64Array(count);
        least = deltaInto(page, count, values, 0);
        if (least === least) rescaleInPlace(values, 0, count, scale);
        else {
          const wide = type === 'INT32' ? new Int32Array(count) : new BigInt64Array(count);
          deltaBinaryUnpack({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, count, wide);
          values = toFloat64(wide, scale);
        }
      }
      // Every delta at least 1: the page's values strictly increase (in whole units: divided by
      // another unit, two near values could round to one double, so only milliseconds count).
      increasing = least >= 1 && (scale.kind !== 'timestamp' || scale.perMs === 1) && !levels && !values;
      if (!increasing) state.increasing = false;
    } else {
      return undefined;
    }
    if (values) {
      if (levels) spreadIndexed(out, row, rows, levels, values);
      else out.set(values.subarray(0, rows), row);
    }
    // An increasing page lies between its first and last values: only those two are judged.
    const suspect = increasing ? rows > 0 && (out[row]! < range.min || out[row + rows - 1]! > range.max) : outside(out, row, row + rows, range);
    if (suspect) state.suspect = true;
  }
  state.nulls += nulls;
  return rows;
}

/**
 * Spreads a page's `count` values, written packed at `out[row, row + count)`, over its `rows`
 * rows: NaN where the level says null. Backwards, in place: a value only ever moves to a later
 * row, so it is read before anything overwrites it. No array of indices or values between. A
 * null is rare (a dropout of a few samples), so each run of values between two nulls moves as
 * one block (copyWithin) instead of a value at a time: 162 pages of the default fleet have
 * nulls, 1,375 rows in 1.4 million.
 */
function spreadInPlace(out: Float64Array, row: number, rows: number, levels: Uint8Array, count: number): void {
  let k = row + count; // one past the last packed value not yet in its row
  let i = rows; // one past the last row not yet written
  while (i > 0) {
    const j = levels.lastIndexOf(0, i - 1); // the last null before row i, or -1
    const run = i - j - 1;
    // A damaged page's levels may count more values than its header: they would come from the rows before.
    if (k - run < row) break;
    if (k !== row + i) out.copyWithin(row + j + 1, k - run, k);
    k -= run;
    if (j < 0) {
      i = 0;
      break;
    }
    out[row + j] = NaN;
    i = j;
  }
  if (i > 0 || k !== row) throw new Error(`a page whose levels hold another number of values than its ${count}`);
}

/** Writes `rows` rows from `row` on: NaN where the level says null, else the next of `values`. */
function spreadIndexed(out: Float64Array, row: number, rows: number, levels: Uint8Array, values: Float64Array): void {
  let k = 0;
  for (let i = 0; i < rows; i++) out[row + i] = levels[i] === 0 ? NaN : values[k++]!;
}

/**
 * Dictionary indices in the RLE / bit-packing hybrid, from `bytes[pos, end)`, looked up in
 * `dict` as they are unpacked and written to `out[at, at + count)`: no array of indices between.
 * The loops are small functions of their own: a cold process (the bench's, a CLI's) gets them
 * optimized after a few pages, where one large function kept deoptimizing on branches it had
 * not yet seen and ran the first hundred thousand values in the interpreter.
 */
function gatherHybrid(bytes: Uint8Array, pos: number, end: number, width: number, dict: Float64Array, out: Float64Array, at: number, count: number): void {
  const mask = width === 0 ? 0 : (1 << width) - 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let seen = 0;
  while (seen < count && pos < end) {
    let header = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[pos++]!;
      header |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const groups = header >>> 1;
    let bad: number;
    if (header & 1) {
      // Bit-packed: groups of 8 values, `width` bytes each. Each index is read from the 4 bytes that
      // hold it (width <= 24, plus a shift of up to 7 bits) while they are in the page.
      const n = Math.min(groups * 8, count - seen);
      const safe = Math.max(0, Math.min(n, Math.floor(((bytes.length - 4 - pos) * 8) / width) + 1));
      bad = unpackIndices(view, pos * 8, width, mask, dict, out, at + seen, at + seen + safe);
      if (bad < 0 && safe < n) bad = unpackIndicesNearEnd(bytes, pos * 8 + safe * width, width, mask, dict, out, at + seen + safe, at + seen + n);
      seen += n;
      pos += groups * width;
    } else {
      let index = 0;
      for (let i = 0; i < (width + 7) >> 3; i++) index |= bytes[pos++]! << (8 * i);
      const stop = Math.min(count, seen + groups);
      bad = index < dict.length ? repeat(dict[index]!, out, at + seen, at + stop) : index;
      seen = stop;
    }
    if (bad >= 0) throw new Error(`dictionary index ${bad} past the dictionary's ${dict.length} values`);
  }
  if (seen < count) throw new Error(`a dictionary page holds ${seen} indices for ${count} values`);
}

/** Bit-packed indices from bit `bit` on, looked up into `out[from, to)`; -1, or the first index past the dictionary. */
function unpackIndices(view: DataView, bit: number, width: number, mask: number, dict: Float64Array, out: Float64Array, from: number, to: number): number {
  const size = dict.length;
  for (let o = from; o < to; o++, bit += width) {
    const index = (view.getUint32(bit >>> 3, true) >>> (bit & 7)) & mask;
    if (index >= size) return index;
    out[o] = dict[index]!;
  }
  return -1;
}

/** {@link unpackIndices} for the last values of a page, whose 4 bytes would run past its end. */
function unpackIndicesNearEnd(bytes: Uint8Array, bit: number, width: number, mask: number, dict: Float64Array, out: Float64Array, from: number, to: number): number {
  for (let o = from; o < to; o++, bit += width) {
    let word = 0;
    for (let k = 0, p = bit >>> 3; k < 4 && p < bytes.length; k++, p++) word |= bytes[p]! << (8 * k);
    const index = (word >>> (bit & 7)) & mask;
    if (index >= dict.length) return index;
    out[o] = dict[index]!;
  }
  return -1;
}

/** A run of one value: a loop, as runs are short in sensor data (a reading held a few samples) and fill()'s call costs more. */
function repeat(v: number, out: Float64Array, from: number, to: number): number {
  for (let o = from; o < to; o++) out[o] = v;
  return -1;
}

/**
 * Definition levels of a flat column (the RLE / bit-packing hybrid, 1 bit wide), from
 * `bytes[pos, end)` into `out[0, count)`; levels the page does not hold are 0 (null), as `out` is
 * scratch space that holds another page's levels.
 */
function readLevels(bytes: Uint8Array, pos: number, end: number, out: Uint8Array, count: number): void {
  let seen = 0;
  while (seen < count && pos < end) {
    let header = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[pos++]!;
      header |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (header & 1) {
      // Bit-packed: groups of 8 levels, one byte each, least significant bit first.
      for (let g = header >>> 1; g > 0; g--) {
        const byte = bytes[pos++]!;
        for (let j = 0; j < 8 && seen < count; j++) out[seen++] = (byte >>> j) & 1;
      }
    } else {
      const stop = Math.min(count, seen + (header >>> 1));
      out.fill(bytes[pos++]!, seen, stop);
      seen = stop;
    }
  }
  if (seen < count) out.fill(0, seen, count);
}

/**
 * Scratch space for what lives only while one column chunk or page is decoded (its dictionary,
 * its levels): grown when needed, never freed. Allocating them per chunk was 2,000 small
 * ArrayBuffers for the default fleet, each counted as external memory, and garbage at once.
 */
let dictScratch = new Float64Array(1024);
let levelScratch = new Uint8Array(16 * 1024);

/** A PLAIN page of `count` doubles (a dictionary) as a view of the dictionary scratch: valid until the next call. */
function plainDoubles(page: Uint8Array, count: number): Float64Array {
  if (page.length < count * 8) throw new Error(`a PLAIN page of ${count} doubles holds ${page.length} bytes`);
  if (dictScratch.length < count) dictScratch = new Float64Array(Math.max(count, dictScratch.length * 2));
  new Uint8Array(dictScratch.buffer, 0, count * 8).set(page.subarray(0, count * 8));
  return dictScratch.subarray(0, count);
}

/** Room for a page's `rows` definition levels in the level scratch: valid until the next call. */
function levelsOf(rows: number): Uint8Array {
  if (levelScratch.length < rows) levelScratch = new Uint8Array(Math.max(rows, levelScratch.length * 2));
  return levelScratch;
}

function toFloat64(data: DecodedArray, scale: ColumnScale): Float64Array {
  if (scale.kind === 'timestamp' && scale.perMs !== 1) return instantsToMs(data, scale.perMs);
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  if (scale.kind === 'uint32') {
    for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) >>> 0;
    return out;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = typeof v === 'bigint' ? Number(v) : (v as number);
  }
  return out;
}

/** One stored value (a Number or a BigInt) as the series holds it under `scale`. */
function scaledValue(v: unknown, scale: ColumnScale): number {
  if (scale.kind === 'timestamp' && scale.perMs !== 1) return typeof v === 'bigint' ? bigUnitsToMs(v, scale.perMs) : unitsToMs(v as number, scale.perMs);
  if (scale.kind === 'uint32') return (v as number) >>> 0;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** `values[from, to)`, decoded as stored integers (exact Numbers), as the series holds them under `scale`. */
function rescaleInPlace(values: Float64Array, from: number, to: number, scale: ColumnScale): void {
  if (scale.kind === 'timestamp' && scale.perMs !== 1) for (let i = from; i < to; i++) values[i] = unitsToMs(values[i]!, scale.perMs);
  else if (scale.kind === 'uint32') for (let i = from; i < to; i++) values[i] = values[i]! >>> 0;
}

/**
 * An instant of `v` units (`perMs` a millisecond: MICROS 1e3, NANOS 1e6), an integer below 2^53,
 * as epoch ms the way the CSV reader reads the same instant's text (parseTimestampAt): whole
 * seconds × 1000 plus the second's fraction in ms. A whole number of ms is exact (dividing the
 * whole count was not: 1767141895122000000 ns became …121.9998 ms, and a timestamp repeated in
 * a ms part and a ns part escaped the "in one part only" check); a fraction of a ms is kept, as
 * the CSV's `.122999756Z` keeps it, the same double in both.
 */
function unitsToMs(v: number, perMs: number): number {
  const perSecond = perMs * 1000;
  const s = Math.floor(v / perSecond);
  return secondsAndRestToMs(s, v - s * perSecond, perSecond, perMs);
}

/**
 * `s` seconds and `f` units as epoch ms, `s` first put right when it is off by one (`f` then
 * outside [0, perSecond)): the last step of {@link unitsToMs} and {@link instantsToMs}.
 */
function secondsAndRestToMs(s: number, f: number, perSecond: number, perMs: number): number {
  if (f < 0) {
    s--;
    f += perSecond;
  } else if (f >= perSecond) {
    s++;
    f -= perSecond;
  }
  return s * 1000 + f / perMs;
}

/** {@link unitsToMs} of a BigInt (any INT64): exact in BigInts, for the rare value read one at a time. */
function bigUnitsToMs(v: bigint, perMs: number): number {
  const perSecond = BigInt(perMs * 1000);
  let s = v / perSecond;
  let f = v % perSecond;
  if (f < 0n) {
    s -= 1n;
    f += perSecond;
  }
  return Number(s) * 1000 + Number(f) / perMs;
}

/**
 * {@link unitsToMs} of every value, the same double as {@link bigUnitsToMs} gives. A BigInt64Array
 * (PLAIN INT64 pages: NANOS timestamps, pandas' default, are past 2^53) is read as its two 32-bit
 * halves, without a BigInt a row: the seconds are the quotient of the value as a double (off by at
 * most one: its rounding error is under 2^10, the unit of a second at least 10^6), and the
 * remainder is exact in 32-bit arithmetic, since it lies within (−1, 2) seconds of units (< 2^31).
 */
function instantsToMs(data: DecodedArray, perMs: number): Float64Array {
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array) {
    const perSecond = perMs * 1000;
    const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    for (let i = 0; i < data.length; i++) {
      const lo = words[2 * i]! >>> 0;
      const s = Math.floor((words[2 * i + 1]! * 4294967296 + lo) / perSecond);
      out[i] = secondsAndRestToMs(s, (lo - (Math.imul(s, perSecond) >>> 0)) | 0, perSecond, perMs);
    }
    return out;
  }
  for (let i = 0; i < data.length; i++) out[i] = scaledValue(data[i], { kind: 'timestamp', perMs });
  return out;
}

/** A read position in a page, moved by {@link varint}. */
interface Cursor {
  pos: number;
}

/**
 * An unsigned LEB128 varint at the cursor as a Number (exact below 2^53); the cursor moves past
 * it. Not a [value, position] pair: until V8 optimizes the caller, destructuring a pair walks
 * the iterator protocol, and that made the timestamps cost 8× a sensor's values a row.
 */
function varint(bytes: Uint8Array, at: Cursor): number {
  let pos = at.pos;
  let v = 0;
  let scale = 1;
  let b: number;
  do {
    b = bytes[pos++]!;
    v += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  at.pos = pos;
  return v;
}

const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** `width` bits (up to 52) from bit `bit` of `bytes`, least significant first, as a Number. */
function bitsAt(bytes: Uint8Array, bit: number, width: number): number {
  let v = 0;
  let scale = 1;
  let p = bit >>> 3;
  let shift = bit & 7;
  for (let got = 0; got < width; p++, shift = 0) {
    const take = Math.min(8 - shift, width - got);
    v += ((bytes[p]! >>> shift) & ((1 << take) - 1)) * scale;
    scale *= 2 ** take;
    got += take;
  }
  return v;
}

/**
 * DELTA_BINARY_PACKED values as Numbers into `out[at, at + count)`, for the common case of a
 * timestamp column: every value and delta within ±2^53 (miniblock widths up to 52 bits). Returns
 * the least of its blocks' minimum deltas (at least 1: the values strictly increase), or NaN
 * when the page cannot be read so (the caller then decodes with BigInts and overwrites what was
 * written). A gap in a series (hours without a sample) packs its miniblock at 25 bits and more:
 * those take the slow bit reader, the others a 32-bit read per value.
 */
function deltaInto(bytes: Uint8Array, count: number, out: Float64Array, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at0: Cursor = { pos: 0 };
  const blockSize = varint(bytes, at0);
  const miniblocks = varint(bytes, at0);
  varint(bytes, at0); // the total count, known from the page header
  const first = varint(bytes, at0);
  const perMiniblock = blockSize / miniblocks;
  // A block of no values (a damaged header) would never move past its first miniblock.
  if (!Number.isSafeInteger(first) || !Number.isInteger(perMiniblock) || perMiniblock <= 0 || perMiniblock % 8 !== 0) return NaN;
  let value = unzigzag(first);
  let least = Infinity;
  const end = at + count;
  if (count > 0) out[at] = value;
  let o = at + 1;
  while (o < end) {
    // Reads past the end of a typed array give undefined, not an error: a damaged page stops here.
    if (at0.pos >= bytes.length) return NaN;
    const zigzag = varint(bytes, at0);
    if (!Number.isSafeInteger(zigzag)) return NaN;
    const minDelta = unzigzag(zigzag);
    if (minDelta < least) least = minDelta;
    const widthsAt = at0.pos;
    let pos = widthsAt + miniblocks;
    for (let m = 0; m < miniblocks && o < end; m++) {
      const width = bytes[widthsAt + m]!;
      const stop = Math.min(end, o + perMiniblock);
      const last = pos + Math.ceil(((stop - o) * width) / 8);
      if (width > 52 || last > bytes.length) return NaN;
      // A 4-byte read of the last value's bits must stay in the page: the page's last miniblock takes the byte reader.
      if (width <= 24 && last + 4 <= bytes.length) value = unpackDeltas(view, pos * 8, width, minDelta, value, out, o, stop);
      else if (width <= 24) value = unpackDeltasNearEnd(bytes, pos, width, minDelta, value, out, o, stop);
      else for (let i = 0; o < stop; i++) out[o++] = value += minDelta + bitsAt(bytes, pos * 8 + i * width, width);
      o = stop;
      pos += (perMiniblock * width) / 8;
    }
    at0.pos = pos;
    if (!Number.isSafeInteger(value)) return NaN;
  }
  return least;
}

/** One miniblock of deltas of up to 24 bits from bit `bit` on: running sums from `value` into `out[from, to)`; the last sum. */
function unpackDeltas(view: DataView, bit: number, width: number, minDelta: number, value: number, out: Float64Array, from: number, to: number): number {
  const mask = width === 0 ? 0 : (1 << width) - 1;
  for (let o = from; o < to; o++, bit += width) {
    value += minDelta + ((view.getUint32(bit >>> 3, true) >>> (bit & 7)) & mask);
    out[o] = value;
  }
  return value;
}

/** {@link unpackDeltas} a byte at a time, for a page's last miniblock, whose 4-byte reads would run past its end. */
function unpackDeltasNearEnd(bytes: Uint8Array, pos: number, width: number, minDelta: number, value: number, out: Float64Array, from: number, to: number): number {
  const mask = width === 0 ? 0 : (1 << width) - 1;
  let buf = 0;
  let bits = 0;
  for (let o = from; o < to; o++) {
    while (bits < width) {
      buf |= bytes[pos++]! << bits;
      bits += 8;
    }
    value += minDelta + (buf & mask);
    out[o] = value;
    buf >>>= width;
    bits -= width;
  }
  return value;
}
