import { describe, expect, it, vi } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import {
  evaluateAlarms,
  type AlarmSystem,
  type ScoreTimeline,
} from '../../../src/metrics/index.ts';
import { scoreTimelineChart } from '../../../src/report/charts/score-timeline-chart.ts';
import { renderSvg } from '../../../src/report/charts/svg/index.ts';
import {
  warningTimeChart,
  warningTimeData,
} from '../../../src/report/charts/warning-time-chart.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const at = (d: number): number => T0 + d * DAY;

function failure(
  id: string,
  type: string,
  failureDay: number,
  onsetDay: number,
  alarmDays: number[],
): AlarmSystem {
  return {
    systemId: id,
    failureType: type,
    anomaly: true,
    alarms: Float64Array.from(alarmDays, at),
    failureAt: at(failureDay),
    onsetAt: at(onsetDay),
    spanStart: at(0),
    spanEnd: at(failureDay - 1),
  };
}
const normal = (id: string, alarmDays: number[]): AlarmSystem => ({
  systemId: id,
  failureType: 'none',
  anomaly: false,
  alarms: Float64Array.from(alarmDays, at),
  failureAt: NaN,
  onsetAt: NaN,
  spanStart: at(0),
  spanEnd: at(60),
});

// Hand-made: thermal_runaway caught with 15 and 5 days of warning and one missed; cell_imbalance
// caught with 40 days; capacity_fade missed twice.
const summary = evaluateAlarms(
  [
    failure('tr-1', 'thermal_runaway', 100, 50, [85]),
    failure('tr-2', 'thermal_runaway', 100, 50, [95]),
    failure('tr-3', 'thermal_runaway', 100, 50, []),
    failure('ci-1', 'cell_imbalance', 100, 10, [60]),
    failure('cf-1', 'capacity_fade', 100, 50, []),
    failure('cf-2', 'capacity_fade', 100, 50, [20]), // before onset: early, not a detection
    normal('n-1', [3, 30]),
    normal('n-2', []),
  ],
  { reps: 200, seed: 'alarm-charts' },
);

/** The data values of a (possibly nested) named layer or concat view. */
function named(spec: unknown, name: string): Record<string, unknown>[] {
  const stack: unknown[] = [spec];
  while (stack.length > 0) {
    const s = stack.pop() as {
      name?: string;
      data?: { values?: unknown[] };
      layer?: unknown[];
      hconcat?: unknown[];
    };
    if (s.name === name) return (s.data?.values ?? []) as Record<string, unknown>[];
    stack.push(...(s.layer ?? []), ...(s.hconcat ?? []));
  }
  throw new Error(`no view named ${name}`);
}

/** Renders through the report's own renderer: the spec compiles and draws, and vega-lite warns of nothing it dropped. */
async function svgOf(spec: TopLevelSpec): Promise<string> {
  const warn = vi.spyOn(console, 'warn');
  const svg = await renderSvg(spec).finally(() => warn.mockRestore());
  expect(warn.mock.calls).toEqual([]);
  expect(svg.startsWith('<svg')).toBe(true);
  return svg;
}

describe('warningTimeChart', () => {
  it('has one point per caught failure at its warning days, and per type the median and the missed', () => {
    const { points, types } = warningTimeData(summary);
    expect(points.map((p) => [p.system_id, p.warning_days]).sort()).toEqual([
      ['ci-1', 40],
      ['tr-1', 15],
      ['tr-2', 5],
    ]);
    const byType = Object.fromEntries(types.map((t) => [t.failure_type, t]));
    expect(byType['thermal_runaway']).toMatchObject({
      failures: 3,
      caught: 2,
      missed: 1,
      median_warning_days: 10,
    });
    expect(byType['cell_imbalance']).toMatchObject({
      failures: 1,
      caught: 1,
      missed: 0,
      median_warning_days: 40,
    });
    expect(byType['capacity_fade']).toMatchObject({
      failures: 2,
      caught: 0,
      missed: 2,
      median_warning_days: null,
      text: '2 missed of 2',
    });
    const spec = warningTimeChart(summary, { subtitle: 'alarms.csv' });
    expect(named(spec, 'caught')).toEqual(points);
    expect(named(spec, 'missed')).toEqual(types);
    expect(JSON.stringify((spec as { title: unknown }).title)).toContain(
      'median 15.0 days, 3 of 6 failures caught',
    );
  });

  it('compiles and renders to SVG, with a point per caught failure and a bar per type', async () => {
    const svg = await svgOf(warningTimeChart(summary));
    expect(svg).toContain('thermal_runaway');
    expect(svg).toContain('2 missed of 2');
    expect((svg.match(/role-mark caught/g) ?? []).length).toBe(1);
    // vega names a mark's group by its view; count the symbols it drew
    const caught =
      /<g class="mark-symbol role-mark caught_marks"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1] ?? '';
    expect((caught.match(/<path/g) ?? []).length).toBe(3);
  });

  it('draws an evaluation without any failure (all normals) and says so', async () => {
    const none = evaluateAlarms([normal('n-1', [1]), normal('n-2', [])], { reps: 50 });
    const spec = warningTimeChart(none);
    expect(JSON.stringify((spec as { title: unknown }).title)).toContain('no failure caught');
    await svgOf(spec);
  });
});

describe('scoreTimelineChart', () => {
  const tl: ScoreTimeline = {
    systemId: 'sys-0007',
    failureType: 'thermal_runaway',
    anomaly: true,
    t: Array.from({ length: 30 }, (_, i) => at(i)),
    score: Array.from({ length: 30 }, (_, i) => (i === 12 ? null : i / 30)),
    alarms: [at(20), at(25.5)],
    failureAt: at(32),
    onsetAt: at(15),
    threshold: 0.6,
  };

  it('carries the scores (gaps as null), the threshold, one mark per alarm and the two events', () => {
    const spec = scoreTimelineChart(tl);
    const scores = named(spec, 'score');
    expect(scores).toHaveLength(30);
    expect(scores[12]).toEqual({ t: at(12), score: null });
    expect(named(spec, 'threshold')).toEqual([{ threshold: 0.6 }]);
    // An alarm sits on the last score at or before it.
    expect(named(spec, 'alarms')).toEqual([
      { t: at(20), score: 20 / 30 },
      { t: at(25.5), score: 25 / 30 },
    ]);
    expect(named(spec, 'events')).toEqual([
      { t: at(15), event: 'onset' },
      { t: at(32), event: 'failure' },
    ]);
    expect(named(spec, 'window')).toEqual([{ start: at(15), end: at(32) }]);
  });

  it('compiles and renders to SVG with two alarm triangles and the labelled onset and failure', async () => {
    const svg = await svgOf(scoreTimelineChart(tl, { subtitle: 'zscore' }));
    const alarms =
      /<g class="mark-symbol role-mark alarms_marks"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1] ?? '';
    expect((alarms.match(/<path/g) ?? []).length).toBe(2);
    expect(svg).toContain('>onset<');
    expect(svg).toContain('>failure<');
  });

  it('draws a system with no scores at all (its data ended before any window)', async () => {
    const empty: ScoreTimeline = { ...tl, t: [], score: [], alarms: [] };
    const spec = scoreTimelineChart(empty);
    expect(named(spec, 'score')).toEqual([]);
    expect(await svgOf(spec)).toContain('>failure<');
  });

  it('draws a normal without events, window or alarms', async () => {
    const n: ScoreTimeline = {
      ...tl,
      anomaly: false,
      failureType: 'none',
      alarms: [],
      failureAt: null,
      onsetAt: null,
    };
    const spec = scoreTimelineChart(n);
    expect(named(spec, 'events')).toEqual([]);
    expect(named(spec, 'window')).toEqual([]);
    expect(named(spec, 'alarms')).toEqual([]);
    const svg = await svgOf(spec);
    expect(svg).not.toContain('>failure<');
  });
});
