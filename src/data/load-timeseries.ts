import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../errors.ts';
import { HarnessError } from '../errors.ts';
import { throwIfProblems } from './csv-read.ts';
import { assertDataFolder, assertSafeSystemId, describeLayout, locateSeries, locateSeriesIn, resolveDataDir, selectSources, type SeriesLocation } from './layout.ts';
import { readInSnapshot } from './source-snapshot.ts';
import { scanSeriesParquet } from './parquet-read.ts';
import { caseMismatchNote } from './raw-entries.ts';
import type { DerivedFeature, Source } from './schema.ts';
import { scanSeriesBytes, seriesPathCounts } from './series-bytes.ts';
import { scanSeries, type SeriesScan } from './series-scan.ts';
import type { SourceSnapshot, SystemSeries, TimeseriesOptions } from './types.ts';
import { readRegularFileSync, scratchSpace, utf8Text } from './read-file.ts';

/** Scratch space for the bytes of the series file being read. */
const seriesScratch = scratchSpace(16 << 20);

/** The loader reports at most this many problems of one file; `harness validate` lists them all. */
const MAX_LOAD_PROBLEMS = 10;

/**
 * A derived feature of a series: `cell_delta_v_mv` = (cell_voltage_max_v − cell_voltage_min_v)
 * × 1000, `temp_spread_c` = temp_cell_max_c − temp_cell_min_c. NaN where either input is
 * missing, and all NaN when the file lacks an input column: a sensor may be absent from a file,
 * and NaN is how the contract says "no reading".
 */
export function deriveFeature(series: SystemSeries, name: DerivedFeature): Float64Array {
  const [hiName, loName, scale] =
    name === 'cell_delta_v_mv'
      ? (['cell_voltage_max_v', 'cell_voltage_min_v', 1000] as const)
      : (['temp_cell_max_c', 'temp_cell_min_c', 1] as const);
  const n = series.timestamps.length;
  const out = new Float64Array(n).fill(NaN);
  const hi = series.sensors[hiName];
  const lo = series.sensors[loName];
  if (!hi || !lo) return out;
  for (let i = 0; i < n; i++) out[i] = ((hi[i] as number) - (lo[i] as number)) * scale;
  return out;
}

/**
 * Scans a series file's bytes: the byte scanner (series-bytes.ts) for a clean file, else the
 * general scanner on the decoded text, which locates the problems (thrown as E_DATA).
 */
function readSeriesFile(file: string, bytes: Uint8Array, systemId: string, extraSensors: readonly string[], extraColumns: boolean): SeriesScan {
  const fast = scanSeriesBytes(bytes, { extraSensors, extraColumns });
  if (fast) {
    seriesPathCounts.bytes++;
    return fast;
  }
  seriesPathCounts.text++;
  const problems: Problem[] = [];
  const scan = scanSeries(utf8Text(bytes, file), {
    file,
    extraSensors,
    extraColumns,
    report: (p) => problems.push(p) < MAX_LOAD_PROBLEMS,
  });
  throwIfProblems(problems, `cannot load the series of ${systemId}`);
  return scan;
}


/** Reads a system's Parquet partition folder; its first problems are thrown as E_DATA. */
async function readSeriesParquet(dir: string, systemId: string, extraSensors: readonly string[], extraColumns: boolean): Promise<SeriesScan> {
  const problems: Problem[] = [];
  const scan = await scanSeriesParquet(dir, { extraSensors, extraColumns, report: (p) => problems.push(p) < MAX_LOAD_PROBLEMS });
  throwIfProblems(problems, `cannot load the series of ${systemId}`);
  return scan;
}

/**
 * Which source holds a system's series when the caller did not say: the one whose raw file
 * exists. An id in both sources is ambiguous and must be asked for with `source`.
 */
function findSource(dataDir: string, systemId: string): Source {
  const layout = describeLayout(dataDir);
  const found = layout.sources.filter((s) => existsSync(locateSeries(dataDir, s.source, systemId).path));
  const only = found[0];
  if (found.length === 1 && only) return only.source;
  if (found.length > 1) {
    throw new HarnessError('E_DATA', `system ${systemId} has a series in both ${found.map((s) => s.source).join(' and ')}; pass a source`);
  }
  const fallback = layout.sources[0];
  // A file passed as the data folder was "no data in <file>": it is named as a file.
  if (!fallback) assertDataFolder(layout.dataDir);
  if (!fallback) throw new HarnessError('E_DATA', `no data in ${layout.dataDir}: expected synthetic/, real/ or a flat raw/ folder (run \`harness generate\`)`);
  return fallback.source;
}

/**
 * The source asked for, held to the folder as loadDataset holds it (selectSources): a flat folder
 * holds one source, and its series read as the other's failed on the other's rules (real data's
 * extra columns were "unknown column" at the header) where loadDataset says "no synthetic data:
 * <dir> holds real data"; a file passed as the data folder is named as one.
 */
function checkSource(dataDir: string, source: Source): void {
  const layout = describeLayout(dataDir);
  if (layout.kind === 'flat' || layout.sources.length === 0) selectSources(layout, source);
}

/**
 * Refuses a system whose series is in both layouts, `raw/<id>.csv` beside `raw/system_id=<id>/`
 * (as validate does): which one holds the data is not for the loader to guess, and it read the
 * Parquet one silently.
 */
function assertOneLayout(systemId: string, partition: string): void {
  const csv = path.join(path.dirname(partition), `${systemId}.csv`);
  if (!existsSync(csv)) return;
  const message = `system ${systemId} has both ${path.basename(csv)} and ${path.basename(partition)}/: keep one layout`;
  throwIfProblems([{ file: csv, line: 0, column: 0, message }], `cannot load the series of ${systemId}`);
}

/**
 * Reads one system's series from `<data>/<source>/raw/<id>.csv` (or `<dir>/raw/<id>.csv` in a
 * flat folder), or from the Parquet layout's `raw/system_id=<id>/` when that folder exists, into
 * columns. An unsafe id is rejected before the disk is touched; a missing file, an unknown column
 * (in real data: one not named in lowercase snake_case), a bad number or timestamp, or timestamps
 * that do not strictly increase is a HarnessError('E_DATA') whose problems say file:line:column.
 * A row repeated verbatim right after itself (a logger's repeated row) is dropped, not refused.
 * `derive` adds derived features as extra columns.
 */
export async function loadTimeseries(systemId: string, opts: TimeseriesOptions = {}): Promise<SystemSeries> {
  assertSafeSystemId(systemId);
  const dataDir = resolveDataDir(opts.dataDir);
  if (opts.source !== undefined) checkSource(dataDir, opts.source);
  return loadRecordSeries(systemId, dataDir, opts.source ?? findSource(dataDir, systemId), opts);
}

/**
 * {@link loadTimeseries} of a system whose source the folder's own metadata gave (a loaded
 * dataset's record), so not checked against the folder again: in a flat folder that check reads
 * metadata.csv, once per series of the fleet.
 */
export function loadRecordSeries(systemId: string, dataDir: string, source: Source, opts: Omit<TimeseriesOptions, 'dataDir' | 'source'> = {}): Promise<SystemSeries> {
  return readSeriesAt(locateSeries(dataDir, source, systemId), systemId, source, opts);
}

/**
 * {@link loadTimeseries} from a loaded dataset's snapshot of the source folder (see
 * source-snapshot.ts): the series of the version its labels came from, or a HarnessError saying
 * the folder was replaced since, never another fleet's series.
 */
export function loadSnapshotSeries(snap: SourceSnapshot, source: Source, systemId: string, opts: Omit<TimeseriesOptions, 'dataDir' | 'source'> = {}): Promise<SystemSeries> {
  return readInSnapshot(snap, () => readSeriesAt(locateSeriesIn(path.join(snap.dir, 'raw'), systemId), systemId, source, opts));
}

/**
 * A CSV series' bytes (into scratch space). A missing file whose folder holds one of a name that
 * differs only in case (`S1.CSV`) says so: "file not found" alone sent the user looking for a
 * file they could see.
 */
function readSeriesBytes(file: string, systemId: string): Uint8Array {
  try {
    return readRegularFileSync(file, seriesScratch);
  } catch (err) {
    if (!(err instanceof HarnessError) || err.problems[0]?.message !== 'file not found') throw err;
    let names: string[] = [];
    try {
      names = readdirSync(path.dirname(file));
    } catch {
      throw err;
    }
    const near = caseMismatchNote(names, systemId);
    if (near === undefined) throw err;
    const why = `file not found (${near})`;
    throw new HarnessError('E_DATA', `${file}: ${why}`, [{ file, line: 1, column: 0, message: why }]);
  }
}

async function readSeriesAt(at: SeriesLocation, systemId: string, source: Source, opts: Omit<TimeseriesOptions, 'dataDir' | 'source'>): Promise<SystemSeries> {
  if (at.format === 'parquet') assertOneLayout(systemId, at.path);
  // Real data may carry extra snake_case columns (`harness import`'s `extra`); synthetic data holds only sensors.
  const extraColumns = source === 'real';
  const scan =
    at.format === 'parquet'
      ? await readSeriesParquet(at.path, systemId, opts.extraSensors ?? [], extraColumns)
      : // One blocking read into scratch space, scanned at once: no Buffer, FileHandle or promise
        // per file (they were most of the 24 KB a 1-day series allocated), nothing awaited
        // between the read and the scan that could let another read overwrite the bytes.
        readSeriesFile(at.path, readSeriesBytes(at.path, systemId), systemId, opts.extraSensors ?? [], extraColumns);
  const sensors: Record<string, Float64Array> = {};
  scan.columns.forEach((c, i) => {
    const v = scan.values[i];
    if (v) sensors[c] = v;
  });
  const series: SystemSeries = { systemId, source, timestamps: scan.timestamps, sensors };
  for (const name of opts.derive ?? []) sensors[name] = deriveFeature(series, name);
  return series;
}
