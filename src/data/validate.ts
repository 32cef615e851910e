/**
 * `harness validate`: every problem of a data folder, located as file:line:column, without
 * throwing for bad data. It reuses the loaders' parsers (parseCsv, parseLabelsTable,
 * parseMetadataTable, scanSeries) in collecting mode, so whatever validates also loads.
 */
import { existsSync } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapBounded } from '../bounded-map.ts';
import { HarnessError, type Problem } from '../errors.ts';
import { parseCsv, type CsvTable } from './csv-read.ts';
import { finishInterruptedImport } from './swap-journal.ts';
import { describeLayout, legacyLabelsMessage, missingDataDirMessage, resolveDataDir, type SourceLayout } from './layout.ts';
import { failureAtDisagreement, type SampleSpan } from './lead-time.ts';
import { historyPathOf, parseLabelHistory } from './label-history.ts';
import { parseLabelsTable } from './load-labels.ts';
import { parseMetadataTable } from './load-metadata.ts';
import { SOURCES, SYSTEM_ID_PATTERN, isOneOf, type Source } from './schema.ts';
import { scanSeries, type SeriesScan } from './series-scan.ts';
import type { LocatedRow } from './row-fields.ts';
import type { LabelRow } from './types.ts';
import { readRegularFile, readRegularText, utf8Text } from './read-file.ts';
import { scanSeriesBytes } from './series-bytes.ts';
import { partitionDirName, scanSeriesParquet } from './parquet-read.ts';
import { caseMismatchNote, rawEntrySystem, strayRawEntry } from './raw-entries.ts';

/** Options of `validateData`. */
export interface ValidateOptions {
  /** Problems listed per file; the rest are counted in `suppressed`. Default 20. */
  readonly maxPerFile?: number;
  /** Sensors the config declares beyond the default set. */
  readonly extraSensors?: readonly string[];
}

/** What `validateData` found: the systems checked and every located problem. */
export interface ValidationResult {
  /** Sorted by file, then line, then column; at most `maxPerFile` per file. */
  readonly problems: Problem[];
  /** Files with more problems than `maxPerFile`, and how many were left out of `problems`. */
  readonly suppressed: { file: string; count: number }[];
  /** CSV files read (labels, metadata, raw series). */
  readonly filesChecked: number;
  /** Distinct systems listed in metadata. */
  readonly systems: number;
  /** Real systems with metadata and no label yet (allowed: they wait to be labelled). */
  readonly unlabelledReal: number;
}

/** Raw series files read at once: enough to hide file-system latency, bounded memory. */
const CONCURRENCY = 8;

const key = (source: string, id: string): string => `${source}\u0000${id}`;

/** A problem about a whole file. */
const fileProblem = (file: string, message: string): Problem => ({ file, line: 1, column: 0, message });

/**
 * A labels or metadata file's text; undefined when it does not exist. One that exists but cannot
 * be read (a folder, a FIFO, a symlink loop, no permission) is reported, and null returned.
 */
async function readIfExists(file: string, report: (p: Problem) => void): Promise<string | undefined | null> {
  if (!(await lstat(file).catch(() => null))) return undefined;
  try {
    return await readRegularText(file);
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    // Its located problems (a byte that is not UTF-8 has a line), else the whole file's.
    for (const p of err.problems.length > 0 ? err.problems : [fileProblem(file, err.message.slice(file.length + 2))]) report(p);
    return null;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A labels or metadata file: parsed, plus the problem of an empty file. A header with no rows
 * is valid: no systems (the committed `real/` of a fresh clone). Undefined after a syntax
 * error or for an empty file, each reported alone: what follows cannot be located.
 */
function parseTable(text: string, file: string, report: (p: Problem) => void): CsvTable | undefined {
  const table = parseCsv(text, file, report);
  if (!table.complete) return undefined;
  if (table.header.length === 0) {
    report(fileProblem(file, 'file is empty: expected a header row'));
    return undefined;
  }
  return table;
}

/** (source, system_id) of every row whose id and source are readable, with its line, even rows with other problems (so one bad cell does not cascade into cross-check noise). */
function rowKeys(table: CsvTable, sourceOf: (text: string | undefined) => Source | undefined): Map<string, { id: string; source: Source; line: number }> {
  const idCol = table.header.indexOf('system_id');
  const srcCol = table.header.indexOf('source');
  const out = new Map<string, { id: string; source: Source; line: number }>();
  if (idCol < 0) return out;
  for (const rec of table.records) {
    const id = rec.fields[idCol] ?? '';
    const source = sourceOf(srcCol < 0 ? undefined : rec.fields[srcCol]);
    if (!SYSTEM_ID_PATTERN.test(id) || source === undefined) continue;
    const k = key(source, id);
    if (!out.has(k)) out.set(k, { id, source, line: rec.line });
  }
  return out;
}

/**
 * Checks a data folder (either layout) against the data contract and returns every problem:
 * CSV syntax and ragged rows; headers (missing required, unknown, duplicate columns); numbers,
 * timestamps (ISO 8601 UTC with Z, strictly increasing) and physically impossible readings in
 * every raw series; enum values; label consistency; label_version; unsafe ids in labels,
 * metadata and raw file names; duplicate systems in metadata and in labels (per source); a
 * row of the other source in a source folder's labels or metadata; a legacy top-level
 * `labels.csv` in a data dir; a damaged `labels.history.csv` (label-history.ts); and the cross-checks, per source folder: a label without
 * metadata, synthetic metadata without a label (a real system may wait unlabelled), metadata
 * without a raw file, a raw file without metadata (an orphan). A header-only labels or
 * metadata file is valid (no systems).
 * Never throws for bad data; a missing folder is one problem.
 */
export async function validateData(dataDir: string, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const maxPerFile = opts.maxPerFile ?? 20;
  const dir = resolveDataDir(dataDir);
  const all: Problem[] = [];
  const report = (p: Problem): void => {
    all.push(p);
  };
  /** Problems of raw files beyond the cap, counted but not kept: a broken series can have one per cell. */
  const overflow = new Map<string, number>();
  /** Problems kept per Parquet part file (a partition folder's problems name its parts). */
  const keptPerPart = new Map<string, number>();
  let filesChecked = 0;

  if (!(await isDir(dir))) {
    const problem = existsSync(dir) ? missingDataDirMessage(dir).slice(dir.length + 1).trim() : 'data folder not found (run `harness generate`, or pass --data)';
    return { problems: [fileProblem(dir, problem)], suppressed: [], filesChecked: 0, systems: 0, unlabelledReal: 0 };
  }
  // What a killed `harness import` left half swapped is finished first, as every reader does.
  await finishInterruptedImport(dir);
  const layout = describeLayout(dir);
  if (layout.sources.length === 0) {
    report(fileProblem(dir, 'no data: expected synthetic/ or real/ (each with raw/, metadata.csv and labels.csv), or raw/, metadata.csv and labels.csv'));
  }

  if (layout.legacyLabelsPath !== undefined) report(fileProblem(layout.legacyLabelsPath, legacyLabelsMessage(layout.legacyLabelsPath)));

  /** The label rows read, for the lead time against failure_at check (which needs the series' last samples). */
  const timedLabels: (LocatedRow<LabelRow> & { readonly file: string; readonly failureColumn: number })[] = [];
  /** Each series' first and last sample (epoch ms), by its raw key. */
  const sampleSpans = new Map<string, SampleSpan>();
  const noteSpan = (source: Source, id: string, scan: SeriesScan | null | undefined): void => {
    if (scan && scan.rows > 0) sampleSpans.set(key(source, id), { first: scan.timestamps[0] as number, last: scan.timestamps[scan.rows - 1] as number });
  };

  // labels.csv, per source
  const labelKeys = new Map<string, { id: string; source: Source; line: number; file: string }>();
  /** Sources whose labels file could be read far enough to cross-check (a missing real one counts: no labels yet). */
  const labelsOk = new Set<Source>();
  for (const s of layout.sources) {
    const folderSource = layout.kind === 'data-dir' ? s.source : undefined;
    const labelsText = await readIfExists(s.labelsPath, report);
    if (labelsText === null) continue;
    if (labelsText === undefined) {
      // Only synthetic data must come labelled; freshly imported real data has no labels yet.
      if (s.source === 'synthetic') report(fileProblem(s.labelsPath, 'labels file not found'));
      else labelsOk.add(s.source);
      continue;
    }
    filesChecked++;
    const table = parseTable(labelsText, s.labelsPath, report);
    if (table) {
      const failureColumn = table.header.indexOf('failure_at') + 1;
      for (const r of parseLabelsTable(table, report, folderSource)) timedLabels.push({ ...r, file: s.labelsPath, failureColumn });
    }
    if (table && table.header.includes('system_id') && table.header.includes('source')) {
      labelsOk.add(s.source);
      // A row of the wrong source in a data dir is reported by parseLabelsTable; it is not cross-checked.
      const keys = rowKeys(table, (t) => (t !== undefined && isOneOf(SOURCES, t) && (folderSource === undefined || t === folderSource) ? t : undefined));
      for (const [k, v] of keys) if (!labelKeys.has(k)) labelKeys.set(k, { ...v, file: s.labelsPath });
    }
  }

  // labels.history.csv beside each labels file: the label app appends to it, and refuses to while
  // it is damaged (a merge conflict left in it, once committed), so it is checked like the data.
  const histories = new Set(layout.sources.map((s) => historyPathOf(s.labelsPath)));
  for (const historyPath of histories) {
    const text = await readIfExists(historyPath, report);
    if (typeof text !== 'string') continue;
    filesChecked++;
    parseLabelHistory(text, historyPath, report);
  }

  // metadata and raw files, per source
  const metaKeys = new Map<string, { id: string; source: Source; line: number; file: string }>();
  const rawJobs: { file: string; id: string; source: Source; checkOrphan: boolean; parquet?: boolean }[] = [];
  const rawKeys = new Set<string>();
  const metadataOk = new Set<SourceLayout>();
  const rawDirOk = new Set<Source>();
  /** Sources whose raw folder is in the Parquet layout: a missing series is named as its partition folder there. */
  const parquetRaw = new Set<Source>();
  /** The entries of each source's raw folder, to name one that differs from a missing series only in case. */
  const rawNames = new Map<Source, readonly string[]>();
  for (const s of layout.sources) {
    const folderSource = layout.kind === 'data-dir' ? s.source : undefined;
    const metaText = await readIfExists(s.metadataPath, report);
    if (metaText === null) {
      // reported by readIfExists
    } else if (metaText === undefined) {
      report(fileProblem(s.metadataPath, 'metadata file not found'));
    } else {
      filesChecked++;
      const table = parseTable(metaText, s.metadataPath, report);
      if (table) parseMetadataTable(table, report, folderSource);
      if (table && table.header.includes('system_id')) {
        metadataOk.add(s);
        // In a data dir the folder decides the source; in a flat folder, the row (or the folder's one source).
        const keys = rowKeys(table, (t) => folderSource ?? (t !== undefined && isOneOf(SOURCES, t) ? t : s.source));
        for (const [k, v] of keys) if (!metaKeys.has(k)) metaKeys.set(k, { ...v, file: s.metadataPath });
      }
    }
    if (!(await isDir(s.rawDir))) {
      report(fileProblem(s.rawDir, 'raw folder not found: every system needs raw/<system_id>.csv'));
      continue;
    }
    rawDirOk.add(s.source);
    const entries = await readdir(s.rawDir, { withFileTypes: true });
    rawNames.set(s.source, entries.map((e) => e.name));
    for (const e of entries) {
      const stray = strayRawEntry(e);
      if (stray !== undefined) report(fileProblem(path.join(s.rawDir, e.name), stray));
    }
    // The Parquet layout: a partition folder `system_id=<id>/` per system, beside or instead of `<id>.csv`.
    const series = entries.flatMap((e) => {
      const sys = rawEntrySystem(e);
      return sys ? [{ name: e.name, ...sys }] : [];
    });
    const partitions = new Map(series.filter((e) => e.parquet).map((e) => [e.id, e.name]));
    if (partitions.size > 0) parquetRaw.add(s.source);
    series.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, id, parquet } of series) {
      const file = path.join(s.rawDir, name);
      if (!parquet && partitions.has(id)) {
        report(fileProblem(file, `system ${id} has both ${name} and ${partitions.get(id)}/: keep one layout`));
      }
      if (!SYSTEM_ID_PATTERN.test(id)) {
        report(fileProblem(file, `unsafe system id ${JSON.stringify(id)} in the file name: ids must match ${SYSTEM_ID_PATTERN.source}`));
      }
      rawKeys.add(key(s.source, id));
      rawJobs.push({ file, id, source: s.source, checkOrphan: metadataOk.has(s), ...(parquet ? { parquet } : {}) });
    }
  }

  await mapBounded(rawJobs, CONCURRENCY, async (job) => {
    if (job.parquet) {
      filesChecked++;
      const scan = await scanSeriesParquet(job.file, {
        extraSensors: opts.extraSensors ?? [],
        extraColumns: job.source === 'real',
        checkLimits: true,
        report: (p) => {
          if ((keptPerPart.get(p.file) ?? 0) < maxPerFile) {
            keptPerPart.set(p.file, (keptPerPart.get(p.file) ?? 0) + 1);
            all.push(p);
          } else {
            overflow.set(p.file, (overflow.get(p.file) ?? 0) + 1);
          }
        },
      });
      noteSpan(job.source, job.id, scan);
      return;
    }
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(job.file);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      report(fileProblem(job.file, err.message.slice(job.file.length + 2)));
      return;
    }
    filesChecked++;
    const extraSensors = opts.extraSensors ?? [];
    const extraColumns = job.source === 'real';
    // A clean file is read by the byte scanner, which gives up at anything it would not load or
    // that breaks a physical limit; only then does the general scanner decode the text and
    // locate every problem.
    const clean = scanSeriesBytes(bytes, { extraSensors, extraColumns, checkLimits: true });
    if (clean !== null) {
      noteSpan(job.source, job.id, clean);
      return;
    }
    let text: string;
    try {
      text = utf8Text(bytes, job.file);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      for (const p of err.problems) report(p);
      return;
    }
    let kept = 0;
    const scan = scanSeries(text, {
      file: job.file,
      extraSensors,
      extraColumns,
      checkLimits: true,
      report: (p) => {
        if (kept < maxPerFile) {
          kept++;
          all.push(p);
        } else {
          overflow.set(job.file, (overflow.get(job.file) ?? 0) + 1);
        }
      },
    });
    noteSpan(job.source, job.id, scan);
  });

  // Cross-checks. In a flat folder the raw path does not depend on the source, so raw files
  // are matched against metadata of any source there.
  const flatSource = layout.kind === 'flat' ? layout.sources[0]?.source : undefined;
  const rawKeyOf = (source: Source, id: string): string => key(flatSource ?? source, id);
  for (const l of labelKeys.values()) {
    if (!metaKeys.has(key(l.source, l.id))) {
      report({ file: l.file, line: l.line, column: 0, message: `system ${l.id} (${l.source}) has a label but no metadata` });
    }
  }
  let unlabelledReal = 0;
  for (const m of metaKeys.values()) {
    const src = layout.sources.find((s) => s.source === m.source) ?? layout.sources[0];
    const labelled = labelKeys.has(key(m.source, m.id));
    if (m.source === 'real' && !labelled) {
      unlabelledReal++; // waiting to be labelled: not a problem
    } else if (!labelled && src && labelsOk.has(src.source)) {
      report({ file: m.file, line: m.line, column: 0, message: `system ${m.id} (${m.source}) has metadata but no label in ${src.labelsPath}` });
    }
    // A missing raw folder is reported once, not once per system.
    if (src && rawDirOk.has(src.source) && !rawKeys.has(rawKeyOf(m.source, m.id))) {
      const near = caseMismatchNote(rawNames.get(src.source) ?? [], m.id);
      const message = parquetRaw.has(src.source)
        ? `system ${m.id} (${m.source}) has no raw series: no folder ${path.join(src.rawDir, partitionDirName(m.id))}/ (nor ${m.id}.csv${near ? `; ${near}` : ''})`
        : `system ${m.id} (${m.source}) has no raw file ${path.join(src.rawDir, `${m.id}.csv`)}${near ? ` (${near})` : ''}`;
      report({ file: m.file, line: m.line, column: 0, message });
    }
  }
  const metaRawKeys = new Set([...metaKeys.values()].map((m) => rawKeyOf(m.source, m.id)));
  for (const job of rawJobs) {
    if (job.checkOrphan && !metaRawKeys.has(key(job.source, job.id))) {
      report(fileProblem(job.file, `orphan series: system ${job.id} is not listed in the metadata`));
    }
  }

  for (const l of timedLabels) {
    const p = failureAtProblem(l, sampleSpans.get(rawKeyOf(l.row.source, l.row.system_id)));
    if (p) report(p);
  }

  return { ...capPerFile(all, overflow, maxPerFile), filesChecked, systems: metaKeys.size, unlabelledReal };
}

/** A problem at failure_at's cell when an anomaly's failure_at disagrees with its series or lead time (see lead-time.ts), else undefined. */
function failureAtProblem(l: LocatedRow<LabelRow> & { readonly file: string; readonly failureColumn: number }, span: SampleSpan | undefined): Problem | undefined {
  const { lead_time_days: lead, failure_at: failureAt, system_id: id } = l.row;
  if (span === undefined || failureAt === undefined) return undefined;
  const message = failureAtDisagreement(id, lead, failureAt, span);
  return message === undefined ? undefined : { file: l.file, line: l.line, column: l.failureColumn, message };
}

/** Sorts problems by file, line, column and keeps `max` per file, counting the rest. */
function capPerFile(all: readonly Problem[], overflow: ReadonlyMap<string, number>, max: number): Pick<ValidationResult, 'problems' | 'suppressed'> {
  const byFile = new Map<string, Problem[]>();
  for (const p of all) {
    const list = byFile.get(p.file);
    if (list) list.push(p);
    else byFile.set(p.file, [p]);
  }
  const problems: Problem[] = [];
  const suppressed: { file: string; count: number }[] = [];
  for (const file of [...byFile.keys()].sort()) {
    const list = (byFile.get(file) ?? []).sort((a, b) => a.line - b.line || a.column - b.column);
    problems.push(...list.slice(0, max));
    const count = Math.max(0, list.length - max) + (overflow.get(file) ?? 0);
    if (count > 0) suppressed.push({ file, count });
  }
  return { problems, suppressed };
}
