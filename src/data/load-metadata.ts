import type { Problem } from '../errors.ts';
import { checkHeader, parseCsv, readTextFile, throwIfProblems, type CsvTable, type ProblemSink } from './csv-read.ts';
import { finishInterruptedImport } from './swap-journal.ts';
import { describeLayout, resolveDataDir, selectSources } from './layout.ts';
import {
  METADATA_OPTIONAL,
  METADATA_REQUIRED,
  OPERATIONAL_MODES,
  REAL_OPERATIONAL_MODES,
  SCENARIO_TAGS,
  SEASONS,
  SOURCES,
  isOneOf,
  type Source,
} from './schema.ts';
import { interned, RowReader, type LocatedRow } from './row-fields.ts';
import { didYouMean } from './suggest.ts';
import type { LoadOptions, MetadataRow } from './types.ts';

/**
 * Parses the rows of a metadata table, reporting every problem: bad header, unsafe or
 * duplicate system ids, unknown source / operational_mode (`unknown` is allowed for a real
 * system only) / season / scenario tag, a
 * capacity that is not a positive number, and (in a data dir, where the folder names the
 * source) a row whose source is not the folder's. Chemistry and climate are free text: real
 * fleets have chemistries the synthetic set does not. Rows with a problem are left out.
 */
export function parseMetadataTable(table: CsvTable, report: ProblemSink, folderSource?: Source): LocatedRow<MetadataRow>[] {
  const index = checkHeader(table, METADATA_REQUIRED, METADATA_OPTIONAL, report, (n) =>
    didYouMean(n, [...METADATA_REQUIRED, ...METADATA_OPTIONAL]),
  );
  if (METADATA_REQUIRED.some((c) => !index.has(c))) return [];
  const out: LocatedRow<MetadataRow>[] = [];
  const firstLine = new Map<string, number>();
  for (const rec of table.records) {
    const r = new RowReader(table.file, rec.line, rec.fields, index, report);
    const systemId = r.systemId();
    const source = r.oneOf('source', SOURCES);
    if (source !== undefined && folderSource !== undefined && source !== folderSource) {
      r.problem('source', `source ${source} in the ${folderSource} folder: every row of this file must be ${folderSource}`);
    }
    // A real export may not say how the plant was run: `unknown` is a real system's mode only.
    const mode = r.oneOf('operational_mode', source === 'real' ? REAL_OPERATIONAL_MODES : OPERATIONAL_MODES);
    const season = r.oneOf('season', SEASONS);
    const capacity = r.number('capacity_kwh', Number.MIN_VALUE, Infinity, 'a capacity > 0');
    const tags = (r.text('scenario_tags') ?? '')
      .split(';')
      .map((t) => interned(t.trim()))
      // A tag listed twice (`spike;spike`) is one tag: counted twice, its system was two rows of
      // the scenario-tag breakdown (a stratum of 11 for 7 systems, its AUC off).
      .filter((t, i, all) => t !== '' && all.indexOf(t) === i);
    for (const t of tags) {
      if (!isOneOf(SCENARIO_TAGS, t)) {
        r.problem('scenario_tags', `unknown scenario tag ${JSON.stringify(t)}${didYouMean(t, SCENARIO_TAGS)} (expected ${SCENARIO_TAGS.join(', ')})`);
      }
    }
    // A window's parent: optional, but when given it must be a safe id like any other.
    const parent = r.optionalText('parent_system_id') === undefined ? undefined : r.systemId('parent_system_id');
    if (systemId !== undefined) {
      const first = firstLine.get(systemId);
      if (first !== undefined) r.problem('system_id', `duplicate system ${systemId}; first on line ${first}`);
      else firstLine.set(systemId, rec.line);
    }
    if (r.bad || systemId === undefined || source === undefined || mode === undefined || season === undefined || capacity === undefined) {
      continue;
    }
    const chemistry = r.optionalWord('chemistry');
    const climate = r.optionalWord('climate');
    const row: MetadataRow = {
      system_id: systemId,
      source,
      operational_mode: mode,
      season,
      ...(chemistry !== undefined ? { chemistry } : {}),
      ...(capacity !== null ? { capacity_kwh: capacity } : {}),
      ...(climate !== undefined ? { climate } : {}),
      scenario_tags: tags.slice(), // exactly as long as it is: filter()'s array keeps room for 16
      ...(parent !== undefined ? { parent_system_id: parent } : {}),
    };
    out.push({ row, line: rec.line });
  }
  return out;
}

/** Reads and parses one metadata file with line numbers; throws a HarnessError listing every problem. */
export async function readLocatedMetadata(file: string, folderSource?: Source): Promise<LocatedRow<MetadataRow>[]> {
  const text = await readTextFile(file);
  const problems: Problem[] = [];
  const rows = parseMetadataTable(parseCsv(text, file, (p) => problems.push(p)), (p) => problems.push(p), folderSource);
  throwIfProblems(problems, `cannot read metadata ${file}`);
  return rows;
}

/**
 * The metadata of every source of the data folder (either layout), filtered by `source`
 * (default all): `<dir>/<source>/metadata.csv` per source folder, or `<dir>/metadata.csv`.
 */
export async function loadMetadata(opts: LoadOptions = {}): Promise<MetadataRow[]> {
  await finishInterruptedImport(resolveDataDir(opts.dataDir));
  const layout = describeLayout(resolveDataDir(opts.dataDir));
  const selector = opts.source ?? 'all';
  const out: MetadataRow[] = [];
  for (const s of selectSources(layout, selector)) {
    const rows = await readLocatedMetadata(s.metadataPath, layout.kind === 'data-dir' ? s.source : undefined);
    for (const { row } of rows) if (selector === 'all' || row.source === selector) out.push(row);
  }
  return out;
}
