import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

/**
 * The suites this repository ships are the harness's own validation checklist: `npx harness run`
 * on a fresh clone must pass them. Run them as the README's first command does.
 */
describe('the shipped suites (npx harness run)', () => {
  let out: { dir: string; cleanup: () => Promise<void> };
  let json: {
    summary: { exitCode: number; assertions: { passed: number; failed: number; errored: number } };
    suites: {
      name: string;
      error: string | null;
      assertions: { state: string; message: string }[];
      cases: { model: string; state: string; metrics?: Record<string, number | null> }[];
    }[];
  };
  let code: number | null;
  beforeAll(async () => {
    out = await tempDir();
    const r = await runHarness(['run', '--reporter', 'json', '--out-dir', out.dir]);
    code = r.code;
    json = JSON.parse(await readFile(path.join(out.dir, 'results.json'), 'utf8'));
  }, 240_000);
  afterAll(async () => out.cleanup());

  it('all hold: exit 0, no failed or errored assertion', () => {
    const bad = json.suites.flatMap((s) =>
      s.assertions.filter((a) => a.state !== 'passed').map((a) => `${s.name}: ${a.message}`),
    );
    expect(bad).toEqual([]);
    expect(code).toBe(0);
    expect(json.suites.map((s) => s.name).sort()).toEqual([
      'alarms',
      'edge-all-anomaly',
      'edge-all-normal',
      'edge-cases',
      'edge-missing-data',
      'python-iforest',
      'smoke',
    ]);
  });

  it('the alarms suite judges when the baselines warned (README "Alarms: when did it warn?")', () => {
    const alarms = json.suites.find((s) => s.name === 'alarms')!;
    const pca = alarms.cases.find((c) => c.model === 'pca')!.metrics!;
    expect(pca['median_warning_days']).toBeGreaterThan(7);
    expect(pca['false_alarms_per_system_month']).toBeLessThan(0.5);
  });

  it('random ≈ 0.5, and zscore and pca above it on the default fleet', () => {
    const smoke = json.suites.find((s) => s.name === 'smoke')!;
    const auc = (m: string) => smoke.cases.find((c) => c.model === m)!.metrics!['roc_auc']!;
    expect(Math.abs(auc('random') - 0.5)).toBeLessThan(0.15);
    expect(auc('zscore')).toBeGreaterThan(auc('random'));
    expect(auc('pca')).toBeGreaterThan(auc('random'));
  });

  it('a Python model (examples/python-iforest, a process model) is scored beside the TypeScript baselines and beats random', () => {
    const suite = json.suites.find((s) => s.name === 'python-iforest')!;
    expect(suite.error).toBeNull();
    expect(suite.cases.map((c) => [c.model, c.state])).toEqual([
      ['random', 'scored'],
      ['pca', 'scored'],
      ['iforest', 'scored'],
    ]);
    const auc = (m: string) => suite.cases.find((c) => c.model === m)!.metrics!['roc_auc']!;
    expect(auc('iforest')).toBeGreaterThan(auc('random'));
    expect(suite.assertions.map((a) => a.state)).toEqual(['passed', 'passed']);
  });

  it('degenerate datasets report undefined metrics as null, not as numbers', () => {
    const allNormal = json.suites.find((s) => s.name === 'edge-all-normal')!;
    for (const c of allNormal.cases) expect(c.metrics!['roc_auc']).toBeNull();
  });
});
