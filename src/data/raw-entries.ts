/**
 * What a source's `raw/` folder holds, one rule for validate, the dataset loader and import (and
 * python/bess_harness/raw_entries.py, held to the same words by the conformance fixture): a series
 * is `<id>.csv` or a partition folder `system_id=<id>/`; names starting with `_` or `.` are left
 * out, as Spark and pyarrow leave them (`_SUCCESS`, `.DS_Store`). Anything else is an error naming
 * it: `sys-9.CSV` or `notes.txt` beside the series was skipped without a word, the very silent drop
 * the orphan check exists to catch.
 */
import type { Dirent } from 'node:fs';
import { hiddenFromReaders, systemIdOfPartition } from './parquet-read.ts';

/**
 * The system a `raw/` entry holds the series of: `<id>.csv`, or a partition folder
 * `system_id=<id>/` (a folder, or a link to one); undefined for anything else.
 */
export function rawEntrySystem(e: Dirent): { readonly id: string; readonly parquet: boolean } | undefined {
  const partition = systemIdOfPartition(e.name);
  if (partition !== undefined) return e.isDirectory() || e.isSymbolicLink() ? { id: partition, parquet: true } : undefined;
  return e.name.endsWith('.csv') ? { id: e.name.slice(0, -'.csv'.length), parquet: false } : undefined;
}

/** The shapes of a series, as the messages name them. */
const SERIES_SHAPES = 'series are <id>.csv or system_id=<id>/';

/**
 * Why a `raw/` entry is refused: neither a series nor a hidden name. Undefined for those two.
 * The hint says what was most likely meant (a name differing only in case, a Parquet file).
 */
export function strayRawEntry(e: Dirent): string | undefined {
  if (hiddenFromReaders(e.name) || rawEntrySystem(e) !== undefined) return undefined;
  return `not a series file: ${SERIES_SHAPES} (${strayHint(e)})`;
}

function strayHint(e: Dirent): string {
  const { name } = e;
  if (/\.csv$/i.test(name)) return `the extension is case-sensitive: rename it ${name.slice(0, -4)}.csv`;
  if (systemIdOfPartition(name) !== undefined) return 'a partition system_id=<id> is a folder of *.parquet parts, not a file';
  if (/^system_id=/i.test(name)) return `the folder name is case-sensitive: rename it system_id=${name.slice('system_id='.length)}`;
  if (/\.parquet$/i.test(name)) return `a Parquet series is a folder of parts: move it to system_id=${name.slice(0, -'.parquet'.length)}/part-0.parquet`;
  return 'the loaders read nothing else here: move it out, or start its name with _ or . to keep it';
}

/**
 * The note for a system whose series is missing while `names` (its raw folder's entries) hold
 * one whose name differs only in case (`S1.CSV` for `S1.csv`, `System_ID=S1`), or undefined.
 * On a case-sensitive file system that file is not the series; on macOS it would be: the
 * note says why the same folder reads differently there.
 */
export function caseMismatchNote(names: readonly string[], systemId: string): string | undefined {
  const csv = `${systemId}.csv`;
  const partition = `system_id=${systemId}`;
  // Sorted, so that of two such names the same one is named whatever order the folder lists them in.
  const near = [...names].sort().find((n) => n !== csv && n !== partition && (n.toLowerCase() === csv.toLowerCase() || n.toLowerCase() === partition.toLowerCase()));
  if (near === undefined) return undefined;
  const extensionOnly = near.slice(0, -4) === systemId && /\.csv$/i.test(near);
  return `raw/ holds ${near}: ${extensionOnly ? 'the extension is' : 'names are'} case-sensitive`;
}
