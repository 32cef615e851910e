/**
 * The baseline gate on a split too small for its tolerance: a drop it could not have detected
 * must not pass silently. The gate says how small a drop it can see and fails as underpowered,
 * unless the suite allows it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const plugin = (score: string) => `import { defineModel } from 'bess-harness';
export default () => defineModel({
  name: 'delta-v', version: '1', derive: ['cell_delta_v_mv'],
  score(series) {
    let max = 0;
    for (const v of series.sensors.cell_delta_v_mv ?? []) if (v > max) max = v;
    return ${score};
  },
});
`;
const suite = (baseline: string) => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'small',
  dataset: { scenario: { name: 'small-fleet', systems: 40, days: 2, interval: '1h', anomalyRate: 0.3, seed: 'power' } },
  models: ['delta-v'],
  ${baseline}
});
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'plugins/delta-v/index.ts': plugin('max'),
    'suites/small.suite.ts': suite(''),
  });
});
afterAll(() => project.cleanup());

const run = (args: readonly string[] = []) =>
  runHarness(['run', '--no-history', '--reporter', 'plain', '--reporter', 'json', ...args], {
    cwd: project.dir,
  });

describe('a suite that sets `baseline` with no baseline stored', () => {
  it('fails its gate (exit 1) and says how to write one: it passed ungated before', async () => {
    const file = path.join(project.dir, 'suites', 'small.suite.ts');
    await writeFile(file, suite('baseline: { tolerance: 0.02 },'));
    const r = await run();
    await writeFile(file, suite(''));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      "no baseline is stored (suites/__baselines__/small.json): the suite's baseline gate fails until one is written",
    );
    expect(r.stdout).toMatch(
      /✗ delta-v is not gated: the suite sets `baseline` but no baseline is stored; run `harness run --update-baseline` and commit suites\/__baselines__\/small\.json/,
    );
    expect(r.stdout).toContain('Baseline 0 held, 1 failed');
  });
});

describe('a baseline gate on too few systems', () => {
  it('fails as underpowered, saying the smallest drop it can detect, and passes only when the suite allows it', async () => {
    expect((await run(['--update-baseline'])).code).toBe(0);
    // A changed model whose ranking moves a little: the drop, if any, is far below what 20 test systems resolve.
    await writeFile(
      path.join(project.dir, 'plugins', 'delta-v', 'index.ts'),
      plugin("max * (1 + (Number(series.systemId.replace(/\\D/g, '')) % 5) * 0.05)"),
    );

    const strict = await run();
    expect(strict.code, strict.stdout + strict.stderr).toBe(1);
    expect(strict.stdout).toMatch(
      /✗ underpowered: delta-v roc_auc .*: the smallest drop this test can detect at alpha 0\.05 with 80 % power is (\d\.\d{3}), above the 0\.02 tolerance .*set baseline: \{ allowUnderpowered: true \}/,
    );
    const results = JSON.parse(
      await readFile(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'),
    );
    const gate = results.suites[0].baseline.gates[0];
    expect(gate).toMatchObject({ model: 'delta-v', state: 'failed', underpowered: true });
    expect(gate.minDetectableDrop).toBeGreaterThan(0.02);

    await writeFile(
      path.join(project.dir, 'suites', 'small.suite.ts'),
      suite('baseline: { allowUnderpowered: true },'),
    );
    const allowed = await run();
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(
      /✓ delta-v roc_auc holds against the baseline: .*\(underpowered, allowed: the smallest drop this test can detect .* is \d\.\d{3}/,
    );
  });
});
