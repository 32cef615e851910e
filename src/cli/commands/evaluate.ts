import path from 'node:path';
import chalk from 'chalk';
import { loadConfig } from '../../config/load-config.ts';
import { writeFileAtomic } from '../../data/atomic.ts';
import { describeLayout, selectSources } from '../../data/layout.ts';
import { readLocatedLabels, readSourceLabels, type FiledLabel } from '../../data/load-labels.ts';
import { readLocatedMetadata } from '../../data/load-metadata.ts';
import { readScoresFile, type ScoreRow } from '../../data/load-scores.ts';
import type { LocatedRow } from '../../data/row-fields.ts';
import type { Source } from '../../data/schema.ts';
import { BREAKDOWN_COLUMNS, DEFAULT_BREAKDOWN, KNOWN_BREAKDOWN_COLUMNS, inBucketOrder, isBreakdownColumn, stratumOf, type BreakdownColumn } from '../../data/strata.ts';
import type { LabelRow, MetadataRow } from '../../data/types.ts';
import { HarnessError, type Problem } from '../../errors.ts';
import { evaluateScores, type StrataColumn } from '../../metrics/evaluate.ts';
import { modelChartFileName, modelCharts } from '../../report/charts/model-charts.ts';
import { numberFlag, outputDirFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import { textReport } from '../../report/evaluation-text.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness evaluate --scores FILE [--labels FILE] [--metadata FILE] [--data DIR]
                        [--threshold T] [--by COLS] [--allow-missing] [--json] [--plots DIR]

Judges a scores.csv (system_id,score[,source]; higher = more anomalous) written by any scorer
against the labels: ROC AUC with its DeLong CI, average precision, precision/recall/F1 at the
threshold, and a breakdown per stratum.

  --scores FILE     the scores to judge (required)
  --labels FILE     default: the labels of every source folder of the data folder
                    (<data>/synthetic/labels.csv and <data>/real/labels.csv)
  --metadata FILE   one metadata.csv; default: the metadata of each source the labels name
  --data DIR        the data folder (default: the config's dataDir)
  --threshold T     flag a system when score >= T (default 0.5)
  --by COLS         comma-separated breakdown columns (default: ${'failure_type,operational_mode,season,lead_time_bucket,scenario_tags,source'})
  --allow-missing   drop scores without a label and labels without a score (with a warning)
                    instead of failing
  --json            print one JSON object on stdout, nothing else
  --plots DIR       write ROC, PR, score-distribution and breakdown charts as SVG into DIR

Exit codes: 0 evaluated · 2 bad input (every problem is printed as file:line:column).`;

type Column = BreakdownColumn;
const COLUMN_SOURCE = BREAKDOWN_COLUMNS;
const KNOWN_COLUMNS = KNOWN_BREAKDOWN_COLUMNS;
const DEFAULT_COLUMNS = DEFAULT_BREAKDOWN;
const isColumn = isBreakdownColumn;
const DEFAULT_THRESHOLD = 0.5;
/** A breakdown cell with fewer anomalies is marked `too few`. */
const MIN_POSITIVES = 5;
/** Join problems listed before the rest are only counted. */
const MAX_PROBLEMS = 50;

function parseBy(raw: string | undefined): { columns: Column[]; explicit: boolean } {
  if (raw === undefined) return { columns: [...DEFAULT_COLUMNS], explicit: false };
  const names = [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (names.length === 0) throw new HarnessError('E_ARGS', `--by needs at least one column (known: ${KNOWN_COLUMNS.join(', ')})`);
  const unknown = names.filter((n) => !isColumn(n));
  if (unknown.length > 0) {
    throw new HarnessError(
      'E_ARGS',
      `--by: unknown column${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: ${KNOWN_COLUMNS.join(', ')})`,
    );
  }
  return { columns: names as Column[], explicit: true };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A scored system matched to its label. */
interface Joined {
  readonly score: ScoreRow;
  readonly label: LabelRow;
}

/** The scores matched to labels, and what was left over on each side. */
interface JoinResult {
  readonly matched: Joined[];
  readonly unlabeledScores: Problem[];
  readonly unscoredLabels: Problem[];
}

/**
 * Joins scores to labels by system_id (and source, when scores.csv has that column). A score
 * whose id is labelled in both sources and that does not say which is an error in any mode.
 */
function joinScores(scores: readonly ScoreRow[], labels: readonly FiledLabel[], scoresFile: string, labelsFiles: readonly string[]): JoinResult {
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
    const candidates = (byId.get(s.systemId) ?? []).filter((l) => s.source === undefined || l.located.row.source === s.source);
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
    throw new HarnessError('E_JOIN', `cannot match ${plural(ambiguous.length, 'score')} to a label: the id is labelled in several sources`, ambiguous.slice(0, MAX_PROBLEMS));
  }
  const scoresName = displayPath(scoresFile);
  const unscoredLabels: Problem[] = labels
    .filter((l) => !used.has(l))
    .map(({ file, located: l }) => ({ file, line: l.line, column: 1, message: `system ${l.row.system_id} (source ${l.row.source}) is labelled but has no score in ${scoresName}` }));
  return { matched, unlabeledScores, unscoredLabels };
}

/**
 * The labels to judge against, each row with its file: `--labels FILE`, or the union of the data
 * folder's source labels files (a missing real one has no rows yet).
 */
async function readLabels(labelsFlag: string | undefined, dataDir: () => Promise<string>): Promise<{ labels: FiledLabel[]; files: string[] }> {
  if (labelsFlag !== undefined) {
    const file = path.resolve(labelsFlag);
    return { labels: (await readLocatedLabels(file)).map((located) => ({ file, located })), files: [file] };
  }
  const layout = describeLayout(await dataDir());
  const sources = selectSources(layout, 'all');
  return { labels: await readSourceLabels(layout, sources), files: sources.map((s) => s.labelsPath) };
}

/**
 * The metadata of the matched systems, by `source\0system_id`: from `--metadata FILE`, or from
 * the data folder's metadata of each source the labels name. Undefined when the data folder has
 * none and the caller said that is fine.
 */
async function loadMatchedMetadata(
  metadataFlag: string | undefined,
  dataDir: string,
  sources: ReadonlySet<Source>,
  required: boolean,
  warnings: string[],
): Promise<{ rows: Map<string, MetadataRow>; files: string[] } | undefined> {
  const rows = new Map<string, MetadataRow>();
  if (metadataFlag !== undefined) {
    const file = path.resolve(metadataFlag);
    for (const { row } of await readLocatedMetadata(file)) rows.set(`${row.source}\u0000${row.system_id}`, row);
    return { rows, files: [file] };
  }
  const layout = describeLayout(dataDir);
  let picked;
  try {
    picked = selectSources(layout, 'all').filter((s) => sources.has(s.source));
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    if (required) throw new HarnessError(err.code, `the --by columns need metadata: ${err.message}; or pass --metadata FILE`, err.problems);
    warnings.push(`no metadata found (${err.message}): breakdowns by metadata columns skipped; pass --metadata FILE or --data DIR`);
    return undefined;
  }
  const files: string[] = [];
  for (const s of picked) {
    files.push(s.metadataPath);
    for (const { row } of await readLocatedMetadata(s.metadataPath, layout.kind === 'data-dir' ? s.source : undefined)) {
      rows.set(`${row.source}\u0000${row.system_id}`, row);
    }
  }
  return { rows, files };
}

/** One breakdown column's values, aligned with `matched`. */
function strataColumn(column: Column, matched: readonly Joined[], metadata: ReadonlyMap<string, MetadataRow> | undefined): StrataColumn {
  return matched.map(({ label }) => stratumOf(column, label, metadata?.get(`${label.source}\u0000${label.system_id}`)));
}

export const evaluateCommand: Command = {
  usage: USAGE,
  summary: 'judge a scores.csv against the labels: AUC with CI, P/R/F1, breakdowns, plots',
  async run(argv) {
    const { values } = parseCommandArgs(
      'evaluate',
      argv,
      {
        scores: { type: 'string' },
        labels: { type: 'string' },
        metadata: { type: 'string' },
        data: { type: 'string' },
        threshold: { type: 'string' },
        by: { type: 'string' },
        'allow-missing': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        plots: { type: 'string' },
      },
      USAGE,
    );
    if (values.scores === undefined) throw new HarnessError('E_ARGS', `harness evaluate: --scores FILE is required\n\n${USAGE}`);
    const threshold = numberFlag('threshold', values.threshold) ?? DEFAULT_THRESHOLD;
    const thresholdFrom = values.threshold === undefined ? 'default' : '--threshold';
    const by = parseBy(values.by);
    const plotsDir = values.plots === undefined ? undefined : await outputDirFlag('plots', values.plots);
    const warnings: string[] = [];

    // The config is read only when a default needs the data folder.
    let dataDirCache: string | undefined;
    const dataDir = async (): Promise<string> => (dataDirCache ??= values.data !== undefined ? path.resolve(values.data) : (await loadConfig()).dataDir);
    const scoresFile = path.resolve(values.scores);
    const scores = await readScoresFile(scoresFile);
    const { labels, files: labelsFiles } = await readLabels(values.labels, dataDir);

    const join = joinScores(scores, labels, scoresFile, labelsFiles);
    const dropScores = join.unlabeledScores.length;
    const dropLabels = join.unscoredLabels.length;
    if (dropScores + dropLabels > 0) {
      if (!values['allow-missing']) {
        const all = [...join.unlabeledScores, ...join.unscoredLabels];
        const shown = all.length > MAX_PROBLEMS ? ` (the first ${MAX_PROBLEMS} are listed)` : '';
        throw new HarnessError(
          'E_JOIN',
          `scores and labels do not match: ${plural(dropScores, 'score')} without a label, ${plural(dropLabels, 'label')} without a score${shown}; pass --allow-missing to drop them`,
          all.slice(0, MAX_PROBLEMS),
        );
      }
      warnings.push(`dropped ${plural(dropScores, 'score')} without a label and ${plural(dropLabels, 'label')} without a score`);
    }
    const matched = join.matched;

    let columns = by.columns;
    let metadata: Awaited<ReturnType<typeof loadMatchedMetadata>>;
    if (columns.some((c) => COLUMN_SOURCE[c] === 'metadata')) {
      const sources = new Set(matched.map((m) => m.label.source));
      metadata = await loadMatchedMetadata(values.metadata, values.metadata === undefined ? await dataDir() : '', sources, by.explicit, warnings);
      if (metadata === undefined) columns = columns.filter((c) => COLUMN_SOURCE[c] !== 'metadata');
      else {
        const meta = metadata.rows;
        const without = matched.filter((m) => !meta.has(`${m.label.source}\u0000${m.label.system_id}`)).length;
        if (without > 0) warnings.push(`${plural(without, 'evaluated system')} without a metadata row: shown as the stratum "(missing)"`);
      }
    }

    const y = matched.map((m) => (m.label.label === 'anomaly' ? 1 : 0));
    const s = matched.map((m) => m.score.score);
    const strata: Record<string, StrataColumn> = {};
    for (const c of columns) strata[c] = strataColumn(c, matched, metadata?.rows);
    const summary = inBucketOrder(
      evaluateScores({
        y,
        scores: s,
        threshold,
        strata,
        minPositives: MIN_POSITIVES,
        systemIds: matched.map((m) => m.score.systemId),
        leadTimes: matched.map((m) => m.label.lead_time_days),
      }),
    );

    for (const w of warnings) process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
    const files = { scores: displayPath(scoresFile), labels: labelsFiles.map(displayPath), metadata: (metadata?.files ?? []).map(displayPath) };
    if (values.json) {
      const out = {
        n: summary.n,
        positives: summary.positives,
        negatives: summary.negatives,
        metrics: summary.metrics,
        ci: summary.ci,
        undefined: summary.undefined,
        notes: summary.notes,
        threshold: { ...summary.threshold, chosen_by: thresholdFrom },
        confusion: summary.confusion,
        breakdown: summary.breakdown,
        lead_time: summary.lead_time ?? [],
        caught_with_warning: summary.caught_with_warning ?? {},
        min_positives: MIN_POSITIVES,
        dropped: { scores_without_label: dropScores, labels_without_score: dropLabels },
        files,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(textReport(summary, { threshold, thresholdFrom, files, columns }));
    }

    if (plotsDir !== undefined) {
      const dir = plotsDir;
      const subtitle = `${files.scores} · ${summary.n} systems (${summary.positives} anomalies)`;
      const charts = modelCharts({
        y,
        scores: s,
        n: summary.n,
        positives: summary.positives,
        rocAucCi: summary.ci['roc_auc'] ?? null,
        threshold,
        breakdown: columns.map((c) => [c, summary.breakdown[c] ?? []] as const),
        subtitle,
        minPositives: MIN_POSITIVES,
      });
      // Vega is loaded only for --plots.
      const { renderSvg } = await import('../../report/charts/render-svg.ts');
      for (const chart of charts) await writeFileAtomic(path.join(dir, modelChartFileName(chart)), await renderSvg(chart.spec));
      // stdout belongs to the JSON object in --json mode.
      const note = `wrote ${charts.length} SVG charts to ${displayPath(dir)}/\n`;
      if (values.json) process.stderr.write(note);
      else process.stdout.write(`\n${note}`);
    }
    return 0;
  },
};
