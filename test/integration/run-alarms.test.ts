/**
 * `harness run` with a model that has `scoreOverTime`, end to end through the real bin (worker
 * thread, score cache, json reporter, exit code): results.json carries `cases[m].alarms` and the
 * alarm metrics under `metrics`, the assertions read them, and the numbers are the ones the
 * rules give by hand. The model is a fixture whose score shape is known: it reads each system's
 * onset from labels.csv (no real model could) and scores 1 from the onset on, 0 before; a
 * normal whose id ends in an odd digit gets a two-instant bump (one false alarm).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const DAY = 86_400_000;

const SUITE = `import { readFileSync } from 'node:fs';
import { defineModel, defineSuite } from 'bess-harness';
import random from 'bess-harness/plugins/random';
const [head, ...rows] = readFileSync(new URL('../fleet/labels.csv', import.meta.url), 'utf8').trim().split('\\n').map((l) => l.split(','));
const col = (name) => head.indexOf(name);
const onset = new Map(rows.map((r) => [r[0], r[col('onset_at')] ? Date.parse(r[col('onset_at')]) : NaN]));
const timed = defineModel({
  name: 'timed', version: '1',
  score: (series) => (onset.get(series.systemId) === onset.get(series.systemId) ? 1 : 0),
  scoreOverTime(series) {
    const t = series.timestamps.filter((_, i) => i % 6 === 0);
    const at = onset.get(series.systemId);
    const bump = at !== at && Number(series.systemId.at(-1)) % 2 === 1;
    return { t, score: Array.from(t, (x, i) => (x >= at ? 1 : bump && (i === 10 || i === 11) ? 1 : 0)) };
  },
});
export default defineSuite({
  name: 'alarms', dataset: { path: 'fleet' }, split: { test: 0.5, seed: 4 },
  threshold: { kind: 'fixed', value: 0.5 },
  alarms: { minDuration: 2, cooldown: '1d' },
  models: [timed, random()],
  expect: ({ metric }) => [
    metric('timed', 'median_warning_days').toBeGreaterThan(1),
    metric('timed', 'false_alarms_per_system_month').toBeLessThan(0.01),
  ],
});
`;

interface BreakdownCell {
  readonly stratum: string;
  readonly metrics: Record<string, number | null>;
}

const medianOf = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface LabelRow {
  readonly id: string;
  readonly anomaly: boolean;
  readonly failureAt: number;
  readonly onsetAt: number;
}

let project: Awaited<ReturnType<typeof makeProject>>;
let labels: Map<string, LabelRow>;
type Results = {
  suites: {
    cases: {
      model: string;
      cached: boolean;
      metrics: Record<string, number | null>;
      ci: Record<string, unknown>;
      alarms?: {
        threshold: number;
        minDuration: number;
        cooldownDays: number;
        summary: {
          counts: Record<string, number>;
          per_failure: { system_id: string; failure_type: string; warning_days: number | null }[];
        };
        timelines: { systemId: string; t: number[]; alarms: number[] }[];
      };
    }[];
    assertions: { state: string; message: string }[];
  }[];
};
let first: { code: number | null; stdout: string; stderr: string; results: Results };
let second: { code: number | null; results: Results };

async function run(): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  results: Results;
}> {
  const r = await runHarness(['run', '--no-history', '--reporter', 'plain', '--reporter', 'json'], {
    cwd: project.dir,
  });
  const results = JSON.parse(
    readFileSync(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'),
  ) as Results;
  return { ...r, results };
}

beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/alarms.suite.ts': SUITE,
  });
  const gen = await runHarness(
    [
      'generate',
      '--systems',
      '24',
      '--days',
      '10',
      '--interval',
      '1h',
      '--seed',
      'alarms',
      '--out',
      'fleet',
    ],
    { cwd: project.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
  const [head, ...rows] = readFileSync(path.join(project.dir, 'fleet', 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const at = (r: string[], name: string) => {
    const v = r[head!.indexOf(name)];
    return v ? Date.parse(v) : NaN;
  };
  labels = new Map(
    rows.map((r) => [
      r[0]!,
      {
        id: r[0]!,
        anomaly: r[1] === 'anomaly',
        failureAt: at(r, 'failure_at'),
        onsetAt: at(r, 'onset_at'),
      },
    ]),
  );
  first = await run();
  second = await run();
}, 180_000);
afterAll(() => project.cleanup());

/**
 * What the fixture's alarms must be on the instants `ts` it scored (every 6th timestamp of the
 * series as loaded), by the rules: minDuration 2, then nothing for more than a day.
 */
function expectedAlarms(id: string, ts: readonly number[]): number[] {
  const l = labels.get(id)!;
  const hot = ts.map((x, i) =>
    l.anomaly ? x >= l.onsetAt : Number(id.at(-1)) % 2 === 1 && (i === 10 || i === 11),
  );
  const out: number[] = [];
  let runLength = 0;
  for (let i = 0; i < ts.length; i++) {
    runLength = hot[i] ? runLength + 1 : 0;
    if (runLength >= 2 && (out.length === 0 || ts[i]! - out.at(-1)! > DAY)) out.push(ts[i]!);
  }
  return out;
}

describe('harness run with a scoreOverTime model', () => {
  it('exits 1: the warning-time assertion holds and the false-alarm one fails', () => {
    expect(first.code, first.stderr).toBe(1);
    const [warn, falseAlarms] = first.results.suites[0]!.assertions;
    expect(warn!.state).toBe('passed');
    expect(falseAlarms!.state).toBe('failed');
    expect(falseAlarms!.message).toContain('false_alarms_per_system_month');
    expect(first.stdout).toMatch(/alarms: median warning \d+\.\d d · caught with 7 d warning/);
  });

  it('results.json carries the alarms and the metrics computed by hand', () => {
    const c = first.results.suites[0]!.cases.find((k) => k.model === 'timed')!;
    const a = c.alarms!;
    expect(a).toMatchObject({ threshold: 0.5, minDuration: 2, cooldownDays: 1 });
    // Every failure of this small test split has its timeline kept (at most 6 are).
    const failures = a.summary.per_failure;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThanOrEqual(6);
    const timeline = (id: string) => a.timelines.find((t) => t.systemId === id)!;
    const warnings: number[] = [];
    for (const f of failures) {
      const l = labels.get(f.system_id)!;
      const first = expectedAlarms(f.system_id, timeline(f.system_id).t)[0];
      const expected = first === undefined ? null : (l.failureAt - first) / DAY;
      expect(f.warning_days, f.system_id).toBe(expected);
      if (expected !== null) warnings.push(expected);
    }
    warnings.sort((x, y) => x - y);
    const mid = warnings.length / 2;
    const median =
      warnings.length % 2 ? warnings[Math.floor(mid)]! : (warnings[mid - 1]! + warnings[mid]!) / 2;
    expect(c.metrics['median_warning_days']).toBeCloseTo(median, 9);
    expect(c.ci['median_warning_days']).not.toBeUndefined();
    // False alarms: the bumped normals of the test split, over their observed months.
    const testNormals = [...labels.values()].filter(
      (l) => !l.anomaly && a.timelines.some((t) => t.systemId === l.id),
    );
    expect(a.summary.counts['false_alarms_on_normals']).toBeGreaterThan(0);
    for (const t of a.timelines) expect(t.alarms).toEqual(expectedAlarms(t.systemId, t.t));
    expect(testNormals.length).toBeGreaterThan(0);
    expect(c.metrics['false_alarms_per_system_month']).toBeGreaterThan(0.01);
    // Every breakdown cell carries the alarm metrics of its own systems: by failure type, the
    // median of that type's warnings; the normals' stratum, the whole set's false-alarm rate.
    const cells = (c as unknown as { breakdown: Record<string, BreakdownCell[]> }).breakdown;
    const byType = new Map<string, number[]>();
    for (const f of failures)
      if (f.warning_days !== null)
        byType.set(f.failure_type, [...(byType.get(f.failure_type) ?? []), f.warning_days]);
    expect(byType.size).toBeGreaterThan(0);
    for (const [type, days] of byType) {
      const cell = cells['failure_type']!.find((x) => x.stratum === type)!;
      expect(cell.metrics['median_warning_days'], type).toBeCloseTo(medianOf(days), 9);
      expect(cell.metrics['false_alarms_per_system_month'], type).toBeNull();
    }
    const none = cells['failure_type']!.find((x) => x.stratum === 'none')!;
    expect(none.metrics['false_alarms_per_system_month']).toBe(
      c.metrics['false_alarms_per_system_month'],
    );
    for (const cell of cells['season']!) expect(cell.metrics).toHaveProperty('median_warning_days');
    // The random baseline has scoreOverTime too: its case carries alarms and the merged metrics.
    const r = first.results.suites[0]!.cases.find((k) => k.model === 'random')!;
    expect(r.alarms).toBeDefined();
    expect(r.metrics).toHaveProperty('false_alarms_per_system_month');
  });

  it('a second run reads scores and scores over time from the cache: the same alarms', () => {
    const c1 = first.results.suites[0]!.cases.find((k) => k.model === 'timed')!;
    const c2 = second.results.suites[0]!.cases.find((k) => k.model === 'timed')!;
    expect(second.code).toBe(1);
    expect(c2.cached).toBe(true);
    expect(c2.alarms).toEqual(c1.alarms);
  });
});
