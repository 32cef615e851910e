/**
 * A suite whose alarms could never fire must not pass an alarm gate. Windows of one day scored
 * by the baselines' rolling day give one instant per window, so with the default minDuration 3
 * no system can ever alarm; "0 false alarms per system-month" then measured the setup, and
 * `metric(m, 'false_alarms_per_system_month').toBeLessThan(0.5)` passed on any model. Now every
 * alarm metric is undefined with the reason, and the assertion fails (exit 1).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const SCENARIO = `import { defineScenario } from 'bess-harness';
export default defineScenario({ name: 'day-windows', systems: 8, days: 4, interval: '1h', window: '1d', anomalyRate: 0.5 });
`;
const suite = (alarms: string) => `import { defineSuite } from 'bess-harness';
import zscore from 'bess-harness/plugins/zscore';
export default defineSuite({
  name: 'windows', dataset: 'day-windows', split: { test: 0.5, seed: 1 },
  alarms: ${alarms},
  models: [zscore()],
  expect: ({ metric }) => [metric('zscore', 'false_alarms_per_system_month').toBeLessThan(0.5)],
});
`;

type Results = {
  suites: {
    cases: { metrics: Record<string, number | null>; undefined: Record<string, string> }[];
    assertions: { state: string; message: string }[];
  }[];
};

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/scenarios/day-windows.scenario.ts': SCENARIO,
    'suites/windows.suite.ts': suite('true'),
  });
});
afterAll(() => project.cleanup());

async function run(): Promise<{ code: number | null; stdout: string; results: Results }> {
  const r = await runHarness(['run', '--no-history', '--reporter', 'plain', '--reporter', 'json'], {
    cwd: project.dir,
  });
  const file = path.join(project.dir, '.harness', 'last-run', 'results.json');
  return {
    code: r.code,
    stdout: r.stdout + r.stderr,
    results: JSON.parse(readFileSync(file, 'utf8')) as Results,
  };
}

describe('alarms that could never fire', () => {
  it('make every alarm metric undefined with the reason, and the false-alarm gate fails', async () => {
    const r = await run();
    expect(r.code, r.stdout).toBe(1);
    const c = r.results.suites[0]!.cases[0]!;
    for (const name of [
      'false_alarms_per_system_month',
      'event_recall',
      'caught_with_7d_warning',
    ]) {
      expect(c.metrics[name], name).toBeNull();
      expect(c.undefined[name]).toMatch(
        /no alarm could fire: .* 3 scored instants in a row .* the most is 1/,
      );
    }
    expect(r.results.suites[0]!.assertions[0]!.state).toBe('failed');
    expect(r.stdout).toMatch(/false_alarms_per_system_month is undefined: no alarm could fire/);
  }, 120_000);

  it('with minDuration 1 the same windows can alarm, and the metrics are measured', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(project.dir, 'suites/windows.suite.ts'), suite('{ minDuration: 1 }'));
    const r = await run();
    expect([0, 1]).toContain(r.code);
    const c = r.results.suites[0]!.cases[0]!;
    expect(c.metrics['false_alarms_per_system_month']).toEqual(expect.any(Number));
    expect(c.metrics['event_recall']).toEqual(expect.any(Number));
  }, 120_000);
});
