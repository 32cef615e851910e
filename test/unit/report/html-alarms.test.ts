import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import {
  evaluateAlarms,
  type AlarmSystem,
  type CaseAlarms,
  type ScoreTimeline,
} from '../../../src/metrics/index.ts';
import { renderSvg } from '../../../src/report/charts/svg/index.ts';
import { ALARM_HEADLINE } from '../../../src/report/html/alarms.ts';
import { loadVegaScripts, renderPage } from '../../../src/report/html/index.ts';
import type { CaseResult, RunResult } from '../../../src/runner/types.ts';
import { launchChromium } from '../../helpers/browser.ts';
import { tempDir } from '../../helpers/run-harness.ts';

// A run whose `alarmy` case carries CaseAlarms (as the runner writes them for a model with
// scoreOverTime) next to a `plain` case without: the report shows an Alarms section for the one.

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const at = (d: number): number => T0 + d * DAY;

const systems: AlarmSystem[] = [
  ...[12, 3, NaN, 40].map((lead, i) => ({
    systemId: `f-${i}`,
    failureType: i % 2 === 0 ? 'thermal_runaway' : 'cell_imbalance',
    anomaly: true,
    alarms: Number.isNaN(lead) ? new Float64Array() : Float64Array.of(at(90 - lead)),
    failureAt: at(90),
    onsetAt: at(45),
    spanStart: at(0),
    spanEnd: at(89),
  })),
  ...[0, 1, 2, 3].map((i) => ({
    systemId: `n-${i}`,
    failureType: 'none',
    anomaly: false,
    alarms: i === 0 ? Float64Array.of(at(10), at(50)) : new Float64Array(),
    failureAt: NaN,
    onsetAt: NaN,
    spanStart: at(0),
    spanEnd: at(89),
  })),
];
const summary = evaluateAlarms(systems, { reps: 200, seed: 'html-alarms' });

function timeline(s: AlarmSystem): ScoreTimeline {
  const t = Array.from({ length: 90 }, (_, d) => at(d));
  return {
    systemId: s.systemId,
    failureType: s.failureType,
    anomaly: s.anomaly,
    t,
    score: t.map((x) => (s.alarms.includes(x) ? 0.9 : 0.2)),
    alarms: Array.from(s.alarms),
    failureAt: Number.isNaN(s.failureAt) ? null : s.failureAt,
    onsetAt: Number.isNaN(s.onsetAt) ? null : s.onsetAt,
    threshold: 0.8,
  };
}
const alarms: CaseAlarms = {
  threshold: 0.8,
  minDuration: 1,
  cooldownDays: 0,
  summary,
  timelines: [systems[0]!, systems[2]!, systems[4]!].map(timeline),
};

const y = Float64Array.from(systems, (s) => (s.anomaly ? 1 : 0));
const scores = Float64Array.of(0.9, 0.8, 0.3, 0.95, 0.1, 0.2, 0.4, 0.15);
function scoredCase(model: string): Extract<CaseResult, { state: 'scored' }> {
  return {
    state: 'scored',
    suite: 'fleet',
    model,
    version: '1',
    options: {},
    seed: `s:${model}`,
    summary: evaluateScores({ y, scores, threshold: 0.5 }),
    systemIds: systems.map((s) => s.systemId),
    y,
    scores,
    timings: { fitMs: 1, scoreMs: 2 },
  };
}
// The field the runner adds; set beside the type until CaseResult declares it.
const withAlarms = { ...scoredCase('alarmy'), alarms } as CaseResult;
const run: RunResult = {
  harnessVersion: '0.1.0',
  startedAt: '2026-01-01T00:00:00.000Z',
  seed: 'html-alarms',
  suites: [
    {
      name: 'fleet',
      file: '/project/suites/fleet.suite.ts',
      dataset: null,
      threshold: 'fixed 0.5',
      cases: [withAlarms, scoredCase('plain')],
      assertions: [],
      durationMs: 10,
    },
  ],
  summary: {
    suites: 1,
    cases: { scored: 2, errored: 0 },
    assertions: { passed: 0, failed: 0, errored: 0 },
    gates: { passed: 0, failed: 0 },
    exitCode: 0,
    durationMs: 10,
  },
};

/** The parsed chart specs of the page's `.chart` divs of one kind (and model). */
function specsOf(html: string, kind: string, model: string): unknown[] {
  const re = new RegExp(
    `<div class="chart" data-chart="${kind}" data-model="${model}"[^>]*><script type="application/json" class="chart-spec">([\\s\\S]*?)</script>`,
    'g',
  );
  return [...html.matchAll(re)].map((m) => JSON.parse(m[1]!) as unknown);
}

describe('html report: alarms', () => {
  let html = '';
  beforeAll(async () => {
    html = renderPage(run, await loadVegaScripts());
  });

  it('has an Alarms section for the case with alarms, with every headline metric and its CI', () => {
    expect(html.match(/<h3>Alarms<\/h3>/g)).toHaveLength(1);
    const section =
      /<details class="model alarms" open data-model="alarmy">([\s\S]*?)<\/details>/.exec(
        html,
      )?.[1] ?? '';
    expect(section).not.toBe('');
    expect(html).not.toContain('class="model alarms" open data-model="plain"');
    for (const [metric] of ALARM_HEADLINE) {
      const row = new RegExp(`<tr data-metric="${metric}">(.*?)</tr>`).exec(section)?.[1] ?? '';
      expect(row, metric).not.toBe('');
      const v = summary.metrics[metric];
      if (v !== null && v !== undefined)
        expect(row, metric).toContain(Number.isInteger(v) ? String(v) : v.toFixed(3));
      const ci = summary.ci[metric];
      if (ci)
        expect(row, metric).toContain(
          `[${Number.isInteger(ci.low) ? ci.low : ci.low.toFixed(3)}, `,
        );
    }
    // Hand count: 4 failures, 3 caught (12, 3 and 40 days), median 12; 2 false alarms on normals.
    expect(summary.metrics['median_warning_days']).toBe(12);
    expect(section).toMatch(
      /<tr data-metric="median_warning_days"><th scope="row">median_warning_days<\/th><td class="num">12<\/td>/,
    );
    expect(section).toContain('4 failures (3 caught, 0 unobservable)');
    expect(section).toContain(`${summary.counts.alarms} alarms, 2 false`);
  });

  it('carries the warning-time chart and one timeline per kept system, which render to SVG', async () => {
    const warning = specsOf(html, 'warning-time', 'alarmy');
    expect(warning).toHaveLength(1);
    const timelines = specsOf(html, 'timeline', 'alarmy');
    expect(timelines).toHaveLength(3);
    expect(specsOf(html, 'timeline', 'plain')).toHaveLength(0);
    expect(html).toContain('data-chart="timeline" data-model="alarmy" data-column="f-0"');
    for (const spec of [...warning, ...timelines]) {
      const svg = await renderSvg({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        ...(spec as object),
      } as never);
      expect(svg).toMatch(/^<svg/);
    }
  });

  describe('in a browser', () => {
    let tmp: { dir: string; cleanup: () => Promise<void> };
    afterAll(async () => tmp?.cleanup());
    it('draws every alarm chart (no chart errors)', async () => {
      tmp = await tempDir('html-alarms-');
      const file = path.join(tmp.dir, 'index.html');
      await writeFile(file, html);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(pathToFileURL(file).href);
        await page.waitForFunction(
          `document.body.getAttribute('data-charts') === 'done'`,
          undefined,
          { timeout: 20_000 },
        );
        const charts = page.locator(
          '.chart[data-chart="warning-time"], .chart[data-chart="timeline"]',
        );
        expect(await charts.count()).toBe(4);
        for (let i = 0; i < 4; i++) {
          expect(await charts.nth(i).getAttribute('data-error')).toBeNull();
          expect(await charts.nth(i).getAttribute('data-rendered')).toBe('true');
        }
        // The first timeline (f-0, caught 12 days ahead) draws its one alarm triangle.
        expect(
          await page.locator('.chart[data-column="f-0"] g.role-mark.alarms_marks path').count(),
        ).toBe(1);
        expect(problems).toEqual([]);
        if (process.env['ALARM_REPORT_SCREENSHOT'])
          await page
            .locator('details.alarms')
            .screenshot({ path: process.env['ALARM_REPORT_SCREENSHOT'] });
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
});
