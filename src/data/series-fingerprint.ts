/**
 * What identifies a system's series on disk without reading it, for the score cache's key: the
 * size, mtime, ctime and inode of its CSV file, or of every part file of its Parquet partition
 * folder (a part added, removed or rewritten changes it). Size and mtime alone let a file edited
 * in place and given its old mtime back (`utime`, `touch -r`, a tool that keeps timestamps) be
 * served stale scores; the ctime moves on any write and no call can set it back, and a file
 * replaced by another (a rename over it) has a new inode. Missing series give `missing`, which
 * the loader then reports.
 *
 * Blocking calls, on purpose: a run fingerprints every system before it scores, and a
 * `fs/promises` stat per system, awaited in turn, cost about 200 µs each in libuv's round trip
 * (most of it main-thread time): 14 s of a 100k-system run. `statSync` costs about 5 µs.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { locateSeries, locateSeriesIn } from './layout.ts';
import { parquetFolderSync, type ParquetFolder } from './parquet-read.ts';
import type { Source } from './schema.ts';
import type { SourceSnapshot } from './types.ts';

/**
 * The files of one system's series: its CSV, or the part files of its Parquet partition folder
 * ([] when unreadable); in `snapshot` (a loaded dataset's, Dataset.snapshots) when given, so the
 * files named are the ones the dataset's series are read from.
 */
export function seriesFiles(dataDir: string, source: Source, systemId: string, snapshot?: SourceSnapshot): string[] {
  return seriesEntries(dataDir, source, systemId, snapshot).parts;
}

/** The series' files ({@link seriesFiles}) and, in a partition folder, the entries the reader refuses (ParquetFolder.strays). */
function seriesEntries(dataDir: string, source: Source, systemId: string, snapshot?: SourceSnapshot): ParquetFolder {
  const at = snapshot ? locateSeriesIn(path.join(snapshot.dir, 'raw'), systemId) : locateSeries(dataDir, source, systemId);
  try {
    return at.format === 'parquet' ? parquetFolderSync(at.path) : { parts: [at.path], strays: [] };
  } catch {
    return { parts: [], strays: [] };
  }
}

/** The fingerprint of one system's series (see the module comment). */
export function seriesFingerprint(dataDir: string, source: Source, systemId: string, snapshot?: SourceSnapshot): string {
  const { parts: files, strays } = seriesEntries(dataDir, source, systemId, snapshot);
  if (files.length === 0 && strays.length === 0) return 'missing';
  const keys = files.map((f) => {
    let s: ReturnType<typeof statSync>;
    try {
      s = statSync(f, { throwIfNoEntry: false });
    } catch {
      s = undefined;
    }
    return s ? `${path.basename(f)}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : `${path.basename(f)}:missing`;
  });
  // A file the reader refuses, added beside cached parts, must not be served their cached score:
  // the series no longer loads.
  for (const f of strays) keys.push(`${path.basename(f)}:stray`);
  return keys.join('/');
}
