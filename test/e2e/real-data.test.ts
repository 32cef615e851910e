/**
 * The "done when", as a new user would try it: a real-looking export (semicolons,
 * Berlin local time across DST, mV and 0.1 °C integers, the 511 sentinel, three racks in one
 * file) imported with a mapping of a few lines, validated, queued for labeling, labelled,
 * and run next to a synthetic fleet with the synthetic and real metrics side by side.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berlinExport } from '../helpers/real-export.ts';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const SUITE = `import { defineSuite } from 'bess-harness';

export default defineSuite({
  name: 'sim-to-real',
  dataset: { source: 'all' },
  split: { folds: 3, seed: 1 },
  compareSources: true,
  models: ['random', 'pca'],
  expect: ({ metric }) => [metric('pca', 'roc_auc').toBeWithin(0, 1)],
});
`;

describe('real data end to end', { timeout: 240_000 }, () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  const e = berlinExport();
  beforeAll(async () => {
    ({ dir, cleanup } = await makeProject({
      'suites/sim-to-real.suite.ts': SUITE,
      'exports/site9.csv': e.text,
      'site9.mapping.json': e.mapping,
    }));
  });
  afterAll(() => cleanup());
  const run = (...args: string[]) => runHarness(args, { cwd: dir });

  it('imports, validates, samples, labels and runs synthetic and real side by side', async () => {
    const imp = await run('import', 'exports/*.csv', '--mapping', 'site9.mapping.json');
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('imported 3 systems');

    const valid = await run('validate');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('3 real system(s) not labelled yet): valid');

    const sample = await run(
      'sample',
      '--n',
      '3',
      '--by',
      'operational_mode,season',
      '--seed',
      '7',
    );
    expect(sample.code).toBe(0);
    const queue = JSON.parse(
      await readFile(path.join(dir, 'data', 'label-queue.json'), 'utf8'),
    ) as { systems: string[] };
    expect([...queue.systems].sort()).toEqual([...e.ids].sort());

    await writeFile(
      path.join(dir, 'site9-labels.csv'),
      `system_id,label,failure_type,lead_time_days,source,label_version\n${e.ids[0]},normal,none,,real,1\n${e.ids[1]},normal,none,,real,1\n${e.ids[2]},anomaly,cooling_failure,4,real,1\n`,
    );
    const labelled = await run(
      'import',
      'exports/site9.csv',
      '--mapping',
      'site9.mapping.json',
      '--labels',
      'site9-labels.csv',
    );
    expect(labelled.code).toBe(0);
    const realLabels = await readFile(path.join(dir, 'data', 'real', 'labels.csv'), 'utf8');
    expect(realLabels.trim().split('\n')).toHaveLength(4);
    const gen = await run('generate', '--scenario', 'smoke', '--systems', '24', '--days', '3');
    expect(gen.code).toBe(0);
    expect(await readFile(path.join(dir, 'data', 'real', 'labels.csv'), 'utf8')).toBe(realLabels);
    expect((await run('validate')).code).toBe(0);

    const r = await run('run', '--reporter', 'plain', '--reporter', 'json');
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/source all \(27 systems/);
    expect(r.stdout).toMatch(
      /source gap: roc_auc synthetic \d\.\d{3} vs real \d\.\d{3} \([−+]\d\.\d{3}\)/,
    );
    const results = JSON.parse(
      await readFile(path.join(dir, '.harness', 'last-run', 'results.json'), 'utf8'),
    ) as {
      suites: {
        cases: {
          model: string;
          sources: {
            synthetic: { n: number };
            real: { n: number; positives: number };
            gap: { roc_auc: number | null };
          };
        }[];
      }[];
    };
    const pca = results.suites[0]!.cases.find((c) => c.model === 'pca')!;
    expect(pca.sources.synthetic.n).toBe(24);
    expect(pca.sources.real).toMatchObject({ n: 3, positives: 1 });
    expect(typeof pca.sources.gap.roc_auc).toBe('number');
  });
});
