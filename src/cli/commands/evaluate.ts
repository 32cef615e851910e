import path from 'node:path';
import chalk from 'chalk';
import {
  DEFAULT_BREAKDOWN,
  KNOWN_BREAKDOWN_COLUMNS,
  isBreakdownColumn,
  type BreakdownColumn,
} from '../../data/index.ts';
import { displayPath, HarnessError } from '../../errors.ts';
import { evaluateFiles, evaluationJson, writeEvaluationPlots } from '../../evaluate/index.ts';
import { numberFlag, outputDirFlag, parseCommandArgs } from '../args.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness evaluate --scores FILE [--labels FILE] [--metadata FILE] [--data DIR]
                        [--threshold T] [--by COLS] [--allow-missing] [--json] [--plots DIR]

Judges a scores.csv (system_id,score[,source]; higher = more anomalous) written by any scorer
against the labels: ROC AUC with its DeLong CI, average precision, precision/recall/F1 at the
threshold, and a breakdown per stratum.

  --scores FILE     the scores to judge (required): a scores.csv, a .parquet file, or a folder
                    of Parquet parts as Spark writes it (columns system_id, score[, source])
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

const DEFAULT_THRESHOLD = 0.5;

function parseBy(raw: string | undefined): { columns: BreakdownColumn[]; explicit: boolean } {
  if (raw === undefined) return { columns: [...DEFAULT_BREAKDOWN], explicit: false };
  const names = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (names.length === 0)
    throw new HarnessError(
      'E_ARGS',
      `--by needs at least one column (known: ${KNOWN_BREAKDOWN_COLUMNS.join(', ')})`,
    );
  const unknown = names.filter((n) => !isBreakdownColumn(n));
  if (unknown.length > 0) {
    throw new HarnessError(
      'E_ARGS',
      `--by: unknown column${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: ${KNOWN_BREAKDOWN_COLUMNS.join(', ')})`,
    );
  }
  return { columns: names as BreakdownColumn[], explicit: true };
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
    if (values.scores === undefined)
      throw new HarnessError('E_ARGS', `harness evaluate: --scores FILE is required\n\n${USAGE}`);
    const threshold = numberFlag('threshold', values.threshold) ?? DEFAULT_THRESHOLD;
    const thresholdFrom = values.threshold === undefined ? 'default' : '--threshold';
    const by = parseBy(values.by);
    const plotsDir =
      values.plots === undefined ? undefined : await outputDirFlag('plots', values.plots);
    // The config is read only when a default needs the data folder.
    let dataDirCache: string | undefined;
    const dataDir = async (): Promise<string> =>
      (dataDirCache ??=
        values.data !== undefined
          ? path.resolve(values.data)
          : (await (await import('../../config/index.ts')).loadConfig()).dataDir);
    const evaluation = await evaluateFiles({
      scores: values.scores,
      ...(values.labels !== undefined ? { labels: values.labels } : {}),
      ...(values.metadata !== undefined ? { metadata: values.metadata } : {}),
      dataDir,
      threshold,
      columns: by.columns,
      columnsExplicit: by.explicit,
      allowMissing: values['allow-missing'] === true,
    });
    for (const w of evaluation.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
    if (values.json)
      process.stdout.write(
        `${JSON.stringify(evaluationJson(evaluation, { chosenBy: thresholdFrom }), null, 2)}\n`,
      );
    else
      // Loaded when used, like the config: a million systems judged with --json need neither.
      process.stdout.write(
        (await import('../../report/index.ts')).textReport(evaluation.summary, {
          threshold,
          thresholdFrom,
          files: evaluation.files,
          columns: evaluation.columns,
        }),
      );
    if (plotsDir !== undefined) {
      const count = await writeEvaluationPlots(evaluation, threshold, plotsDir);
      // stdout belongs to the JSON object in --json mode.
      const note = `wrote ${count} SVG charts to ${displayPath(plotsDir)}/\n`;
      if (values.json) process.stderr.write(note);
      else process.stdout.write(`\n${note}`);
    }
    return 0;
  },
};
