/**
 * Matching a scores file to the labels and metadata it is judged against: by system_id (and
 * source, when the scores say it), with every unmatched row located in its file.
 */
import path from 'node:path';
import {
  type BreakdownColumn,
  describeLayout,
  type FiledLabel,
  readLocatedLabels,
  readLocatedMetadata,
  readSourceLabels,
  type ScoreRow,
  selectSources,
  type Source,
  stratumOf,
} from '../data/index.ts';
import type { LabelRow, MetadataRow } from '../data/types.ts';
import { displayPath, HarnessError, type Problem } from '../errors.ts';
import type { StrataColumn } from '../metrics/index.ts';

/** Join problems listed before the rest are only counted. */
export const MAX_PROBLEMS = 50;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A scored system matched to its label. */
export interface Joined {
  readonly score: ScoreRow;
  readonly label: LabelRow;
}

/** The scores matched to labels, and what was left over on each side. */
export interface JoinResult {
  readonly matched: Joined[];
  readonly unlabeledScores: Problem[];
  readonly unscoredLabels: Problem[];
}

/**
 * Joins scores to labels by system_id (and source, when scores.csv has that column). A score
 * whose id is labelled in both sources and that does not say which is an error in any mode.
 */
export function joinScores(
  scores: readonly ScoreRow[],
  labels: readonly FiledLabel[],
  scoresFile: string,
  labelsFiles: readonly string[],
): JoinResult {
  const byId = new Map<string, FiledLabel[]>();
  for (const l of labels) {
    const list = byId.get(l.located.row.system_id);
    if (list) list.push(l);
    else byId.set(l.located.row.system_id, [l]);
  }
  const used = new Set<FiledLabel>();
  const matched: Joined[] = [];
  const unlabeledScores: Problem[] = [];
  const ambiguous: Problem[] = [];
  const labelsName = labelsFiles.map(displayPath).join(' or ');
  for (const s of scores) {
    const candidates = (byId.get(s.systemId) ?? []).filter(
      (l) => s.source === undefined || l.located.row.source === s.source,
    );
    const only = candidates[0];
    if (only === undefined) {
      unlabeledScores.push({
        file: scoresFile,
        line: s.line,
        column: 1,
        message: `system ${s.systemId}${s.source ? ` (source ${s.source})` : ''} has a score but no label in ${labelsName}`,
      });
    } else if (candidates.length > 1) {
      ambiguous.push({
        file: scoresFile,
        line: s.line,
        column: 1,
        message: `system ${s.systemId} is labelled in several sources (${candidates.map((c) => `${c.located.row.source} on ${displayPath(c.file)}:${c.located.line}`).join(', ')}): add a source column to the scores file`,
      });
    } else {
      used.add(only);
      matched.push({ score: s, label: only.located.row });
    }
  }
  if (ambiguous.length > 0) {
    throw new HarnessError(
      'E_JOIN',
      `cannot match ${plural(ambiguous.length, 'score')} to a label: the id is labelled in several sources`,
      ambiguous.slice(0, MAX_PROBLEMS),
    );
  }
  const scoresName = displayPath(scoresFile);
  const unscoredLabels: Problem[] = labels
    .filter((l) => !used.has(l))
    .map(({ file, located: l }) => ({
      file,
      line: l.line,
      column: 1,
      message: `system ${l.row.system_id} (source ${l.row.source}) is labelled but has no score in ${scoresName}`,
    }));
  return { matched, unlabeledScores, unscoredLabels };
}

/**
 * The labels to judge against, each row with its file: `--labels FILE`, or the union of the data
 * folder's source labels files (a missing real one has no rows yet).
 */
export async function readLabels(
  labelsFlag: string | undefined,
  dataDir: () => Promise<string>,
): Promise<{ labels: FiledLabel[]; files: string[] }> {
  if (labelsFlag !== undefined) {
    const file = path.resolve(labelsFlag);
    return {
      labels: (await readLocatedLabels(file)).map((located) => ({ file, located })),
      files: [file],
    };
  }
  const layout = describeLayout(await dataDir());
  const sources = selectSources(layout, 'all');
  return {
    labels: await readSourceLabels(layout, sources),
    files: sources.map((s) => s.labelsPath),
  };
}

/**
 * The metadata of the matched systems, by `source\0system_id`: from `--metadata FILE`, or from
 * the data folder's metadata of each source the labels name. Undefined when the data folder has
 * none and the caller said that is fine.
 */
export async function loadMatchedMetadata(
  metadataFlag: string | undefined,
  dataDir: string,
  sources: ReadonlySet<Source>,
  required: boolean,
  warnings: string[],
): Promise<{ rows: Map<string, MetadataRow>; files: string[] } | undefined> {
  const rows = new Map<string, MetadataRow>();
  if (metadataFlag !== undefined) {
    const file = path.resolve(metadataFlag);
    for (const { row } of await readLocatedMetadata(file))
      rows.set(`${row.source}\u0000${row.system_id}`, row);
    return { rows, files: [file] };
  }
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
  const files: string[] = [];
  for (const s of picked) {
    files.push(s.metadataPath);
    for (const { row } of await readLocatedMetadata(
      s.metadataPath,
      layout.kind === 'data-dir' ? s.source : undefined,
    )) {
      rows.set(`${row.source}\u0000${row.system_id}`, row);
    }
  }
  return { rows, files };
}

/** One breakdown column's values, aligned with `matched`. */
export function strataColumn(
  column: BreakdownColumn,
  matched: readonly Joined[],
  metadata: ReadonlyMap<string, MetadataRow> | undefined,
): StrataColumn {
  return matched.map(({ label }) =>
    stratumOf(column, label, metadata?.get(`${label.source}\u0000${label.system_id}`)),
  );
}
