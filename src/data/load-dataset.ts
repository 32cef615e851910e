import { HarnessError, type Problem } from '../errors.ts';
import { describeLayout, resolveDataDir, selectSources } from './layout.ts';
import { readSourceLabels, type FiledLabel } from './load-labels.ts';
import { readLocatedMetadata } from './load-metadata.ts';
import { loadTimeseries } from './load-timeseries.ts';
import type { Source } from './schema.ts';
import type { Dataset, LabelRow, LoadOptions, MetadataRow, SystemRecord } from './types.ts';
import type { LocatedRow } from './row-fields.ts';

const key = (source: Source, id: string): string => `${source}\u0000${id}`;

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
 * so. Series are not read: each record's `loadSeries` reads its own, on demand.
 */
export async function loadDataset(opts: LoadOptions = {}): Promise<Dataset> {
  const dataDir = resolveDataDir(opts.dataDir);
  const layout = describeLayout(dataDir);
  const selector = opts.source ?? 'all';
  const wanted = (s: Source): boolean => selector === 'all' || s === selector;

  const metadata: { file: string; located: LocatedRow<MetadataRow> }[] = [];
  const selected = selectSources(layout, selector);
  for (const s of selected) {
    for (const located of await readLocatedMetadata(s.metadataPath, layout.kind === 'data-dir' ? s.source : undefined)) {
      if (wanted(located.row.source)) metadata.push({ file: s.metadataPath, located });
    }
  }
  // Real data may not be labelled yet (`harness import` writes no labels): a missing labels
  // file is then no error, and unlabelled real systems are left out (see below). A missing
  // synthetic labels file shows as synthetic systems without a label.
  const labels = (await readSourceLabels(layout, selected, { allowMissing: true })).filter((l) => wanted(l.located.row.source));
  const labelByKey = new Map<string, FiledLabel>(labels.map((l) => [key(l.located.row.source, l.located.row.system_id), l]));
  const labelsFileOf = new Map<Source, string>(selected.map((s) => [s.source, s.labelsPath]));
  const metaKeys = new Set(metadata.map((m) => key(m.located.row.source, m.located.row.system_id)));

  const problems: Problem[] = [];
  const unlabelled: string[] = [];
  const unlabelledReal = new Set<string>();
  for (const m of metadata) {
    const { row, line } = m.located;
    if (!labelByKey.has(key(row.source, row.system_id))) {
      // A real system waits for a person to label it (`harness sample`, `harness label`): it is
      // left out of the dataset, not an error. A synthetic system always has a label.
      if (row.source === 'real') {
        unlabelledReal.add(key(row.source, row.system_id));
        continue;
      }
      unlabelled.push(row.system_id);
      problems.push({ file: m.file, line, column: 0, message: `system ${row.system_id} (${row.source}) has metadata but no label in ${labelsFileOf.get(row.source) ?? selected[0]?.labelsPath}` });
    }
  }
  const orphanLabels: string[] = [];
  for (const { file, located: { row, line } } of labels) {
    if (!metaKeys.has(key(row.source, row.system_id))) {
      orphanLabels.push(row.system_id);
      problems.push({ file, line, column: 0, message: `system ${row.system_id} (${row.source}) has a label but no metadata` });
    }
  }
  if (problems.length > 0) {
    const parts = [
      orphanLabels.length > 0 ? `${orphanLabels.length} labelled system(s) have no metadata: ${nameSome(orphanLabels)}` : '',
      unlabelled.length > 0 ? `${unlabelled.length} system(s) in metadata have no label: ${nameSome(unlabelled)}` : '',
    ].filter((p) => p !== '');
    throw new HarnessError('E_DATA', `labels and metadata of ${dataDir} do not match: ${parts.join('; ')}. Run \`harness validate\` for details.`, problems);
  }

  const labelled = metadata.filter((m) => !unlabelledReal.has(key(m.located.row.source, m.located.row.system_id)));
  if (metadata.length === 0) {
    const files = selected.map((s) => s.metadataPath).join(', ');
    const what = selector === 'all' ? 'systems' : `${selector} systems`;
    const how = selector === 'real' ? 'import real telemetry with `harness import`' : selector === 'synthetic' ? 'run `harness generate`' : 'run `harness generate` or `harness import`';
    throw new HarnessError('E_DATA', `no ${what} in ${dataDir}: ${files} list${selected.length === 1 ? 's' : ''} none (${how})`);
  }
  if (labelled.length === 0 && unlabelledReal.size > 0) {
    throw new HarnessError(
      'E_DATA',
      `no labelled systems in ${dataDir}: the ${unlabelledReal.size} real system(s) have no label yet (pick some with \`harness sample\`, label them with \`harness label\`, or merge a labels CSV with \`harness import --labels\`)`,
    );
  }
  const extraSensors = opts.extraSensors ?? [];
  const systems: SystemRecord[] = labelled.map(({ located: { row } }) =>
    systemRecord(row, labelByKey.get(key(row.source, row.system_id))?.located.row as LabelRow, dataDir, extraSensors),
  );
  return { dataDir, source: selector, systems, unlabelledReal: unlabelledReal.size };
}

/**
 * One system's record, from its metadata and label rows: loadDataset's, and a worker thread's
 * for the rows it is sent. Made outside loadDataset on purpose: a closure made inside it would
 * keep loadDataset's whole scope alive (the label index, its keys and the files' row wrappers,
 * about 300 bytes a system) for as long as the records live.
 */
export function systemRecord(row: MetadataRow, label: LabelRow, dataDir: string, extraSensors: readonly string[] = []): SystemRecord {
  return { systemId: row.system_id, source: row.source, label, metadata: row, loadSeries: seriesLoader(row, dataDir, extraSensors) };
}

/**
 * A record's `loadSeries`. Returned, not assigned to a name: the TypeScript loader (esbuild's
 * keepNames) gives a function assigned to a name its `name` property at run time, a 256-byte
 * property table on every record's function.
 */
function seriesLoader(row: MetadataRow, dataDir: string, extraSensors: readonly string[]): SystemRecord['loadSeries'] {
  return (o = {}) => loadTimeseries(row.system_id, { dataDir, source: row.source, extraSensors, ...(o.derive ? { derive: o.derive } : {}) });
}
