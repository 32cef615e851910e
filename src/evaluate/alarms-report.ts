/**
 * What `harness evaluate --alarms` prints: one JSON object (`--json`, snake_case like
 * results.json, the metrics under `metrics`) or a short text report.
 */
import { formatTimestamp } from '../data/index.ts';
import { WARNING_HORIZONS_DAYS, type AlarmMetricSet } from '../metrics/index.ts';
import type { AlarmsEvaluation } from './evaluate-alarms.ts';

/** The JSON object of an alarm evaluation; instants as ISO 8601 UTC. */
export function alarmsJson(e: AlarmsEvaluation): Record<string, unknown> {
  const s = e.summary;
  return {
    kind: 'alarms',
    metrics: s.metrics,
    ci: s.ci,
    undefined: s.undefined,
    distributions: s.distributions,
    counts: s.counts,
    // failure_type: failure-side cells (alarms.ts); the other columns: every system of each stratum.
    breakdown: { ...s.breakdown, ...e.breakdown },
    per_failure: s.per_failure.map((f) => ({
      ...f,
      detection_at: f.detection_at === null ? null : formatTimestamp(f.detection_at),
    })),
    options: s.options,
    dropped: { alarms_without_label: e.droppedAlarms },
    warnings: e.warnings,
    files: e.files,
  };
}

const ORDER = [
  'warning_days',
  'median_warning_days',
  ...WARNING_HORIZONS_DAYS.map((k) => `caught_with_${k}d_warning`),
  'false_alarms_per_system_month',
  'event_precision',
  'event_recall',
  'event_precision_weighted',
  'event_recall_weighted',
  'detection_delay_days',
];

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function metricLines(set: AlarmMetricSet, indent: string): string[] {
  const out: string[] = [];
  for (const name of ORDER) {
    if (!(name in set.metrics)) continue;
    const v = set.metrics[name];
    const ci = set.ci[name];
    if (v === null || v === undefined)
      out.push(`${indent}${name.padEnd(31)} —  (${set.undefined[name] ?? 'undefined'})`);
    else
      out.push(
        `${indent}${name.padEnd(31)} ${fmt(v)}${ci ? `  [${fmt(ci.low)}, ${fmt(ci.high)}] ${ci.method}` : ''}`,
      );
  }
  return out;
}

/** A text report of an alarm evaluation. */
export function alarmsText(e: AlarmsEvaluation): string {
  const s = e.summary;
  const c = s.counts;
  const lines = [
    `alarms ${e.files.alarms} · labels ${e.files.labels.join(', ')} · series ${e.files.data}`,
    `${c.systems} systems: ${c.failures} failures (${c.caught} caught, ${c.unobservable} unobservable), ${c.normals} normals over ${fmt(c.normal_system_months)} system-months; ${c.alarms} alarms, ${c.false_alarms_on_normals + c.false_alarms_on_failures} false after a ${fmt(s.options.cooldown_days)}-day cooldown`,
    '',
    ...metricLines(s, '  '),
  ];
  const w = s.distributions.warning_days;
  if (w)
    lines.push(
      '',
      `  warning days: min ${fmt(w.min)} · p25 ${fmt(w.p25)} · median ${fmt(w.median)} · p75 ${fmt(w.p75)} · max ${fmt(w.max)} (n ${w.n})`,
    );
  for (const cell of s.breakdown.failure_type) {
    lines.push(
      '',
      `  failure_type = ${cell.stratum} (${cell.failures} failures)`,
      ...metricLines(cell, '    '),
    );
  }
  for (const [column, cells] of Object.entries(e.breakdown)) {
    lines.push('', `  by ${column}:`);
    for (const cell of cells)
      lines.push(
        `    ${cell.stratum} (${cell.systems} system${cell.systems === 1 ? '' : 's'}): ${cellLine(cell)}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The three numbers an operator reads first, for one stratum; a dash where undefined. */
function cellLine(cell: AlarmMetricSet): string {
  const v = (name: string, digits: number, unit = ''): string => {
    const x = cell.metrics[name];
    return x === null || x === undefined ? '—' : `${x.toFixed(digits)}${unit}`;
  };
  return `median warning ${v('median_warning_days', 1, ' d')} · caught with 7 d warning ${v('caught_with_7d_warning', 3)} · false alarms / system-month ${v('false_alarms_per_system_month', 3)}`;
}
