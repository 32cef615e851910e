import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { formatLabelsCsv, formatMetadataCsv, formatSeriesCsv } from './csv-write.ts';
import { assertNoLegacyLabels, describeLayout, sourceFolder } from './layout.ts';
import type { Source } from './schema.ts';
import type { LabelRow, MetadataRow } from './types.ts';
import { withFileLock } from './file-lock.ts';
import { fsyncDir, removeLeftovers, writeFileDurable } from './atomic.ts';
import { assertReplaceableFleet, commitFolder, convertToVersionLink, tidyBeside } from './fleet-commit.ts';
import { removeOnExit } from '../exit-signals.ts';
import { DEFAULT_PARQUET_COMPRESSION, loadZstd, type ParquetCompression } from './parquet-codecs.ts';
import { partitionDirName } from './parquet-read.ts';
import { makeDir } from './make-dir.ts';
import { stagingPathFor, stagingPattern } from './side-names.ts';

/** One system ready to be written: its columns and its metadata and label rows. */
export interface FleetMember {
  readonly systemId: string;
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly metadata: MetadataRow;
  readonly label: LabelRow;
  /** Rows the file repeats verbatim (see formatSeriesCsv). */
  readonly repeatRows?: readonly number[];
}

/**
 * Where a fleet goes: into a data dir (replacing `<dataDir>/<source>/{raw/,metadata.csv,labels.csv}`;
 * the other source's folder, labels included, is not touched), or into a flat folder
 * (`<dir>/raw/`, `<dir>/metadata.csv`, `<dir>/labels.csv`). Both are the same source-folder shape.
 */
export type FleetTarget =
  | { readonly kind: 'data-dir'; readonly dataDir: string; readonly source: Source }
  | { readonly kind: 'flat'; readonly dir: string };

/**
 * The layout of the series: `raw/<id>.csv`, or the hive-partitioned Parquet dataset
 * `raw/system_id=<id>/part-0.parquet` (metadata and labels stay CSV in both).
 */
export type SeriesFormat = 'csv' | 'parquet';

export interface WriteFleetResult {
  readonly systems: number;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Writes a fleet so that a crash never leaves half a dataset, nor a mix of two: everything is
 * written into a staging folder beside the target and fsynced, then committed in one atomic
 * rename (the target is a symlink to a versioned folder, see fleet-commit.ts), under the
 * target's labels lock so no label save lands in a version being replaced. Leftovers of a killed
 * generate are removed first. Systems are consumed one at a time, so memory is bounded by one
 * system, not by the fleet. `format` picks the series layout (see {@link SeriesFormat}); the
 * switch is the same one rename; `compression` is the Parquet files' codec. Into a data dir that still has a legacy top-level `labels.csv`,
 * nothing is written (a HarnessError says what to do).
 */
export async function writeFleet(
  target: FleetTarget,
  members: Iterable<FleetMember>,
  onProgress?: (done: number) => void,
  format: SeriesFormat = 'csv',
  compression: ParquetCompression = DEFAULT_PARQUET_COMPRESSION,
): Promise<WriteFleetResult> {
  if (format === 'parquet' && compression === 'zstd') await loadZstd();
  // The Parquet writer (hyparquet-writer) is loaded only to write Parquet: a CSV fleet never pays its start-up.
  const { formatSeriesParquet, PARQUET_PART_NAME } = format === 'parquet' ? await import('./parquet-write.ts') : ({} as typeof import('./parquet-write.ts'));
  if (target.kind === 'data-dir') assertNoLegacyLabels(describeLayout(target.dataDir));
  const finalDir = target.kind === 'flat' ? path.resolve(target.dir) : sourceFolder(target.dataDir, target.source).dir;
  await assertReplaceableFleet(finalDir, target.kind === 'flat' ? '--out' : `the ${target.source} folder`);

  const parent = path.dirname(finalDir);
  await makeDir(parent);
  const labelsLock = path.join(finalDir, 'labels.csv');
  await removeStaleStaging(parent, path.basename(finalDir));
  // A real folder is made a version link now, under the lock its label saves take (inside it),
  // so that the commit takes the lock they take from then on (beside it): see file-lock.ts.
  await withFileLock(labelsLock, async () => {
    await tidyBeside(finalDir);
    await convertToVersionLink(finalDir);
  });
  const staging = stagingPathFor(finalDir);
  // Ctrl+C mid-write removes it on the way out, not the next generate (it may hold gigabytes).
  const done = removeOnExit(staging);
  try {
    await makeDir(path.join(staging, 'raw'));
    const metadata: MetadataRow[] = [];
    const labels: LabelRow[] = [];
    let rows = 0;
    let bytes = 0;
    const writes = backgroundWrites(IN_FLIGHT);
    for (const m of members) {
      if (format === 'parquet') {
        // A logger's repeated rows are a CSV export's artefact: the Parquet file leaves them out,
        // and both layouts load the same series (the CSV loader drops the repeats).
        const file = formatSeriesParquet(m.timestamps, m.columns, { roundAsCsv: true, compression });
        const dir = path.join(staging, 'raw', partitionDirName(m.systemId));
        await writes.add(async () => {
          await mkdir(dir);
          await writeFileDurable(path.join(dir, PARQUET_PART_NAME), file);
          await fsyncDir(dir);
        });
        bytes += file.byteLength;
      } else {
        const csv = formatSeriesCsv(m.timestamps, m.columns, undefined, m.repeatRows);
        await writes.add(() => writeFileDurable(path.join(staging, 'raw', `${m.systemId}.csv`), csv));
        bytes += Buffer.byteLength(csv);
      }
      rows += m.timestamps.length;
      metadata.push(m.metadata);
      labels.push(m.label);
      onProgress?.(metadata.length);
    }
    await writes.finish();
    await writeFileDurable(path.join(staging, 'metadata.csv'), formatMetadataCsv(metadata));
    await writeFileDurable(path.join(staging, 'labels.csv'), formatLabelsCsv(labels));
    await fsyncDir(path.join(staging, 'raw'));
    await fsyncDir(staging);
    const replaced = await withFileLock(labelsLock, () => commitFolder(staging, finalDir));
    // Removed now, not kept until the next generate for a run still reading it: a run reads its
    // dataset's version (source-snapshot.ts), and one whose version is gone stops with exit 2
    // saying "run again". Keeping it would double the disk a fleet takes (gigabytes at scale)
    // for every generate, to spare a rare overlap a rerun; and a second generate would remove it anyway.
    if (replaced) await rm(replaced, { recursive: true, force: true });
    return { systems: metadata.length, rows, bytes };
  } finally {
    await rm(staging, { recursive: true, force: true });
    done();
  }
}

/**
 * How many system files are written and fsynced at once: an fsync waits for the disk, and with a
 * few in flight (on libuv's thread pool) the next systems are generated meanwhile. Each holds one
 * system's CSV in memory.
 */
const IN_FLIGHT = 4;

/** Runs async writes at most `limit` at a time; `add` waits for a free slot, `finish` for all, and both rethrow the first failure. */
function backgroundWrites(limit: number) {
  const running = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  return {
    async add(write: () => Promise<void>): Promise<void> {
      while (running.size >= limit) await Promise.race(running);
      if (failure) throw failure.err;
      const p: Promise<void> = write()
        .catch((err: unknown) => {
          failure ??= { err };
        })
        .finally(() => running.delete(p));
      running.add(p);
    },
    async finish(): Promise<void> {
      await Promise.all(running);
      if (failure) throw failure.err;
    },
  };
}

/**
 * Removes the staging folders a killed generate left beside `name` (their writer, the pid in the
 * folder's name, no longer runs: removeLeftovers). A running generate's staging folder is left alone.
 */
async function removeStaleStaging(parent: string, name: string): Promise<void> {
  await removeLeftovers(parent, stagingPattern(name));
}
