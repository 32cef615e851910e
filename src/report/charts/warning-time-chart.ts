/**
 * How many days of warning a model gave, per failure type: every caught failure as a point at
 * its warning days, the type's median as a tick, and beside it the failures it missed. What an
 * operator reads first of an alarm evaluation (`harness evaluate --alarms --plots`, HTML report).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AlarmSummary } from '../../metrics/index.ts';
import { CHART_CONFIG } from './chart-config.ts';

/** One caught failure: a point of the strip. */
export interface WarningPoint {
  readonly failure_type: string;
  readonly system_id: string;
  readonly warning_days: number;
}

/** One failure type: its median warning and how its failures fared. */
export interface WarningTypeRow {
  readonly failure_type: string;
  /** Failures judged (with a failure_at), caught, missed (observable, no alarm in the window) and unobservable. */
  readonly failures: number;
  readonly caught: number;
  readonly missed: number;
  readonly unobservable: number;
  /** null when no failure of the type was caught. */
  readonly median_warning_days: number | null;
  /** `2 of 5 caught`, the missed bar's text. */
  readonly text: string;
}

/** The points and per-type rows of a warning-time chart, types in the breakdown's order. */
export function warningTimeData(summary: AlarmSummary): {
  points: WarningPoint[];
  types: WarningTypeRow[];
} {
  const order = summary.breakdown.failure_type.map((c) => c.stratum);
  for (const f of summary.per_failure)
    if (!order.includes(f.failure_type)) order.push(f.failure_type);
  const points: WarningPoint[] = [];
  for (const f of summary.per_failure)
    if (f.caught && f.warning_days !== null)
      points.push({
        failure_type: f.failure_type,
        system_id: f.system_id,
        warning_days: f.warning_days,
      });
  const types = order.map((type): WarningTypeRow => {
    const rows = summary.per_failure.filter((f) => f.failure_type === type);
    const caught = rows.filter((f) => f.caught).length;
    const unobservable = rows.filter((f) => !f.observable).length;
    const missed = rows.filter((f) => f.observable && !f.caught).length;
    const cell = summary.breakdown.failure_type.find((c) => c.stratum === type);
    const median =
      cell?.metrics['median_warning_days'] ?? cell?.distributions.warning_days?.median ?? null;
    return {
      failure_type: type,
      failures: rows.length,
      caught,
      missed,
      unobservable,
      median_warning_days: median,
      text: `${missed} missed of ${rows.length}${unobservable > 0 ? ` (${unobservable} unobservable)` : ''}`,
    };
  });
  return { points, types };
}

/** What a warning-time chart is made of. */
export interface WarningTimeChartOptions {
  /** A line under the title, e.g. the alarms file or the model. */
  readonly subtitle?: string;
}

/**
 * Warning days per caught failure by failure type (points, with the type's median as a tick),
 * and per type the failures missed (a bar, labelled `k missed of n`). An hconcat sharing the
 * type order, so a type reads across one row.
 */
export function warningTimeChart(
  summary: AlarmSummary,
  options: WarningTimeChartOptions = {},
): TopLevelSpec {
  const { points, types } = warningTimeData(summary);
  const order = types.map((t) => t.failure_type);
  const overall = summary.metrics['median_warning_days'];
  const c = summary.counts;
  const head =
    overall === null || overall === undefined
      ? `Warning time: no failure caught (${c.failures} judged)`
      : `Warning time: median ${overall.toFixed(1)} days, ${c.caught} of ${c.failures} failures caught`;
  const caption = 'point: one caught failure · tick: median of its type · right: failures missed';
  const y = {
    field: 'failure_type',
    type: 'nominal' as const,
    sort: order,
    scale: { domain: order },
    title: 'failure type',
  };
  const x = {
    field: 'warning_days',
    type: 'quantitative' as const,
    title: 'days of warning (failure_at − detecting alarm)',
    scale: { zero: true },
  };
  const height = Math.max(60, 28 * order.length);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: head,
      subtitle: options.subtitle ? [options.subtitle, caption] : caption,
    },
    config: CHART_CONFIG,
    hconcat: [
      {
        width: 380,
        height,
        layer: [
          {
            name: 'caught',
            data: { values: points },
            mark: { type: 'point', filled: true, color: '#2563eb', opacity: 0.6, tooltip: true },
            encoding: { x, y },
          },
          {
            name: 'median',
            data: { values: types },
            transform: [{ filter: 'datum.median_warning_days != null' }],
            mark: { type: 'tick', color: '#111827', thickness: 3, tooltip: true },
            encoding: {
              x: { ...x, field: 'median_warning_days' },
              y,
            },
          },
        ],
      },
      {
        name: 'missed',
        width: 160,
        height,
        data: { values: types },
        layer: [
          {
            mark: { type: 'bar', color: '#b91c1c', opacity: 0.8, tooltip: true },
            encoding: {
              y: { ...y, axis: null },
              x: {
                field: 'missed',
                type: 'quantitative',
                title: 'failures missed',
                scale: { domainMin: 0, nice: true },
                axis: { tickMinStep: 1 },
              },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 3, color: '#374151' },
            encoding: {
              y: { ...y, axis: null },
              x: { field: 'missed', type: 'quantitative' },
              text: { field: 'text' },
            },
          },
        ],
      },
    ],
  };
}
