/**
 * What identifies a system's series on disk without reading it, for the score cache's key: the
 * size and mtime of its CSV file, or of every part file of its Parquet partition folder (a part
 * added, removed or rewritten changes it). Missing series give `missing`, which the loader then
 * reports.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { locateSeries } from './layout.ts';
import { parquetParts } from './parquet-read.ts';
import type { Source } from './schema.ts';

/** The fingerprint of one system's series (see the module comment). */
export async function seriesFingerprint(dataDir: string, source: Source, systemId: string): Promise<string> {
  const at = locateSeries(dataDir, source, systemId);
  const files = at.format === 'parquet' ? await parquetParts(at.path).catch(() => []) : [at.path];
  if (files.length === 0) return 'missing';
  const stats = await Promise.all(files.map((f) => stat(f).catch(() => null)));
  return files.map((f, i) => (stats[i] ? `${path.basename(f)}:${stats[i].size}:${stats[i].mtimeMs}` : `${path.basename(f)}:missing`)).join('/');
}
