/**
 * `harness evaluate --alarms` as a function: judges alarms raised anywhere (alarms.csv) against
 * the labels' failure_at/onset_at, with each system's observed span read from its series. The
 * windows of one rack (same source and metadata `parent_system_id`) are one unit, as `harness
 * run` judges them (metrics/alarm-racks.ts): their alarms and spans merged, one event per
 * distinct failure_at.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type AlarmRow,
  DEFAULT_BREAKDOWN,
  describeLayout,
  finishInterruptedImport,
  failureAtDisagreement,
  leadTimeStratumRank,
  type FiledLabel,
  labelInstantMs,
  readAlarmsFile,
  readLocatedMetadata,
  readSeriesSpan,
  locateSeries,
  SOURCES,
  stratumOf,
} from '../data/index.ts';
import type { LabelRow, MetadataRow } from '../data/types.ts';
import { displayPath, HarnessError, type Problem } from '../errors.ts';
import {
  alarmBreakdown,
  evaluateAlarms,
  groupRacks,
  mergeRackAlarms,
  rackAlarmSystems,
  rackWindowLabel,
  rackStratumValue,
  type AlarmStratumCell,
  type AlarmSummary,
  type AlarmSystem,
} from '../metrics/index.ts';
import { writeChartSet } from './write-charts.ts';
import { MAX_PROBLEMS, metadataBesideLabelsWarning, plural, readLabelRows } from './join.ts';
import { checkDropShare, checkUnlabelled, key } from './unlabelled-alarms.ts';

/** What {@link evaluateAlarmFiles} reads, and how it judges. */
export interface EvaluateAlarmsOptions {
  /** The alarms file (system_id,alarm_at[,score][,source]). */
  readonly alarms: string;
  /** One labels file; default: the labels of every source folder of the data folder. */
  readonly labels?: string;
  /** One metadata file, for the breakdowns by its columns; default: the data folder's metadata.csv files. */
  readonly metadata?: string;
  /** The data folder whose series give each system's observed span. */
  readonly dataDir: () => Promise<string>;
  /** True when the user named the data folder (`--data`). */
  readonly dataExplicit: boolean;
  readonly cooldownDays: number;
  readonly preWindowDays: number | null;
  readonly weighting: 'none' | 'nab';
  /** Drop alarms of systems without a label (a warning) instead of failing. */
  readonly allowMissing: boolean;
  /** With allowMissing: the largest share of the alarms that may be dropped; more is an error. */
  readonly maxMissing?: number;
}

/** What {@link evaluateAlarmFiles} measured, and on what. */
export interface AlarmsEvaluation {
  readonly summary: AlarmSummary;
  /**
   * The alarm metrics by every default breakdown column but failure_type (which is in
   * `summary.breakdown`, failure-side): lead-time bucket and source from the labels; mode,
   * season and scenario tag from the metadata, when there is any.
   */
  readonly breakdown: Readonly<Record<string, readonly AlarmStratumCell[]>>;
  readonly warnings: readonly string[];
  readonly droppedAlarms: number;
  readonly files: {
    readonly alarms: string;
    readonly labels: readonly string[];
    readonly metadata: readonly string[];
    readonly data: string;
  };
}

/** Matches each alarm to its label (by id, and source when the file says it). */
function joinAlarms(
  alarms: readonly AlarmRow[],
  labels: readonly FiledLabel[],
  alarmsFile: string,
) {
  const byId = new Map<string, FiledLabel[]>();
  for (const l of labels) {
    const list = byId.get(l.located.row.system_id);
    if (list) list.push(l);
    else byId.set(l.located.row.system_id, [l]);
  }
  const times = new Map<string, number[]>();
  const unlabelled: AlarmRow[] = [];
  const ambiguous: Problem[] = [];
  for (const a of alarms) {
    const c = (byId.get(a.systemId) ?? []).filter(
      (l) => a.source === undefined || l.located.row.source === a.source,
    );
    if (c.length === 0) unlabelled.push(a);
    else if (c.length > 1)
      ambiguous.push({
        file: alarmsFile,
        line: a.line,
        column: 1,
        message: `system ${a.systemId} is labelled in several sources: add a source column to the alarms file`,
      });
    else {
      const k = key(c[0]!.located.row.source, a.systemId);
      const list = times.get(k);
      if (list) list.push(a.atMs);
      else times.set(k, [a.atMs]);
    }
  }
  if (ambiguous.length > 0)
    throw new HarnessError(
      'E_JOIN',
      `cannot match ${plural(ambiguous.length, 'alarm')} to a label: the id is labelled in several sources`,
      ambiguous.slice(0, MAX_PROBLEMS),
    );
  return { times, unlabelled };
}

/**
 * Alarms on the systems of `spans` before the first or after the last timestamp of their series: the
 * alarm source watched time the data does not hold (or has another clock, or the wrong year).
 */
function alarmsOutsideSpan(
  alarms: readonly AlarmRow[],
  spans: ReadonlyMap<string, { readonly first: number; readonly last: number }>,
  beforeOnly = false,
): { readonly count: number; readonly first: string } {
  let count = 0;
  let first = '';
  for (const a of alarms) {
    // Without a source column an id is labelled in one source (several is an error by now).
    const span = (a.source ? [a.source] : SOURCES)
      .map((src) => spans.get(key(src, a.systemId)))
      .find((s) => s !== undefined);
    if (span === undefined || (a.atMs >= span.first && (beforeOnly || a.atMs <= span.last)))
      continue;
    if (count++ === 0)
      first = `${a.line} (${a.systemId} at ${new Date(a.atMs).toISOString()}, series ${new Date(span.first).toISOString()} to ${new Date(span.last).toISOString()})`;
  }
  return { count, first };
}

/** Reads, joins and evaluates; bad input is a HarnessError with every problem located. */
export async function evaluateAlarmFiles(opts: EvaluateAlarmsOptions): Promise<AlarmsEvaluation> {
  const warnings: string[] = [];
  const alarmsFile = path.resolve(opts.alarms);
  const alarmRows = await readAlarmsFile(alarmsFile);
  const { labels, files: labelsFiles } = await readLabelRows(opts.labels, opts.dataDir);
  const metadataFiles: string[] = [];
  const metadataRows: MetadataRow[] = [];
  if (opts.metadata !== undefined) {
    const file = path.resolve(opts.metadata);
    for (const r of await readLocatedMetadata(file)) metadataRows.push(r.row);
    metadataFiles.push(file);
  }
  const labelsName = labelsFiles.map(displayPath).join(' or ');
  const { times, unlabelled } = joinAlarms(alarmRows, labels, alarmsFile);

  // The span of every labelled system, from its series (labels and metadata carry no span).
  if (opts.labels !== undefined && !opts.dataExplicit)
    throw new HarnessError(
      'E_ARGS',
      `harness evaluate --alarms: the observed span of each system (first and last timestamp) is missing: labels.csv and metadata.csv do not carry it; pass --data DIR, the data folder holding the series of the systems in ${labelsName}`,
    );
  const dataDir = await opts.dataDir();
  await finishInterruptedImport(dataDir);
  const layout = describeLayout(dataDir);
  if (opts.metadata === undefined)
    for (const src of layout.sources)
      if (existsSync(src.metadataPath)) {
        for (const r of await readLocatedMetadata(src.metadataPath, src.source))
          metadataRows.push(r.row);
        metadataFiles.push(src.metadataPath);
      }
  const beside = metadataBesideLabelsWarning(opts.labels, opts.metadata, metadataFiles);
  if (beside !== undefined) warnings.push(beside);
  // Checked once the metadata is read: an unlabelled id may be a rack's (a parent_system_id).
  checkUnlabelled(unlabelled, metadataRows, opts.allowMissing, {
    alarmsFile,
    labelsName,
    metadataName: metadataFiles.map(displayPath).join(' or '),
  });
  if (unlabelled.length > 0)
    warnings.push(`dropped ${plural(unlabelled.length, 'alarm')} of systems without a label`);
  const missing: Problem[] = [];
  /** Each labelled system with a series: its label, span and alarms. */
  const judged: {
    readonly row: LabelRow;
    readonly span: { readonly first: number; readonly last: number };
    readonly alarms: Float64Array;
  }[] = [];
  let noFailureAt = 0;
  let firstNoFailureAt = '';
  const disagree: Problem[] = [];
  for (const { file, located } of labels) {
    const row = located.row;
    // The CSV file, or the Parquet layout's partition folder raw/system_id=<id>/.
    const series = locateSeries(layout.dataDir, row.source, row.system_id).path;
    const span = await readSeriesSpan(series);
    if (span === undefined) {
      missing.push({
        file,
        line: located.line,
        column: 1,
        message: `system ${row.system_id} has no series ${displayPath(series)}: its observed span is unknown`,
      });
      continue;
    }
    if (row.label === 'anomaly' && row.failure_at === undefined && noFailureAt++ === 0)
      firstNoFailureAt = `${row.system_id} on ${displayPath(file)}:${located.line}`;
    // Warning time is measured from failure_at: one the series does not support (validate's
    // rule, lead-time.ts) is refused here as validate and `harness run` refuse it.
    const why =
      row.label === 'anomaly' && row.failure_at !== undefined
        ? failureAtDisagreement(row.system_id, row.lead_time_days, row.failure_at, span)
        : undefined;
    if (why !== undefined) disagree.push({ file, line: located.line, column: 1, message: why });
    const alarms = Float64Array.from(times.get(key(row.source, row.system_id)) ?? []).sort();
    judged.push({ row, span, alarms });
  }
  const metaOf = new Map(metadataRows.map((m) => [key(m.source, m.system_id), m]));
  // One unit per asset: a system on its own, or the windows of one rack merged.
  const systems: AlarmSystem[] = [];
  /** Indices into `judged` of the systems whose breakdown values are unit k's. */
  const unitMembers: (readonly number[])[] = [];
  /** The span each normal's alarms are checked against: its rack's, for a window. */
  const normalSpans = new Map<string, { readonly first: number; readonly last: number }>();
  /** The same for a failing system's alarms, checked for the warning below only. */
  const failingSpans = new Map<string, { readonly first: number; readonly last: number }>();
  for (const { rack, members } of groupRacks(judged.length, (i) => {
    const row = judged[i]!.row;
    return {
      source: row.source,
      parent: metaOf.get(key(row.source, row.system_id))?.parent_system_id,
    };
  })) {
    const windows = members.map((i) => judged[i]!);
    const spanStart = Math.min(...windows.map((w) => w.span.first));
    const spanEnd = Math.max(...windows.map((w) => w.span.last));
    const labelsOf = windows.map(({ row }) => rackWindowLabel(row, labelInstantMs));
    const units =
      rack === undefined
        ? [
            {
              system: {
                systemId: windows[0]!.row.system_id,
                ...labelsOf[0]!,
                // A normal's failure_at/onset_at are read as the label says, as always.
                failureAt: labelInstantMs(windows[0]!.row.failure_at),
                onsetAt: labelInstantMs(windows[0]!.row.onset_at),
                alarms: windows[0]!.alarms,
                spanStart,
                spanEnd,
              },
              members: [0],
            },
          ]
        : rackAlarmSystems(rack, labelsOf, {
            alarms: mergeRackAlarms(windows.map((w) => w.alarms)),
            spanStart,
            spanEnd,
          });
    for (const u of units) {
      systems.push(u.system);
      unitMembers.push(u.members.map((k) => members[k]!));
    }
    // A failing system's event window may pass its data's end (the data stops before the
    // failure); a normal rack's alarms are checked against the rack's span.
    const spans = labelsOf.every((l) => !l.anomaly) ? normalSpans : failingSpans;
    for (const { row } of windows)
      spans.set(key(row.source, row.system_id), { first: spanStart, last: spanEnd });
  }
  if (missing.length > 0)
    throw new HarnessError(
      'E_DATA',
      `the observed span of ${plural(missing.length, 'labelled system')} is missing (no series under ${displayPath(layout.dataDir)}); pass --data DIR with their series`,
      missing.slice(0, MAX_PROBLEMS),
    );
  if (disagree.length > 0)
    throw new HarnessError(
      'E_DATA',
      `${plural(disagree.length, 'anomaly label')} with a failure_at the series does not support: warning time cannot be measured from it`,
      disagree.slice(0, MAX_PROBLEMS),
    );
  if (systems.length === 0 && labelsFiles[0] !== undefined) {
    // Nothing to measure: alarm metrics over 0 systems with exit 0 would pass a CI step on nothing.
    const message = `no labelled system in this file (${plural(alarmRows.length, 'alarm')}): nothing to evaluate`;
    // The headline names the file: a located copy of it was printed twice.
    throw new HarnessError('E_JOIN', `${labelsName}: ${message}`);
  }
  checkDropShare(unlabelled, alarmRows.length, opts.maxMissing, alarmsFile, labelsName);
  const outside = alarmsOutsideSpan(alarmRows, normalSpans);
  if (outside.count > 0)
    warnings.push(
      `${plural(outside.count, 'alarm')} on normal systems outside the observed span of their series under ${displayPath(layout.dataDir)} (first: ${displayPath(alarmsFile)}:${outside.first}): counted as false alarms all the same, while false_alarms_per_system_month divides by the observed span only`,
    );
  // An alarm before a failing system's first sample counted as a catch with weeks of warning
  // without a word, while the same alarm on a normal system was warned of. It may be real (an
  // alarm log that starts before the telemetry export), so it is counted, and said.
  // One after the data's end is in the event window by design (the data stops before the failure).
  const beforeFailing = alarmsOutsideSpan(alarmRows, failingSpans, true);
  if (beforeFailing.count > 0)
    warnings.push(
      `${plural(beforeFailing.count, 'alarm')} on failing systems before the first sample of their series under ${displayPath(layout.dataDir)} (first: ${displayPath(alarmsFile)}:${beforeFailing.first}): counted by their time all the same, one in the event window as a catch with that much warning, though the series does not show what raised it; check the alarm source's clock and year`,
    );
  if (noFailureAt > 0)
    warnings.push(
      `${noFailureAt} ${noFailureAt === 1 ? 'anomaly' : 'anomalies'} without failure_at left out of the alarm metrics (first: ${firstNoFailureAt})`,
    );
  const options = {
    cooldownDays: opts.cooldownDays,
    preWindowDays: opts.preWindowDays,
    weighting: opts.weighting,
  };
  const summary = evaluateAlarms(systems, options);
  // As `harness evaluate --scores` says it: else a metadata file of other ids (or the other
  // source) left every metadata breakdown one "(missing)" stratum without a word.
  const noMeta =
    metadataRows.length === 0
      ? 0
      : judged.filter(({ row }) => !metaOf.has(key(row.source, row.system_id))).length;
  if (noMeta > 0)
    warnings.push(
      `${plural(noMeta, 'evaluated system')} without a metadata row: shown as the stratum "(missing)"`,
    );
  const breakdown: Record<string, AlarmStratumCell[]> = {};
  for (const column of DEFAULT_BREAKDOWN) {
    if (column === 'failure_type') continue;
    const fromMetadata = column !== 'lead_time_bucket' && column !== 'source';
    if (fromMetadata && metadataRows.length === 0) continue;
    const cells = alarmBreakdown(
      column,
      systems,
      (k) =>
        rackStratumValue(
          unitMembers[k]!.map((i) => {
            const row = judged[i]!.row;
            return stratumOf(column, row, metaOf.get(key(row.source, row.system_id)));
          }),
        ),
      options,
    );
    // Lead-time buckets in bucket order ([0,7), [7,30), …, then none), as the one-score report has them.
    breakdown[column] =
      column === 'lead_time_bucket'
        ? cells.sort((a, b) => leadTimeStratumRank(a.stratum) - leadTimeStratumRank(b.stratum))
        : cells;
  }
  if (metadataRows.length === 0)
    warnings.push(
      'no metadata (pass --metadata FILE, or a data folder with metadata.csv): the alarm metrics are not broken down by mode, season or scenario tag',
    );
  return {
    summary,
    breakdown,
    warnings,
    droppedAlarms: opts.allowMissing ? unlabelled.length : 0,
    files: {
      alarms: displayPath(alarmsFile),
      labels: labelsFiles.map(displayPath),
      metadata: metadataFiles.map(displayPath),
      data: displayPath(layout.dataDir),
    },
  };
}

/** The file `harness evaluate --alarms --plots DIR` writes the warning-time chart to. */
export const WARNING_TIME_SVG = 'warning-time.svg';

/** Writes the warning-time chart of an alarm evaluation as SVG into `dir`; returns how many charts. */
export async function writeAlarmPlots(e: AlarmsEvaluation, dir: string): Promise<number> {
  // Charts, and Vega to render them, are loaded only for plots.
  const { warningTimeChart } = await import('../report/charts/index.ts');
  const { renderSvg } = await import('../report/charts/svg/index.ts');
  const c = e.summary.counts;
  const spec = warningTimeChart(e.summary, {
    subtitle: `${e.files.alarms} · ${c.failures} failures, ${c.normals} normals · cooldown ${e.summary.options.cooldown_days} d`,
  });
  await writeChartSet(dir, [{ name: WARNING_TIME_SVG, svg: await renderSvg(spec) }], () => false);
  return 1;
}
