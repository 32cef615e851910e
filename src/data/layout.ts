import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { HarnessError } from '../errors.ts';
import { pathExistsSync } from './path-exists.ts';
import { SOURCES, SYSTEM_ID_PATTERN, isOneOf, type Source } from './schema.ts';

/**
 * Where the files of one source live: `raw/`, `metadata.csv` and `labels.csv` in `dir`. In a
 * flat folder `dir` is the folder itself.
 */
export interface SourceLayout {
  readonly source: Source;
  readonly dir: string;
  readonly rawDir: string;
  readonly metadataPath: string;
  /** The label rows of this source; in a data dir every row's `source` is the folder's. */
  readonly labelsPath: string;
}

/**
 * The two folder shapes the harness reads, both made of the same source folder
 * (`raw/`, `metadata.csv`, `labels.csv`):
 * - `data-dir`: `<dir>/synthetic/` and `<dir>/real/`, one source folder each;
 * - `flat`: `<dir>/` is itself one source folder, as `harness generate --out` writes it.
 */
export interface DataLayout {
  readonly kind: 'data-dir' | 'flat';
  readonly dataDir: string;
  /** Sources present: in a data dir those whose folder exists; in a flat folder exactly one. */
  readonly sources: readonly SourceLayout[];
  /**
   * A data dir's `<dir>/labels.csv` from before labels moved into the source folders, when it
   * is still there: it is no longer read, and loaders and writers refuse to go on beside it
   * (see {@link assertNoLegacyLabels}) so no label in it is silently ignored.
   */
  readonly legacyLabelsPath?: string;
}

/** The absolute data folder: `dataDir` resolved against the cwd, or `./data`. */
export function resolveDataDir(dataDir?: string): string {
  return path.resolve(dataDir ?? 'data');
}

function isDir(p: string): boolean {
  try {
    // Without an exception for a missing path: the loader asks for every series whether its
    // Parquet folder exists, and in a CSV layout it never does.
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/**
 * The source a flat folder holds, read from the `source` column of its first metadata row.
 * A flat folder without a readable one is taken as synthetic, since `harness generate` is what
 * writes flat folders; validation reports the unreadable file itself.
 */
function flatSource(metadataPath: string): Source {
  try {
    const records = parse(readFileSync(metadataPath, 'utf8'), {
      bom: true,
      to: 2,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    const col = records[0]?.indexOf('source') ?? -1;
    const value = col >= 0 ? records[1]?.[col] : undefined;
    if (value !== undefined && isOneOf(SOURCES, value)) return value;
  } catch {
    // fall through to the default: the loader or validation reports the file properly
  }
  return 'synthetic';
}

/** True when `dir` is a flat folder (its own `metadata.csv` or `raw/`), the test {@link describeLayout} makes. */
function isFlatFolder(dir: string): boolean {
  return pathExistsSync(path.join(dir, 'metadata.csv')) || isDir(path.join(dir, 'raw'));
}

/** Describes the folder shape of `dataDir` (resolved with {@link resolveDataDir}). Touches only the file system's metadata and, for a flat folder, the first rows of `metadata.csv`. */
export function describeLayout(dataDir?: string): DataLayout {
  const dir = resolveDataDir(dataDir);
  const flatMetadata = path.join(dir, 'metadata.csv');
  const flatRaw = path.join(dir, 'raw');
  if (isFlatFolder(dir)) {
    return {
      kind: 'flat',
      dataDir: dir,
      sources: [{ source: flatSource(flatMetadata), dir, rawDir: flatRaw, metadataPath: flatMetadata, labelsPath: path.join(dir, 'labels.csv') }],
    };
  }
  const sources = SOURCES.filter((s) => isDir(path.join(dir, s))).map((source) => sourceFolder(dir, source));
  const legacy = path.join(dir, 'labels.csv');
  return { kind: 'data-dir', dataDir: dir, sources, ...(pathExistsSync(legacy) ? { legacyLabelsPath: legacy } : {}) };
}

/** The folder of `source` in the data dir `dataDir`, whether or not it exists yet. */
export function sourceFolder(dataDir: string, source: Source): SourceLayout {
  const dir = path.join(resolveDataDir(dataDir), source);
  return { source, dir, rawDir: path.join(dir, 'raw'), metadataPath: path.join(dir, 'metadata.csv'), labelsPath: path.join(dir, 'labels.csv') };
}

/**
 * The labels file a row of `source` belongs in: `<dir>/<source>/labels.csv` in a data dir,
 * the one `labels.csv` of a flat folder.
 */
export function labelsPathOf(layout: DataLayout, source: Source): string {
  if (layout.kind === 'flat') return path.join(layout.dataDir, 'labels.csv');
  return sourceFolder(layout.dataDir, source).labelsPath;
}

/** What to do about the legacy top-level labels file `file`: the message `harness validate` reports at it. */
export function legacyLabelsMessage(file: string): string {
  const dataDir = path.dirname(file);
  return (
    'labels now live in each source folder, and this file is no longer read. ' +
    `Move its real rows (source real) to ${path.join(dataDir, 'real', 'labels.csv')} (same header), ` +
    `then delete it; its synthetic rows are regenerated by \`harness generate\` into ${path.join(dataDir, 'synthetic', 'labels.csv')}`
  );
}

/** Throws a HarnessError naming the file and what to do when a data dir still has a legacy `labels.csv` at its top. */
export function assertNoLegacyLabels(layout: DataLayout): void {
  const file = layout.legacyLabelsPath;
  if (file !== undefined) throw new HarnessError('E_DATA', `${file}: ${legacyLabelsMessage(file)}`);
}

/**
 * Throws unless `systemId` is a safe file name (SYSTEM_ID_PATTERN): ids name files, so one
 * like `../x` must never reach the file system.
 */
export function assertSafeSystemId(systemId: string): void {
  if (!SYSTEM_ID_PATTERN.test(systemId)) {
    throw new HarnessError(
      'E_DATA',
      `unsafe system id ${JSON.stringify(systemId)}: ids name files, so they must match ${SYSTEM_ID_PATTERN.source}`,
    );
  }
}

/**
 * The raw series file of one system: `<dir>/<source>/raw/<id>.csv` in a data dir,
 * `<dir>/raw/<id>.csv` in a flat folder (where `source` does not change the path).
 * Throws a HarnessError for an unsafe id before anything touches the disk.
 */
export function seriesPath(dataDir: string, source: Source, systemId: string): string {
  assertSafeSystemId(systemId);
  const dir = resolveDataDir(dataDir);
  // Only the folder's shape matters here, not its source (which describeLayout reads from the
  // metadata, a parse per series read).
  if (isFlatFolder(dir)) return path.join(dir, 'raw', `${systemId}.csv`);
  return path.join(dir, source, 'raw', `${systemId}.csv`);
}

/** Where a system's series is on disk, and in which layout. */
export interface SeriesLocation {
  readonly format: 'csv' | 'parquet';
  /** `raw/<id>.csv`, or the partition folder `raw/system_id=<id>/` of the Parquet layout. */
  readonly path: string;
}

/**
 * A system's series as the disk holds it: the Parquet layout's partition folder
 * `raw/system_id=<id>/` when it exists, else `raw/<id>.csv` (which may not exist: the loader
 * then says the file is missing). The layout is read from the disk per system, so a fleet
 * written by `harness generate --format parquet`, by Spark or by pyarrow needs no setting.
 */
export function locateSeries(dataDir: string, source: Source, systemId: string): SeriesLocation {
  return locateSeriesIn(path.dirname(seriesPath(dataDir, source, systemId)), systemId);
}

/** {@link locateSeries} in the raw folder `rawDir` (a loaded dataset's, see source-snapshot.ts). */
export function locateSeriesIn(rawDir: string, systemId: string): SeriesLocation {
  assertSafeSystemId(systemId);
  const csv = path.join(rawDir, `${systemId}.csv`);
  const partition = path.join(rawDir, `system_id=${systemId}`);
  return isDir(partition) ? { format: 'parquet', path: partition } : { format: 'csv', path: csv };
}

/**
 * Why `dir` is no data folder: not there, or a file (`--data data/real/labels.csv`, a file of the
 * folder, was said to be "not found" though it exists).
 */
export function missingDataDirMessage(dir: string): string {
  return existsSync(dir)
    ? `${dir} is a file, not a data folder: --data takes the folder that holds synthetic/ and real/ (or raw/, metadata.csv and labels.csv), not a file in it`
    : `data folder ${dir} not found (run \`harness generate\`, or pass --data)`;
}

/** Throws {@link missingDataDirMessage} (E_DATA) unless `dir` is a folder. */
export function assertDataFolder(dir: string): void {
  if (!isDir(dir)) throw new HarnessError('E_DATA', missingDataDirMessage(dir));
}

/**
 * The sources of a layout a loader should read for `selector`. Throws a HarnessError when
 * the folder is missing, holds no data, lacks the one source asked for, or still has a legacy
 * top-level `labels.csv`.
 */
export function selectSources(layout: DataLayout, selector: Source | 'all'): readonly SourceLayout[] {
  assertDataFolder(layout.dataDir);
  assertNoLegacyLabels(layout);
  if (layout.sources.length === 0) {
    throw new HarnessError(
      'E_DATA',
      `no data in ${layout.dataDir}: expected synthetic/ or real/ (each with raw/, metadata.csv and labels.csv), or raw/, metadata.csv and labels.csv (run \`harness generate\`)`,
    );
  }
  if (selector === 'all') return layout.sources;
  const picked = layout.sources.filter((s) => s.source === selector);
  if (picked.length === 0) {
    const where = layout.kind === 'flat' ? `${layout.dataDir} holds ${layout.sources[0]?.source ?? 'no'} data` : `${path.join(layout.dataDir, selector)} not found`;
    throw new HarnessError('E_DATA', `no ${selector} data: ${where}`);
  }
  return picked;
}
