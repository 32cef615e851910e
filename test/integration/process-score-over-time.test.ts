/**
 * A Python model's `score_over_time` through the process protocol (python/tests/example_models/
 * rolling_temp.py): `harness run` scores each test system over time in the model's process,
 * raises alarms and attaches them to the case; a bad answer is an error naming the system.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import type { MetadataRow, SystemSeries } from '../../src/data/types.ts';
import { createProcessPlugin } from '../../src/plugin/process/process-plugin.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { RunResult } from '../../src/runner/types.ts';
import { REPO_ROOT } from '../helpers/run-harness.ts';

const PY = path.join(REPO_ROOT, '.venv-python', 'bin', 'python');
const SPEC = {
  command: [PY, '-m', 'example_models.rolling_temp'],
  cwd: path.join(REPO_ROOT, 'python', 'tests'),
  env: { PYTHONPATH: path.join(REPO_ROOT, 'python') },
};

let root = '';
let result: RunResult;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-over-time-'));
  await mkdir(path.join(root, 'suites'), { recursive: true });
  // The repository, installed as `bess-harness`: the suite shares the workers' compiled harness.
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await symlink(REPO_ROOT, path.join(root, 'node_modules', 'bess-harness'), 'dir');
  await writeFile(
    path.join(root, 'suites', 'py.suite.ts'),
    `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'py-alarms',
  dataset: { scenario: { name: 'py', systems: 16, days: 3, interval: '1h', anomalyRate: 0.25, seed: 'py' } },
  alarms: { minDuration: 2, cooldown: '12h' },
  models: ['py-rolling'],
});
`,
  );
  await writeFile(path.join(root, 'package.json'), '{ "name": "over-time", "type": "module" }\n');
  const config = resolveConfig({ models: { 'py-rolling': SPEC } }, null, root);
  result = await runSuites(
    await collectSuites(config),
    { ...config, workers: 1, cacheDir: path.join(root, 'cache') },
    [],
    { seed: 's', harnessVersion: 'test', cache: false },
  );
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a Python model with score_over_time', () => {
  it('gets alarms on its case, from one score per sample of each test system', () => {
    const c = result.suites[0]!.cases[0]!;
    if (c.state !== 'scored') throw new Error(`the case errored: ${c.error}`);
    const a = c.alarms!;
    expect(a).toMatchObject({ minDuration: 2, cooldownDays: 0.5 });
    expect(Number.isFinite(a.threshold)).toBe(true);
    expect(a.summary.counts.systems).toBe(c.systemIds.length);
    expect(a.timelines.length).toBeGreaterThan(0);
    for (const t of a.timelines) {
      // rolling('3h') keeps the series' own index: 3 days at 1 h, about 72 instants.
      expect(t.t.length).toBeGreaterThan(60);
      expect(t.t.length).toBe(t.score.length);
      expect(t.threshold).toBe(a.threshold);
    }
    expect(c.summary.metrics).toHaveProperty('false_alarms_per_system_month');
    expect(c.summary.metrics['false_alarms_per_system_month']).toBeGreaterThanOrEqual(0);
  });

  it('a bad answer rejects with the model process message naming the system', async () => {
    const plugin = createProcessPlugin('py', SPEC, {}, { root, harnessVersion: 'test' });
    const timestamps = Float64Array.from([0, 1, 2], (h) => Date.UTC(2026, 0, 1, h));
    const series: SystemSeries = {
      systemId: 'bad',
      source: 'synthetic',
      timestamps,
      sensors: { temp_cell_max_c: Float64Array.from([20, 21, 22]) },
    } as SystemSeries;
    const metadata = {
      system_id: 'bad',
      source: 'synthetic',
      operational_mode: 'arbitrage',
      season: 'list',
      scenario_tags: [],
    } as unknown as MetadataRow;
    const ctx = { seed: 's', signal: new AbortController().signal, metadata };
    try {
      await expect(plugin.scoreOverTime!(series, ctx)).rejects.toThrow(
        /answered score_over_time with an error: score_over_time for system bad returned list/,
      );
      const ok = await plugin.scoreOverTime!(series, {
        ...ctx,
        metadata: { ...metadata, season: 'winter' },
      });
      expect(ok).toEqual({ t: Array.from(timestamps), score: [20, 20.5, 21] });
    } finally {
      await plugin.teardown?.();
    }
  }, 60_000);
});
