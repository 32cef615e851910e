/**
 * The "Alarms" part of the HTML report: for each scored case that carries an alarm-level
 * evaluation (`alarms`, when the model has `scoreOverTime`), the headline alarm metrics with
 * their CIs, the warning-time chart and the score timelines of a few systems.
 */
import type { CaseAlarms } from '../../metrics/index.ts';
import { scoreTimelineChart } from '../charts/score-timeline-chart.ts';
import { warningTimeChart } from '../charts/warning-time-chart.ts';
import { withoutSchema, type ReportChart, type ScoredCase } from './charts.ts';
import { escapeHtml as h } from './escape.ts';

/** The headline metrics of the section, in this order, with what each says to an operator. */
export const ALARM_HEADLINE: readonly (readonly [metric: string, meaning: string])[] = [
  ['median_warning_days', 'days of warning, median over caught failures'],
  ['caught_with_1d_warning', 'share of failures caught at least 1 day ahead'],
  ['caught_with_7d_warning', 'share of failures caught at least 7 days ahead'],
  ['caught_with_30d_warning', 'share of failures caught at least 30 days ahead'],
  ['false_alarms_per_system_month', 'false alarms per normal system per month'],
  ['event_precision', 'share of alarm events that were a failure'],
  ['event_recall', 'share of failures with an alarm in their window'],
  ['detection_delay_days', 'days from onset to the detecting alarm'],
];

/** The warning-time chart, then one timeline per system the case kept. */
export function alarmCharts(c: ScoredCase, alarms: CaseAlarms): ReportChart[] {
  const debounce = `threshold ${alarms.threshold.toPrecision(3)} · min duration ${alarms.minDuration} · cooldown ${alarms.cooldownDays} d`;
  return [
    {
      kind: 'warning-time',
      model: c.model,
      spec: withoutSchema(
        warningTimeChart(alarms.summary, { subtitle: `${c.model} · ${debounce}` }),
      ),
    },
    ...alarms.timelines.map((tl): ReportChart => ({
      kind: 'timeline',
      model: c.model,
      column: tl.systemId,
      spec: withoutSchema(scoreTimelineChart(tl, { subtitle: c.model })),
    })),
  ];
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(3));

/** One metric row: value, CI (or why it is undefined). */
function metricRow(alarms: CaseAlarms, metric: string, meaning: string): string {
  const s = alarms.summary;
  const v = s.metrics[metric];
  const ci = s.ci[metric];
  const why = s.undefined[metric];
  const value = v === null || v === undefined ? '—' : fmt(v);
  const ciWhy = s.undefined[`ci.${metric}`];
  const interval = ci
    ? `[${fmt(ci.low)}, ${fmt(ci.high)}] <span class="dim">${h(`${Math.round(ci.level * 100)}% ${ci.method}`)}</span>`
    : ciWhy !== undefined
      ? `<span class="dim">no CI: ${h(ciWhy)}</span>`
      : '';
  return `<tr data-metric="${h(metric)}"><th scope="row">${h(metric)}</th><td class="num"${why ? ` title="${h(why)}"` : ''}>${h(value)}</td><td class="num">${interval}</td><td class="dim">${h(v === null || v === undefined ? (why ?? meaning) : meaning)}</td></tr>`;
}

/** The counts behind the metrics, in one line. */
function countsLine(alarms: CaseAlarms): string {
  const c = alarms.summary.counts;
  const months = fmt(Math.round(c.normal_system_months * 100) / 100);
  return `${c.failures} failures (${c.caught} caught, ${c.unobservable} unobservable${c.failures_without_failure_at > 0 ? `, ${c.failures_without_failure_at} without failure_at left out` : ''}) · ${c.normals} normals over ${months} system-months · ${c.alarms} alarms, ${c.false_alarms_on_normals + c.false_alarms_on_failures} false`;
}

/**
 * The section for the suite's scored cases that have alarms, or '' when none has. `chartGrid`
 * is the page's own grid, so the charts render like every other chart of the report.
 */
export function alarmsSection(
  cases: readonly ScoredCase[],
  chartGrid: (charts: readonly ReportChart[]) => string,
): string {
  const parts: string[] = [];
  for (const c of cases) {
    const alarms = c.alarms;
    if (!alarms) continue;
    const rows = ALARM_HEADLINE.filter(([m]) => m in alarms.summary.metrics)
      .map(([m, meaning]) => metricRow(alarms, m, meaning))
      .join('');
    parts.push(
      `<details class="model alarms" open data-model="${h(c.model)}"><summary>${h(c.model)}</summary>
<p class="meta">${h(countsLine(alarms))}</p>
<table class="models alarm-metrics"><thead><tr><th>metric</th><th>value</th><th>CI</th><th></th></tr></thead><tbody>${rows}</tbody></table>
${chartGrid(alarmCharts(c, alarms))}</details>`,
    );
  }
  return parts.length > 0 ? `<h3>Alarms</h3>${parts.join('')}` : '';
}
