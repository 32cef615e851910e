/**
 * Reading one system's series from the Parquet layout: the part files of its partition folder
 * `raw/system_id=<id>/` (`part-0.parquet` as `harness generate --format parquet` writes it, or
 * the `part-*.parquet` files Spark or pyarrow write), in name order, into the same columns the
 * CSV scanner gives: epoch-ms timestamps and one Float64Array per sensor, NaN for null.
 *
 * The rules are the CSV file's (series-scan.ts): every column a known sensor (in real data also a
 * snake_case extra column), `timestamp` present and strictly increasing within a part, readings
 * numbers and, for validation, physically possible. Several parts (a Spark write has one per task,
 * their rows interleaved) are merged by timestamp, and a timestamp may be in one part only.
 * Anything else in the folder that Spark and pyarrow would read as rows (a file not named
 * `*.parquet`, a subfolder) is a problem naming it: loaded without it, the series was short. A Parquet file has no line or column numbers, so a
 * problem names the part file and says `row N, column NAME` (N counts the part's rows from 1);
 * it is located at line 0, printed `file: message`. Bad values become NaN so a scan completes.
 */
import { readdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import type { ColumnRange, ColumnScale, FlatColumn } from './parquet-columns.ts';
import { codecsReady, loadCodecsFor } from './parquet-codecs.ts';
import { HarnessError, type Problem } from '../errors.ts';
import { formatTimestamp } from './csv-write.ts';
import { readRegularFileSync, scratchSpace, unreadableReason } from './read-file.ts';
import { EXTRA_COLUMN_PATTERN, PHYSICAL_LIMITS, SENSORS } from './schema.ts';
import type { SeriesScan } from './series-scan.ts';
import { didYouMean } from './suggest.ts';

/** Options of {@link scanSeriesParquet}: those of the CSV scanner, with the partition folder as `dir`. */
export interface ParquetScanOptions {
  readonly extraSensors?: readonly string[];
  /** Accept other columns named like EXTRA_COLUMN_PATTERN (real data). */
  readonly extraColumns?: boolean;
  /** Flag physically impossible readings (validation does, the loader does not). */
  readonly checkLimits?: boolean;
  /** Receives every problem; return false to stop the scan. */
  readonly report: (p: Problem) => boolean | void;
}

/** The partition folder of one system in a raw folder: `<rawDir>/system_id=<id>`. */
export const partitionDirName = (systemId: string): string => `system_id=${systemId}`;

/** The system id a partition folder's name holds, or undefined when the name is not `system_id=…`. */
export function systemIdOfPartition(name: string): string | undefined {
  return name.startsWith('system_id=') ? name.slice('system_id='.length) : undefined;
}

/**
 * True for the names Spark and pyarrow leave out of a dataset folder, and so does the harness:
 * those starting with `_` or `.` (`_SUCCESS`, `_metadata`, `.crc` files and other dot-files).
 */
export const hiddenFromReaders = (name: string): boolean => name.startsWith('_') || name.startsWith('.');

/** What a Parquet dataset folder holds for a reader. */
export interface ParquetFolder {
  /** The part files (`*.parquet`), sorted by name. */
  readonly parts: string[];
  /**
   * Everything else Spark and pyarrow would read, sorted: a file of another name (`part-1.PARQUET`,
   * Hadoop's suffix-less `part-00001`) or a folder (`month=2/`). The harness reads none of them,
   * so a series with any is refused rather than loaded without their rows.
   */
  readonly strays: string[];
}

/**
 * The part files of a Parquet dataset folder, sorted: `*.parquet`, leaving out what Spark and
 * Hadoop write beside them (`_SUCCESS`, `_metadata`, `.crc` and other dot-files).
 */
export async function parquetParts(dir: string): Promise<string[]> {
  return folderOf(dir, await readdir(dir)).parts;
}

/**
 * {@link parquetParts} in one blocking call, for the series reader: a system's folder lists one
 * file or a few, and a trip through libuv's thread pool per system left the main thread idle at
 * the start of every batch of series read together.
 */
export function parquetPartsSync(dir: string): string[] {
  return folderOf(dir, readdirSync(dir)).parts;
}

/** A system's partition folder, its parts and its strays, in one blocking call (see {@link parquetPartsSync}). */
export function parquetFolderSync(dir: string): ParquetFolder {
  return folderOf(dir, readdirSync(dir));
}

function folderOf(dir: string, names: readonly string[]): ParquetFolder {
  const parts: string[] = [];
  const strays: string[] = [];
  for (const n of [...names].sort()) {
    if (hiddenFromReaders(n)) continue;
    (n.endsWith('.parquet') ? parts : strays).push(path.join(dir, n));
  }
  return { parts, strays };
}

/** The problem of an entry of a system's folder that is not a part (see {@link ParquetFolder.strays}). */
function strayProblem(file: string): string {
  let folder = false;
  try {
    folder = statSync(file).isDirectory();
  } catch {
    // Gone or unreadable since the listing: named as a file, which it was listed as.
  }
  return folder
    ? "a folder in the system's folder: Spark and pyarrow would read the parts in it, the harness reads only the system's own *.parquet files; move its parts up or out (names starting with _ or . are left out)"
    : "a file in the system's folder that is not a part (*.parquet): Spark and pyarrow would read it, the harness does not; rename it or move it out (names starting with _ or . are left out)";
}

class StopScan extends Error {}

/** Units of an INT64 timestamp column per millisecond. */
function perMsOf(el: SchemaElement): number {
  const unit = el.logical_type?.type === 'TIMESTAMP' ? el.logical_type.unit : el.converted_type === 'TIMESTAMP_MICROS' ? 'MICROS' : 'MILLIS';
  return unit === 'NANOS' ? 1e6 : unit === 'MICROS' ? 1e3 : 1;
}

/** Why a timestamp column cannot be read as the contract's UTC instants, or undefined when it can. */
function timestampTypeProblem(el: SchemaElement): string | undefined {
  if (el.type === 'INT96') {
    return 'column timestamp is INT96 (a legacy Spark type): write INT64 TIMESTAMP, e.g. spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS';
  }
  const lt = el.logical_type;
  if (el.type === 'INT64' && lt?.type === 'TIMESTAMP') {
    return lt.isAdjustedToUTC ? undefined : 'column timestamp is a local time (isAdjustedToUTC=false): the contract\'s timestamps are UTC instants';
  }
  if (el.type === 'INT64' && (el.converted_type === 'TIMESTAMP_MILLIS' || el.converted_type === 'TIMESTAMP_MICROS')) return undefined;
  return `column timestamp is ${el.type ?? 'a group'}${lt ? ` (${lt.type})` : ''}: expected INT64 TIMESTAMP (UTC)`;
}

const NUMERIC_TYPES = new Set(['DOUBLE', 'FLOAT', 'INT32', 'INT64']);

/** The integer annotations (pandas' Int8…UInt64 columns, Spark's byte and short ones); UINT_64 is then refused by name. */
const INTEGER_ANNOTATIONS = new Set(['INT_8', 'INT_16', 'INT_32', 'INT_64', 'UINT_8', 'UINT_16', 'UINT_32', 'UINT_64']);

/** True when a column's INTEGER annotation (logical or converted) says unsigned and `bits` wide. */
function unsigned(el: SchemaElement, bits: 32 | 64): boolean {
  const lt = el.logical_type;
  return (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === bits) || el.converted_type === `UINT_${bits}`;
}

/**
 * Why a sensor column is not plain numbers, or undefined when it is: DOUBLE, FLOAT, or an integer
 * of any width (INT_8 … INT_64, UINT_8 … UINT_32: pandas writes its Int16 or UInt32 columns so),
 * all exact as doubles (an INT64 past 2^53 is named row by row, see {@link checkValues}). Not an
 * unsigned 64-bit one: past 2^63 its bits read as a negative number.
 */
function valueTypeProblem(el: SchemaElement): string | undefined {
  const lt = el.logical_type;
  const plain = (lt === undefined || lt.type === 'INTEGER') && (el.converted_type === undefined || INTEGER_ANNOTATIONS.has(el.converted_type));
  if (el.type !== undefined && NUMERIC_TYPES.has(el.type) && plain) {
    return unsigned(el, 64) ? `column ${el.name} is INT64 (UINT_64): an unsigned 64-bit integer is no reading a double holds (past 2^63 its bits read as a negative number); write it as DOUBLE or a signed integer` : undefined;
  }
  return `column ${el.name} is ${el.type ?? 'a group'}${lt ? ` (${lt.type})` : ''}: sensor readings are DOUBLE (null for a missing reading)`;
}

/** How a sensor column's stored numbers become readings: an unsigned INT32 (UINT_32) by its bits as unsigned. */
function valueScale(el: SchemaElement): ColumnScale {
  return el.type === 'INT32' && unsigned(el, 32) ? { kind: 'uint32' } : { kind: 'number' };
}

/**
 * The integers a double holds exactly, 2^53 and past it being where two integers read as one:
 * an INT64 reading outside it is named (it was rounded, in silence).
 */
const EXACT_INTEGERS: ColumnRange = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };

/** One part file, read and checked: its columns, or undefined when it cannot be read. */
interface PartRead {
  readonly columns: string[];
  readonly timestamps: Float64Array;
  /** The reader proved the timestamps strictly increasing (FlatColumn.increasing). */
  readonly increasing: boolean;
  readonly values: Float64Array[];
}

/**
 * Reads a system's partition folder `dir`. Every problem goes to `opts.report`: no part file, a
 * part that is not Parquet, a missing, mistyped, unknown, nested or duplicate column, a part whose
 * columns differ from the first one's, a null or non-increasing timestamp, one in two parts, a
 * reading that is not finite and, with `checkLimits`, one outside PHYSICAL_LIMITS.
 */
export async function scanSeriesParquet(dir: string, opts: ParquetScanOptions): Promise<SeriesScan> {
  const emit = (file: string, message: string): void => {
    if (opts.report({ file, line: 0, column: 0, message }) === false) throw new StopScan();
  };
  const empty: SeriesScan = { columns: [], timestamps: new Float64Array(0), values: [], rows: 0 };
  try {
    let folder: ParquetFolder;
    try {
      folder = parquetFolderSync(dir);
    } catch (err) {
      emit(dir, unreadableReason(err));
      return empty;
    }
    const { parts, strays } = folder;
    // Spark and pyarrow read these as rows of the series: loaded without them, a series was short
    // of them and a run exit 0 on what remained.
    for (const stray of strays) emit(stray, strayProblem(stray));
    if (parts.length === 0) {
      if (strays.length > 0) return empty;
      emit(dir, `no part file: a system's folder holds its series as ${'part-0.parquet'} (or Spark's part-*.parquet)`);
      return empty;
    }
    const read: (PartRead & { readonly file: string })[] = [];
    for (const file of parts) {
      const part = await readPart(file, opts, emit);
      if (!part) continue;
      const first = read[0];
      if (first && part.columns.join(',') !== first.columns.join(',')) {
        emit(file, `columns ${part.columns.join(', ')} differ from those of ${path.basename(parts[0] as string)} (${first.columns.join(', ')}): every part of a system has the same columns`);
        continue;
      }
      // Within a part, rows are in time order, as in a CSV file (unless the reader proved it).
      const ts = part.timestamps;
      for (let i = part.increasing ? -1 : outOfOrderFrom(ts, 0); i >= 0; i = outOfOrderFrom(ts, i + 1)) {
        emit(file, `row ${i + 1}, column timestamp: ${formatTimestamp(ts[i] as number)} is not after row ${i}: timestamps must strictly increase`);
      }
      read.push({ ...part, file });
    }
    return mergeParts(read, emit);
  } catch (err) {
    if (err instanceof StopScan) return empty;
    throw err;
  }
}

/**
 * The first row from `from` on whose timestamp is not after the previous one (nulls, NaN, are
 * skipped), or -1. A function of its own, not a loop in the async scan: V8 optimizes a small
 * function's loop within a few calls, while the scan's loop ran unoptimized for every system
 * (0.25 ms a system, a sixth of reading one).
 */
function outOfOrderFrom(ts: Float64Array, from: number): number {
  let prev = -Infinity;
  for (let i = from - 1; i >= 0; i--) {
    const t = ts[i] as number;
    if (t === t) {
      prev = t;
      break;
    }
  }
  for (let i = from; i < ts.length; i++) {
    const t = ts[i] as number;
    if (t !== t) continue;
    if (!(t > prev)) return i;
    prev = t;
  }
  return -1;
}

/**
 * The parts' rows as one series in time order. A Spark write spreads a system's rows over its
 * part files (one per task), each in order but interleaved with the others, so parts are merged
 * by timestamp; a timestamp in two parts is a problem (named at the later part's row).
 */
function mergeParts(read: readonly (PartRead & { readonly file: string })[], emit: (file: string, message: string) => void): SeriesScan {
  const first = read[0];
  if (!first) return { columns: [], timestamps: new Float64Array(0), values: [], rows: 0 };
  if (read.length === 1) return { columns: first.columns, timestamps: first.timestamps, values: first.values, rows: first.timestamps.length };
  const rows = read.reduce((a, p) => a + p.timestamps.length, 0);
  const timestamps = new Float64Array(rows);
  const values = first.columns.map(() => new Float64Array(rows));
  const inOrder = read.every((p, k) => k === 0 || (p.timestamps[0] as number) > ((read[k - 1] as PartRead).timestamps.at(-1) as number));
  if (inOrder) {
    let at = 0;
    for (const p of read) {
      timestamps.set(p.timestamps, at);
      p.values.forEach((v, j) => (values[j] as Float64Array).set(v, at));
      at += p.timestamps.length;
    }
    return { columns: first.columns, timestamps, values, rows };
  }
  // (part, row) of every row, sorted by time; ties keep part order; a null timestamp goes last.
  const part = new Int32Array(rows);
  const row = new Int32Array(rows);
  let at = 0;
  read.forEach((p, k) => {
    for (let i = 0; i < p.timestamps.length; i++, at++) {
      part[at] = k;
      row[at] = i;
    }
  });
  const tsOf = (n: number): number => (read[part[n] as number] as PartRead).timestamps[row[n] as number] as number;
  const order = Array.from({ length: rows }, (_, n) => n).sort((a, b) => {
    const ta = tsOf(a);
    const tb = tsOf(b);
    return ta === tb ? 0 : ta !== ta ? 1 : tb !== tb ? -1 : ta - tb;
  });
  order.forEach((n, m) => {
    const p = read[part[n] as number] as PartRead & { readonly file: string };
    const r = row[n] as number;
    timestamps[m] = p.timestamps[r] as number;
    p.values.forEach((v, j) => ((values[j] as Float64Array)[m] = v[r] as number));
    const prev = m > 0 ? (order[m - 1] as number) : -1;
    if (prev >= 0 && tsOf(prev) === timestamps[m]) {
      const other = read[part[prev] as number] as PartRead & { readonly file: string };
      emit(p.file, `row ${r + 1}, column timestamp: ${formatTimestamp(timestamps[m] as number)} is also at row ${(row[prev] as number) + 1} of ${path.basename(other.file)}: timestamps must be unique`);
    }
  });
  return { columns: first.columns, timestamps, values, rows };
}

type ReaderLibraries = typeof import('./parquet-columns.ts') & typeof import('./parquet-thrift.ts');
let libraries: Promise<ReaderLibraries> | undefined;

/**
 * The reader's libraries, imported with the first Parquet part, not with every command that
 * imports the data module (a CSV user never pays hyparquet's start-up), and once: each `import()`
 * goes through the module loader's hooks (tsx's run on a thread of their own, a round trip of
 * messages each time), which cost more than decoding a part.
 */
function readerLibraries(): Promise<ReaderLibraries> {
  libraries ??= Promise.all([import('./parquet-columns.ts'), import('./parquet-thrift.ts')]).then(([c, f]) => ({ ...c, ...f }));
  return libraries;
}

/** Scratch space for the bytes of the part being read (see readPart); a larger part (a Spark part of many systems' rows, say) gets a buffer of its own. */
const partScratch = scratchSpace(16 << 20);

async function readPart(file: string, opts: ParquetScanOptions, emit: (file: string, message: string) => void): Promise<PartRead | undefined> {
  const { readParquetFooter, schemaTreeOf, FINITE, readFlatColumnChecked } = await readerLibraries();
  // The part's bytes go to scratch space that every part read reuses: no buffer a system to
  // allocate, fault in and collect. Nothing below awaits while they are in use (unless a codec
  // must load first, and then the part gets a copy of its own): no other read can overwrite them.
  let bytes: Uint8Array;
  try {
    bytes = readRegularFileSync(file, partScratch);
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    emit(file, err.message.slice(file.length + 2));
    return undefined;
  }
  let metadata: FileMetaData;
  let fields: SchemaElement[];
  try {
    metadata = readParquetFooter(bytes);
    fields = schemaTreeOf(metadata).children.map((c) => (c.children.length > 0 ? { ...c.element, type: undefined } : c.element));
  } catch (err) {
    emit(file, `not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
  // The header check, as for a CSV header: stop at a bad column, the rows cannot be read as the contract's.
  let bad = false;
  const tsField = fields.find((f) => f.name === 'timestamp');
  // Two of them (pyarrow writes what it is given) leave which is the series' time to chance.
  if (fields.filter((f) => f.name === 'timestamp').length > 1) {
    bad = true;
    emit(file, 'duplicate column "timestamp"');
  }
  if (!tsField) {
    bad = true;
    emit(file, `missing column timestamp: a series has a timestamp column (INT64 TIMESTAMP, UTC) and one DOUBLE column per sensor`);
  } else {
    const why = timestampTypeProblem(tsField);
    if (why) {
      bad = true;
      emit(file, why);
    }
  }
  const known = new Set<string>([...SENSORS, ...(opts.extraSensors ?? [])]);
  const seen = new Set<string>();
  const columns: string[] = [];
  const elements: SchemaElement[] = [];
  for (const f of fields) {
    // A damaged footer can leave a column without its name (thrift's field missing).
    if (typeof f.name !== 'string') {
      emit(file, 'a column without a name: the file\'s footer is damaged');
      return undefined;
    }
    if (f.name === 'timestamp') continue;
    if (seen.has(f.name)) {
      bad = true;
      emit(file, `duplicate column "${f.name}"`);
      continue;
    }
    seen.add(f.name);
    if (f.name === 'system_id') {
      bad = true;
      emit(file, 'column system_id in the file: the system id is the folder name (system_id=<id>), as Spark and pyarrow partition it');
    } else if (!known.has(f.name) && !(opts.extraColumns && EXTRA_COLUMN_PATTERN.test(f.name))) {
      bad = true;
      emit(
        file,
        opts.extraColumns
          ? `unknown column "${f.name}"${didYouMean(f.name, known)}: every column must be a known sensor or an extra column named in lowercase snake_case (such as string_current_1_a)`
          : `unknown column "${f.name}"${didYouMean(f.name, known)}: every column must be a known sensor (declare extra sensors in the config)`,
      );
    } else {
      const why = valueTypeProblem(f);
      if (why) {
        bad = true;
        emit(file, why);
      }
    }
    columns.push(f.name);
    elements.push(f);
  }
  if (bad) return undefined;

  const rows = Number(metadata.num_rows);
  if (rows === 0) {
    emit(file, 'file has no rows');
    return undefined;
  }
  if (!codecsReady(metadata)) {
    bytes = bytes.slice();
    await loadCodecsFor(metadata);
  }
  let timestamps: FlatColumn;
  let values: FlatColumn[];
  try {
    // One allocation for the part's columns: allocating (and the kernel zeroing) the series is
    // a large share of a load, and one buffer costs a quarter less than one per column.
    const block = new ArrayBuffer(rows * 8 * (columns.length + 1));
    const column = (j: number): Float64Array => new Float64Array(block, j * rows * 8, rows);
    timestamps = readFlatColumnChecked(bytes, metadata, 'timestamp', { kind: 'timestamp', perMs: perMsOf(tsField as SchemaElement) }, ISO_YEARS, column(0));
    values = columns.map((c, j) => {
      const el = elements[j] as SchemaElement;
      return readFlatColumnChecked(bytes, metadata, c, valueScale(el), rangeOf(c, opts, el.type === 'INT64' ? EXACT_INTEGERS : FINITE), column(j + 1));
    });
  } catch (err) {
    emit(file, `not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
  // The reader flags what may need a look; most columns need none, and are not read twice.
  if (timestamps.nulls > 0 || timestamps.suspect) checkTimestamps(file, timestamps.values, perMsOf(tsField as SchemaElement), emit);
  columns.forEach((c, j) => {
    const col = values[j] as FlatColumn;
    if (col.suspect) checkValues(file, c, col, (elements[j] as SchemaElement).type === 'INT64', opts, emit);
  });
  return { columns, timestamps: timestamps.values, increasing: timestamps.increasing, values: values.map((v) => v.values) };
}

/** The values a column may hold: finite and, with checkLimits, within the sensor's physical limits. */
function rangeOf(column: string, opts: ParquetScanOptions, finite: ColumnRange): ColumnRange {
  const lim = opts.checkLimits ? PHYSICAL_LIMITS[column as keyof typeof PHYSICAL_LIMITS] : undefined;
  return lim ? { min: Math.max(lim.min, finite.min), max: Math.min(lim.max, finite.max) } : finite;
}

/**
 * The instants a CSV series can hold (years 0000–9999, as its ISO 8601 timestamps have four
 * digits). A Parquet INT64 can hold far more, and a unit written wrong (nanoseconds stored as
 * MILLIS) lands in the year 55 million: strictly increasing, so nothing else would catch it, and
 * past what a Date can format, so the first message naming one was an internal error.
 */
const ISO_YEARS: ColumnRange = { min: Date.parse('0000-01-01T00:00:00Z'), max: Date.UTC(10000, 0, 1) - 2 ** -5 }; // the last double before the year 10000

/** Null timestamps and those outside {@link ISO_YEARS} (made null); order is checked by the caller, across parts. */
function checkTimestamps(file: string, timestamps: Float64Array, perMs: number, emit: (file: string, message: string) => void): void {
  const unit = perMs === 1e6 ? 'NANOS' : perMs === 1e3 ? 'MICROS' : 'MILLIS';
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] as number;
    if (t !== t) {
      emit(file, `row ${i + 1}, column timestamp: null: every row has a timestamp`);
    } else if (t < ISO_YEARS.min || t > ISO_YEARS.max) {
      const year = Math.floor(1970 + t / 31_556_952_000);
      emit(file, `row ${i + 1}, column timestamp: ${t} ms from 1970, about the year ${year}: timestamps lie in the years 0000–9999 (is the column's unit, ${unit}, the one its numbers were written in?)`);
      timestamps[i] = NaN;
    }
  }
}

/**
 * Non-finite readings (made NaN) and, with checkLimits, impossible ones, in a column the reader
 * flagged. A NaN stored in the file is not a null (a missing reading is null, as an empty CSV
 * cell is; the text `NaN` in a CSV is refused): the rows cannot tell them apart once read, so
 * NaNs beyond the column's nulls are counted. In an INT64 column (`int64`), a reading past 2^53
 * is named too: it was rounded to the nearest double, which another integer may share.
 */
function checkValues(file: string, c: string, column: FlatColumn, int64: boolean, opts: ParquetScanOptions, emit: (file: string, message: string) => void): void {
  const lim = opts.checkLimits ? PHYSICAL_LIMITS[c as keyof typeof PHYSICAL_LIMITS] : undefined;
  const col = column.values;
  let nans = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i] as number;
    if (v !== v) {
      nans++;
    } else if (v === Infinity || v === -Infinity) {
      emit(file, `row ${i + 1}, column ${c}: ${v} is not a reading (a missing reading is null)`);
      col[i] = NaN;
    } else if (int64 && (v < EXACT_INTEGERS.min || v > EXACT_INTEGERS.max)) {
      emit(file, `row ${i + 1}, column ${c}: ${v} is an integer past 2^53, which a double does not hold exactly (write the column as DOUBLE)`);
    } else if (lim && (v < lim.min || v > lim.max)) {
      emit(file, `row ${i + 1}, column ${c}: ${v} is physically impossible (outside ${lim.min}…${lim.max})`);
    }
  }
  const stored = nans - column.nulls;
  if (stored > 0) emit(file, `column ${c}: ${stored} NaN value${stored === 1 ? '' : 's'}: NaN is not a reading (a missing reading is null)`);
}
