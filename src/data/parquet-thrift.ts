/**
 * The Thrift structures of a Parquet file a series reader needs, in hyparquet's shapes: the
 * footer (FileMetaData: the schema, the row groups and their column chunks' type, codec,
 * encodings, offsets and sizes) and page headers. Column and page statistics, page-encoding
 * stats and key-value metadata are skipped, not decoded.
 *
 * Why not hyparquet's `parquetMetadata` and `parquetHeader`: they decode every struct into an
 * object keyed `field_<id>` (a new string and a dictionary-mode object per field), every 64-bit
 * number as a BigInt, and every statistic, then copy the lot into named fields. For the default
 * fleet's 200 part files the footers were 45 ms of a 300 ms load. Here each struct is a loop
 * over its fields with no callback per struct and few calls per byte: a CLI's process reads
 * its footers before V8 has optimized anything, and in the interpreter a call costs more than
 * the byte it reads.
 *
 * Damage is an Error naming what is wrong (the caller says "not a readable Parquet file (…)"):
 * a field past the structure's end, a list longer than the bytes left, a struct nested deeper
 * than Parquet nests, a 64-bit number past 2^53 (no offset or count is that large), a required
 * field missing.
 */
import type { ColumnChunk, ColumnMetaData, FileMetaData, LogicalType, PageHeader, RowGroup, SchemaElement } from 'hyparquet';
import { CompressionCodecs, ConvertedTypes, Encodings, FieldRepetitionTypes, PageTypes, ParquetTypes } from 'hyparquet/src/constants.js';

// Thrift compact protocol's wire types.
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Deeper than any Parquet structure nests: only damage goes further. */
const MAX_DEPTH = 32;

/** The bytes being read and the position in them: one structure at a time, synchronously. */
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
/** What is being read, for messages: "its footer" or "a page header". */
let part = 'its footer';

const ended = (): Error => new Error(`${part} ends in the middle of a field`);

/** Runs `read` over `bytes[from, to)` as `what` is read; the bytes are let go after. */
function reading<T>(bytes: Uint8Array, from: number, to: number, what: string, read: () => T): T {
  buf = bytes;
  pos = from;
  end = to;
  part = what;
  try {
    return read();
  } finally {
    buf = new Uint8Array(0);
  }
}

function byte(): number {
  if (pos >= end) throw ended();
  return buf[pos++]!;
}

/** An unsigned LEB128 varint as a Number (exact below 2^53). */
function varint(): number {
  let v = 0;
  let scale = 1;
  for (let k = 0; k < 10; k++) {
    if (pos >= end) throw ended();
    const b = buf[pos++]!;
    v += (b & 0x7f) * scale;
    if (b < 0x80) return v;
    scale *= 128;
  }
  throw new Error(`${part} holds a varint of more than 10 bytes`);
}

/** A zigzag varint (i16, i32, i64) as a Number. */
function int(): number {
  const z = varint();
  if (z > Number.MAX_SAFE_INTEGER) throw new Error(`${part} holds a number past 2^53`);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

const big = (): bigint => BigInt(int());

function binary(): Uint8Array {
  const n = varint();
  if (n > end - pos) throw new Error(`${part} holds a string of ${n} bytes where ${end - pos} are left`);
  pos += n;
  return buf.subarray(pos - n, pos);
}

const utf8 = new TextDecoder();

/** A UTF-8 string: column names are mostly ASCII, which needs no decoder call. */
function string(): string {
  const b = binary();
  let ascii = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8.decode(b);
    ascii += String.fromCharCode(c);
  }
  return ascii;
}

/**
 * The next field of a struct: `(id << 4) | type`, or 0 at the struct's end. `last` is the id of
 * the struct's previous field (0 at its first): the compact protocol writes most ids as a delta.
 */
function field(last: number): number {
  if (pos >= end) throw ended();
  const h = buf[pos++]!;
  const type = h & 0x0f;
  if (type === 0) return 0;
  const id = h >> 4 ? last + (h >> 4) : int();
  if (id < 0 || id > 0x7fff) throw new Error(`${part} holds a field id of ${id}`);
  return (id << 4) | type;
}

/** Size of the list whose header was just read; its element type is left in `listType`. */
let listType = 0;

/** A list's header: its size, checked against the bytes left (every element takes at least one); the element type goes to `listType`. */
function listHeader(): number {
  const h = byte();
  const size = h >> 4 === 15 ? varint() : h >> 4;
  if (size > end - pos) throw new Error(`${part} holds a list of ${size} items where ${end - pos} bytes are left`);
  listType = h & 0x0f;
  return size;
}

/** Skips a value of a wire type this reader does not need. */
function skip(type: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error(`${part} nests deeper than Parquet does`);
  switch (type) {
    case TRUE:
    case FALSE:
      return;
    case BYTE:
      byte();
      return;
    case I16:
    case I32:
    case I64:
      varint();
      return;
    case DOUBLE:
      if (end - pos < 8) throw ended();
      pos += 8;
      return;
    case BINARY:
      binary();
      return;
    case LIST:
    case SET: {
      const size = listHeader();
      const t = listType;
      for (let i = 0; i < size; i++) t === TRUE || t === FALSE ? byte() : skip(t, depth + 1);
      return;
    }
    case MAP: {
      const size = varint();
      if (size === 0) return;
      if (size > end - pos) throw new Error(`${part} holds a map of ${size} entries where ${end - pos} bytes are left`);
      const kv = byte();
      for (let i = 0; i < size; i++) {
        skip(kv >> 4, depth + 1);
        skip(kv & 0x0f, depth + 1);
      }
      return;
    }
    case STRUCT:
      for (let f = field(0); f !== 0; f = field(f >> 4)) skip(f & 0x0f, depth + 1);
      return;
    default:
      throw new Error(`${part} holds a field of unknown type ${type}`);
  }
}

/** Skips the rest of a list whose elements are not of the type expected; returns no items. */
function skipList<T>(size: number): T[] {
  const t = listType;
  for (let i = 0; i < size; i++) t === TRUE || t === FALSE ? byte() : skip(t, 1);
  return [];
}

/** An enum value's name in `names`, or undefined for a value the format does not define. */
const named = <T>(names: readonly T[]): T | undefined => names[int()];

const TIME_UNITS = ['MILLIS', 'MICROS', 'NANOS'] as const;

/** A TimeUnit union: the id of its one member names the unit. */
function timeUnit(): 'MILLIS' | 'MICROS' | 'NANOS' {
  let unit: 'MILLIS' | 'MICROS' | 'NANOS' | undefined;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    if ((f & 0x0f) === STRUCT && id >= 1 && id <= 3) unit = TIME_UNITS[id - 1];
    skip(f & 0x0f, 4);
  }
  if (!unit) throw new Error(`${part} has a time type without its unit`);
  return unit;
}

/** A boolean field's value (in the compact protocol, its wire type), or undefined for another type (skipped). */
function flag(type: number): boolean | undefined {
  if (type === TRUE) return true;
  if (type === FALSE) return false;
  skip(type, 4);
  return undefined;
}

/** The name of each LogicalType union member without fields, by field id. */
const PLAIN_LOGICAL: Readonly<Record<number, LogicalType['type']>> = { 1: 'STRING', 2: 'MAP', 3: 'LIST', 4: 'ENUM', 6: 'DATE', 11: 'NULL', 12: 'JSON', 13: 'BSON', 14: 'UUID', 15: 'FLOAT16', 19: 'FILE' };

/** A LogicalType union: DECIMAL, TIME, TIMESTAMP and INTEGER with their fields, another member by its name. */
function logicalType(): LogicalType | undefined {
  let lt: LogicalType | undefined;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    if ((f & 0x0f) !== STRUCT) {
      skip(f & 0x0f, 3);
      continue;
    }
    if (id === 7 || id === 8) {
      // TIME, TIMESTAMP: { 1: isAdjustedToUTC, 2: unit }
      let utc: boolean | undefined;
      let unit: 'MILLIS' | 'MICROS' | 'NANOS' | undefined;
      for (let g = field(0); g !== 0; g = field(g >> 4)) {
        if (g >> 4 === 1) utc = flag(g & 0x0f);
        else if (g >> 4 === 2 && (g & 0x0f) === STRUCT) unit = timeUnit();
        else skip(g & 0x0f, 4);
      }
      if (!unit) throw new Error(`${part} has a time type without its unit`);
      lt = { type: id === 7 ? 'TIME' : 'TIMESTAMP', isAdjustedToUTC: utc === true, unit };
    } else if (id === 10) {
      // INTEGER: { 1: bitWidth (i8), 2: isSigned }
      let bitWidth = 0;
      let signed: boolean | undefined;
      for (let g = field(0); g !== 0; g = field(g >> 4)) {
        if (g >> 4 === 1 && (g & 0x0f) === BYTE) bitWidth = (byte() << 24) >> 24;
        else if (g >> 4 === 2) signed = flag(g & 0x0f);
        else skip(g & 0x0f, 4);
      }
      lt = { type: 'INTEGER', bitWidth, isSigned: signed === true };
    } else if (id === 5) {
      // DECIMAL: { 1: scale, 2: precision }
      let scale = 0;
      let precision = 0;
      for (let g = field(0); g !== 0; g = field(g >> 4)) {
        if (g >> 4 === 1 && (g & 0x0f) === I32) scale = int();
        else if (g >> 4 === 2 && (g & 0x0f) === I32) precision = int();
        else skip(g & 0x0f, 4);
      }
      lt = { type: 'DECIMAL', scale, precision };
    } else {
      skip(STRUCT, 3);
      // Another member (VARIANT, GEOMETRY, …): its name is all a series reader needs, to refuse it.
      lt = { type: PLAIN_LOGICAL[id] ?? (`logical type ${id}` as LogicalType['type']) } as LogicalType;
    }
  }
  return lt;
}

function schemaElement(): SchemaElement {
  const el: SchemaElement = { name: undefined as unknown as string };
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (type === I32) {
      if (id === 1) el.type = named(ParquetTypes);
      else if (id === 2) el.type_length = int();
      else if (id === 3) el.repetition_type = named(FieldRepetitionTypes);
      else if (id === 5) el.num_children = int();
      else if (id === 6) el.converted_type = named(ConvertedTypes);
      else if (id === 7) el.scale = int();
      else if (id === 8) el.precision = int();
      else if (id === 9) el.field_id = int();
      else skip(type, 2);
    } else if (id === 4 && type === BINARY) el.name = string();
    else if (id === 10 && type === STRUCT) el.logical_type = logicalType();
    else skip(type, 2);
  }
  return el;
}

function columnMetaData(): ColumnMetaData {
  const m = { encodings: [] as ColumnMetaData['encodings'] } as ColumnMetaData;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (type === I64) {
      if (id === 5) m.num_values = big();
      else if (id === 6) m.total_uncompressed_size = big();
      else if (id === 7) m.total_compressed_size = big();
      else if (id === 9) m.data_page_offset = big();
      else if (id === 10) m.index_page_offset = big();
      else if (id === 11) m.dictionary_page_offset = big();
      else skip(type, 4);
    } else if (id === 1 && type === I32) m.type = named(ParquetTypes) as ColumnMetaData['type'];
    else if (id === 4 && type === I32) m.codec = named(CompressionCodecs) as ColumnMetaData['codec'];
    else if (id === 2 && type === LIST) {
      const size = listHeader();
      if (listType !== I32) m.encodings = skipList(size);
      else for (let i = 0; i < size; i++) m.encodings.push(named(Encodings) as ColumnMetaData['encodings'][number]);
    } else if (id === 3 && type === LIST) {
      const size = listHeader();
      if (listType !== BINARY) m.path_in_schema = skipList(size);
      else {
        m.path_in_schema = new Array<string>(size);
        for (let i = 0; i < size; i++) m.path_in_schema[i] = string();
      }
    } else skip(type, 4);
  }
  if (!m.path_in_schema || m.type === undefined || m.data_page_offset === undefined || m.total_compressed_size === undefined) {
    throw new Error('its footer has a column chunk without its path, type, offset or size');
  }
  m.codec ??= 'UNCOMPRESSED';
  return m;
}

function columnChunk(): ColumnChunk {
  const c = { file_offset: 0n } as ColumnChunk;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (id === 1 && type === BINARY) c.file_path = string();
    else if (id === 2 && type === I64) c.file_offset = big();
    else if (id === 3 && type === STRUCT) c.meta_data = columnMetaData();
    else skip(type, 3);
  }
  return c;
}

function rowGroup(): RowGroup {
  const g = { columns: [] as ColumnChunk[], total_byte_size: 0n } as RowGroup;
  let rows = false;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (id === 1 && type === LIST) {
      const size = listHeader();
      if (listType !== STRUCT) g.columns = skipList(size);
      else {
        g.columns = new Array<ColumnChunk>(size);
        for (let i = 0; i < size; i++) g.columns[i] = columnChunk();
      }
    } else if (id === 2 && type === I64) g.total_byte_size = big();
    else if (id === 3 && type === I64) {
      g.num_rows = big();
      rows = true;
    } else if (id === 5 && type === I64) g.file_offset = big();
    else if (id === 6 && type === I64) g.total_compressed_size = big();
    else if (id === 7 && (type === I16 || type === I32)) g.ordinal = int();
    else skip(type, 2);
  }
  if (!rows) throw new Error('its footer has a row group without its number of rows');
  return g;
}

/**
 * The footer of a Parquet file, its bytes whole in `file`: checks the magic numbers and the
 * footer's length, then decodes it. Throws an Error saying what is damaged.
 */
export function readParquetFooter(file: Uint8Array): FileMetaData {
  if (file.length < 12) throw new Error('parquet file is too short');
  const n = file.length;
  if (file[n - 4] !== 0x50 || file[n - 3] !== 0x41 || file[n - 2] !== 0x52 || file[n - 1] !== 0x31) throw new Error('parquet file invalid (footer != PAR1)');
  const length = (file[n - 8]! | (file[n - 7]! << 8) | (file[n - 6]! << 16) | (file[n - 5]! << 24)) >>> 0;
  if (length > n - 8) throw new Error(`parquet metadata length ${length} exceeds available buffer ${n - 8}`);
  return reading(file, n - 8 - length, n - 8, 'its footer', () => {
    let version = 0;
    let schema: SchemaElement[] | undefined;
    let numRows: bigint | undefined;
    let rowGroups: RowGroup[] | undefined;
    let createdBy: string | undefined;
    for (let f = field(0); f !== 0; f = field(f >> 4)) {
      const id = f >> 4;
      const type = f & 0x0f;
      if (id === 1 && type === I32) version = int();
      else if (id === 2 && type === LIST) {
        const size = listHeader();
        if (listType !== STRUCT) schema = skipList(size);
        else {
          schema = new Array<SchemaElement>(size);
          for (let i = 0; i < size; i++) schema[i] = schemaElement();
        }
      } else if (id === 3 && type === I64) numRows = big();
      else if (id === 4 && type === LIST) {
        const size = listHeader();
        if (listType !== STRUCT) rowGroups = skipList(size);
        else {
          rowGroups = new Array<RowGroup>(size);
          for (let i = 0; i < size; i++) rowGroups[i] = rowGroup();
        }
      } else if (id === 6 && type === BINARY) createdBy = string();
      else skip(type, 1);
    }
    if (!schema || numRows === undefined || !rowGroups) throw new Error('its footer has no schema, number of rows or row groups');
    return { version, schema, num_rows: numRows, row_groups: rowGroups, created_by: createdBy, metadata_length: length };
  });
}

function dataPageHeader(): NonNullable<PageHeader['data_page_header']> {
  const h = {} as NonNullable<PageHeader['data_page_header']>;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (type !== I32) skip(type, 2);
    else if (id === 1) h.num_values = int();
    else if (id === 2) h.encoding = named(Encodings) as typeof h.encoding;
    else if (id === 3) h.definition_level_encoding = named(Encodings) as typeof h.encoding;
    else if (id === 4) h.repetition_level_encoding = named(Encodings) as typeof h.encoding;
    else skip(type, 2);
  }
  return h;
}

function dataPageHeaderV2(): NonNullable<PageHeader['data_page_header_v2']> {
  const h = { is_compressed: true } as NonNullable<PageHeader['data_page_header_v2']>;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (id === 7 && (type === TRUE || type === FALSE)) h.is_compressed = type === TRUE;
    else if (type !== I32) skip(type, 2);
    else if (id === 1) h.num_values = int();
    else if (id === 2) h.num_nulls = int();
    else if (id === 3) h.num_rows = int();
    else if (id === 4) h.encoding = named(Encodings) as typeof h.encoding;
    else if (id === 5) h.definition_levels_byte_length = int();
    else if (id === 6) h.repetition_levels_byte_length = int();
    else skip(type, 2);
  }
  return h;
}

function dictionaryPageHeader(): NonNullable<PageHeader['dictionary_page_header']> {
  const h = {} as NonNullable<PageHeader['dictionary_page_header']>;
  for (let f = field(0); f !== 0; f = field(f >> 4)) {
    const id = f >> 4;
    const type = f & 0x0f;
    if (id === 1 && type === I32) h.num_values = int();
    else if (id === 2 && type === I32) h.encoding = named(Encodings) as typeof h.encoding;
    else if (id === 3 && (type === TRUE || type === FALSE)) h.is_sorted = type === TRUE;
    else skip(type, 2);
  }
  return h;
}

/**
 * The page header at `reader.offset` of `file` (bounded by `limit`, the end of its column
 * chunk), in the shape of hyparquet's `parquetHeader`; the reader is left at the page's bytes.
 * The caller checks the sizes and counts against the chunk (parquet-columns.ts).
 */
export function readPageHeader(file: Uint8Array, reader: { offset: number }, limit: number): PageHeader {
  return reading(file, reader.offset, Math.min(limit, file.length), 'a page header', () => {
    const h = {} as PageHeader;
    for (let f = field(0); f !== 0; f = field(f >> 4)) {
      const id = f >> 4;
      const type = f & 0x0f;
      if (type === I32 && id >= 1 && id <= 4) {
        if (id === 1) h.type = named(PageTypes) as PageHeader['type'];
        else if (id === 2) h.uncompressed_page_size = int();
        else if (id === 3) h.compressed_page_size = int();
        else h.crc = int();
      } else if (type !== STRUCT) skip(type, 1);
      else if (id === 5) h.data_page_header = dataPageHeader();
      else if (id === 7) h.dictionary_page_header = dictionaryPageHeader();
      else if (id === 8) h.data_page_header_v2 = dataPageHeaderV2();
      else skip(type, 1);
    }
    reader.offset = pos;
    return h;
  });
}
