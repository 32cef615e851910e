import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { formatLabelsCsv, formatMetadataCsv, formatSeriesCsv } from './csv-write.ts';
import { mergeLabels } from './merge-labels.ts';
import { readLabelsFile } from './load-labels.ts';
import type { Source } from './schema.ts';
import type { LabelRow, MetadataRow } from './types.ts';
import { pathExists } from './path-exists.ts';

/** One system ready to be written: its columns and its metadata and label rows. */
export interface FleetMember {
  readonly systemId: string;
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly metadata: MetadataRow;
  readonly label: LabelRow;
}

/**
 * Where a fleet goes: into a data dir (replacing `<dataDir>/<source>/` and merging its labels
 * into `<dataDir>/labels.csv`, so the other source's rows survive), or into a flat folder
 * (`<dir>/raw/`, `<dir>/metadata.csv`, `<dir>/labels.csv`).
 */
export type FleetTarget =
  | { readonly kind: 'data-dir'; readonly dataDir: string; readonly source: Source }
  | { readonly kind: 'flat'; readonly dir: string };

export interface WriteFleetResult {
  readonly systems: number;
  readonly rows: number;
  readonly bytes: number;
  /** Label rows of other sources kept in labels.csv (data-dir target only). */
  readonly keptOtherLabels: number;
}

/**
 * Writes a fleet so that a crash never leaves half a dataset: everything is written into a
 * staging folder beside the target, then moved into place with renames. Systems are consumed
 * one at a time, so memory is bounded by one system, not by the fleet.
 */
export async function writeFleet(
  target: FleetTarget,
  members: Iterable<FleetMember>,
  onProgress?: (done: number) => void,
): Promise<WriteFleetResult> {
  const finalDir = target.kind === 'flat' ? path.resolve(target.dir) : path.resolve(target.dataDir, target.source);
  const labelsPath =
    target.kind === 'flat' ? path.join(finalDir, 'labels.csv') : path.resolve(target.dataDir, 'labels.csv');
  // Read the existing labels first: if they cannot be read we must stop before writing
  // anything, because merging would otherwise drop rows we could not parse.
  const existingLabels = target.kind === 'data-dir' ? await readLabelsFile(labelsPath, { allowMissing: true }) : [];

  const parent = path.dirname(finalDir);
  await mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(finalDir)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(path.join(staging, 'raw'), { recursive: true });
  try {
    const metadata: MetadataRow[] = [];
    const labels: LabelRow[] = [];
    let rows = 0;
    let bytes = 0;
    for (const m of members) {
      const csv = formatSeriesCsv(m.timestamps, m.columns);
      await writeFile(path.join(staging, 'raw', `${m.systemId}.csv`), csv);
      rows += m.timestamps.length;
      bytes += Buffer.byteLength(csv);
      metadata.push(m.metadata);
      labels.push(m.label);
      onProgress?.(metadata.length);
    }
    await writeFile(path.join(staging, 'metadata.csv'), formatMetadataCsv(metadata));
    const source = target.kind === 'data-dir' ? target.source : undefined;
    let keptOtherLabels = 0;
    if (target.kind === 'flat') {
      await writeFile(path.join(staging, 'labels.csv'), formatLabelsCsv(labels));
      await swapEntries(staging, finalDir, ['raw', 'metadata.csv', 'labels.csv']);
    } else {
      const merged = mergeLabels(existingLabels, labels, source ?? 'synthetic');
      keptOtherLabels = merged.length - labels.length;
      await swapEntries(staging, finalDir, ['raw', 'metadata.csv']);
      await writeFileAtomic(labelsPath, formatLabelsCsv(merged));
    }
    return { systems: metadata.length, rows, bytes, keptOtherLabels };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Moves `names` from staging into target, replacing what was there; the old entries are removed last. */
export async function swapEntries(staging: string, target: string, names: readonly string[]): Promise<void> {
  await mkdir(target, { recursive: true });
  const trash = path.join(staging, '.old');
  await mkdir(trash, { recursive: true });
  for (const name of names) {
    const dest = path.join(target, name);
    if (await pathExists(dest)) await rename(dest, path.join(trash, name));
    await rename(path.join(staging, name), dest);
  }
}

