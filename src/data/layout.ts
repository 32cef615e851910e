import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { HarnessError } from '../errors.ts';
import { SOURCES, SYSTEM_ID_PATTERN, isOneOf, type Source } from './schema.ts';

/**
 * Where the files of one source live. In a flat folder `dir` is the folder itself.
 */
export interface SourceLayout {
  readonly source: Source;
  readonly dir: string;
  readonly rawDir: string;
  readonly metadataPath: string;
}

/**
 * The two folder shapes the harness reads:
 * - `data-dir`: `<dir>/synthetic/{raw/,metadata.csv}`, `<dir>/real/{raw/,metadata.csv}`, `<dir>/labels.csv`;
 * - `flat`: `<dir>/{raw/,metadata.csv,labels.csv}` holding one source, as `harness generate --out` writes it.
 */
export interface DataLayout {
  readonly kind: 'data-dir' | 'flat';
  readonly dataDir: string;
  readonly labelsPath: string;
  /** Sources present: in a data dir those whose folder exists; in a flat folder exactly one. */
  readonly sources: readonly SourceLayout[];
}

/** The absolute data folder: `dataDir` resolved against the cwd, or `./data`. */
export function resolveDataDir(dataDir?: string): string {
  return path.resolve(dataDir ?? 'data');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
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

/** Describes the folder shape of `dataDir` (resolved with {@link resolveDataDir}). Touches only the file system's metadata and, for a flat folder, the first rows of `metadata.csv`. */
export function describeLayout(dataDir?: string): DataLayout {
  const dir = resolveDataDir(dataDir);
  const labelsPath = path.join(dir, 'labels.csv');
  const flatMetadata = path.join(dir, 'metadata.csv');
  const flatRaw = path.join(dir, 'raw');
  if (existsSync(flatMetadata) || isDir(flatRaw)) {
    return {
      kind: 'flat',
      dataDir: dir,
      labelsPath,
      sources: [{ source: flatSource(flatMetadata), dir, rawDir: flatRaw, metadataPath: flatMetadata }],
    };
  }
  const sources = SOURCES.filter((s) => isDir(path.join(dir, s))).map((source) => {
    const sdir = path.join(dir, source);
    return { source, dir: sdir, rawDir: path.join(sdir, 'raw'), metadataPath: path.join(sdir, 'metadata.csv') };
  });
  return { kind: 'data-dir', dataDir: dir, labelsPath, sources };
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
  const layout = describeLayout(dir);
  if (layout.kind === 'flat') return path.join(dir, 'raw', `${systemId}.csv`);
  return path.join(dir, source, 'raw', `${systemId}.csv`);
}

/**
 * The sources of a layout a loader should read for `selector`. Throws a HarnessError when
 * the folder is missing, holds no data, or lacks the one source asked for.
 */
export function selectSources(layout: DataLayout, selector: Source | 'all'): readonly SourceLayout[] {
  if (!isDir(layout.dataDir)) {
    throw new HarnessError('E_DATA', `data folder ${layout.dataDir} not found (run \`harness generate\`, or pass --data)`);
  }
  if (layout.sources.length === 0) {
    throw new HarnessError(
      'E_DATA',
      `no data in ${layout.dataDir}: expected synthetic/ or real/ (each with raw/ and metadata.csv), or raw/ and metadata.csv (run \`harness generate\`)`,
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
