/**
 * The score cache of a suite over a Parquet fleet (`dataset: { path }`): a part file changed
 * since the last run is a cache miss, as an edited CSV series is. The data key once stat'ed
 * `raw/<id>.csv` only, which a Parquet fleet does not have: every series was "missing" on every
 * run, and a damaged part was scored from the cache, a green gate that should have been red.
 */
import { copyFile, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const SUITE = `import { defineSuite } from 'bess-harness';
import zscore from 'bess-harness/plugins/zscore';
export default defineSuite({ name: 'pq', dataset: { path: 'fleet' }, split: { test: 0.5, seed: 2 }, models: [zscore()] });
`;

describe('the score cache over a Parquet fleet', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  const run = () => runHarness(['run', '--reporter', 'plain'], { cwd: project.dir });
  beforeAll(async () => {
    project = await makeProject({
      'harness.config.ts': 'export default { workers: 1 };\n',
      'suites/pq.suite.ts': SUITE,
    });
    const gen = await runHarness(
      [
        'generate',
        '--systems',
        '8',
        '--days',
        '1',
        '--interval',
        '15m',
        '--seed',
        '3',
        '--format',
        'parquet',
        '--out',
        'fleet',
      ],
      { cwd: project.dir },
    );
    expect(gen.code, gen.stderr).toBe(0);
  });
  afterAll(async () => project.cleanup());

  // Spark and pyarrow read a file of another name in a system's folder as rows of its series; the
  // harness refuses the series. Added after a cached run, it must not be served the cached scores.
  it('refuses every series with a file beside its parts that is not a part, cached or not', async () => {
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const raw = path.join(project.dir, 'fleet', 'raw');
    const ids = (await readdir(raw)).sort();
    for (const id of ids)
      await copyFile(path.join(raw, id, 'part-0.parquet'), path.join(raw, id, 'part-1.PARQUET'));
    try {
      const refused = await run();
      expect(refused.code, refused.stdout + refused.stderr).toBe(2);
      expect(refused.stdout).not.toContain('(cached)');
      expect(refused.stdout + refused.stderr).toMatch(
        /system_id=sys-\d+\/part-1\.PARQUET: a file in the system's folder that is not a part \(\*\.parquet\)/,
      );
      const validate = await runHarness(['validate', '--data', 'fleet'], { cwd: project.dir });
      expect(validate.code).toBe(2);
      for (const id of ids)
        expect(validate.stdout + validate.stderr).toContain(path.join(id, 'part-1.PARQUET'));
    } finally {
      for (const id of ids) await rm(path.join(raw, id, 'part-1.PARQUET'));
    }
  });

  it('reads unchanged data back from the cache (the control), and scores again when a part changed', async () => {
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const again = await run();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(cached)');
    // Every system is in the run (train or test): a damaged part must stop it.
    const part = path.join(project.dir, 'fleet', 'raw', 'system_id=sys-0001', 'part-0.parquet');
    const bytes = await readFile(part);
    await writeFile(part, bytes.subarray(0, bytes.length - 100));
    const damaged = await run();
    expect(damaged.stdout).not.toContain('(cached)');
    expect(damaged.code).toBe(2);
    expect(damaged.stdout + damaged.stderr).toContain(
      path.join('system_id=sys-0001', 'part-0.parquet'),
    );
  });
});
