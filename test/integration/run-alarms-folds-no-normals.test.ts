/**
 * With k folds, a fold whose training systems hold no normal has no alarm threshold (alarms fire
 * at a train-FPR threshold of the training normals' scores over time). Its margins were all
 * -Infinity: its systems silently never alarmed, and "0 false alarms per system-month" passed a
 * gate. The one-score path already errors the case for such a fold; alarms now do too (exit 2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const SCENARIO = `import { defineScenario } from 'bess-harness';
export default defineScenario({ name: 'all-failing', systems: 6, days: 3, interval: '1h', anomalyRate: 1 });
`;
// random fits nothing and top_k needs no training normals: the one-score path has a threshold in
// every fold, and only the alarms lack one.
const SUITE = `import { defineSuite } from 'bess-harness';
import random from 'bess-harness/plugins/random';
export default defineSuite({
  name: 'folds', dataset: 'all-failing', split: { folds: 2, seed: 1 },
  threshold: { kind: 'top_k', k: 2 },
  alarms: { minDuration: 1 },
  models: [random()],
  expect: ({ metric }) => [metric('random', 'false_alarms_per_system_month').toBeLessThan(0.5)],
});
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/scenarios/all-failing.scenario.ts': SCENARIO,
    'suites/folds.suite.ts': SUITE,
  });
});
afterAll(() => project.cleanup());

describe('alarms with k folds', () => {
  it('a fold without training normals errors the case (exit 2), never alarms that cannot fire', async () => {
    const r = await runHarness(
      ['run', '--no-history', '--reporter', 'plain', '--reporter', 'json'],
      {
        cwd: project.dir,
      },
    );
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(2);
    const results = JSON.parse(
      readFileSync(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'),
    ) as { suites: { cases: { error?: string }[] }[] };
    expect(results.suites[0]!.cases[0]!.error).toMatch(
      /fold \d: no training normals to set the alarm threshold on/,
    );
  }, 120_000);
});
