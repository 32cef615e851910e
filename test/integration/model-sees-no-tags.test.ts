/**
 * `scenario_tags` are the generator's record of what it injected, for the breakdowns: `subtle`
 * is only on anomalies, `noisy_normal` only on normals. A model that read them from its metadata
 * scored ROC AUC 0.83 on a hard-cases fleet without looking at a series, and beat random with
 * p = 7e-6. A model's metadata now has no tags, in fit and in score; the breakdowns keep them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/s.suite.ts': `import { defineModel, defineSuite } from 'bess-harness';
const byTags = defineModel({
  name: 'by-tags',
  version: '1',
  fit(train) {
    const tagged = train.systems.filter((s) => s.metadata.scenario_tags.length > 0);
    if (tagged.length > 0) throw new Error('fit saw tags: ' + tagged[0].metadata.scenario_tags.join(';'));
  },
  score(_series, ctx) {
    const tags = ctx.metadata.scenario_tags;
    return tags.includes('subtle') ? 1 : tags.includes('noisy_normal') ? 0 : 0.5;
  },
});
export default defineSuite({
  name: 'tags',
  dataset: { scenario: 'hard-cases', systems: 80, days: 2, interval: '1h', seed: 'tags' },
  models: [byTags],
  breakdown: ['scenario_tags'],
  expect: ({ metric }) => [metric('by-tags', 'roc_auc').toBeCloseTo(0.5, 1e-12)],
});
`,
  });
});
afterAll(() => project.cleanup());

it('a model that reads scenario_tags learns nothing from them; the breakdown still has them', async () => {
  const r = await runHarness(
    ['run', '--reporter', 'plain', '--reporter', 'json', '--no-history', '--no-cache'],
    { cwd: project.dir },
  );
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const results = JSON.parse(
    await readFile(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'),
  );
  const strata = results.suites[0].cases[0].breakdown.scenario_tags.map(
    (c: { stratum: string }) => c.stratum,
  );
  expect(strata).toEqual(expect.arrayContaining(['subtle', 'noisy_normal']));
});
