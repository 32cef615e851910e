/**
 * `harness evaluate` as a function: judges a scores file written by any scorer against the
 * labels (and metadata, for the breakdowns), with the same metrics a suite reports.
 */
import path from 'node:path';
import {
  BREAKDOWN_COLUMNS,
  type BreakdownColumn,
  inBucketOrder,
  LEAD_TIME_BUCKETS,
  isParquetScores,
  readParquetScores,
  readScoresFile,
  writeFileAtomic,
} from '../data/index.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { evaluateScores, type EvaluationSummary, type StrataColumn } from '../metrics/index.ts';
import { modelChartFileName, modelCharts } from '../report/charts/index.ts';
import {
  joinScores,
  loadMatchedMetadata,
  MAX_PROBLEMS,
  plural,
  readLabels,
  strataColumn,
} from './join.ts';

/** A breakdown cell with fewer anomalies is marked `too few`. */
export const EVALUATE_MIN_POSITIVES = 5;

/** What {@link evaluateFiles} reads, and how it judges. */
export interface EvaluateFilesOptions {
  /** The scores file (system_id,score[,source]). */
  readonly scores: string;
  /** One labels file; default: the labels of every source folder of the data folder. */
  readonly labels?: string;
  /** One metadata file; default: the metadata of each source the labels name. */
  readonly metadata?: string;
  /** The data folder, asked for only when a default needs it. */
  readonly dataDir: () => Promise<string>;
  /** Flag a system when its score is at least this. */
  readonly threshold: number;
  readonly columns: readonly BreakdownColumn[];
  /** True when the caller named the columns: missing metadata is then an error, not a warning. */
  readonly columnsExplicit: boolean;
  /** Drop scores without a label and labels without a score (a warning) instead of failing. */
  readonly allowMissing: boolean;
}

/** What {@link evaluateFiles} measured, and on what. */
export interface FilesEvaluation {
  readonly summary: EvaluationSummary;
  /** Labels (1 = anomaly) and scores of the matched systems, aligned. */
  readonly y: readonly number[];
  readonly scores: readonly number[];
  /** The breakdown columns shown (metadata ones are left out when no metadata was found). */
  readonly columns: readonly BreakdownColumn[];
  readonly warnings: readonly string[];
  readonly dropped: { readonly scoresWithoutLabel: number; readonly labelsWithoutScore: number };
  /** The files read, as displayed paths. */
  readonly files: {
    readonly scores: string;
    readonly labels: readonly string[];
    readonly metadata: readonly string[];
  };
}

/** Reads, joins and evaluates; bad input is a HarnessError with every problem located. */
export async function evaluateFiles(opts: EvaluateFilesOptions): Promise<FilesEvaluation> {
  const warnings: string[] = [];
  const scoresFile = path.resolve(opts.scores);
  const scoreRows = (await isParquetScores(scoresFile))
    ? await readParquetScores(scoresFile)
    : await readScoresFile(scoresFile);
  const { labels, files: labelsFiles } = await readLabels(opts.labels, opts.dataDir);

  const join = joinScores(scoreRows, labels, scoresFile, labelsFiles);
  const dropScores = join.unlabeledScores.length;
  const dropLabels = join.unscoredLabels.length;
  if (dropScores + dropLabels > 0) {
    if (!opts.allowMissing) {
      const all = [...join.unlabeledScores, ...join.unscoredLabels];
      const shown = all.length > MAX_PROBLEMS ? ` (the first ${MAX_PROBLEMS} are listed)` : '';
      throw new HarnessError(
        'E_JOIN',
        `scores and labels do not match: ${plural(dropScores, 'score')} without a label, ${plural(dropLabels, 'label')} without a score${shown}; pass --allow-missing to drop them`,
        all.slice(0, MAX_PROBLEMS),
      );
    }
    warnings.push(
      `dropped ${plural(dropScores, 'score')} without a label and ${plural(dropLabels, 'label')} without a score`,
    );
  }
  const matched = join.matched;

  let columns = [...opts.columns];
  let metadata: Awaited<ReturnType<typeof loadMatchedMetadata>>;
  if (columns.some((c) => BREAKDOWN_COLUMNS[c] === 'metadata')) {
    const sources = new Set(matched.map((m) => m.label.source));
    metadata = await loadMatchedMetadata(
      opts.metadata,
      opts.metadata === undefined ? await opts.dataDir() : '',
      sources,
      opts.columnsExplicit,
      warnings,
    );
    if (metadata === undefined)
      columns = columns.filter((c) => BREAKDOWN_COLUMNS[c] !== 'metadata');
    else {
      const meta = metadata.rows;
      const without = matched.filter(
        (m) => !meta.has(`${m.label.source}\u0000${m.label.system_id}`),
      ).length;
      if (without > 0)
        warnings.push(
          `${plural(without, 'evaluated system')} without a metadata row: shown as the stratum "(missing)"`,
        );
    }
  }

  const y = matched.map((m) => (m.label.label === 'anomaly' ? 1 : 0));
  const scores = matched.map((m) => m.score.score);
  const strata: Record<string, StrataColumn> = {};
  for (const c of columns) strata[c] = strataColumn(c, matched, metadata?.rows);
  const summary = inBucketOrder(
    evaluateScores({
      y,
      scores,
      threshold: opts.threshold,
      strata,
      minPositives: EVALUATE_MIN_POSITIVES,
      systemIds: matched.map((m) => m.score.systemId),
      leadTimes: matched.map((m) => m.label.lead_time_days),
      leadTimeBuckets: LEAD_TIME_BUCKETS,
    }),
  );
  return {
    summary,
    y,
    scores,
    columns,
    warnings,
    dropped: { scoresWithoutLabel: dropScores, labelsWithoutScore: dropLabels },
    files: {
      scores: displayPath(scoresFile),
      labels: labelsFiles.map(displayPath),
      metadata: (metadata?.files ?? []).map(displayPath),
    },
  };
}

/** The JSON object `harness evaluate --json` prints (snake_case, as results.json). */
export function evaluationJson(
  e: FilesEvaluation,
  threshold: { readonly chosenBy: string },
): Record<string, unknown> {
  const { summary } = e;
  return {
    n: summary.n,
    positives: summary.positives,
    negatives: summary.negatives,
    metrics: summary.metrics,
    ci: summary.ci,
    undefined: summary.undefined,
    notes: summary.notes,
    threshold: { ...summary.threshold, chosen_by: threshold.chosenBy },
    confusion: summary.confusion,
    breakdown: summary.breakdown,
    lead_time: summary.lead_time ?? [],
    caught_with_warning: summary.caught_with_warning ?? {},
    min_positives: EVALUATE_MIN_POSITIVES,
    dropped: {
      scores_without_label: e.dropped.scoresWithoutLabel,
      labels_without_score: e.dropped.labelsWithoutScore,
    },
    files: e.files,
  };
}

/** Writes the ROC, PR, score-distribution and breakdown charts of an evaluation as SVG files into `dir`; returns how many. */
export async function writeEvaluationPlots(
  e: FilesEvaluation,
  threshold: number,
  dir: string,
): Promise<number> {
  const { summary } = e;
  const charts = modelCharts({
    y: e.y,
    scores: e.scores,
    n: summary.n,
    positives: summary.positives,
    rocAucCi: summary.ci['roc_auc'] ?? null,
    threshold,
    breakdown: e.columns.map((c) => [c, summary.breakdown[c] ?? []] as const),
    subtitle: `${e.files.scores} · ${summary.n} systems (${summary.positives} anomalies)`,
    minPositives: EVALUATE_MIN_POSITIVES,
  });
  // Vega is loaded only for plots.
  const { renderSvg } = await import('../report/charts/svg/index.ts');
  for (const chart of charts)
    await writeFileAtomic(path.join(dir, modelChartFileName(chart)), await renderSvg(chart.spec));
  return charts.length;
}
