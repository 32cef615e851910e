/**
 * One system's score over time as an alarm model sees it: the score (line), the threshold it
 * alarms at (dashed rule), the alarms (red triangles on the score), and the ground truth in time
 * (the onset and the failure as labelled vertical rules, the window between them shaded). The
 * HTML report draws it per case; the labeling app shows the same picture.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ScoreTimeline } from '../../metrics/index.ts';
import { CHART_CONFIG } from './chart-config.ts';
import { downsampleIndices } from './roc-chart.ts';

/** Most score points a timeline draws; alarms, onset and failure are always drawn. */
export const MAX_TIMELINE_POINTS = 2000;

/** One alarm: when it fired and the score drawn under it (the last score at or before it). */
export interface AlarmMark {
  readonly t: number;
  readonly score: number | null;
}

/** The score at or before `at` (the last instant ≤ at), null when none is. */
function scoreAt(tl: ScoreTimeline, at: number): number | null {
  let lo = 0;
  let hi = tl.t.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tl.t[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? null : (tl.score[found] ?? null);
}

/** The marks of a timeline: score points (downsampled), alarms, and the labelled events. */
export function scoreTimelineData(
  tl: ScoreTimeline,
  maxPoints = MAX_TIMELINE_POINTS,
): {
  scores: { t: number; score: number | null }[];
  alarms: AlarmMark[];
  events: { t: number; event: 'onset' | 'failure' }[];
} {
  const scores = downsampleIndices(tl.t.length, maxPoints).map((i) => ({
    t: tl.t[i]!,
    score: tl.score[i] ?? null,
  }));
  const alarms = tl.alarms.map((t) => ({ t, score: scoreAt(tl, t) ?? tl.threshold }));
  const events: { t: number; event: 'onset' | 'failure' }[] = [];
  if (tl.onsetAt !== null) events.push({ t: tl.onsetAt, event: 'onset' });
  if (tl.failureAt !== null) events.push({ t: tl.failureAt, event: 'failure' });
  return { scores, alarms, events };
}

/** Options of {@link scoreTimelineChart}. */
export interface ScoreTimelineChartOptions {
  /** A line under the title, e.g. the model. */
  readonly subtitle?: string;
  readonly width?: number;
  readonly height?: number;
  readonly maxPoints?: number;
}

/** The score timeline of one system (see the module comment); instants are drawn in UTC. */
export function scoreTimelineChart(
  tl: ScoreTimeline,
  options: ScoreTimelineChartOptions = {},
): TopLevelSpec {
  const { scores, alarms, events } = scoreTimelineData(tl, options.maxPoints);
  const x = {
    field: 't',
    type: 'temporal' as const,
    scale: { type: 'utc' as const },
    axis: { format: '%Y-%m-%d' },
    title: 'time (UTC)',
  };
  const y = { field: 'score', type: 'quantitative' as const, title: 'score' };
  const kind = tl.anomaly ? tl.failureType : 'normal';
  const caption = `${alarms.length} alarm${alarms.length === 1 ? '' : 's'} · threshold ${tl.threshold.toPrecision(3)}${tl.onsetAt !== null && tl.failureAt !== null ? ' · shaded: onset → failure' : ''}`;
  const window =
    tl.onsetAt !== null && tl.failureAt !== null ? [{ start: tl.onsetAt, end: tl.failureAt }] : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${tl.systemId} (${kind}): score over time`,
      subtitle: options.subtitle ? [options.subtitle, caption] : caption,
    },
    config: CHART_CONFIG,
    width: options.width ?? 520,
    height: options.height ?? 200,
    layer: [
      {
        name: 'window',
        data: { values: window },
        mark: { type: 'rect', color: '#fca5a5', opacity: 0.25 },
        encoding: { x: { ...x, field: 'start' }, x2: { field: 'end' } },
      },
      {
        name: 'score',
        data: { values: scores },
        mark: { type: 'line', color: '#2563eb', strokeWidth: 1.5 },
        encoding: { x, y },
      },
      {
        name: 'threshold',
        data: { values: [{ threshold: tl.threshold }] },
        mark: { type: 'rule', color: '#6b7280', strokeDash: [4, 4] },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
      {
        name: 'alarms',
        data: { values: alarms },
        mark: {
          type: 'point',
          shape: 'triangle-down',
          filled: true,
          size: 70,
          color: '#dc2626',
          tooltip: true,
        },
        encoding: { x, y },
      },
      {
        name: 'events',
        data: { values: events },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              x,
              color: {
                field: 'event',
                type: 'nominal',
                scale: { domain: ['onset', 'failure'], range: ['#d97706', '#111827'] },
                legend: null,
              },
            },
          },
          {
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 11 },
            encoding: {
              x,
              text: { field: 'event' },
              color: {
                field: 'event',
                type: 'nominal',
                scale: { domain: ['onset', 'failure'], range: ['#d97706', '#111827'] },
                legend: null,
              },
            },
          },
        ],
      },
    ],
  };
}
