/**
 * A metadata file read into typed columns, for the breakdowns of `harness evaluate`. The byte
 * path accepts exactly the rows parseMetadataTable accepts and gives up on anything else, so a
 * file with a problem is read by parseMetadataTable and its messages are unchanged.
 */
import { parseMetadataTable } from './load-metadata.ts';
import {
  METADATA_OPTIONAL,
  METADATA_REQUIRED,
  REAL_OPERATIONAL_MODES,
  SCENARIO_TAGS,
  SEASONS,
  SOURCES,
  type Source,
} from './schema.ts';
import { cleanHeader, codesOf, FieldCursor, FieldStrings, parseExactTable, readTableColumns } from './table-columns.ts';
import { enumBytes, enumCodeAt, isSafeIdAt, type ByteTable } from './csv-bytes.ts';
import { IdColumn } from './id-column.ts';
import type { LocatedRow } from './row-fields.ts';
import type { MetadataRow } from './types.ts';

/** The metadata of one file as columns, row i of each array being one system. */
export interface MetadataColumns {
  readonly file: string;
  readonly n: number;
  /** System ids (unique within a file), tag 0. */
  readonly ids: IdColumn;
  /** Index into SOURCES. */
  readonly source: Uint8Array;
  /** Index into REAL_OPERATIONAL_MODES (`unknown` last, real systems only). */
  readonly mode: Uint8Array;
  /** Index into SEASONS. */
  readonly season: Uint8Array;
  readonly chemistry: readonly (string | undefined)[];
  /** NaN when absent. */
  readonly capacity: Float64Array;
  readonly climate: readonly (string | undefined)[];
  /** Scenario tags of row i: `tags.slice(tagStart[i], tagStart[i + 1])`, indices into SCENARIO_TAGS. */
  readonly tagStart: Int32Array;
  readonly tags: Uint8Array;
  readonly parent: readonly (string | undefined)[];
  readonly lines: Int32Array;
}

const SOURCE_BYTES = enumBytes(SOURCES);
const MODE_BYTES = enumBytes(REAL_OPERATIONAL_MODES);
const UNKNOWN_MODE = REAL_OPERATIONAL_MODES.indexOf('unknown');
const SEASON_BYTES = enumBytes(SEASONS);
const TAG_CODES = codesOf(SCENARIO_TAGS);
const REAL = SOURCES.indexOf('real');

/** Reads a metadata file into columns; throws a HarnessError listing every problem (as readLocatedMetadata does). */
export async function readMetadataColumns(file: string, folderSource?: Source): Promise<MetadataColumns> {
  return readTableColumns(
    file,
    (t) => metadataColumnsFromBytes(t, folderSource),
    (text) =>
      parseExactTable(
        text,
        file,
        'metadata',
        (t, report) => parseMetadataTable(t, report, folderSource),
        (rows) => metadataColumnsOf(file, rows),
      ),
  );
}

/** Tag codes of a `;`-separated list, as parseMetadataTable splits it; null when a tag is unknown. */
function tagCodes(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(';')) {
    const t = part.trim();
    if (t === '') continue;
    const c = TAG_CODES.get(t);
    if (c === undefined) return null;
    if (!out.includes(c)) out.push(c); // a tag listed twice is one tag, as parseMetadataTable reads it
  }
  return out;
}

/** The byte path: the columns, or null at the first row parseMetadataTable would report. */
export function metadataColumnsFromBytes(t: ByteTable, folderSource?: Source): MetadataColumns | null {
  const index = cleanHeader(t, METADATA_REQUIRED, METADATA_OPTIONAL);
  if (index === null) return null;
  const col = (name: string): number => index.get(name) ?? -1;
  const [cId, cSource, cMode, cSeason] = METADATA_REQUIRED.map(col) as [number, number, number, number];
  const [cChem, cCap, cClimate, cTags, cParent] = METADATA_OPTIONAL.map(col) as [number, number, number, number, number];
  const n = t.rows;
  const buf = t.buf;
  const ids = new IdColumn(buf, n);
  const source = new Uint8Array(n);
  const mode = new Uint8Array(n);
  const season = new Uint8Array(n);
  const chemistry = new Array<string | undefined>(n);
  const capacity = new Float64Array(n).fill(NaN);
  const climate = new Array<string | undefined>(n);
  const parent = new Array<string | undefined>(n);
  const tagStart = new Int32Array(n + 1);
  let tags = new Uint8Array(n);
  let nTags = 0;
  const tagLists = new Map<string, number[] | null>();
  const enums = new FieldStrings(buf);
  const free = new FieldStrings(buf, 1024);
  const folder = folderSource === undefined ? -1 : SOURCES.indexOf(folderSource);
  const f = new FieldCursor(t);
  for (let r = 0; r < n; r++) {
    f.at(r, cId);
    if (!isSafeIdAt(buf, f.a, f.b) || ids.add(f.a, f.b, 0) >= 0) return null;
    f.at(r, cSource);
    const src = enumCodeAt(buf, f.a, f.b, SOURCE_BYTES);
    f.at(r, cMode);
    const m = enumCodeAt(buf, f.a, f.b, MODE_BYTES);
    f.at(r, cSeason);
    const s = enumCodeAt(buf, f.a, f.b, SEASON_BYTES);
    if (src < 0 || m < 0 || s < 0 || (folder >= 0 && src !== folder)) return null;
    // A real export may not say how the plant was run: `unknown` is a real system's mode only.
    if (m === UNKNOWN_MODE && src !== REAL) return null;
    if (cCap >= 0) {
      const c = f.at(r, cCap).number();
      if (c === undefined || c < Number.MIN_VALUE) return null;
      capacity[r] = c;
    }
    if (cTags >= 0 && !f.at(r, cTags).empty) {
      const text = enums.get(f.a, f.b);
      let list = tagLists.get(text);
      if (list === undefined) {
        list = tagCodes(text);
        tagLists.set(text, list);
      }
      if (list === null) return null;
      if (nTags + list.length > tags.length) {
        const grown = new Uint8Array(Math.max(tags.length * 2, nTags + list.length));
        grown.set(tags);
        tags = grown;
      }
      for (const code of list) tags[nTags++] = code;
    }
    tagStart[r + 1] = nTags;
    if (cParent >= 0 && !f.at(r, cParent).empty) {
      if (!isSafeIdAt(buf, f.a, f.b)) return null;
      parent[r] = buf.toString('latin1', f.a, f.b);
    }
    if (cChem >= 0 && !f.at(r, cChem).empty) chemistry[r] = free.get(f.a, f.b);
    if (cClimate >= 0 && !f.at(r, cClimate).empty) climate[r] = free.get(f.a, f.b);
    source[r] = src;
    mode[r] = m;
    season[r] = s;
  }
  return { file: t.file, n, ids, source, mode, season, chemistry, capacity, climate, tagStart, tags: tags.slice(0, nTags), parent, lines: t.lines.slice() };
}

/** Metadata rows (from the exact path) as columns. */
export function metadataColumnsOf(file: string, rows: readonly LocatedRow<MetadataRow>[]): MetadataColumns {
  const tagStart = new Int32Array(rows.length + 1);
  const tags: number[] = [];
  rows.forEach(({ row }, i) => {
    for (const t of row.scenario_tags) tags.push(TAG_CODES.get(t)!);
    tagStart[i + 1] = tags.length;
  });
  return {
    file,
    n: rows.length,
    ids: IdColumn.of(
      rows.map((r) => r.row.system_id),
      new Uint8Array(rows.length),
    ),
    source: Uint8Array.from(rows, (r) => SOURCES.indexOf(r.row.source)),
    mode: Uint8Array.from(rows, (r) => REAL_OPERATIONAL_MODES.indexOf(r.row.operational_mode)),
    season: Uint8Array.from(rows, (r) => SEASONS.indexOf(r.row.season)),
    chemistry: rows.map((r) => r.row.chemistry),
    capacity: Float64Array.from(rows, (r) => r.row.capacity_kwh ?? NaN),
    climate: rows.map((r) => r.row.climate),
    tagStart,
    tags: Uint8Array.from(tags),
    parent: rows.map((r) => r.row.parent_system_id),
    lines: Int32Array.from(rows, (r) => r.line),
  };
}

/** Row i of the columns as a MetadataRow (the shape parseMetadataTable returns). */
export function metadataRowAt(c: MetadataColumns, i: number): MetadataRow {
  const chemistry = c.chemistry[i];
  const capacity = c.capacity[i] as number;
  const climate = c.climate[i];
  const parent = c.parent[i];
  return {
    system_id: c.ids.at(i),
    source: SOURCES[c.source[i] as number]!,
    operational_mode: REAL_OPERATIONAL_MODES[c.mode[i] as number]!,
    season: SEASONS[c.season[i] as number]!,
    ...(chemistry !== undefined ? { chemistry } : {}),
    ...(Number.isNaN(capacity) ? {} : { capacity_kwh: capacity }),
    ...(climate !== undefined ? { climate } : {}),
    scenario_tags: Array.from(c.tags.subarray(c.tagStart[i], c.tagStart[i + 1]), (k) => SCENARIO_TAGS[k]!),
    ...(parent !== undefined ? { parent_system_id: parent } : {}),
  };
}
