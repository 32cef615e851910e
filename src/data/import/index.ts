/**
 * `harness import`: real exports (CSV or Parquet) mapped onto the data contract. Read every
 * file, map rows to per-system series (transform.ts), split into systems (split.ts), build
 * metadata, then write into `<dataDir>/real/` (write.ts). Every check runs before the first
 * write, so a bad mapping or file leaves the data folder as it was.
 */
import { HarnessError, type Problem } from '../../errors.ts';
import type { Season } from '../schema.ts';
import type { MetadataRow } from '../types.ts';
import type { Mapping } from './mapping.ts';
import { readExport, type RawTable } from './read.ts';
import { checkReadings } from './readings.ts';
import { splitSystems, type ImportedSystem, type StubTally } from './split.ts';
import { ImportTally, RowCollector } from './transform.ts';
import { prepareWrite, writeImport, type WriteImportResult } from './write.ts';
import { withFileLock } from '../file-lock.ts';
import { finishInterruptedImport } from '../swap-journal.ts';
import { sourceFolder } from '../layout.ts';

export { loadMapping, validateMapping, type Mapping } from './mapping.ts';
export { ImportTally, DROP_REASONS, type DropReason } from './transform.ts';
export { safeSystemId, type ImportedSystem, type StubTally } from './split.ts';
export { formatImportReport } from './report.ts';

export interface ImportOptions {
  readonly files: readonly string[];
  readonly mapping: Mapping;
  readonly dataDir: string;
  /** A labels CSV of real systems to merge into `real/labels.csv`. */
  readonly labels?: string;
  /** Read, map and check everything, write nothing. */
  readonly dryRun?: boolean;
  /** Replace stored real systems whose series this import changes (`--replace`). */
  readonly replace?: boolean;
  /** With `replace`: drop the stored labels of replaced systems not labelled anew (`--drop-labels`). */
  readonly dropLabels?: boolean;
}

export interface ImportResult {
  readonly files: readonly string[];
  readonly systems: readonly ImportedSystem[];
  readonly metadata: readonly MetadataRow[];
  readonly tally: ImportTally;
  /** Short last windows merged or dropped (`system.trailing`, `system.min_rows`). */
  readonly stubs: StubTally;
  readonly warnings: readonly string[];
  /** Undefined on a dry run. */
  readonly write?: WriteImportResult;
  readonly realDir: string;
}

/** Northern-hemisphere meteorological season of a UTC month (0–11). */
export function seasonOfMonth(month: number): Season {
  return (['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'] as const)[month] ?? 'winter';
}

/**
 * Why an import kept no row. A file with a header and no rows is said so at its line 2: "every
 * one of the 0 rows was dropped (is timestamp.format right?)" sent a user to the wrong field.
 */
function nothingToImport(tables: readonly RawTable[], tally: ImportTally): HarnessError {
  if (tally.rowsRead === 0) {
    const where = tables.map((t): Problem => (t.kind === 'csv' ? { file: t.file, line: 2, column: 1, message: 'no data rows after the header' } : { file: t.file, line: 0, column: 0, message: 'no rows' }));
    const what = tables.length === 1 ? `${tables[0]!.file} has no` : `none of the ${tables.length} files has`;
    return new HarnessError('E_IMPORT', `nothing to import: ${what} data rows${tables.every((t) => t.kind === 'csv') ? ' after the header' : ''}`, where);
  }
  const drops = [...tally.drops.values()];
  const firsts = drops.flatMap((d) => (d.first ? [{ ...d.first, message: `${d.reason} (${d.count}×): ${d.first.message}` }] : []));
  const count = (reason: string): number => drops.find((d) => d.reason === reason)?.count ?? 0;
  const hint = count('unparsable_timestamp') > 0 ? ' (is timestamp.format right?)' : count('nonexistent_local_time') + count('ambiguous_local_time') > 0 ? ' (is timestamp.timezone right?)' : '';
  return new HarnessError('E_IMPORT', `nothing to import: every one of the ${tally.rowsRead} rows was dropped${hint}`, firsts);
}

export async function importExports(opts: ImportOptions): Promise<ImportResult> {
  const { mapping } = opts;
  if (opts.files.length === 0) throw new HarnessError('E_ARGS', 'no files to import');
  const tally = new ImportTally();
  const collector = new RowCollector(mapping, tally);
  const tables: RawTable[] = [];
  const headerProblems: Problem[] = [];
  for (const file of opts.files) {
    const table = await readExport(file, mapping.delimiter);
    headerProblems.push(...collector.headerProblems(table));
    tables.push(table);
  }
  if (headerProblems.length > 0) {
    throw new HarnessError('E_IMPORT', `the mapping ${mapping.file} does not fit ${headerProblems.length === 1 ? 'the export' : 'the exports'}: ${headerProblems.length} problem(s)`, headerProblems);
  }
  for (const t of tables) collector.add(t);
  const series = collector.finish();
  const kept = series.reduce((a, s) => a + s.timestamps.length, 0);
  if (kept === 0) throw nothingToImport(tables, tally);
  // A wrong unit or an empty column spoils a whole sensor while every row looks fine alone.
  const readings = checkReadings(mapping, tally, series);
  if (readings.problems.length > 0) {
    throw new HarnessError('E_IMPORT', `${readings.problems.length} mapped column(s) of ${mapping.file} would import empty or mostly out of range: check their unit and source`, [
      ...readings.problems,
      ...readings.warnings.map((w) => ({ ...w, message: `also suspicious: ${w.message}` })),
    ]);
  }
  const stubs: StubTally = { merged: 0, dropped: 0, mergedRows: 0, droppedRows: 0 };
  const systems = splitSystems(series, mapping, stubs);

  const warnings: string[] = [];
  const metadata: MetadataRow[] = [];
  const missingMode: string[] = [];
  const usedOverrides = new Set<string>();
  for (const s of systems) {
    const overKey = [s.systemId, s.baseId, s.sourceKey].find((k) => Object.hasOwn(mapping.metadata.systems, k));
    if (overKey !== undefined) usedOverrides.add(overKey);
    const m = { ...mapping.metadata, ...(overKey !== undefined ? mapping.metadata.systems[overKey] : {}) };
    if (!m.operational_mode) {
      missingMode.push(s.systemId);
      continue;
    }
    const season = m.season === 'auto' || m.season === undefined ? seasonOfMonth(new Date(s.timestamps[0]!).getUTCMonth()) : m.season;
    metadata.push({
      system_id: s.systemId,
      source: 'real',
      operational_mode: m.operational_mode,
      season,
      ...(m.chemistry !== undefined ? { chemistry: m.chemistry } : {}),
      ...(m.capacity_kwh !== undefined ? { capacity_kwh: m.capacity_kwh } : {}),
      ...(m.climate !== undefined ? { climate: m.climate } : {}),
      scenario_tags: [],
      // A window names its rack, so splits keep a rack's windows on one side (runner/split.ts).
      ...(s.window !== undefined ? { parent_system_id: s.baseId } : {}),
    });
  }
  if (missingMode.length > 0) {
    throw new HarnessError(
      'E_MAPPING',
      `${mapping.file}: no operational_mode for ${missingMode.length} system(s): ${missingMode.slice(0, 10).join(', ')}${missingMode.length > 10 ? ' …' : ''}; set metadata.operational_mode (unknown when the export does not say), or metadata.systems.<id>.operational_mode`,
      [{ file: mapping.file, line: 0, column: 0, message: 'metadata.operational_mode: required for these systems' }],
    );
  }
  for (const k of Object.keys(mapping.metadata.systems)) {
    if (!usedOverrides.has(k)) warnings.push(`metadata.systems.${k} in the mapping matches no imported system`);
  }
  const dropped = [...tally.drops.values()].filter((d) => d.reason !== 'sentinel' && d.reason !== 'out_of_range' && d.reason !== 'unparsable_value').reduce((a, d) => a + d.count, 0);
  if (tally.rowsRead > 0 && dropped / tally.rowsRead > 0.5) warnings.push(`more than half of the rows were dropped (${dropped} of ${tally.rowsRead}): check the mapping`);
  warnings.push(...readings.warnings.map((w) => w.message));
  for (const t of tables) if (t.rows.length === 0 && t.malformed.length === 0) warnings.push(`${t.file}: no data rows${t.kind === 'csv' ? ' after the header' : ''}`);
  if (tally.ambiguousGuessed > 0) {
    warnings.push(
      `${tally.ambiguousGuessed} local time(s) in an hour a DST change repeats have no unambiguous row of their system before or after them: taken as the earlier meaning; set timestamp.ambiguous to "later" if they are the second`,
    );
  }

  const labelsInput = opts.labels !== undefined ? { file: opts.labels } : undefined;
  const policy = { replace: opts.replace === true, dropLabels: opts.dropLabels === true };
  // Real labels are read, merged and written back under the labels file's lock, so a label the
  // app saves meanwhile (another process) is neither lost nor reverted. The lock is held until
  // the swap is done, its journal included: whoever holds it knows any other journal to be
  // abandoned (swap-journal.ts). What a killed import left half swapped is finished before the
  // stored systems are read.
  const { prepared, write } = opts.dryRun
    ? { prepared: await finishInterruptedImport(opts.dataDir).then(() => prepareWrite(opts.dataDir, systems, metadata, labelsInput, policy)), write: undefined }
    : await withFileLock(sourceFolder(opts.dataDir, 'real').labelsPath, async () => {
        await finishInterruptedImport(opts.dataDir, { locked: true });
        const p = await prepareWrite(opts.dataDir, systems, metadata, labelsInput, policy);
        return { prepared: p, write: await writeImport(p, systems) };
      });
  return { files: opts.files, systems, metadata, tally, stubs, warnings, realDir: prepared.realDir, ...(write ? { write } : {}) };
}
