/**
 * One system's series as a Parquet file, the file of the Parquet layout
 * (`raw/system_id=<id>/part-0.parquet`, hive-partitioned as Spark and pyarrow read it).
 *
 * - `timestamp`: INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true), REQUIRED, delta-encoded (a
 *   regular series packs to a few bits a row);
 * - each sensor: DOUBLE, OPTIONAL, null for a missing reading (NaN in memory), in the order the
 *   CSV writer uses;
 * - no `system_id` column: it is the partition folder's name;
 * - one row group (up to ROW_GROUP_ROWS rows), uncompressed by default, or SNAPPY, ZSTD or GZIP
 *   ({@link SeriesParquetOptions.compression}; parquet-codecs.ts has the measurements). Loading
 *   speed is what the layout is for: uncompressed dictionary pages load a fifth faster than SNAPPY
 *   ones for a quarter more bytes (the default fleet: 23.9 MB against 18.8 MB); ZSTD makes files
 *   smallest (15.7 MB) and is what Databricks writes.
 *
 * A generated fleet's values are stored as the CSV writer writes them (the contract's fixed
 * decimals per sensor, `roundAsCsv`), so it loads the same, bit for bit, from either layout.
 * The writer adds no time, random id or version string: the same series gives the same bytes.
 */
import { parquetWriteBuffer, type ColumnSource, type ParquetWriteOptions } from 'hyparquet-writer';
import { DEFAULT_PARQUET_COMPRESSION, parquetCompressors, type ParquetCompression } from './parquet-codecs.ts';
import { valueAsWritten } from './csv-write.ts';
import { SENSORS, SENSOR_DECIMALS } from './schema.ts';


/** Rows per row group: a system of a year at 1 min fits in one; a longer one is split. */
const ROW_GROUP_ROWS = 1_000_000;

/** Written into the footer's created_by: fixed, so the bytes do not depend on a version. */
const CREATED_BY = 'bess-harness';

/** The file name of a system's one part in its partition folder. */
export const PARQUET_PART_NAME = 'part-0.parquet';

/** Options of {@link formatSeriesParquet}. */
export interface SeriesParquetOptions {
  /**
   * Store each default sensor's values as the CSV writer writes them (SENSOR_DECIMALS fixed
   * decimals): what a generated fleet holds in either layout. Default false: values as given.
   */
  readonly roundAsCsv?: boolean;
  /** The codec of every column chunk; default {@link DEFAULT_PARQUET_COMPRESSION}. ZSTD needs `await loadZstd()` first. */
  readonly compression?: ParquetCompression;
}

/**
 * One system's series as Parquet bytes. Columns are ordered as {@link formatSeriesCsv} orders
 * them (default sensors in SENSORS order, then others in insertion order). Every column must be
 * as long as `timestamps`; ±Infinity is a RangeError, as in the CSV writer.
 */
export function formatSeriesParquet(
  timestamps: Float64Array,
  columns: Readonly<Record<string, Float64Array>>,
  opts: SeriesParquetOptions = {},
): Uint8Array {
  const names = [
    ...SENSORS.filter((s) => columns[s] !== undefined),
    ...Object.keys(columns).filter((k) => !(SENSORS as readonly string[]).includes(k)),
  ];
  const n = timestamps.length;
  // Whole milliseconds, as the CSV writer's ISO text rounds them.
  const ts = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ts[i] = BigInt(Math.round(timestamps[i] as number));
  // hyparquet-writer carries its own hyparquet: its schema type, not the reader's.
  const schema: NonNullable<ParquetWriteOptions['schema']> = [
    { name: 'root', num_children: names.length + 1 },
    {
      name: 'timestamp',
      type: 'INT64',
      repetition_type: 'REQUIRED',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    },
  ];
  const columnData: ColumnSource[] = [{ name: 'timestamp', data: ts, encoding: 'DELTA_BINARY_PACKED' }];
  for (const name of names) {
    const col = columns[name] as Float64Array;
    if (col.length !== n) throw new RangeError(`column ${name} has ${col.length} values for ${n} timestamps`);
    const decimals = opts.roundAsCsv ? (SENSOR_DECIMALS as Readonly<Record<string, number>>)[name] : undefined;
    const data: (number | null)[] = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const v = col[i] as number;
      if (v !== v) data[i] = null;
      else if (v === Infinity || v === -Infinity) throw new RangeError(`column ${name} row ${i} is ${v}; only finite numbers or NaN can be written`);
      else data[i] = decimals === undefined ? (v === 0 ? 0 : v) : valueAsWritten(v, decimals);
    }
    schema.push({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
    columnData.push({ name, data });
  }
  const { codec, compressors } = parquetCompressors(opts.compression ?? DEFAULT_PARQUET_COMPRESSION);
  const buffer = parquetWriteBuffer({
    columnData,
    schema,
    codec,
    compressors,
    rowGroupSize: ROW_GROUP_ROWS,
    createdBy: CREATED_BY,
  });
  return new Uint8Array(buffer);
}
