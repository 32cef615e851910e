/**
 * A damaged score-cache entry (cut short, a null or a string among its scores, a field missing)
 * is a miss: the model is scored again and the figures are those of a fresh run. Before, a cut
 * entry was used silently (another ROC AUC), a missing field was an "internal error", and a
 * string score blamed the model.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const PLUGIN = `import { defineModel } from 'bess-harness';
export default () => defineModel({
  name: 'dv', version: '1', derive: ['cell_delta_v_mv'],
  score(series) {
    let max = 0;
    for (const v of series.sensors.cell_delta_v_mv ?? []) if (v > max) max = v;
    return max;
  },
});
`;
const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 's',
  dataset: { scenario: { name: 'cache-fleet', systems: 60, days: 2, interval: '1h', anomalyRate: 0.4, seed: 'c' } },
  split: { test: 0.5, seed: 1 },
  models: ['dv'],
});
`;

let project: Awaited<ReturnType<typeof makeProject>>;
let entryFile: string;
let fresh: { roc_auc: number; average_precision: number };
const run = () => runHarness(['run', '--no-history', '--reporter', 'json'], { cwd: project.dir });
const resultCase = async () =>
  JSON.parse(await readFile(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'))
    .suites[0].cases[0];

beforeAll(async () => {
  project = await makeProject({ 'plugins/dv/index.ts': PLUGIN, 'suites/s.suite.ts': SUITE });
  const first = await run();
  expect(first.code, first.stderr).toBe(0);
  const c = await resultCase();
  expect(c.cached).toBe(false);
  fresh = { roc_auc: c.metrics.roc_auc, average_precision: c.metrics.average_precision };
  const dir = path.join(project.dir, '.harness', 'cache', 'scores');
  const [name] = (await readdir(dir)).filter((f) => f.startsWith('dv@'));
  entryFile = path.join(dir, name!);
  const second = await run();
  expect(second.code).toBe(0);
  expect((await resultCase()).cached).toBe(true);
}, 60_000);
afterAll(() => project.cleanup());

describe('a damaged score-cache entry', () => {
  const edits: [string, (s: Record<string, any>) => void][] = [
    ['test scores cut to 10', (s) => (s.testScores = s.testScores.slice(0, 10))],
    ['a null test score', (s) => (s.testScores[3] = null)],
    ['a string test score', (s) => (s.testScores[3] = String(s.testScores[3]))],
    ['no trainNormalScores', (s) => delete s.trainNormalScores],
    ['trainNormalScores cut short', (s) => s.trainNormalScores.pop()],
    ['a string fitMs', (s) => (s.fitMs = 'fast')],
    ['overTime of the wrong shape', (s) => (s.overTime = { test: [1] })],
  ];
  for (const [what, edit] of edits)
    it(`${what}: is scored again, never used`, async () => {
      const text = await readFile(entryFile, 'utf8');
      const stored = JSON.parse(text);
      edit(stored.scores);
      await writeFile(entryFile, JSON.stringify(stored));
      const r = await run();
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const c = await resultCase();
      expect(c.state).toBe('scored');
      expect(c.cached).toBe(false);
      expect(c.metrics.roc_auc).toBe(fresh.roc_auc);
      expect(c.metrics.average_precision).toBe(fresh.average_precision);
      // The miss was written again whole (its timings are new ones).
      const rewritten = JSON.parse(await readFile(entryFile, 'utf8'));
      const was = JSON.parse(text);
      expect(rewritten.scores.testScores).toEqual(was.scores.testScores);
      expect(rewritten.scores.trainNormalScores).toEqual(was.scores.trainNormalScores);
    }, 30_000);
});
