/**
 * Readers of real exports: delimited text (csv-parse, with file:line:column for problems) and
 * Parquet (hyparquet, a pure-JS reader). Both give the same table of raw cells, so one mapping
 * serves either.
 */
import path from 'node:path';
import { HarnessError, type Problem } from '../../errors.ts';
import { parseCsv, readTextFile } from '../csv-read.ts';
import { loadCodecsFor, PARQUET_DECOMPRESSORS } from '../parquet-codecs.ts';
import { LocalDateTime } from './timestamps.ts';

/**
 * One export as raw cells: strings from text files; numbers, bigints, Dates (UTC timestamps),
 * LocalDateTimes (timestamps not adjusted to UTC), strings or null from Parquet.
 */
export interface RawTable {
  readonly file: string;
  readonly kind: 'csv' | 'parquet';
  readonly header: readonly string[];
  readonly rows: readonly RawRow[];
  /** Rows the reader left out (a CSV row with the wrong number of fields), located. */
  readonly malformed: readonly Problem[];
  /** Parquet: the columns whose timestamps are local times (their cells LocalDateTimes). */
  readonly localTimeColumns?: readonly string[];
}

export interface RawRow {
  /** CSV: the 1-based line the row starts on. Parquet: the 1-based row number. */
  readonly line: number;
  readonly cells: readonly unknown[];
}

/** Where a cell is, as a Problem location: `file:line:column` for text, `file: row N, column "c"` for Parquet. */
export function locate(table: Pick<RawTable, 'file' | 'kind' | 'header'>, line: number, column: number, message: string): Problem {
  if (table.kind === 'csv') return { file: table.file, line, column, message };
  const name = column > 0 ? `, column ${JSON.stringify(table.header[column - 1] ?? '')}` : '';
  return { file: table.file, line: 0, column: 0, message: `row ${line}${name}: ${message}` };
}

export function isParquet(file: string): boolean {
  return /\.parquet$|\.parq$|\.pq$/i.test(file);
}

/** Reads one export. A file that cannot be read or parsed at all is a HarnessError located in it. */
export async function readExport(file: string, delimiter: string): Promise<RawTable> {
  return isParquet(file) ? readParquet(file) : readDelimited(file, delimiter);
}

async function readDelimited(file: string, delimiter: string): Promise<RawTable> {
  const text = await readTextFile(file, delimiter);
  const problems: Problem[] = [];
  const table = parseCsv(text, file, (p) => problems.push(p), { delimiter });
  if (!table.complete) throw new HarnessError('E_IMPORT', `cannot import ${file}: not valid CSV`, problems);
  if (table.header.length === 0) throw new HarnessError('E_IMPORT', `cannot import ${file}: the file is empty`, [{ file, line: 1, column: 0, message: 'empty file: expected a header row' }]);
  if (table.header.length === 1 && delimiter !== ',' && (table.header[0] ?? '').includes(',')) {
    throw new HarnessError('E_IMPORT', `cannot import ${file}: the header has one column; the file looks comma-separated but the mapping says delimiter ${JSON.stringify(delimiter)}`, [
      { file, line: 1, column: 0, message: `one column with delimiter ${JSON.stringify(delimiter)}` },
    ]);
  }
  return {
    file,
    kind: 'csv',
    header: table.header.map((h) => h.trim()),
    rows: table.records.map((r) => ({ line: r.line, cells: r.fields })),
    malformed: problems,
  };
}

async function readParquet(file: string): Promise<RawTable> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, parquetReadObjects } = await import('hyparquet');
  let header: string[];
  let local: Set<string>;
  let objects: Record<string, unknown>[];
  try {
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    const columns = parquetSchema(metadata).children.map((c) => c.element);
    header = columns.map((c) => c.name);
    // hyparquet gives every timestamp as a Date, as if UTC. A column without a logical type
    // (only TIMESTAMP_MILLIS/MICROS, or INT96) is UTC by the format's rules.
    local = new Set(columns.filter((c) => c.logical_type?.type === 'TIMESTAMP' && !c.logical_type.isAdjustedToUTC).map((c) => c.name));
    await loadCodecsFor(metadata);
    objects = await parquetReadObjects({ file: buffer, metadata, compressors: PARQUET_DECOMPRESSORS });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`;
    throw new HarnessError('E_IMPORT', `cannot import ${path.resolve(file)}: ${why}`, [{ file, line: 0, column: 0, message: why }]);
  }
  return {
    file,
    kind: 'parquet',
    header,
    rows: objects.map((o, i) => ({ line: i + 1, cells: header.map((h) => asLocal(local.has(h), o[h] ?? null)) })),
    malformed: [],
    localTimeColumns: [...local],
  };
}

/** A cell of a local-time column as the wall-clock time it is; any other cell as hyparquet gave it. */
function asLocal(local: boolean, cell: unknown): unknown {
  return local && cell instanceof Date ? new LocalDateTime(cell.getTime()) : cell;
}
