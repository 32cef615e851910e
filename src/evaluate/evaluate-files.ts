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
  type MetadataPrefetch,
  prefetchMetadata,
  readScores,
  type Source,
  SOURCES,
} from '../data/index.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { writeChartSet } from './write-charts.ts';
import {
  type EvaluateFilesOptions,
  resolveEvaluateOptions,
  type ResolvedEvaluateOptions,
} from './evaluate-options.ts';
import {
  type CodedStrata,
  evaluateScores,
  type EvaluationSummary,
  rankSet,
} from '../metrics/index.ts';
import {
  joinScores,
  loadMatchedMetadata,
  type MatchedMetadata,
  matchMetadata,
  MAX_PROBLEMS,
  metadataBesideLabelsWarning,
  plural,
  readLabels,
  strataCodes,
} from './join.ts';

/** A breakdown cell with fewer anomalies is marked `too few`. */
export const EVALUATE_MIN_POSITIVES = 5;

export type { EvaluateFilesOptions } from './evaluate-options.ts';

/** What {@link evaluateFiles} measured, and on what. */
export interface FilesEvaluation {
  readonly summary: EvaluationSummary;
  /** Labels (1 = anomaly) and scores of the matched systems, aligned. */
  readonly y: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
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

/**
 * Reads, joins and evaluates, as `harness evaluate` does (with its defaults for the options
 * left out); bad input is a HarnessError with every problem located, a bad option one naming it.
 */
export async function evaluateFiles(options: EvaluateFilesOptions): Promise<FilesEvaluation> {
  const opts = resolveEvaluateOptions(options);
  // One named metadata file is read by a worker thread while this one reads, joins and ranks.
  const prefetch =
    opts.metadata !== undefined && opts.columns.some((c) => BREAKDOWN_COLUMNS[c] === 'metadata')
      ? prefetchMetadata(path.resolve(opts.metadata))
      : undefined;
  try {
    return await evaluateWith(opts, prefetch);
  } finally {
    prefetch?.stop();
  }
}

async function evaluateWith(
  opts: ResolvedEvaluateOptions,
  prefetch: MetadataPrefetch | undefined,
): Promise<FilesEvaluation> {
  const warnings: string[] = [];
  const scoresFile = path.resolve(opts.scores);
  const scores = await readScores(scoresFile);
  const { labels, files: labelsFiles } = await readLabels(opts.labels, opts.dataDir);

  const join = joinScores(scores, labels, labelsFiles);
  const dropScores = join.unlabeledScores.count;
  const dropLabels = join.unscoredLabels.count;
  if (dropScores + dropLabels > 0) {
    if (!opts.allowMissing) {
      const shown =
        dropScores + dropLabels > MAX_PROBLEMS ? ` (the first ${MAX_PROBLEMS} are listed)` : '';
      throw new HarnessError(
        'E_JOIN',
        `scores and labels do not match: ${plural(dropScores, 'score')} without a label, ${plural(dropLabels, 'label')} without a score${shown}; pass --allow-missing to drop them`,
        [...join.unlabeledScores.first, ...join.unscoredLabels.first].slice(0, MAX_PROBLEMS),
      );
    }
    // Which labels went matters: a scorer that failed on the failing systems looks better without them.
    let totalAnomalies = 0;
    for (let j = 0; j < labels.n; j++) totalAnomalies += labels.anomaly[j]!;
    let keptAnomalies = 0;
    for (let k = 0; k < join.labelRow.length; k++)
      keptAnomalies += labels.anomaly[join.labelRow[k]!]!;
    const droppedAnomalies = totalAnomalies - keptAnomalies;
    warnings.push(
      `dropped ${plural(dropScores, 'score')} without a label and ${plural(dropLabels, 'label')} without a score${dropLabels > 0 ? ` (${droppedAnomalies} of them ${droppedAnomalies === 1 ? 'an anomaly' : 'anomalies'}, ${dropLabels - droppedAnomalies} normal)` : ''}`,
    );
    // Dropping every anomaly (or every normal) the labels hold leaves no ranking to measure: a
    // scorer that gave up on exactly the failing systems would get exit 0 and a table of dashes.
    const keptNormals = join.labelRow.length - keptAnomalies;
    const totalNormals = labels.n - totalAnomalies;
    const lost =
      keptAnomalies === 0 && totalAnomalies > 0
        ? `all ${totalAnomalies} ${totalAnomalies === 1 ? 'anomaly' : 'anomalies'}`
        : keptNormals === 0 && totalNormals > 0
          ? `all ${plural(totalNormals, 'normal system')}`
          : undefined;
    // A cap the caller set: a scorer that failed on most of the fleet, judged on the rest, passed.
    if (opts.maxMissing !== undefined && labels.n > 0 && dropLabels / labels.n > opts.maxMissing) {
      const message = `--allow-missing dropped ${plural(dropLabels, 'label')} of ${labels.n} (${((100 * dropLabels) / labels.n).toFixed(1)} %, ${droppedAnomalies} of them ${droppedAnomalies === 1 ? 'an anomaly' : 'anomalies'}): more than --max-missing ${opts.maxMissing}`;
      throw new HarnessError('E_JOIN', `${displayPath(scoresFile)}: ${message}`, [
        { file: scoresFile, line: 1, column: 0, message },
      ]);
    }
    if (lost && join.labelRow.length > 0) {
      const message = `--allow-missing dropped ${lost} of the labels (they have no score): the rest cannot measure a detector; score those systems, or pass labels without them`;
      throw new HarnessError('E_JOIN', `${displayPath(scoresFile)}: ${message}`, [
        { file: scoresFile, line: 1, column: 0, message },
      ]);
    }
  }
  const { scoreRow, labelRow } = join;
  const n = labelRow.length;
  if (n === 0) {
    // Nothing was measured: a table of dashes and zeros with exit 0 would pass a CI step on nothing.
    const against = labelsFiles.map((f) => displayPath(f)).join(' and ') || 'the labels';
    const message = `no system of this file has a label in ${against} (${plural(scores.n, 'score')}, ${plural(labels.n, 'label')}): nothing to evaluate`;
    // The headline names the file: a located copy of it was printed twice.
    throw new HarnessError('E_JOIN', `${displayPath(scoresFile)}: ${message}`);
  }

  // What needs no metadata is done first: a metadata file read by another thread arrives meanwhile.
  const y = new Uint8Array(n);
  const scoreValues = new Float64Array(n);
  const leadTimes = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const j = labelRow[k]!;
    y[k] = labels.anomaly[j]!;
    scoreValues[k] = scores.score[scoreRow[k]!]!;
    leadTimes[k] = labels.leadTime[j]!;
  }
  const ranked = rankSet(y, scoreValues);
  const labelStrata = new Map<BreakdownColumn, CodedStrata>();
  for (const c of opts.columns)
    if (BREAKDOWN_COLUMNS[c] !== 'metadata')
      labelStrata.set(c, strataCodes(c, labels, labelRow, undefined));

  let columns = [...opts.columns];
  let metadata: MatchedMetadata | undefined;
  let metaRows: ReturnType<typeof matchMetadata> | undefined;
  if (columns.some((c) => BREAKDOWN_COLUMNS[c] === 'metadata')) {
    const sources = new Set<Source>();
    for (let k = 0; k < n; k++) sources.add(SOURCES[labels.source[labelRow[k]!]!]!);
    metadata = await loadMatchedMetadata(
      opts.metadata,
      opts.metadata === undefined ? await opts.dataDir() : '',
      sources,
      opts.columnsExplicit,
      warnings,
      prefetch,
    );
    const beside = metadataBesideLabelsWarning(opts.labels, opts.metadata, metadata?.files ?? []);
    if (beside !== undefined) warnings.push(beside);
    if (metadata === undefined)
      columns = columns.filter((c) => BREAKDOWN_COLUMNS[c] !== 'metadata');
    else {
      metaRows = matchMetadata(labels, labelRow, metadata);
      if (metaRows.missing > 0)
        warnings.push(
          `${plural(metaRows.missing, 'evaluated system')} without a metadata row: shown as the stratum "(missing)"`,
        );
    }
  } else if (opts.metadata !== undefined)
    // Not read, so not checked: a damaged file passed with exit 0 as if it had been used.
    warnings.push(
      `--metadata ${displayPath(path.resolve(opts.metadata))} is not read: --by names no metadata column`,
    );

  // In the order of `columns`: the JSON lists the breakdowns in it.
  const strata: Record<string, CodedStrata> = {};
  const meta = metadata && metaRows ? { tables: metadata.tables, ...metaRows } : undefined;
  for (const c of columns) strata[c] = labelStrata.get(c) ?? strataCodes(c, labels, labelRow, meta);
  const summary = inBucketOrder(
    evaluateScores({
      y,
      scores: scoreValues,
      threshold: opts.threshold,
      strata,
      minPositives: EVALUATE_MIN_POSITIVES,
      leadTimes,
      leadTimeBuckets: LEAD_TIME_BUCKETS,
      ranked,
    }),
  );
  // One class ranks nothing: the headline is null (or, all anomalies, an AP of 1 whatever the
  // scores), which a reader of --json, with nothing on stderr, could take for a result.
  if (summary.positives === 0 || summary.negatives === 0)
    warnings.push(
      `${n === 1 ? 'the one evaluated system is' : `all ${n} evaluated systems are`} ${summary.positives === 0 ? 'normal' : n === 1 ? 'an anomaly' : 'anomalies'}: ROC AUC is undefined (null) and average precision ${summary.positives === 0 ? 'too' : 'is 1 whatever the scores'}; nothing was ranked`,
    );
  return {
    summary,
    y,
    scores: scoreValues,
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
  // Charts are loaded only for plots.
  const { isModelChartFile, modelChartFileName, modelCharts } =
    await import('../report/charts/index.ts');
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
  const files = [];
  for (const chart of charts)
    files.push({ name: modelChartFileName(chart), svg: await renderSvg(chart.spec) });
  await writeChartSet(dir, files, isModelChartFile);
  return charts.length;
}
