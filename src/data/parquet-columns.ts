/**
 * Flat Parquet columns straight into Float64Arrays, page by page, with hyparquet's own page
 * decoders (headers, decompression, levels, PLAIN, dictionary, delta) but without its row
 * assembly: `parquetRead` assembles every column into a JS array through the general
 * nested-data (Dremel) algorithm, which was most of the time of reading a series (profiled:
 * ~30 % in assembleLists alone, then the arrays of boxed numbers and nulls to copy again). A
 * series file is flat (a timestamp and one number column per sensor), so a null is just a
 * definition level below the maximum, and a value lands in its row directly.
 *
 * Reads DATA_PAGE (v1, as Spark writes) and DATA_PAGE_V2 (hyparquet-writer), every encoding
 * hyparquet decodes; the codecs hyparquet decompresses by itself (SNAPPY, UNCOMPRESSED): any
 * other throws, and the caller reports the file as unreadable.
 */
import type { DecodedArray, FileMetaData, PageHeader, ParquetType, SchemaElement } from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { deltaBinaryUnpack } from 'hyparquet/src/delta.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getSchemaPath } from 'hyparquet/src/schema.js';

/** How a column's stored numbers become the Float64 values of the series. */
export type ColumnScale =
  /** The number as stored (DOUBLE, FLOAT, INT32, INT64). */
  | { readonly kind: 'number' }
  /** An INT64 timestamp in `perMs` units per millisecond, as epoch ms. */
  | { readonly kind: 'timestamp'; readonly perMs: number };

/**
 * Reads the top-level primitive column `name` of every row group of a Parquet file into a
 * Float64Array of `num_rows` values, NaN for a null.
 */
export function readFlatColumn(buffer: ArrayBuffer, metadata: FileMetaData, name: string, scale: ColumnScale): Float64Array {
  const out = new Float64Array(Number(metadata.num_rows));
  const schemaPath = getSchemaPath(metadata.schema, [name]);
  const element = schemaPath[schemaPath.length - 1]?.element as SchemaElement;
  const maxDef = element.repetition_type === 'REQUIRED' ? 0 : 1;
  const view = new DataView(buffer);
  let row = 0;
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name)?.meta_data;
    if (!chunk) throw new Error(`column ${name} has no chunk in a row group`);
    const decoder: ColumnDecoder = {
      pathInSchema: [name],
      type: chunk.type,
      element,
      schemaPath,
      codec: chunk.codec,
      parsers: undefined as never, // only convert() reads parsers, and this reader does its own conversion
    };
    // As hyparquet does: a 0 dictionary offset (some writers) means none.
    const reader = { view, offset: Number(chunk.dictionary_page_offset || chunk.data_page_offset) };
    const end = row + Number(group.num_rows);
    let dictionary: DecodedArray | undefined;
    floatDictionaryCache = undefined;
    while (row < end) {
      const header = parquetHeader(reader);
      const bytes = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      if (header.type === 'DICTIONARY_PAGE') {
        const page = decompressPage(bytes, header.uncompressed_page_size, chunk.codec, undefined);
        const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
        dictionary = readPlain(pageReader, chunk.type, header.dictionary_page_header?.num_values ?? 0, element.type_length);
        continue;
      }
      const fast = decodePageFast(bytes, header, chunk.type, chunk.codec, maxDef, element.type_length);
      if (fast) {
        const dict = fast.indices ? floatDictionary(dictionary, scale) : undefined;
        if (fast.indices && !dict) throw new Error(`column ${name}: a dictionary-encoded page without a dictionary`);
        fillTyped(out, row, fast, dict, scale);
        row += fast.rows;
        continue;
      }
      let levels: number[] | undefined;
      let data: DecodedArray;
      let rows: number;
      let encoding: string;
      if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
        ({ definitionLevels: levels, dataPage: data } = readDataPageV2(bytes, header, decoder));
        rows = header.data_page_header_v2.num_rows;
        encoding = header.data_page_header_v2.encoding;
      } else if (header.type === 'DATA_PAGE' && header.data_page_header) {
        const page = decompressPage(bytes, header.uncompressed_page_size, chunk.codec, undefined);
        ({ definitionLevels: levels, dataPage: data } = readDataPage(page, header.data_page_header, decoder));
        rows = header.data_page_header.num_values;
        encoding = header.data_page_header.encoding;
      } else {
        continue; // an index page, or another page a reader may skip
      }
      const dict = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY' ? dictionary : undefined;
      if ((encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') && !dict) throw new Error(`column ${name}: a dictionary-encoded page without a dictionary`);
      // hyparquet gives no levels (an empty array) for a page without nulls.
      fill(out, row, rows, maxDef && levels?.length ? levels : undefined, maxDef, data, dict, scale);
      row += rows;
    }
  }
  return out;
}

/** Writes one page's `rows` values from `row` on: the k-th non-null value at the k-th row whose level is the maximum. */
function fill(
  out: Float64Array,
  row: number,
  rows: number,
  levels: readonly number[] | undefined,
  maxDef: number,
  data: DecodedArray,
  dict: DecodedArray | undefined,
  scale: ColumnScale,
): void {
  const perMs = scale.kind === 'timestamp' ? scale.perMs : 1;
  const value = (k: number): number => {
    const v = dict ? dict[data[k] as number] : data[k];
    return typeof v === 'bigint' ? Number(v) / perMs : (v as number);
  };
  // The common case: Float64 values, no dictionary or a Float64 one, no nulls or few.
  const plain = data instanceof Float64Array && !dict;
  const fromDict = dict instanceof Float64Array;
  let k = 0;
  for (let i = 0; i < rows; i++) {
    if (levels !== undefined && levels[i] !== maxDef) {
      out[row + i] = NaN;
      continue;
    }
    out[row + i] = plain ? (data[k] as number) : fromDict ? (dict[data[k] as number] as number) : value(k);
    k++;
  }
}

/** One data page decoded into typed arrays: per-row levels, and values or dictionary indices. */
interface TypedPage {
  readonly rows: number;
  /** Definition level of each row (1 = a value, 0 = null); undefined when every row has a value. */
  readonly levels: Uint8Array | undefined;
  /** The non-null values in order, as stored (numbers; bigints for INT64)... */
  readonly values?: DecodedArray;
  /** ...or their dictionary indices. */
  readonly indices?: Int32Array;
}

/**
 * Decodes a flat column's data page (v1 or v2, SNAPPY or UNCOMPRESSED; PLAIN, dictionary or
 * delta values) into typed arrays, without the JS arrays hyparquet's page readers build (their
 * allocation and the garbage it makes were a third of a series read). Undefined for anything
 * else (another codec or encoding, levels deeper than 1): the caller then uses hyparquet's
 * readers.
 */
function decodePageFast(
  bytes: Uint8Array,
  header: PageHeader,
  type: ParquetType,
  codec: string,
  maxDef: number,
  typeLength: number | undefined,
): TypedPage | undefined {
  if (maxDef > 1 || (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED')) return undefined;
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
      levels = new Uint8Array(rows);
      readHybrid(bytes, 0, levelBytes, 1, levels, rows);
      nulls = h.num_nulls;
    }
    const body = bytes.subarray(levelBytes);
    const size = header.uncompressed_page_size - levelBytes;
    page = h.is_compressed === false || codec === 'UNCOMPRESSED' || size === 0 ? body : decompressPage(body, size, codec as never, undefined);
  } else if (header.type === 'DATA_PAGE' && header.data_page_header) {
    const h = header.data_page_header;
    if (maxDef && h.definition_level_encoding !== 'RLE') return undefined;
    rows = h.num_values;
    encoding = h.encoding;
    const full = decompressPage(bytes, header.uncompressed_page_size, codec as never, undefined);
    let at = 0;
    if (maxDef) {
      const len = full[0]! | (full[1]! << 8) | (full[2]! << 16) | (full[3]! << 24);
      levels = new Uint8Array(rows);
      readHybrid(full, 4, 4 + len, 1, levels, rows);
      for (let i = 0; i < rows; i++) nulls += 1 - levels[i]!;
      if (nulls === 0) levels = undefined;
      at = 4 + len;
    }
    page = full.subarray(at);
  } else {
    return undefined;
  }
  const count = rows - nulls;
  const view = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
    const indices = new Int32Array(count);
    const width = page[0] ?? 0;
    if (width > 24) return undefined;
    readHybrid(page, 1, page.length, width, indices, count);
    return { rows, levels, indices };
  }
  if (encoding === 'PLAIN') return { rows, levels, values: readPlain(view, type, count, typeLength) };
  if (encoding === 'DELTA_BINARY_PACKED' && (type === 'INT64' || type === 'INT32')) {
    // Timestamps: as Numbers when they fit (no BigInt per row), else hyparquet's BigInt decoder.
    let values: DecodedArray | undefined = deltaAsNumbers(page, count);
    if (!values) {
      values = type === 'INT32' ? new Int32Array(count) : new BigInt64Array(count);
      deltaBinaryUnpack(view, count, values);
    }
    return { rows, levels, values };
  }
  return undefined;
}

/**
 * The RLE / bit-packing hybrid of levels and dictionary indices (widths up to 24 bits), from
 * `bytes[pos, end)` into `out[0, count)`.
 */
function readHybrid(bytes: Uint8Array, pos: number, end: number, width: number, out: Uint8Array | Int32Array, count: number): void {
  const mask = width === 0 ? 0 : (1 << width) - 1;
  const valueBytes = (width + 7) >> 3;
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
      // Bit-packed: groups of 8 values, least significant bits first.
      const n = (header >>> 1) * 8;
      let buf = 0;
      let bits = 0;
      for (let i = 0; i < n; i++) {
        while (bits < width) {
          buf |= bytes[pos++]! << bits;
          bits += 8;
        }
        if (seen < count) out[seen] = buf & mask;
        seen++;
        buf >>>= width;
        bits -= width;
      }
    } else {
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value |= bytes[pos++]! << (8 * i);
      const stop = Math.min(count, seen + (header >>> 1));
      out.fill(value, seen, stop);
      seen = stop;
    }
  }
}

let floatDictionaryCache: { from: DecodedArray; to: Float64Array } | undefined;

/** The dictionary as Float64 values of the series (epoch ms for a timestamp), converted once per chunk. */
function floatDictionary(dict: DecodedArray | undefined, scale: ColumnScale): Float64Array | undefined {
  if (!dict) return undefined;
  if (floatDictionaryCache?.from === dict) return floatDictionaryCache.to;
  const to = toFloat64(dict, scale);
  floatDictionaryCache = { from: dict, to };
  return to;
}

function toFloat64(data: DecodedArray, scale: ColumnScale): Float64Array {
  const perMs = scale.kind === 'timestamp' ? scale.perMs : 1;
  if (data instanceof Float64Array && perMs === 1) return data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = typeof v === 'bigint' ? Number(v) / perMs : (v as number) / perMs;
  }
  return out;
}

/** Writes a typed page's rows from `row` on: NaN where the level says null. */
function fillTyped(out: Float64Array, row: number, page: TypedPage, dict: Float64Array | undefined, scale: ColumnScale): void {
  const { rows, levels, indices } = page;
  const values = page.values ? toFloat64(page.values, scale) : undefined;
  let k = 0;
  if (!levels) {
    if (indices && dict) for (let i = 0; i < rows; i++) out[row + i] = dict[indices[i]!]!;
    else if (values) out.set(values.subarray(0, rows), row);
    return;
  }
  for (let i = 0; i < rows; i++) {
    if (levels[i] === 0) out[row + i] = NaN;
    else out[row + i] = indices && dict ? dict[indices[k++]!]! : values![k++]!;
  }
}

/** An unsigned LEB128 varint as a Number (exact below 2^53), and the position after it. */
function varint(bytes: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let scale = 1;
  let b: number;
  do {
    b = bytes[pos++]!;
    v += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  return [v, pos];
}

const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/**
 * DELTA_BINARY_PACKED values as Numbers, for the common case of a timestamp column: every value
 * and delta within ±2^53 and miniblock widths up to 24 bits. Undefined otherwise (the caller then
 * decodes with BigInts).
 */
function deltaAsNumbers(bytes: Uint8Array, count: number): Float64Array | undefined {
  let pos = 0;
  let blockSize: number;
  let miniblocks: number;
  let first: number;
  [blockSize, pos] = varint(bytes, pos);
  [miniblocks, pos] = varint(bytes, pos);
  [, pos] = varint(bytes, pos); // the total count, known from the page header
  [first, pos] = varint(bytes, pos);
  const perMiniblock = blockSize / miniblocks;
  if (!Number.isSafeInteger(first) || !Number.isInteger(perMiniblock) || perMiniblock % 8 !== 0) return undefined;
  const out = new Float64Array(count);
  let value = unzigzag(first);
  if (count > 0) out[0] = value;
  let seen = 1;
  while (seen < count) {
    let minDelta: number;
    [minDelta, pos] = varint(bytes, pos);
    if (!Number.isSafeInteger(minDelta)) return undefined;
    minDelta = unzigzag(minDelta);
    const widthsAt = pos;
    pos += miniblocks;
    for (let m = 0; m < miniblocks && seen < count; m++) {
      const width = bytes[widthsAt + m]!;
      if (width > 24) return undefined;
      const mask = width === 0 ? 0 : (1 << width) - 1;
      let buf = 0;
      let bits = 0;
      for (let i = 0; i < perMiniblock; i++) {
        while (bits < width) {
          buf |= bytes[pos++]! << bits;
          bits += 8;
        }
        if (seen < count) {
          value += minDelta + (buf & mask);
          out[seen++] = value;
        }
        buf >>>= width;
        bits -= width;
      }
    }
    if (!Number.isSafeInteger(value)) return undefined;
  }
  return out;
}
