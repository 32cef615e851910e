/**
 * Writes imported systems into `<dataDir>/real/` (raw/*.csv and metadata.csv, the same shape as
 * synthetic/) through a staging folder and renames, like write-fleet.ts: a crash leaves the old
 * real/ or the new one, never half of it. Existing real systems with an imported id are
 * replaced; the others are kept (their raw files hard-linked, or copied, into the new folder).
 * Labels given with `--labels` are merged into `real/labels.csv` (the rows of those systems
 * replaced, every other row kept); the synthetic folder is never touched.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, type Problem } from '../../errors.ts';
import { fsyncDir, writeFileAtomic, writeFileDurable } from '../atomic.ts';
import { formatLabelsCsv, formatMetadataCsv, formatSeriesCsv } from '../csv-write.ts';
import { assertNoLegacyLabels, describeLayout, resolveDataDir, sourceFolder } from '../layout.ts';
import { readLabelsFile, readLocatedLabels } from '../load-labels.ts';
import { readLocatedMetadata } from '../load-metadata.ts';
import { pathExists } from '../path-exists.ts';
import type { LabelRow, MetadataRow } from '../types.ts';
import { swapEntries } from '../write-fleet.ts';
import type { ImportedSystem } from './split.ts';
import { makeDir } from '../make-dir.ts';

export interface WriteImportResult {
  readonly realDir: string;
  readonly written: number;
  readonly replaced: readonly string[];
  readonly kept: number;
  readonly rows: number;
  /** Label rows merged from `--labels`. */
  readonly labels: number;
}

export interface LabelsInput {
  readonly file: string;
}

/** Checks everything that could stop the write before anything is written; returns what the write needs. */
export async function prepareWrite(dataDir: string, systems: readonly ImportedSystem[], metadata: readonly MetadataRow[], labels?: LabelsInput) {
  const dir = resolveDataDir(dataDir);
  const layout = describeLayout(dir);
  if (layout.kind === 'flat') {
    throw new HarnessError('E_IMPORT', `${dir} is a flat data folder (raw/ and metadata.csv at its top, as \`harness generate --out\` writes); import writes into a data folder that holds real/ beside synthetic/: pass --data with one`);
  }
  assertNoLegacyLabels(layout);
  const { dir: realDir, metadataPath, labelsPath } = sourceFolder(dir, 'real');
  const existing = (await pathExists(metadataPath)) ? (await readLocatedMetadata(metadataPath, 'real')).map((r) => r.row) : [];
  const imported = new Map(metadata.map((m) => [m.system_id, m]));
  const replaced = existing.filter((m) => imported.has(m.system_id)).map((m) => m.system_id);
  // Existing rows in their order (replaced ones in place), then the new systems.
  const merged: MetadataRow[] = [...existing.map((m) => imported.get(m.system_id) ?? m), ...metadata.filter((m) => !existing.some((e) => e.system_id === m.system_id))];

  let mergedLabels: LabelRow[] | undefined;
  let labelCount = 0;
  if (labels) {
    const provided = await readLocatedLabels(path.resolve(labels.file));
    const ids = new Set(merged.map((m) => m.system_id));
    const problems: Problem[] = [];
    for (const { row, line } of provided) {
      if (row.source !== 'real') problems.push({ file: path.resolve(labels.file), line, column: 0, message: `system ${row.system_id} is ${row.source}: --labels merges real labels only` });
      else if (!ids.has(row.system_id)) problems.push({ file: path.resolve(labels.file), line, column: 0, message: `system ${row.system_id} is not a real system (not imported now, not in ${metadataPath})` });
    }
    if (problems.length > 0) throw new HarnessError('E_IMPORT', `cannot merge labels from ${labels.file}: ${problems.length} problem(s)`, problems);
    // Read before anything is written: a file with a bad row stops the import, so no row is dropped.
    const existingLabels = await readLabelsFile(labelsPath, { allowMissing: true, folderSource: 'real' });
    const given = new Set(provided.map((p) => p.row.system_id));
    mergedLabels = [...existingLabels.filter((r) => !given.has(r.system_id)), ...provided.map((p) => p.row)];
    labelCount = provided.length;
  }
  return { dir, realDir, metadataPath, labelsPath, merged, replaced, keptCount: merged.length - metadata.length, mergedLabels, labelCount };
}

export async function writeImport(prepared: Awaited<ReturnType<typeof prepareWrite>>, systems: readonly ImportedSystem[]): Promise<WriteImportResult> {
  const { realDir, merged, mergedLabels } = prepared;
  const imported = new Set(systems.map((s) => s.systemId));
  const parent = path.dirname(realDir);
  await makeDir(parent);
  const staging = path.join(parent, `.real.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  const stagingRaw = path.join(staging, 'raw');
  await makeDir(stagingRaw);
  let rows = 0;
  try {
    for (const s of systems) {
      await writeFileDurable(path.join(stagingRaw, `${s.systemId}.csv`), formatSeriesCsv(s.timestamps, s.columns as Record<string, Float64Array>));
      rows += s.timestamps.length;
    }
    // Keep every other file of the old raw folder (kept systems, and anything else the user put there).
    const oldRaw = path.join(realDir, 'raw');
    const names = (await pathExists(oldRaw)) ? await readdir(oldRaw) : [];
    for (const name of names) {
      if (name.endsWith('.csv') && imported.has(name.slice(0, -4))) continue;
      const from = path.join(oldRaw, name);
      const to = path.join(stagingRaw, name);
      await link(from, to).catch(() => copyFile(from, to));
    }
    await writeFileDurable(path.join(staging, 'metadata.csv'), formatMetadataCsv(merged));
    await fsyncDir(stagingRaw);
    await fsyncDir(staging);
    await swapEntries(staging, realDir, ['raw', 'metadata.csv']);
    if (mergedLabels) await writeFileAtomic(prepared.labelsPath, formatLabelsCsv(mergedLabels));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { realDir, written: systems.length, replaced: prepared.replaced, kept: prepared.keptCount, rows, labels: prepared.labelCount };
}
