/**
 * Matching a scores file to the labels and metadata it is judged against: by system_id (and
 * source, when the scores say it), through the readers' maps of id → row, with every unmatched
 * row located in its file. Everything stays columnar: a match is a pair of row indices.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  readLocatedLabels,
  readSourceLabels,
  type FiledLabel,
  type BreakdownColumn,
  concatLabelColumns,
  describeLayout,
  FAILURE_TYPES_OR_NONE,
  type LabelColumns,
  labelColumnsOf,
  LEAD_TIME_BUCKETS,
  type MetadataColumns,
  readLabelColumns,
  readMetadataColumns,
  REAL_OPERATIONAL_MODES,
  SCENARIO_TAGS,
  type ScoreColumns,
  SEASONS,
  selectSources,
  type Source,
  SOURCES,
  finishInterruptedImport,
} from '../data/index.ts';
import { displayPath, HarnessError, type Problem } from '../errors.ts';
import type { CodedStrata } from '../metrics/index.ts';

/** Join problems listed before the rest are only counted. */
export const MAX_PROBLEMS = 50;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Problems of one kind: the first MAX_PROBLEMS, and how many there are. */
export interface CappedProblems {
  readonly count: number;
  readonly first: readonly Problem[];
}

/** The scores matched to labels (row k: score row `scoreRow[k]`, label row `labelRow[k]`), and what was left over. */
export interface JoinResult {
  readonly scoreRow: Int32Array;
  readonly labelRow: Int32Array;
  readonly unlabeledScores: CappedProblems;
  readonly unscoredLabels: CappedProblems;
}

class Capped {
  count = 0;
  readonly first: Problem[] = [];
  add(p: () => Problem): void {
    if (this.count++ < MAX_PROBLEMS) this.first.push(p());
  }
}

/**
 * Joins scores to labels by system_id (and source, when scores.csv has that column). A score
 * whose id is labelled in both sources and that does not say which is an error in any mode.
 */
export function joinScores(
  scores: ScoreColumns,
  labels: LabelColumns,
  labelsFiles: readonly string[],
): JoinResult {
  const n = scores.n;
  const scoreRow = new Int32Array(n);
  const labelRow = new Int32Array(n);
  const used = new Uint8Array(labels.n);
  const unlabeled = new Capped();
  const ambiguous = new Capped();
  const labelsName = labelsFiles.map(displayPath).join(' or ');
  const ids = labels.ids;
  // Without a source column an id is looked up in both sources, unless the labels have only one.
  const sourcesLabelled = [0, 0];
  for (let j = 0; j < labels.n; j++) sourcesLabelled[labels.source[j]!]!++;
  const onlySource = sourcesLabelled[1] === 0 ? 0 : sourcesLabelled[0] === 0 ? 1 : -1;
  let k = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    let j: number;
    if (scores.source) j = ids.findRowFrom(next, scores.ids, i, scores.source[i]!);
    else if (onlySource >= 0) j = ids.findRowFrom(next, scores.ids, i, onlySource);
    else {
      const a = ids.findRow(scores.ids, i, 0);
      const b = ids.findRow(scores.ids, i, 1);
      if (a >= 0 && b >= 0) {
        const id = scores.ids.at(i);
        ambiguous.add(() => ({
          file: scores.file,
          line: scores.lines[i]!,
          column: 1,
          message: `system ${id} is labelled in several sources (${[a, b]
            .sort((x, y) => x - y)
            .map(
              (r) =>
                `${SOURCES[labels.source[r]!]} on ${displayPath(labels.files[labels.fileOf[r]!]!)}:${labels.lines[r]}`,
            )
            .join(', ')}): add a source column to the scores file`,
        }));
        continue;
      }
      j = a >= 0 ? a : b;
    }
    if (j < 0) {
      const id = scores.ids.at(i);
      const src = scores.source ? SOURCES[scores.source[i]!] : undefined;
      unlabeled.add(() => ({
        file: scores.file,
        line: scores.lines[i]!,
        column: 1,
        message: `system ${id}${src ? ` (source ${src})` : ''} has a score but no label in ${labelsName}`,
      }));
      continue;
    }
    used[j] = 1;
    next = j + 1;
    scoreRow[k] = i;
    labelRow[k++] = j;
  }
  if (ambiguous.count > 0) {
    throw new HarnessError(
      'E_JOIN',
      `cannot match ${plural(ambiguous.count, 'score')} to a label: the id is labelled in several sources`,
      ambiguous.first,
    );
  }
  const scoresName = displayPath(scores.file);
  const unscored = new Capped();
  for (let j = 0; j < labels.n; j++) {
    if (used[j]) continue;
    unscored.add(() => ({
      file: labels.files[labels.fileOf[j]!]!,
      line: labels.lines[j]!,
      column: 1,
      message: `system ${labels.ids.at(j)} (source ${SOURCES[labels.source[j]!]}) is labelled but has no score in ${scoresName}`,
    }));
  }
  return {
    scoreRow: scoreRow.slice(0, k),
    labelRow: labelRow.slice(0, k),
    unlabeledScores: unlabeled,
    unscoredLabels: unscored,
  };
}

/** The data folder, with what a killed `harness import` left half swapped in it finished (swap-journal.ts). */
async function readableDataDir(dataDir: () => Promise<string>): Promise<string> {
  const dir = await dataDir();
  await finishInterruptedImport(dir);
  return dir;
}

/**
 * The labels to judge against, and the files they are looked for in: `--labels FILE`, or the
 * union of the data folder's source labels files (a missing real one has no rows yet).
 */
export async function readLabels(
  labelsFlag: string | undefined,
  dataDir: () => Promise<string>,
): Promise<{ readonly labels: LabelColumns; readonly files: readonly string[] }> {
  if (labelsFlag !== undefined) {
    const file = path.resolve(labelsFlag);
    return { labels: await readLabelColumns(file), files: [file] };
  }
  const layout = describeLayout(await readableDataDir(dataDir));
  const sources = selectSources(layout, 'all');
  const dataDirLayout = layout.kind === 'data-dir';
  const parts: LabelColumns[] = [];
  for (const s of sources) {
    // In a data dir a missing real labels file has no rows (real systems wait to be labelled).
    if (dataDirLayout && s.source === 'real' && !existsSync(s.labelsPath)) continue;
    parts.push(await readLabelColumns(s.labelsPath, dataDirLayout ? s.source : undefined));
  }
  const labels = parts.length === 0 ? labelColumnsOf('', []) : concatLabelColumns(parts);
  return { labels, files: sources.map((s) => s.labelsPath) };
}

/**
 * The labels as located rows, with every column a row carries (`failure_at`, `onset_at`): what
 * the alarm evaluation reads. The same files as {@link readLabels}; a data folder's missing real
 * labels file has no rows.
 */
export async function readLabelRows(
  labelsFlag: string | undefined,
  dataDir: () => Promise<string>,
): Promise<{ readonly labels: FiledLabel[]; readonly files: readonly string[] }> {
  if (labelsFlag !== undefined) {
    const file = path.resolve(labelsFlag);
    return {
      labels: (await readLocatedLabels(file)).map((located) => ({ file, located })),
      files: [file],
    };
  }
  const layout = describeLayout(await readableDataDir(dataDir));
  const sources = selectSources(layout, 'all').filter(
    (s) => !(layout.kind === 'data-dir' && s.source === 'real' && !existsSync(s.labelsPath)),
  );
  return {
    labels: await readSourceLabels(layout, sources),
    files: sources.map((s) => s.labelsPath),
  };
}

/** The metadata tables of the matched systems, and the files they came from. */
export interface MatchedMetadata {
  readonly tables: readonly MetadataColumns[];
  readonly files: readonly string[];
}

/**
 * The metadata of the matched systems: from `--metadata FILE`, or from the data folder's
 * metadata of each source the labels name. Undefined when the data folder has none and the
 * caller said that is fine. `prefetched`: the `--metadata` file already being read elsewhere.
 */
export async function loadMatchedMetadata(
  metadataFlag: string | undefined,
  dataDir: string,
  sources: ReadonlySet<Source>,
  required: boolean,
  warnings: string[],
  prefetched?: { take(): Promise<MetadataColumns | null> },
): Promise<MatchedMetadata | undefined> {
  if (metadataFlag !== undefined) {
    const file = path.resolve(metadataFlag);
    // Read by another thread meanwhile, when it could; else here (its problems reported from here).
    const table = (await prefetched?.take()) ?? (await readMetadataColumns(file));
    return { tables: [table], files: [file] };
  }
  await finishInterruptedImport(dataDir);
  const layout = describeLayout(dataDir);
  let picked;
  try {
    picked = selectSources(layout, 'all').filter((s) => sources.has(s.source));
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    if (required)
      throw new HarnessError(
        err.code,
        `the --by columns need metadata: ${err.message}; or pass --metadata FILE`,
        err.problems,
      );
    warnings.push(
      `no metadata found (${err.message}): breakdowns by metadata columns skipped; pass --metadata FILE or --data DIR`,
    );
    return undefined;
  }
  const tables: MetadataColumns[] = [];
  for (const s of picked)
    tables.push(
      await readMetadataColumns(s.metadataPath, layout.kind === 'data-dir' ? s.source : undefined),
    );
  return { tables, files: picked.map((s) => s.metadataPath) };
}

/**
 * A warning when `--labels FILE` has a metadata.csv beside it (a fleet folder) that the default
 * did not read: the breakdowns then come from the data folder's metadata, which shares ids
 * like sys-0001 with any other generated fleet, so the strata can be another fleet's, silently.
 */
export function metadataBesideLabelsWarning(
  labelsFlag: string | undefined,
  metadataFlag: string | undefined,
  read: readonly string[],
): string | undefined {
  if (labelsFlag === undefined || metadataFlag !== undefined) return undefined;
  const beside = path.join(path.dirname(path.resolve(labelsFlag)), 'metadata.csv');
  if (!existsSync(beside) || read.includes(beside)) return undefined;
  const from =
    read.length > 0
      ? `use ${read.map(displayPath).join(' and ')} (the data folder's)`
      : 'have no metadata file (the data folder holds none)';
  return `the metadata breakdowns ${from}, not ${displayPath(beside)} beside --labels: pass --metadata ${displayPath(beside)} if the labels are that fleet's`;
}

/**
 * Each labelled row's metadata: `table[k]` and `row[k]` (table -1 when it has none), found by
 * id and source. A later file's row wins, as in a map filled file by file.
 */
export function matchMetadata(
  labels: LabelColumns,
  labelRow: Int32Array,
  meta: MatchedMetadata,
): { readonly table: Int32Array; readonly row: Int32Array; readonly missing: number } {
  const n = labelRow.length;
  const table = new Int32Array(n).fill(-1);
  const row = new Int32Array(n).fill(-1);
  let missing = 0;
  const next = new Int32Array(meta.tables.length);
  for (let k = 0; k < n; k++) {
    const j = labelRow[k]!;
    const src = labels.source[j]!;
    for (let t = meta.tables.length - 1; t >= 0; t--) {
      const m = meta.tables[t]!;
      const i = m.ids.findRowFrom(next[t]!, labels.ids, j, 0);
      if (i >= 0 && m.source[i] === src) {
        table[k] = t;
        row[k] = i;
        next[t] = i + 1;
        break;
      }
    }
    if (table[k] === -1) missing++;
  }
  return { table, row, missing };
}

/** The stratum of a normal in label-derived columns, and of a system without tags. */
const NONE = 'none';

/**
 * One breakdown column of the matched systems, coded (the strata of `stratumOf`, without a
 * string per system): label columns from the labels, metadata columns from `meta` (a system
 * without metadata is missing).
 */
export function strataCodes(
  column: BreakdownColumn,
  labels: LabelColumns,
  labelRow: Int32Array,
  meta:
    | {
        readonly tables: readonly MetadataColumns[];
        readonly table: Int32Array;
        readonly row: Int32Array;
      }
    | undefined,
): CodedStrata {
  const n = labelRow.length;
  const codes = new Int32Array(n);
  const single = (names: readonly string[], code: (k: number) => number): CodedStrata => {
    for (let k = 0; k < n; k++) codes[k] = code(k);
    return { names, codes };
  };
  const metaOf = (k: number): MetadataColumns | undefined =>
    meta === undefined || meta.table[k]! < 0 ? undefined : meta.tables[meta.table[k]!];
  switch (column) {
    case 'failure_type':
      return single(FAILURE_TYPES_OR_NONE, (k) => labels.failureType[labelRow[k]!]!);
    case 'source':
      return single(SOURCES, (k) => labels.source[labelRow[k]!]!);
    case 'lead_time_bucket': {
      const none = LEAD_TIME_BUCKETS.length;
      return single([...LEAD_TIME_BUCKETS.map((b) => b.name), NONE], (k) => {
        const j = labelRow[k]!;
        if (labels.anomaly[j] === 0) return none;
        const d = labels.leadTime[j]!;
        return LEAD_TIME_BUCKETS.findIndex((b) => d >= b.lo && d < b.hi);
      });
    }
    case 'operational_mode':
      return single(REAL_OPERATIONAL_MODES, (k) =>
        metaOf(k) ? metaOf(k)!.mode[meta!.row[k]!]! : -1,
      );
    case 'season':
      return single(SEASONS, (k) => (metaOf(k) ? metaOf(k)!.season[meta!.row[k]!]! : -1));
    case 'scenario_tags': {
      const none = SCENARIO_TAGS.length;
      const start = new Int32Array(n + 1);
      // About one code a system: grown by doubling when systems list several tags.
      let out = new Int32Array(n);
      let q = 0;
      for (let k = 0; k < n; k++) {
        const m = metaOf(k);
        if (m !== undefined) {
          const i = meta!.row[k]!;
          const a = m.tagStart[i]!;
          const b = m.tagStart[i + 1]!;
          if (q + Math.max(1, b - a) > out.length) {
            const grown = new Int32Array(Math.max(2 * out.length, q + b - a + 1));
            grown.set(out);
            out = grown;
          }
          if (a === b) out[q++] = none;
          for (let t = a; t < b; t++) out[q++] = m.tags[t]!;
        }
        start[k + 1] = q;
      }
      return { names: [...SCENARIO_TAGS, NONE], codes: out.slice(0, q), start };
    }
    case 'chemistry':
    case 'climate': {
      const names: string[] = [];
      const codeOf = new Map<string, number>();
      return single(names, (k) => {
        const m = metaOf(k);
        const v = m?.[column][meta!.row[k]!];
        if (v === undefined) return -1;
        let c = codeOf.get(v);
        if (c === undefined) codeOf.set(v, (c = names.push(v) - 1));
        return c;
      });
    }
  }
}
