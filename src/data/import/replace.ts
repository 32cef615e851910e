/**
 * What an import does to real systems already on disk under the ids it writes. A stored series
 * the import would overwrite with other data is not replaced unless the user asks (`--replace`),
 * and a replaced system's label, which a person gave for the stored series, is not carried over
 * to the new one: it must be given anew in `--labels`, or dropped on request (`--drop-labels`).
 * Without these, a re-import silently kept January's "anomaly, lead 1 day" on February's data,
 * and next week's windowed export (whose windows count from its own first timestamp) reused
 * `rk-w000`, whose `normal` label then described another week.
 */
import { readFile } from 'node:fs/promises';
import { HarnessError, type Problem } from '../../errors.ts';
import { formatSeriesCsv } from '../csv-write.ts';
import { locateSeries } from '../layout.ts';
import { scanSeriesParquet } from '../parquet-read.ts';
import type { LabelRow, MetadataRow } from '../types.ts';
import type { LocatedRow } from '../row-fields.ts';
import type { ImportedSystem } from './split.ts';

/** What the user allowed: replace stored series that differ (`--replace`), and drop the labels of those (`--drop-labels`). */
export interface ReplacePolicy {
  readonly replace?: boolean;
  readonly dropLabels?: boolean;
}

/** Stored systems the import writes again: with other data (`replaced`) or byte for byte the same series (`unchanged`). */
export interface StoredOverlap {
  readonly replaced: readonly LocatedRow<MetadataRow>[];
  readonly unchanged: readonly string[];
}

/**
 * Splits the stored systems the import names into those whose series it changes and those it
 * writes again unchanged (the same export imported twice): only a change can make a label wrong.
 * A CSV series is compared as the text the import would write; a Parquet partition by the values
 * the loader reads from it (the import stores it as CSV again: the same series, another layout).
 * A missing or unreadable series counts as changed.
 */
export async function storedOverlap(
  dataDir: string,
  systems: readonly ImportedSystem[],
  stored: readonly LocatedRow<MetadataRow>[],
): Promise<StoredOverlap> {
  const byId = new Map(systems.map((s) => [s.systemId, s]));
  const replaced: LocatedRow<MetadataRow>[] = [];
  const unchanged: string[] = [];
  for (const m of stored) {
    const s = byId.get(m.row.system_id);
    if (s === undefined) continue;
    const where = locateSeries(dataDir, 'real', s.systemId);
    const same =
      where.format === 'csv'
        ? (await readFile(where.path, 'utf8').catch(() => undefined)) ===
          formatSeriesCsv(s.timestamps, s.columns as Record<string, Float64Array>)
        : await sameAsPartition(where.path, s);
    if (same) unchanged.push(s.systemId);
    else replaced.push(m);
  }
  return { replaced, unchanged };
}

/**
 * Whether the partition folder `dir` holds `s`'s series: the same timestamps, and the same
 * columns with the same readings (NaN for NaN), as the loader reads them. A problem reading it is
 * a difference: the import then asks for --replace rather than call a series it cannot read the same.
 */
async function sameAsPartition(dir: string, s: ImportedSystem): Promise<boolean> {
  let problem = false;
  const scan = await scanSeriesParquet(dir, {
    extraColumns: true,
    report: () => {
      problem = true;
      return false;
    },
  }).catch(() => undefined);
  if (!scan || problem) return false;
  const imported = Object.entries(s.columns as Record<string, Float64Array | undefined>).filter(
    (e): e is [string, Float64Array] => e[1] !== undefined,
  );
  if (imported.length !== scan.columns.length || !sameValues(scan.timestamps, s.timestamps))
    return false;
  return imported.every(([name, values]) => {
    const i = scan.columns.indexOf(name);
    return i >= 0 && sameValues(scan.values[i]!, values);
  });
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return false;
  return true;
}

const list = (ids: readonly string[]): string =>
  `${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ` … (${ids.length} in all)` : ''}`;

/**
 * Throws unless the policy allows every replacement; returns the stored label rows to drop (those
 * of replaced systems not labelled anew in this import, under `dropLabels`).
 */
export function checkReplacement(opts: {
  readonly overlap: StoredOverlap;
  readonly systems: readonly ImportedSystem[];
  readonly metadataPath: string;
  readonly labelsPath: string;
  readonly storedLabels: readonly LocatedRow<LabelRow>[];
  /** Systems this import's `--labels` labels anew. */
  readonly relabelled: ReadonlySet<string>;
  readonly policy: ReplacePolicy;
}): LabelRow[] {
  const { overlap, metadataPath, labelsPath, policy } = opts;
  if (overlap.replaced.length === 0) return [];
  const replacedIds = new Set(overlap.replaced.map((m) => m.row.system_id));
  const labelled = opts.storedLabels.filter(
    (l) => replacedIds.has(l.row.system_id) && !opts.relabelled.has(l.row.system_id),
  );
  if (!policy.replace) {
    const windowed = opts.systems.some((s) => s.window !== undefined && replacedIds.has(s.systemId));
    const problems: Problem[] = overlap.replaced.map((m) => ({
      file: metadataPath,
      line: m.line,
      column: 1,
      message: `${m.row.system_id}: the stored series differs from the imported one`,
    }));
    throw new HarnessError(
      'E_IMPORT',
      `${replacedIds.size} real system(s) already hold other data under the ids this import writes: ${list([...replacedIds])}. ` +
        `Nothing was written. Pass --replace to replace their series (the stored ones are deleted), or import under another system.prefix.` +
        (labelled.length > 0
          ? ` ${labelled.length} of them are labelled: their labels describe the stored series (see below).`
          : '') +
        (windowed
          ? ' Window numbers count from the first timestamp of what one import reads: to add a later export of a windowed system, import it together with the earlier ones (`harness import week1.csv week2.csv`), so its windows continue the numbering and the earlier ones are written again unchanged.'
          : ''),
      [...problems, ...labelledProblems(labelled, labelsPath)],
    );
  }
  if (labelled.length > 0 && !policy.dropLabels) {
    throw new HarnessError(
      'E_IMPORT',
      `${labelled.length} system(s) this import replaces are labelled in ${labelsPath}, and their labels describe the stored series, not the imported one: ${list(labelled.map((l) => l.row.system_id))}. ` +
        'Nothing was written. Label them anew in this import (--labels FILE with a row for each), remove their rows from the labels file first, or pass --drop-labels to drop those labels (each recorded in labels.history.csv).',
      labelledProblems(labelled, labelsPath),
    );
  }
  return labelled.map((l) => l.row);
}

function labelledProblems(labelled: readonly LocatedRow<LabelRow>[], labelsPath: string): Problem[] {
  return labelled.map((l) => ({
    file: labelsPath,
    line: l.line,
    column: 1,
    message: `${l.row.system_id} is labelled ${l.row.label} for its stored series`,
  }));
}
