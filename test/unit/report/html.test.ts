import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpectApi } from '../../../src/assert/expect.ts';
import { gradeAssertions } from '../../../src/assert/grade.ts';
import type { GradedCase } from '../../../src/assert/types.ts';
import { resolveConfig } from '../../../src/config/load-config.ts';
import {
  FAILURE_TYPES,
  LEAD_TIME_BUCKETS,
  OPERATIONAL_MODES,
  SEASONS,
  leadTimeBucket,
} from '../../../src/data/schema.ts';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { labelDistributionFromSummary } from '../../../src/report/html/charts.ts';
import { escapeHtml, jsonForScript } from '../../../src/report/html/escape.ts';
import { htmlReporter, loadVegaScripts, renderPage } from '../../../src/report/html/index.ts';
import { assertionsInReportOrder } from '../../../src/report/html/page.ts';
import type { CaseResult, RunResult, SuiteResult } from '../../../src/runner/types.ts';
import { createRng } from '../../../src/synth/random.ts';
import { tempDir } from '../../helpers/run-harness.ts';

// A run built from real parts: seeded scores through evaluateScores, assertions through the
// suite `expect` API and gradeAssertions, one case that crashed, and names that need escaping.

const EVIL = 'evil<script>alert("x")</script>&co';
const CRASH = 'score(sys-0003): TypeError: <script>document.title="pwned"</script> & more';

const N = 80;
const rng = createRng('html-report');
const y = Float64Array.from({ length: N }, (_, i) => (i % 5 < 2 ? 1 : 0)); // 32 anomalies
const failureType = Array.from(y, (l, i) =>
  l === 1 ? FAILURE_TYPES[i % FAILURE_TYPES.length]! : 'none',
);
const leadTimes = Array.from(y, (l, i) => (l === 1 ? (i * 7) % 120 : null));
const strata = {
  failure_type: failureType,
  operational_mode: Array.from(y, (_, i) => OPERATIONAL_MODES[i % OPERATIONAL_MODES.length]!),
  season: Array.from(y, (_, i) => SEASONS[(i * 3) % SEASONS.length]!),
  lead_time_bucket: leadTimes.map((d) => (d === null ? 'none' : leadTimeBucket(d)!)),
};
const systemIds = Array.from(y, (_, i) => `sys-${String(i).padStart(4, '0')}`);

function scored(model: string, scores: Float64Array): Extract<CaseResult, { state: 'scored' }> {
  const summary = evaluateScores({
    y,
    scores,
    threshold: 0.5,
    strata,
    systemIds,
    leadTimes,
    leadTimeBuckets: LEAD_TIME_BUCKETS,
    minPositives: 5,
  });
  return {
    state: 'scored',
    suite: 'fleet',
    model,
    version: '1',
    options: {},
    seed: `unit-seed:fleet:${model}`,
    summary,
    systemIds,
    y,
    scores,
    timings: { fitMs: 12, scoreMs: 30 },
  };
}

const cases: CaseResult[] = [
  scored(
    'good',
    Float64Array.from(
      y,
      (l) => 1 / (1 + Math.exp(-(l === 1 ? rng.normal(1.5, 1) : rng.normal(-1, 1)))),
    ),
  ),
  scored(
    'random',
    Float64Array.from(y, () => rng.next()),
  ),
  scored(
    EVIL,
    Float64Array.from(y, (l) => (l === 1 ? 0.4 + 0.6 * rng.next() : 0.7 * rng.next())),
  ),
  {
    state: 'errored',
    suite: 'fleet',
    model: 'crashy',
    version: null,
    options: {},
    seed: 'unit-seed:fleet:crashy',
    error: CRASH,
  },
];

const { metric, model } = createExpectApi();
const specs = [
  metric('good', 'roc_auc').toBeGreaterThan(0.7),
  metric('random', 'roc_auc').toBeGreaterThan(0.95), // fails
  metric(EVIL, 'roc_auc').toBeGreaterThan(0.999), // fails, with the name in its message
  metric('crashy', 'roc_auc').toBeGreaterThan(0.5), // errors: the case crashed
  model('good').toBeat('random'),
];
const graded: Record<string, GradedCase> = {};
for (const c of cases)
  graded[c.model] =
    c.state === 'scored'
      ? { state: 'scored', summary: c.summary, y: c.y, scores: c.scores, systemIds: c.systemIds }
      : { state: 'errored', error: c.error };
const assertions = gradeAssertions(specs, graded);

const suite: SuiteResult = {
  name: 'fleet <&> suite',
  file: '/project/suites/fleet.suite.ts',
  dataset: {
    kind: 'scenario',
    name: 'unit-fleet',
    dataDir: '/project/data',
    hash: 'a'.repeat(64),
    systems: 160,
    train: 80,
    test: 80,
    generated: true,
    dataHash: 'd'.repeat(64),
    dataSource: 'synthetic',
    labelVersion: 1,
    labelsHash: 'l'.repeat(64),
    testFraction: 0.5,
    splitSeed: 's',
  },
  threshold: 'fixed 0.5',
  cases,
  assertions,
  durationMs: 1234,
};
const errorSuite: SuiteResult = {
  name: 'broken',
  file: '/project/suites/broken.suite.ts',
  dataset: null,
  threshold: 'fixed 0.5',
  cases: [],
  assertions: [],
  error: 'dataset <missing> & gone',
  durationMs: 5,
};

const run: RunResult = {
  harnessVersion: '0.1.0',
  startedAt: '2025-01-01T00:00:00.000Z',
  seed: 'unit-seed',
  suites: [suite, errorSuite],
  summary: {
    suites: 2,
    cases: { scored: 3, errored: 1 },
    assertions: {
      passed: assertions.filter((a) => a.state === 'passed').length,
      failed: assertions.filter((a) => a.state === 'failed').length,
      errored: assertions.filter((a) => a.state === 'errored').length,
    },
    gates: { passed: 0, failed: 0 },
    exitCode: 2,
    durationMs: 4321,
  },
};

/** The page with every script's content left out: what a person reads, and short in a failure diff. */
function markupOf(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
}

/** Every `<script type="application/json">` block's text. */
function jsonBlocks(html: string): string[] {
  return [
    ...html.matchAll(/<script type="application\/json" class="chart-spec">([\s\S]*?)<\/script>/g),
  ].map((m) => m[1]!);
}

describe('html report', () => {
  let html = '';
  let markup = '';
  let out: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    out = await tempDir('html-report-');
    const reporter = htmlReporter();
    await reporter.onInit?.({ config: resolveConfig({}, null, '/project'), outDir: out.dir });
    await reporter.onRunEnd?.({ result: run });
    html = await readFile(path.join(out.dir, 'report', 'index.html'), 'utf8');
    markup = markupOf(html);
  });
  afterAll(async () => out.cleanup());

  it('grades the fixture as intended: a pass, two failures, an error', () => {
    expect(assertions.map((a) => a.state)).toEqual([
      'passed',
      'failed',
      'failed',
      'errored',
      'passed',
    ]);
    expect(assertions[2]!.message).toContain(EVIL);
  });

  it('writes one self-contained file into <outDir>/report', async () => {
    expect(await readdir(out.dir)).toEqual(['report']);
    expect(await readdir(path.join(out.dir, 'report'))).toEqual(['index.html']);
    expect(html === renderPage(run, await loadVegaScripts(), { root: '/project' })).toBe(true);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // vega and vega-lite inlined, nothing loaded from anywhere
    const scripts = await loadVegaScripts();
    expect(html.includes(scripts.vega) && html.includes(scripts.vegaLite)).toBe(true);
    expect(markup).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(markup).not.toMatch(/<link\b/i);
    expect(markup).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(markup).not.toMatch(/https?:/);
    for (const block of jsonBlocks(html)) expect(block).not.toMatch(/\$schema|https?:/);
  });

  it('shows the verdict, counts, time, harness version and seed', () => {
    expect(markup).toMatch(/data-verdict="error">ERROR</);
    expect(markup).toContain('3 scored · 1 errored');
    expect(markup).toContain('2 passed · 2 failed · 1 errored');
    expect(markup).toContain('4.3 s');
    expect(markup).toContain('0.1.0');
    expect(markup).toContain('unit-seed');
    expect(markup).toContain('scenario unit-fleet · 160 systems (80 train / 80 test, generated)');
    expect(markup).toContain('threshold: fixed 0.5');
    expect(markup).toContain('suites/fleet.suite.ts');
  });

  it('escapes every string from the run, in text and in attributes', () => {
    expect(markup).not.toContain('<script>alert');
    expect(markup).not.toContain('<script>document');
    expect(markup).not.toContain(EVIL);
    expect(markup).toContain(escapeHtml(EVIL));
    expect(markup).toContain(escapeHtml(CRASH));
    expect(markup).toContain(`data-model="${escapeHtml(EVIL)}"`);
    expect(markup).toContain('fleet &lt;&amp;&gt; suite');
    expect(markup).toContain('dataset &lt;missing&gt; &amp; gone');
    // The only <script> tags are the three inline scripts and the JSON blocks.
    const tags = markup.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.filter((t) => t === '<script>')).toHaveLength(3);
    expect(
      tags
        .filter((t) => t !== '<script>')
        .every((t) => t === '<script type="application/json" class="chart-spec">'),
    ).toBe(true);
  });

  it('lists assertions failed first, with ✓ ✗ ! marks', () => {
    expect(assertionsInReportOrder(assertions).map((a) => a.id)).toEqual([1, 2, 3, 0, 4]);
    const states = [
      ...html.matchAll(
        /<li class="assertion (\w+)" data-state="\w+"><span class="mark">(.)<\/span>/g,
      ),
    ].map((m) => `${m[1]} ${m[2]}`);
    expect(states).toEqual(['failed ✗', 'failed ✗', 'errored !', 'passed ✓', 'passed ✓']);
  });

  it('has a models row per case, with roc_auc and its CI, AP, recall at the threshold or the error', () => {
    const good = cases[0] as Extract<CaseResult, { state: 'scored' }>;
    const ci = good.summary.ci['roc_auc']!;
    expect(markup).toContain(
      `${good.summary.metrics['roc_auc']!.toFixed(3)} [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]`,
    );
    expect(markup).toContain(`${good.summary.metrics['recall']!.toFixed(3)} @ 0.500`);
    expect(markup).toMatch(/<tr class="errored"><th scope="row">crashy<\/th>/);
  });

  it('has ROC, PR, score and breakdown charts for every scored model, and the label distribution', () => {
    for (const c of cases) {
      const m = escapeHtml(c.model);
      for (const kind of ['roc', 'pr', 'scores'])
        expect(
          markup.includes(`data-chart="${kind}" data-model="${m}"`),
          `${kind} ${c.model}`,
        ).toBe(c.state === 'scored');
      for (const column of ['failure_type', 'operational_mode', 'season', 'lead_time_bucket']) {
        expect(
          markup.includes(`data-chart="breakdown" data-model="${m}" data-column="${column}"`),
        ).toBe(c.state === 'scored');
      }
    }
    for (const column of ['failure_type', 'operational_mode', 'season', 'lead_time_bucket'])
      expect(markup).toContain(`data-chart="labels" data-column="${column}"`);
    expect(markup.match(/<div class="chart"/g)).toHaveLength(3 * 7 + 4);
  });

  it('puts chart specs in JSON blocks that parse back to Vega-Lite specs', () => {
    const blocks = jsonBlocks(html);
    expect(blocks).toHaveLength(25);
    for (const text of blocks) {
      expect(text).not.toMatch(/<\/script|<!--/i);
      const spec = JSON.parse(text) as { config?: unknown; layer?: unknown; mark?: unknown };
      expect(spec.config).toBeDefined();
      expect(spec.layer ?? spec.mark).toBeDefined();
    }
    // The subtitle carries the raw model name, still intact after the round trip.
    expect(
      blocks.some((b) =>
        (JSON.parse(b) as { title?: { subtitle?: unknown } }).title?.subtitle
          ?.toString()
          .includes(EVIL),
      ),
    ).toBe(true);
  });

  it('jsonForScript survives </script> and <!-- inside strings', () => {
    const value = { a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'a & b \u2028' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('counts the test systems per category from the breakdown cells', () => {
    const dist = labelDistributionFromSummary(
      (cases[0] as Extract<CaseResult, { state: 'scored' }>).summary,
    );
    const dim = (name: string) =>
      Object.fromEntries(
        dist.dimensions
          .find((d) => d.name === name)!
          .bars.map((b) => [b.category, [b.normal, b.anomaly]]),
      );
    expect(dist.total).toBe(N);
    expect(dim('label')).toEqual({ normal: [48, 0], anomaly: [0, 32] });
    expect(Object.keys(dim('failure_type'))).toEqual(['none', ...FAILURE_TYPES]);
    expect(dim('failure_type')['none']).toEqual([48, 0]);
    const sum = (name: string) => Object.values(dim(name)).reduce((s, [a, b]) => s + a! + b!, 0);
    expect(sum('failure_type')).toBe(N);
    expect(sum('operational_mode')).toBe(N);
    expect(sum('season')).toBe(N);
    // lead-time buckets count anomalies only, in bucket order
    expect(Object.keys(dim('lead_time_bucket'))).toEqual(LEAD_TIME_BUCKETS.map((b) => b.name));
    expect(sum('lead_time_bucket')).toBe(32);
  });
});
