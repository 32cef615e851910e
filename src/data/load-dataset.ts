import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, type Problem } from '../errors.ts';
import { readLabelColumns, labelRowAt } from './label-columns.ts';
import { describeLayout, resolveDataDir, selectSources, type DataLayout, type SourceLayout } from './layout.ts';
import { loadRecordSeries, loadSnapshotSeries } from './load-timeseries.ts';
import { metadataRowAt, readMetadataColumns } from './metadata-columns.ts';
import { rawEntrySystem, strayRawEntry } from './raw-entries.ts';
import { SOURCES, type Source } from './schema.ts';
import { pathExistsSync } from './path-exists.ts';
import { finishInterruptedImport } from './swap-journal.ts';
import { assertSnapshotHolds, inSnapshot, readInSnapshot, snapshotChange, snapshotFolder } from './source-snapshot.ts';
import type { Dataset, LabelRow, LoadOptions, MetadataRow, SourceSnapshot, SystemRecord } from './types.ts';

/** At most this many ids are named in the message; the problems list names all of them. */
const NAMED_IN_MESSAGE = 10;

function nameSome(ids: readonly string[]): string {
  const shown = ids.slice(0, NAMED_IN_MESSAGE).join(', ');
  return ids.length > NAMED_IN_MESSAGE ? `${shown} and ${ids.length - NAMED_IN_MESSAGE} more` : shown;
}

/**
 * Labels joined with metadata by (system_id, source), in metadata order (source by source).
 * Each source folder's labels come from its own `labels.csv`. A system with a label but no
 * metadata, or synthetic metadata but no label, is a HarnessError that names them all; a real
 * system without a label is left out (counted in `unlabelledReal`). No system at all (say a
 * header-only `real/metadata.csv` asked for with `source: 'real'`) is a HarnessError saying
 * so. Series are not read: each record's `loadSeries` reads its own, on demand, from the version
 * of its source folder the labels and metadata were read from (`snapshots`, source-snapshot.ts);
 * one a generate has removed since, or a real `raw/` an import has replaced, is a HarnessError.
 */
export async function loadDataset(opts: LoadOptions = {}): Promise<Dataset> {
  const dataDir = resolveDataDir(opts.dataDir);
  await finishInterruptedImport(dataDir);
  const layout = describeLayout(dataDir);
  const selected = selectSources(layout, opts.source ?? 'all');
  for (let attempt = 1; ; attempt++) {
    // Each source folder is read from one version of it, series included (source-snapshot.ts).
    const snaps = new Map(selected.map((s) => [s, snapshotFolder(s.dir)]));
    let out: Dataset | undefined;
    try {
      out = await loadSnapshot(dataDir, layout, selected, snaps, opts);
    } catch (err) {
      if (!snapshotsChanged(snaps)) throw err;
    }
    // A generate or an import replaced a folder while its tables were read: they may be of either
    // side (a version being removed loses its files one by one), so they are read again.
    if (out && !snapshotsChanged(snaps)) return out;
    if (attempt >= LOAD_ATTEMPTS) for (const snap of snaps.values()) assertSnapshotHolds(snap, true);
  }
}

/** Reads of a dataset's tables started over when a folder was replaced meanwhile (a generate per attempt would be needed to fail them all). */
const LOAD_ATTEMPTS = 3;

function snapshotsChanged(snaps: ReadonlyMap<SourceLayout, SourceSnapshot>): boolean {
  return [...snaps.values()].some((snap) => snapshotChange(snap, true) !== undefined);
}

/** {@link loadDataset} from the snapshots `snaps` of the selected source folders. */
async function loadSnapshot(dataDir: string, layout: DataLayout, selected: readonly SourceLayout[], snaps: ReadonlyMap<SourceLayout, SourceSnapshot>, opts: LoadOptions): Promise<Dataset> {
  const selector = opts.source ?? 'all';
  const wanted = (s: Source): boolean => selector === 'all' || s === selector;
  const snapshots = snapshotsBySource(layout, selected, snaps);
  const allMetadata = await readMetadata(layout, selected, snaps);
  const metadata = allMetadata.filter((m) => wanted(m.row.source));
  // Real data may not be labelled yet (`harness import` writes no labels): a missing labels
  // file is then no error, and unlabelled real systems are left out (see below). A missing
  // synthetic labels file shows as synthetic systems without a label.
  const labels = (await readLabels(layout, selected, snaps)).filter((l) => wanted(l.row.source));
  // Keyed by source, then id: the same id may be a synthetic and a real system.
  const labelOf = bySourceAndId(labels);
  const metaOf = bySourceAndId(metadata);
  const labelsFileOf = new Map<Source, string>(selected.map((s) => [s.source, s.labelsPath]));

  const problems: Problem[] = [];
  const unlabelled: string[] = [];
  let unlabelledReal = 0;
  const systems: SystemRecord[] = [];
  const extraSensors = opts.extraSensors ?? [];
  for (const m of metadata) {
    const { row, line } = m;
    const label = labelOf.get(row.source)?.get(row.system_id);
    if (label !== undefined) {
      systems.push(systemRecord(row, label.row, dataDir, extraSensors, snapshots[row.source]));
    } else if (row.source === 'real') {
      // A real system waits for a person to label it (`harness sample`, `harness label`): it is
      // left out of the dataset, not an error. A synthetic system always has a label.
      unlabelledReal++;
    } else {
      unlabelled.push(row.system_id);
      problems.push({ file: m.file, line, column: 0, message: `system ${row.system_id} (${row.source}) has metadata but no label in ${labelsFileOf.get(row.source) ?? selected[0]?.labelsPath}` });
    }
  }
  const orphanLabels: string[] = [];
  for (const { file, row, line } of labels) {
    if (metaOf.get(row.source)?.has(row.system_id) !== true) {
      orphanLabels.push(row.system_id);
      problems.push({ file, line, column: 0, message: `system ${row.system_id} (${row.source}) has a label but no metadata` });
    }
  }
  const raw = await rawMismatchesOf(selected, snaps, allMetadata);
  const orphanSeries = raw.flatMap((r) => (r.id === undefined ? [] : [r.id]));
  const strays = raw.flatMap((r) => (r.id === undefined ? [r.name] : []));
  problems.push(...raw.map((r) => r.problem));
  if (problems.length > 0) {
    const parts = [
      orphanLabels.length > 0 ? `${orphanLabels.length} labelled system(s) have no metadata: ${nameSome(orphanLabels)}` : '',
      unlabelled.length > 0 ? `${unlabelled.length} system(s) in metadata have no label: ${nameSome(unlabelled)}` : '',
      orphanSeries.length > 0 ? `${orphanSeries.length} series in raw/ have no metadata row, so they would not be evaluated: ${nameSome(orphanSeries)}` : '',
      strays.length > 0 ? `${strays.length} file(s) in raw/ are not series (<id>.csv or system_id=<id>/), so they would not be read: ${nameSome(strays)}` : '',
    ].filter((p) => p !== '');
    throw new HarnessError('E_DATA', `${raw.length > 0 ? 'labels, metadata and series' : 'labels and metadata'} of ${dataDir} do not match: ${parts.join('; ')}. Run \`harness validate\` for details.`, problems);
  }
  if (metadata.length === 0) {
    const files = selected.map((s) => s.metadataPath).join(', ');
    const what = selector === 'all' ? 'systems' : `${selector} systems`;
    const how = selector === 'real' ? 'import real telemetry with `harness import`' : selector === 'synthetic' ? 'run `harness generate`' : 'run `harness generate` or `harness import`';
    throw new HarnessError('E_DATA', `no ${what} in ${dataDir}: ${files} list${selected.length === 1 ? 's' : ''} none (${how})`);
  }
  if (systems.length === 0 && unlabelledReal > 0) {
    throw new HarnessError(
      'E_DATA',
      `no labelled systems in ${dataDir}: the ${unlabelledReal} real system(s) have no label yet (pick some with \`harness sample\`, label them with \`harness label\`, or merge a labels CSV with \`harness import --labels\`)`,
    );
  }
  return { dataDir, source: selector, systems, unlabelledReal, snapshots };
}

/** The snapshot each source's series are read from: its folder's, or in a flat folder the one folder's for any source. */
function snapshotsBySource(layout: DataLayout, selected: readonly SourceLayout[], snaps: ReadonlyMap<SourceLayout, SourceSnapshot>): Partial<Record<Source, SourceSnapshot>> {
  const out: Partial<Record<Source, SourceSnapshot>> = {};
  for (const s of selected) {
    const snap = snaps.get(s)!;
    if (layout.kind === 'flat') for (const source of SOURCES) out[source] = snap;
    else out[s.source] = snap;
  }
  return out;
}

/** Reads `file` (a path of the layout) from the snapshot of its folder; errors name it as the layout does. */
async function readIn<T>(snap: SourceSnapshot | undefined, file: string, read: (file: string) => Promise<T>): Promise<T> {
  if (snap === undefined) return read(file);
  return readInSnapshot(snap, () => read(inSnapshot(snap, file)));
}

/** An entry of a raw folder the dataset refuses: an orphan series (with its system's id) or a file that is no series. */
interface RawMismatch {
  readonly id?: string;
  readonly name: string;
  readonly problem: Problem;
}

/**
 * What a selected source's raw folder holds that the dataset would leave out without a word:
 * series (`<id>.csv`, `system_id=<id>/`) that no metadata row of that folder lists ("orphan
 * series", as validate says), dropped in raw/ without their metadata (new racks copied in by
 * hand), and entries that are no series at all (`sys-9.CSV`, `notes.txt`: raw-entries.ts). In a
 * flat folder its metadata lists systems of any source. A missing raw folder has none (each
 * system's own series then fails to load, naming its file).
 */
async function rawMismatchesOf(
  selected: readonly SourceLayout[],
  snaps: ReadonlyMap<SourceLayout, SourceSnapshot>,
  metadata: readonly FiledRow<MetadataRow>[],
): Promise<RawMismatch[]> {
  const out: RawMismatch[] = [];
  for (const s of selected) {
    // Only a missing folder has no entries: one that cannot be listed (out of descriptors, say)
    // must not pass as holding nothing to refuse.
    const entries = await readIn(snaps.get(s), s.rawDir, (dir) => readdir(dir, { withFileTypes: true })).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    });
    if (entries.length === 0) continue;
    const listed = new Set(metadata.filter((m) => m.file === s.metadataPath).map((m) => m.row.system_id));
    for (const e of entries) {
      const file = path.join(s.rawDir, e.name);
      const stray = strayRawEntry(e);
      if (stray !== undefined) {
        out.push({ name: e.name, problem: { file, line: 1, column: 0, message: stray } });
        continue;
      }
      const id = rawEntrySystem(e)?.id;
      if (id === undefined || listed.has(id)) continue;
      out.push({ id, name: e.name, problem: { file, line: 1, column: 0, message: `orphan series: system ${id} is not listed in the metadata` } });
    }
  }
  return out.sort((a, b) => (a.problem.file < b.problem.file ? -1 : a.problem.file > b.problem.file ? 1 : 0));
}

/** A row of a file, located: the file, its 1-based line and the row. */
interface FiledRow<T> {
  readonly file: string;
  readonly line: number;
  readonly row: T;
}

/** Rows by source, then system id (ids are unique per source in a file, checked by the readers). */
function bySourceAndId<T extends { readonly source: Source; readonly system_id: string }>(rows: readonly FiledRow<T>[]): Map<Source, Map<string, FiledRow<T>>> {
  const out = new Map<Source, Map<string, FiledRow<T>>>();
  for (const r of rows) {
    let ids = out.get(r.row.source);
    if (ids === undefined) out.set(r.row.source, (ids = new Map()));
    ids.set(r.row.system_id, r);
  }
  return out;
}

/*
 * The two files are read through their columns (metadata-columns.ts, label-columns.ts): the byte
 * path validates a row in place and the rows are made from compact columns. Parsing the text into
 * a table of fields first made about 1 KB a system of short-lived strings and arrays that lived
 * long enough to be promoted: at 100k systems the main thread's heap peaked at 188 MB while
 * loading, for 84 MB of records. A file the byte path refuses goes through the row parsers, whose
 * messages are the ones reported.
 */

/** The metadata rows of `sources`, source folder by source folder; in a data dir every row must carry its folder's source. */
async function readMetadata(layout: DataLayout, sources: readonly SourceLayout[], snaps: ReadonlyMap<SourceLayout, SourceSnapshot>): Promise<FiledRow<MetadataRow>[]> {
  const out: FiledRow<MetadataRow>[] = [];
  for (const s of sources) {
    const c = await readIn(snaps.get(s), s.metadataPath, (file) => readMetadataColumns(file, layout.kind === 'data-dir' ? s.source : undefined));
    for (let i = 0; i < c.n; i++) out.push({ file: s.metadataPath, line: c.lines[i]!, row: metadataRowAt(c, i) });
  }
  return out;
}

/** The label rows of `sources`, as {@link readMetadata}; a missing labels file has none. */
async function readLabels(layout: DataLayout, sources: readonly SourceLayout[], snaps: ReadonlyMap<SourceLayout, SourceSnapshot>): Promise<FiledRow<LabelRow>[]> {
  const out: FiledRow<LabelRow>[] = [];
  for (const s of sources) {
    const snap = snaps.get(s);
    // Absent only when nothing is there: one that cannot be read is read, and says why.
    if (!pathExistsSync(snap ? inSnapshot(snap, s.labelsPath) : s.labelsPath)) continue;
    const c = await readIn(snap, s.labelsPath, (file) => readLabelColumns(file, layout.kind === 'data-dir' ? s.source : undefined));
    for (let i = 0; i < c.n; i++) out.push({ file: s.labelsPath, line: c.lines[i]!, row: labelRowAt(c, i) });
  }
  return out;
}

/**
 * One system's record, from its metadata and label rows: loadDataset's, and a worker thread's
 * for the rows it is sent. Made outside loadDataset on purpose: a closure made inside it would
 * keep loadDataset's whole scope alive (the label index, its keys and the files' row wrappers,
 * about 300 bytes a system) for as long as the records live. With `snapshot` (the dataset's
 * snapshot of the record's source folder) the series is read from it.
 */
export function systemRecord(row: MetadataRow, label: LabelRow, dataDir: string, extraSensors: readonly string[] = [], snapshot?: SourceSnapshot): SystemRecord {
  return { systemId: row.system_id, source: row.source, label, metadata: row, loadSeries: seriesLoader(row, dataDir, extraSensors, snapshot) };
}

/**
 * A record's `loadSeries`. Returned, not assigned to a name: the TypeScript loader (esbuild's
 * keepNames) gives a function assigned to a name its `name` property at run time, a 256-byte
 * property table on every record's function.
 */
function seriesLoader(row: MetadataRow, dataDir: string, extraSensors: readonly string[], snapshot: SourceSnapshot | undefined): SystemRecord['loadSeries'] {
  if (snapshot) return (o = {}) => loadSnapshotSeries(snapshot, row.source, row.system_id, { extraSensors, ...(o.derive ? { derive: o.derive } : {}) });
  return (o = {}) => loadRecordSeries(row.system_id, dataDir, row.source, { extraSensors, ...(o.derive ? { derive: o.derive } : {}) });
}
