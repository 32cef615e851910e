/**
 * Writes imported systems into `<dataDir>/real/` (raw/*.csv and metadata.csv, the same shape as
 * synthetic/) through a staging folder and a journaled swap (swap-journal.ts): after a crash or a
 * kill the next harness command finds the old real/ or the new one, never half of it. Existing real systems with an imported id are
 * replaced (when the data differs, only if asked: replace.ts); the others are kept (their raw files and partition folders hard-linked, or copied, into the new folder: keep-raw.ts).
 * Labels given with `--labels` are merged into `real/labels.csv` (the rows of those systems
 * replaced, every other row kept; each new or changed row is a line in real/labels.history.csv,
 * as a save in the label app is); the synthetic folder is never touched.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, type Problem } from '../../errors.ts';
import { assertWritable, fsyncDir, writeFileDurable } from '../atomic.ts';
import { formatLabelsCsv, formatMetadataCsv, formatSeriesCsv } from '../csv-write.ts';
import { assertNoLegacyLabels, describeLayout, resolveDataDir, sourceFolder } from '../layout.ts';
import { readLocatedLabels } from '../load-labels.ts';
import { readLocatedMetadata } from '../load-metadata.ts';
import { pathExists } from '../path-exists.ts';
import type { LabelRow, MetadataRow } from '../types.ts';
import { commitSwap, createSwapStaging, releaseSwapStaging } from '../swap-journal.ts';
import { recoverMovedFolder } from '../fleet-commit.ts';
import type { ImportedSystem } from './split.ts';
import { checkReplacement, storedOverlap, type ReplacePolicy } from './replace.ts';
import { labelSpanProblems } from './label-spans.ts';
import { makeDir } from '../make-dir.ts';
import { keepRawEntries } from './keep-raw.ts';
import { appendLabelHistory, checkLabelHistory, HISTORY_FILE, historyPathOf, type HistoryEntry } from '../label-history.ts';

export interface WriteImportResult {
  readonly realDir: string;
  readonly written: number;
  /** Stored systems whose series the import changed (`--replace`). */
  readonly replaced: readonly string[];
  /** Stored systems imported again with the same series. */
  readonly unchanged: readonly string[];
  readonly kept: number;
  readonly rows: number;
  /** Label rows merged from `--labels`. */
  readonly labels: number;
  /** Of those, the rows that were new or changed (each a line in real/labels.history.csv). */
  readonly labelsChanged: number;
  /** Labels of replaced systems dropped under `--drop-labels` (each a line in the history). */
  readonly labelsDropped: readonly string[];
}

export interface LabelsInput {
  readonly file: string;
}

/**
 * Checks everything that could stop the write before anything is written; returns what the
 * write needs. A `--labels` row's failure_at must agree with its series (label-spans.ts). A stored system the import changes needs `policy.replace`, and its label a new row
 * in `labels` or `policy.dropLabels` (replace.ts).
 */
export async function prepareWrite(dataDir: string, systems: readonly ImportedSystem[], metadata: readonly MetadataRow[], labels?: LabelsInput, policy: ReplacePolicy = {}) {
  const dir = resolveDataDir(dataDir);
  const layout = describeLayout(dir);
  if (layout.kind === 'flat') {
    throw new HarnessError('E_IMPORT', `${dir} is a flat data folder (raw/ and metadata.csv at its top, as \`harness generate --out\` writes); import writes into a data folder that holds real/ beside synthetic/: pass --data with one`);
  }
  assertNoLegacyLabels(layout);
  const { dir: realDir, metadataPath, labelsPath } = sourceFolder(dir, 'real');
  const storedMeta = (await pathExists(metadataPath)) ? await readLocatedMetadata(metadataPath, 'real') : [];
  const existing = storedMeta.map((r) => r.row);
  const imported = new Map(metadata.map((m) => [m.system_id, m]));
  const overlap = await storedOverlap(dir, systems, storedMeta.filter((m) => imported.has(m.row.system_id)));
  const replaced = overlap.replaced.map((m) => m.row.system_id);
  // Existing rows in their order (replaced ones in place), then the new systems.
  const merged: MetadataRow[] = [...existing.map((m) => imported.get(m.system_id) ?? m), ...metadata.filter((m) => !existing.some((e) => e.system_id === m.system_id))];

  const provided = labels ? await readLocatedLabels(path.resolve(labels.file)) : [];
  if (labels) {
    const ids = new Set(merged.map((m) => m.system_id));
    const problems: Problem[] = [];
    for (const { row, line } of provided) {
      if (row.source !== 'real') problems.push({ file: path.resolve(labels.file), line, column: 0, message: `system ${row.system_id} is ${row.source}: --labels merges real labels only` });
      else if (!ids.has(row.system_id)) problems.push({ file: path.resolve(labels.file), line, column: 0, message: `system ${row.system_id} is not a real system (not imported now, not in ${metadataPath})` });
    }
    if (problems.length === 0) problems.push(...(await labelSpanProblems(path.resolve(labels.file), provided, systems, dir)));
    if (problems.length > 0) throw new HarnessError('E_IMPORT', `cannot merge labels from ${labels.file}: ${problems.length} problem(s)`, problems);
  }
  // Read before anything is written: a file with a bad row stops the import, so no row is dropped.
  // Not read when the import neither merges labels nor replaces a series: it does not touch the file.
  const storedLabels = labels || replaced.length > 0 ? await readLocatedLabels(labelsPath, { allowMissing: true, folderSource: 'real' }) : [];
  const given = new Set(provided.map((p) => p.row.system_id));
  const dropped = checkReplacement({ overlap, systems, metadataPath, labelsPath, storedLabels, relabelled: given, policy });

  let mergedLabels: LabelRow[] | undefined;
  let labelHistory: HistoryEntry[] = [];
  if (labels || dropped.length > 0) {
    const changedAt = new Date().toISOString();
    const existingLabels = storedLabels.map((l) => l.row);
    const changes = labelChanges(existingLabels, provided.map((p) => p.row), changedAt);
    const gone = new Set(dropped.map((r) => r.system_id));
    mergedLabels = [...existingLabels.filter((r) => !given.has(r.system_id) && !gone.has(r.system_id)), ...changes.rows];
    // A dropped label is a change like any other: its history line keeps the row (after: empty).
    const drops = dropped.map((r): HistoryEntry => ({ changed_at: changedAt, labeler: 'harness import', source: 'real', system_id: r.system_id, before: r, after: null }));
    labelHistory = [...changes.history, ...drops];
  }
  return { dir, realDir, metadataPath, labelsPath, merged, replaced, unchanged: overlap.unchanged, keptCount: merged.length - metadata.length, mergedLabels, labelHistory, labelCount: provided.length, labelsDropped: dropped.map((r) => r.system_id) };
}

/** A row as text without its version, to tell a changed label from the same one given again. */
const content = (r: LabelRow): string =>
  JSON.stringify(Object.entries(r).filter(([k]) => k !== 'label_version').sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * The rows `provided` become, and the history of what they change in `existing`. An import is a
 * change like a save in the label app: each row that changes gets a history line (its labeler,
 * else "harness import"), and a version above the one it replaces, so a labeler whose form still
 * holds the old row gets a conflict instead of overwriting the import. A row given as it already
 * is keeps its version and adds no line.
 */
function labelChanges(existing: readonly LabelRow[], provided: readonly LabelRow[], changedAt: string): { rows: LabelRow[]; history: HistoryEntry[] } {
  const current = new Map(existing.map((r) => [r.system_id, r]));
  const rows: LabelRow[] = [];
  const history: HistoryEntry[] = [];
  for (const given of provided) {
    const before = current.get(given.system_id) ?? null;
    if (before && content(before) === content(given)) {
      rows.push(before);
      continue;
    }
    const after: LabelRow = before ? { ...given, label_version: Math.max(given.label_version, before.label_version + 1) } : given;
    rows.push(after);
    history.push({ changed_at: changedAt, labeler: given.labeler ?? 'harness import', source: 'real', system_id: given.system_id, before, after });
  }
  return { rows, history };
}

export async function writeImport(prepared: Awaited<ReturnType<typeof prepareWrite>>, systems: readonly ImportedSystem[]): Promise<WriteImportResult> {
  const { realDir, merged, mergedLabels } = prepared;
  const imported = new Set(systems.map((s) => s.systemId));
  // Checked before anything is swapped: a read-only labels file found after the swap left the
  // new raw/ and metadata.csv, and a history line, for an import that then failed.
  // So is a damaged history (a merge conflict left in it): the new lines could not be appended.
  if (mergedLabels) {
    await assertWritable([historyPathOf(prepared.labelsPath), prepared.labelsPath], 'cannot merge --labels');
    await checkLabelHistory(historyPathOf(prepared.labelsPath));
  }
  // A real/ an older harness's generate converted into a link, cut off by a kill: linked back first.
  await recoverMovedFolder(realDir);
  // As commitSwap judges it: no entry at all by that name (a dangling link is one).
  const fresh = await lstat(realDir).then(() => false, () => true);
  const staging = await createSwapStaging(realDir);
  const stagingRaw = path.join(staging, 'raw');
  await makeDir(stagingRaw);
  let rows = 0;
  try {
    for (const s of systems) {
      await writeFileDurable(path.join(stagingRaw, `${s.systemId}.csv`), formatSeriesCsv(s.timestamps, s.columns as Record<string, Float64Array>));
      rows += s.timestamps.length;
    }
    // Keep every other entry of the old raw folder (kept systems, CSV or Parquet, and anything else the user put there).
    await keepRawEntries(path.join(realDir, 'raw'), stagingRaw, imported);
    await writeFileDurable(path.join(staging, 'metadata.csv'), formatMetadataCsv(merged));
    if (mergedLabels) await writeFileDurable(path.join(staging, 'labels.csv'), formatLabelsCsv(mergedLabels));
    await fsyncDir(stagingRaw);
    await fsyncDir(staging);
    // The history first: a kill before the commit leaves a line for a change the labels lack, never the reverse.
    // Into a real/ that does not exist yet, the staging folder becomes real/ whole (swap-journal.ts): the history goes with it.
    if (mergedLabels) await appendLabelHistory(fresh ? path.join(staging, HISTORY_FILE) : historyPathOf(prepared.labelsPath), prepared.labelHistory);
    // raw/, metadata.csv and labels.csv as one unit, even across a kill (swap-journal.ts).
    await commitSwap(staging, realDir, { renames: ['raw', 'metadata.csv'], writes: mergedLabels ? ['labels.csv'] : [] });
  } finally {
    await releaseSwapStaging(staging);
  }
  return { realDir, written: systems.length, replaced: prepared.replaced, unchanged: prepared.unchanged, kept: prepared.keptCount, rows, labels: prepared.labelCount, labelsChanged: prepared.labelHistory.length - prepared.labelsDropped.length, labelsDropped: prepared.labelsDropped };
}
