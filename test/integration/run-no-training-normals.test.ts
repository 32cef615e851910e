/**
 * A train-FPR threshold on a split with no training normal cannot be set. The runner scored at
 * an infinite threshold, flagging nothing: `fpr` read 0 and `specificity` 1, and a suite
 * asserting `fpr < 0.05` passed (exit 0) on a model that was never thresholded. Every metric at
 * the threshold is now undefined, with the reason; ROC AUC still stands.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'notrain',
  dataset: { scenario: { name: 'notrain', systems: 12, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'nt' } },
  split: { test: 0.99, seed: 1 },
  models: ['random'],
  expect: ({ metric }) => [
    metric('random', 'fpr').toBeLessThan(0.05),
    metric('random', 'specificity').toBeGreaterThan(0.95),
    metric('random', 'roc_auc').toBeWithin(0, 1),
    metric('random', 'threshold').toBeGreaterThan(0),
  ],
});
`,
  });
});
afterAll(() => project.cleanup());

it('fails fpr and specificity as undefined, and keeps ROC AUC', async () => {
  const r = await runHarness(
    ['run', '--reporter', 'plain', '--reporter', 'json', '--no-history', '--no-cache'],
    { cwd: project.dir },
  );
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toContain('0 train / 12 test');
  expect(r.stdout).toContain(
    "✗ random fpr is undefined: no training normals: the 5 % FPR threshold is set on the training normals' scores, and this split has none",
  );
  // The threshold itself said "is undefined: no reason given".
  expect(r.stdout).toContain(
    "✗ random threshold is undefined: no training normals: the 5 % FPR threshold is set on the training normals' scores, and this split has none",
  );
  const results = JSON.parse(
    await readFile(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'),
  );
  const summary = results.suites[0].cases[0];
  expect(summary.metrics).toMatchObject({ fpr: null, specificity: null, recall: null });
  expect(summary.metrics.roc_auc).toEqual(expect.any(Number));
  for (const cells of Object.values(summary.breakdown) as { metrics: { recall: unknown } }[][])
    for (const cell of cells) expect(cell.metrics.recall).toBeNull();
  expect(results.suites[0].assertions.map((a: { state: string }) => a.state)).toEqual([
    'failed',
    'failed',
    'passed',
    'failed',
  ]);
});
