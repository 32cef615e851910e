import path from 'node:path';
import chalk from 'chalk';
import {
  DEFAULT_BREAKDOWN,
  KNOWN_BREAKDOWN_COLUMNS,
  isBreakdownColumn,
  type BreakdownColumn,
} from '../../data/index.ts';
import { displayPath, HarnessError } from '../../errors.ts';
import {
  alarmsJson,
  alarmsText,
  evaluateAlarmFiles,
  EVALUATE_DEFAULT_THRESHOLD,
  evaluateFiles,
  evaluationJson,
  writeAlarmPlots,
  writeEvaluationPlots,
} from '../../evaluate/index.ts';
import { numberFlag, outputDirFlag, parseCommandArgs } from '../args.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness evaluate --scores FILE [--labels FILE] [--metadata FILE] [--data DIR]
                        [--threshold T] [--by COLS] [--allow-missing [--max-missing SHARE]]
                        [--json] [--plots DIR]

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
                    instead of failing; dropping every anomaly (or every normal) is still exit 2
  --max-missing SHARE  with --allow-missing: exit 2 when the labels dropped (no score) are more
                    than SHARE of them (0.05 = 5 %): a scorer that failed on most of the fleet
                    was judged on what was left
  --json            print one JSON object on stdout, nothing else
  --plots DIR       write ROC, PR, score-distribution and breakdown charts as SVG into DIR

       harness evaluate --alarms FILE [--labels FILE] [--metadata FILE] [--data DIR]
                        [--cooldown DAYS] [--pre-window DAYS] [--nab]
                        [--allow-missing [--max-missing SHARE]] [--json] [--plots DIR]

With --alarms, judges alarms raised anywhere (alarms.csv: system_id,alarm_at[,score][,source];
ISO 8601 UTC) against the labels' failure_at/onset_at: warning_days, median_warning_days,
caught_with_{1,7,30}d_warning, false_alarms_per_system_month, event_precision, event_recall,
detection_delay_days, each with a CI, by failure type, and by lead-time bucket, source and
(with metadata: --metadata or the data folder's) mode, season and scenario tag. Each system's
observed span is read from its series under --data (required with --labels).

  --alarms FILE     the alarms to judge (instead of --scores)
  --cooldown DAYS   merge a false alarm into the counted one before it within DAYS (default 0)
  --pre-window DAYS event window of a failure without onset_at: DAYS before failure_at
                    (default: everything before the failure)
  --nab             add NAB-weighted event precision and recall (early detections weigh more)
  --allow-missing   drop alarms of systems without a label (with a warning) instead of failing;
                    dropping every alarm is still exit 2, and so is an alarm naming a rack
                    (a parent_system_id) instead of one of its windows
  --max-missing SHARE  with --allow-missing: exit 2 when the alarms dropped are more than SHARE
                    of the alarms file (0.05 = 5 %)
  --plots DIR       write the warning-time chart (days of warning per failure type, failures
                    missed) as warning-time.svg into DIR

Exit codes: 0 evaluated · 2 bad input (every problem is printed as file:line:column).`;

/** A number of days ≥ 0 from a flag. */
function daysFlag(name: string, raw: string | undefined): number | undefined {
  const v = numberFlag(name, raw);
  if (v !== undefined && !(v >= 0 && Number.isFinite(v)))
    throw new HarnessError('E_ARGS', `--${name} must be a number of days ≥ 0 (got "${raw}")`);
  return v;
}

/** `--max-missing`: a share in [0, 1] of what --allow-missing drops (`what`), only with it. */
function maxMissingFlag(
  values: { 'allow-missing'?: boolean; 'max-missing'?: string },
  what: string,
): number | undefined {
  const maxMissing = numberFlag('max-missing', values['max-missing']);
  if (maxMissing !== undefined && !(maxMissing >= 0 && maxMissing <= 1))
    throw new HarnessError(
      'E_ARGS',
      `harness evaluate: --max-missing is a share of the ${what} in [0, 1] (0.05 = 5 %), got ${values['max-missing']}`,
    );
  if (maxMissing !== undefined && values['allow-missing'] !== true)
    throw new HarnessError(
      'E_ARGS',
      `harness evaluate: --max-missing caps what --allow-missing drops: pass both\n\n${USAGE}`,
    );
  return maxMissing;
}

/** `harness evaluate --alarms`: the alarm-level evaluation (src/evaluate/evaluate-alarms.ts). */
async function runAlarms(values: {
  alarms?: string;
  scores?: string;
  labels?: string;
  metadata?: string;
  data?: string;
  threshold?: string;
  by?: string;
  plots?: string;
  cooldown?: string;
  'pre-window'?: string;
  nab?: boolean;
  'allow-missing'?: boolean;
  'max-missing'?: string;
  json?: boolean;
}): Promise<number> {
  for (const flag of ['scores', 'threshold', 'by'] as const)
    if (values[flag] !== undefined)
      throw new HarnessError(
        'E_ARGS',
        `harness evaluate: --${flag} does not go with --alarms\n\n${USAGE}`,
      );
  const maxMissing = maxMissingFlag(values, 'alarms');
  const plotsDir =
    values.plots === undefined ? undefined : await outputDirFlag('plots', values.plots);
  const evaluation = await evaluateAlarmFiles({
    alarms: values.alarms as string,
    ...(values.labels !== undefined ? { labels: values.labels } : {}),
    ...(values.metadata !== undefined ? { metadata: values.metadata } : {}),
    dataDir: async () =>
      values.data !== undefined
        ? path.resolve(values.data)
        : (await (await import('../../config/index.ts')).loadConfig()).dataDir,
    dataExplicit: values.data !== undefined,
    cooldownDays: daysFlag('cooldown', values.cooldown) ?? 0,
    preWindowDays: daysFlag('pre-window', values['pre-window']) ?? null,
    weighting: values.nab === true ? 'nab' : 'none',
    allowMissing: values['allow-missing'] === true,
    ...(maxMissing !== undefined ? { maxMissing } : {}),
  });
  for (const w of evaluation.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
  // Charts first: a chart that cannot be written is exit 2 with no report printed before it.
  const count = plotsDir === undefined ? 0 : await writeAlarmPlots(evaluation, plotsDir);
  process.stdout.write(
    values.json ? `${JSON.stringify(alarmsJson(evaluation), null, 2)}\n` : alarmsText(evaluation),
  );
  if (plotsDir !== undefined) {
    // stdout belongs to the JSON object in --json mode.
    const note = `wrote ${count} SVG chart${count === 1 ? '' : 's'} to ${displayPath(plotsDir)}/\n`;
    if (values.json) process.stderr.write(note);
    else process.stdout.write(`\n${note}`);
  }
  return 0;
}

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
        'max-missing': { type: 'string' },
        json: { type: 'boolean', default: false },
        plots: { type: 'string' },
        alarms: { type: 'string' },
        cooldown: { type: 'string' },
        'pre-window': { type: 'string' },
        nab: { type: 'boolean', default: false },
      },
      USAGE,
    );
    if (values.alarms !== undefined) return runAlarms(values);
    if (values.scores === undefined)
      throw new HarnessError(
        'E_ARGS',
        `harness evaluate: --scores FILE (or --alarms FILE) is required\n\n${USAGE}`,
      );
    // Flags of the alarm evaluation would be ignored here, silently: the user meant something.
    for (const flag of ['cooldown', 'pre-window', 'nab'] as const)
      if (values[flag] !== undefined && values[flag] !== false)
        throw new HarnessError(
          'E_ARGS',
          `harness evaluate: --${flag} goes with --alarms, not --scores\n\n${USAGE}`,
        );
    const maxMissing = maxMissingFlag(values, 'labels');
    const threshold = numberFlag('threshold', values.threshold) ?? EVALUATE_DEFAULT_THRESHOLD;
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
      ...(maxMissing !== undefined ? { maxMissing } : {}),
    });
    for (const w of evaluation.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
    // Charts first: a chart that cannot be written is exit 2 with no report printed before it.
    const count =
      plotsDir === undefined ? 0 : await writeEvaluationPlots(evaluation, threshold, plotsDir);
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
      // stdout belongs to the JSON object in --json mode.
      const note = `wrote ${count} SVG charts to ${displayPath(plotsDir)}/\n`;
      if (values.json) process.stderr.write(note);
      else process.stdout.write(`\n${note}`);
    }
    return 0;
  },
};
