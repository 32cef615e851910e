/**
 * `toBeChanceOnShuffledLabels` once shuffled the test labels against fixed scores: the mean AUC
 * over label permutations is 0.5 for any scores, so a model that read the answer key passed
 * ("✓ leaky is at chance on shuffled labels"). It now scores the test series again under each
 * other's system ids: a model whose answer comes from the id fails, one whose scores follow the
 * series passes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

/** Reads the fleet's labels at import and scores 1 for the ids labelled anomaly. */
const ANSWER_KEY = `import { readFileSync } from 'node:fs';
import { defineModel } from 'bess-harness';
const anomalies = new Set(readFileSync(new URL('../fleet/labels.csv', import.meta.url), 'utf8')
  .split('\\n').filter((l) => l.split(',')[1] === 'anomaly').map((l) => l.split(',')[0]));
export const leaky = defineModel({ name: 'leaky', version: '1', score: (s) => (anomalies.has(s.systemId) ? 1 : 0) });
// The same answer key joined on the metadata's system_id, as a feature table would be.
export const joined = defineModel({ name: 'joined', version: '1', score: (s, ctx) => (anomalies.has(ctx.metadata.system_id) ? 1 : 0) });
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    // 60 systems, half of them failing: 15 anomalies and 15 normals in the test half, the
    // fewest the DeLong test is calibrated on.
    'half.scenario.ts': `import { defineScenario } from 'bess-harness';
export default defineScenario({ name: 'half', systems: 60, days: 1, interval: '1h', seed: 'ids', anomalyRate: 0.5 });
`,
    'plugins/answer-key.ts': ANSWER_KEY,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
import { leaky, joined } from '../plugins/answer-key.ts';
export default defineSuite({
  name: 'ids',
  dataset: { path: 'fleet' },
  split: { test: 0.5, seed: 1 },
  models: [leaky, joined, 'random', 'zscore'],
  expect: ({ model }) => [
    model('leaky').toBeChanceOnShuffledLabels(),
    model('joined').toBeChanceOnShuffledLabels(),
    model('random').toBeChanceOnShuffledLabels(),
    model('zscore').toBeChanceOnShuffledLabels(),
  ],
});
`,
  });
  const gen = await runHarness(['generate', '--scenario', 'half.scenario.ts', '--out', 'fleet'], {
    cwd: project.dir,
  });
  expect(gen.code, gen.stderr).toBe(0);
}, 60_000);
afterAll(() => project.cleanup());

it('a model that reads the answer key by id fails; random (scores drawn from the id) and zscore pass', async () => {
  const r = await runHarness(['run', '--reporter', 'plain', '--no-history', '--no-cache'], {
    cwd: project.dir,
  });
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('n 30 (15 anomalies)');
  for (const m of ['leaky', 'joined'])
    expect(r.stdout).toMatch(
      new RegExp(
        `✗ expected ${m}'s AUC to hold when the test series are scored under each other's system ids, got AUC 0\\.\\d+ with the ids shuffled vs 1\\.000 with the real ids \\(paired DeLong, one-sided p (=|<) 0\\.\\d+ < 0\\.01\\): .*points at a leak`,
      ),
    );
  expect(r.stdout).toMatch(
    /✓ random's AUC holds with the test ids shuffled: AUC 0\.\d+ with the ids shuffled vs 0\.\d+ with the real ids \(paired DeLong, one-sided p = 0\.\d+ ≥ 0\.01; 30 of 30 scores changed\)/,
  );
  expect(r.stdout).toMatch(/✓ zscore's scores follow the series, not the id: the 30 test series/);
  expect(r.code).toBe(1);
}, 120_000);
