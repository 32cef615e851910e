/**
 * The baseline gate must never pass when it could not compare: a baseline of other telemetry
 * (same labels and metadata), of another split, or a roc_auc undefined now or in the baseline
 * fails the gate (exit 1) and says what to do. And `--update-baseline` loses nothing unnoticed:
 * an errored model keeps its old entry, and what an update replaced is printed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const PLUGIN = `import { defineModel } from 'bess-harness';
export default () => defineModel({
  name: 'dv', version: '1', derive: ['cell_delta_v_mv'],
  score(series) {
    if (process.env.BREAK_MODEL === '1') throw new Error('model broken');
    let max = 0;
    for (const v of series.sensors.cell_delta_v_mv ?? []) if (v > max) max = v;
    return Number(process.env.MODEL_SIGN ?? 1) * max;
  },
});
`;
const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 's',
  dataset: { path: 'fleet' },
  split: { test: Number(process.env.TEST_SHARE ?? 0.5), seed: 1 },
  models: ['random', 'dv'],
  baseline: { allowUnderpowered: true },
  expect: ({ metric }) => [metric('dv', 'roc_auc').toBeGreaterThan(0.6)],
});
`;

// Faults that a cell ΔV model sees: its roc_auc is well above the suite's 0.6.
const SCENARIO = `import { defineScenario } from 'bess-harness';
export default defineScenario({
  name: 'gate', systems: 60, days: 3, interval: '1h', seed: 'gate', anomalyRate: 0.4,
  failureTypes: { cell_imbalance: 1, internal_short: 1 },
  leadTimeDays: { kind: 'uniform', min: 0, max: 3 },
});
`;

let project: Awaited<ReturnType<typeof makeProject>>;
let baselineFile: string;
beforeAll(async () => {
  project = await makeProject({
    'plugins/dv/index.ts': PLUGIN,
    'suites/s.suite.ts': SUITE,
    'suites/scenarios/gate.scenario.ts': SCENARIO,
  });
  baselineFile = path.join(project.dir, 'suites', '__baselines__', 's.json');
  const g = await runHarness(['generate', '--scenario', 'gate', '--out', 'fleet'], {
    cwd: project.dir,
  });
  expect(g.code, g.stderr).toBe(0);
}, 60_000);
afterAll(() => project.cleanup());

// --no-cache: the model reads environment variables, which the score cache's key does not see.
const run = (args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runHarness(['run', '--no-history', '--no-cache', '--reporter', 'plain', ...args], {
    cwd: project.dir,
    env,
  });
const stored = async () => JSON.parse(await readFile(baselineFile, 'utf8'));

describe('a baseline of other telemetry', () => {
  it('is stale (exit 1) when a series file changed under the same labels and metadata', async () => {
    expect((await run(['--update-baseline'])).code).toBe(0);
    expect((await stored()).dataset.series_hash).toMatch(/^[0-9a-f]{64}$/);
    const same = await run();
    expect(same.code, same.stdout).toBe(0);

    const series = path.join(project.dir, 'fleet', 'raw', 'sys-0001.csv');
    const text = await readFile(series, 'utf8');
    const lines = text.split('\n');
    const cells = lines[1]!.split(',');
    cells[1] = String(Number(cells[1]) + 0.5);
    lines[1] = cells.join(',');
    await writeFile(series, lines.join('\n'));
    const changed = await run();
    await writeFile(series, text);
    expect(changed.code, changed.stdout).toBe(1);
    expect(changed.stdout).toMatch(
      /✗ baseline the baseline was made on other telemetry: the series files of path fleet changed .*: not compared; run `harness run --update-baseline`/,
    );
  }, 60_000);

  it('an older baseline that does not record the series is stale, with the fix, not compared', async () => {
    expect((await run(['--update-baseline'])).code).toBe(0);
    const b = await stored();
    delete b.dataset.series_hash;
    delete b.dataset.split;
    await writeFile(baselineFile, JSON.stringify(b));
    const r = await run();
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain(
      'the baseline does not record the telemetry it was made on (written before series files were hashed)',
    );
  }, 60_000);
});

describe('a gate that cannot compare', () => {
  it('a baseline of another test share is stale (exit 1): it passed "not gated" before', async () => {
    expect((await run(['--update-baseline'], { TEST_SHARE: '0.5' })).code).toBe(0);
    const r = await run([], { TEST_SHARE: '0.02' });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain(
      'the baseline was made on another split (50 % tested, seed "1"; this run: 2 % tested, seed "1")',
    );
  }, 60_000);

  it('a roc_auc undefined now and in the baseline fails the gate and says what to do', async () => {
    const write = await run(['--update-baseline'], { TEST_SHARE: '0.02' });
    expect(write.stdout).toContain('roc_auc is undefined for random, dv');
    const r = await run([], { TEST_SHARE: '0.02' });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(
      /✗ dv roc_auc is undefined now and in the baseline, so the gate cannot compare: .*test on more systems \(a larger split\.test\)/,
    );
    expect(r.stdout).toContain('Baseline 0 held, 2 failed');
  }, 60_000);
});

describe('--update-baseline loses nothing unnoticed', () => {
  it("keeps an errored model's old entry and says so", async () => {
    expect((await run(['--update-baseline'])).code).toBe(0);
    const before = (await stored()).models.dv;
    const r = await run(['--update-baseline'], { BREAK_MODEL: '1' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'baseline written for random; kept the old entry of dv: errored in this run',
    );
    expect((await stored()).models.dv).toEqual(before);
    // The kept entry still gates the model.
    const after = await run();
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/✓ dv roc_auc holds against the baseline/);
  }, 60_000);

  it('an update on a failing run writes, and prints the figures it replaced and the failed assertions', async () => {
    expect((await run(['--update-baseline'])).code).toBe(0);
    const was = (await stored()).models.dv.metrics.roc_auc as number;
    const r = await run(['--update-baseline'], { MODEL_SIGN: '-1' });
    expect(r.code, r.stdout).toBe(1);
    const now = (await stored()).models.dv.metrics.roc_auc as number;
    expect(r.stdout).toContain(
      `replaced dv roc_auc ${was.toFixed(3)} → ${now.toFixed(3)}; this run failed 1 assertion, and the baseline now holds its figures`,
    );
  }, 60_000);
});
