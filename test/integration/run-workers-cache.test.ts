/**
 * Parallel scoring and the score cache, through runSuites in this process: the same metrics
 * whatever the number of workers, cached cases on a second run with identical results, and
 * errors (a throw, a NaN) that stay errored cases naming the system, in workers and never cached.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import type { ResolvedConfig } from '../../src/config/types.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { CaseResult, RunResult } from '../../src/runner/types.ts';

/** The repository, installed in the fixture project as `bess-harness`. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
let root = '';
let config: ResolvedConfig;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-pool-'));
  await mkdir(path.join(root, 'suites'), { recursive: true });
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await symlink(REPO, path.join(root, 'node_modules', 'bess-harness'), 'dir');
  await writeFile(
    path.join(root, 'suites', 'pool.suite.ts'),
    `import { appendFileSync } from 'node:fs';
import { defineModel, defineSuite } from 'bess-harness';
const dataset = { scenario: { name: 'pool', systems: 40, days: 2, interval: '30m', anomalyRate: 0.3, seed: 'pool' } };
const flaky = defineModel({ name: 'flaky', version: '1', score: (s) => { if (s.systemId.endsWith('7')) throw new Error('boom'); return 1; } });
const nan = defineModel({ name: 'nan', version: '1', score: (s) => (s.systemId.endsWith('9') ? NaN : 1) });
// Models that log each fit to a file (one line per fit, in whichever thread fits) and score with
// what they learned, so a state that did not reach a worker would change the scores.
const LOG = ${JSON.stringify('__LOG__')};
function counted(name, ship, restoreFails = false) {
  let n = 0;
  return defineModel({
    name, version: '1',
    fit(train) { appendFileSync(LOG, name + '\\n'); n = train.systems.length; },
    score: (s) => (Number(s.systemId.replace(/\\D/g, '')) % 7) * n,
    ...(ship ? { saveState: () => ({ n }), restoreState(state) { if (restoreFails) throw new Error('bad state'); n = state.n; } } : {}),
  });
}
// Writes into everything it is handed: the series, its arrays and the metadata.
const vandal = defineModel({ name: 'vandal', version: '1', score(s, ctx) {
  for (const v of Object.values(s.sensors)) v?.fill(0);
  s.sensors.cell_delta_v_mv = new Float64Array(1);
  s.timestamps.fill(0);
  ctx.metadata.operational_mode = 'backup';
  return 1;
} });
const fitFails = defineModel({ name: 'fit-fails', version: '1', fit() { throw new Error('nope'); }, saveState: () => 1, restoreState() {}, score: () => 1 });
export default [
  defineSuite({ name: 'pool', dataset, models: ['random', 'zscore', ['pca', { components: 2 }]] }),
  defineSuite({ name: 'pool-errors', dataset, models: ['random', flaky, nan] }),
  defineSuite({ name: 'pool-fits', dataset, models: [counted('shipped', true), counted('refit', false), fitFails] }),
  defineSuite({ name: 'pool-restore', dataset, models: [counted('restore-fails', true, true)] }),
  defineSuite({ name: 'pool-vandal', dataset, models: [vandal, 'zscore'] }),
];
`.replace('__LOG__', path.join(root, 'fits.log')),
  );
  await writeFile(
    path.join(root, 'package.json'),
    '{ "name": "pool-fixture", "private": true, "type": "module" }\n',
  );
  config = resolveConfig({}, null, root);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(
  workers: number,
  cache: boolean,
  cacheDir = 'cache-off',
  only?: readonly string[],
  scoreBatch?: number,
): Promise<RunResult> {
  const suites = (await collectSuites(config)).filter((s) =>
    only ? only.includes(s.spec.name) : !['pool-restore', 'pool-vandal'].includes(s.spec.name),
  );
  return runSuites(suites, { ...config, workers, cacheDir: path.join(root, cacheDir) }, [], {
    seed: 's',
    harnessVersion: 'test',
    cache,
    minSystemsPerWorker: 1,
    ...(scoreBatch !== undefined ? { scoreBatch } : {}),
  });
}

const metricsOf = (r: RunResult): unknown =>
  r.suites.map((s) =>
    s.cases.map((c) =>
      c.state === 'scored'
        ? {
            model: c.model,
            metrics: c.summary.metrics,
            ci: c.summary.ci,
            scores: Array.from(c.scores),
          }
        : { model: c.model, error: c.error },
    ),
  );

const caseOf = (r: RunResult, suite: string, model: string): CaseResult =>
  r.suites.find((s) => s.name === suite)!.cases.find((c) => c.model === model)!;

describe('harness run with a worker pool and a score cache', () => {
  it('gives the same results with 1 and 2 workers and in batches of 3 systems, and turns a throw or a NaN into an errored case naming the system', async () => {
    const one = await run(1, false);
    const two = await run(2, false);
    // Each worker's block in many batches: neither the scores nor the first error in system
    // order may change.
    const batched = await run(2, false, 'cache-off', undefined, 3);
    expect(metricsOf(two)).toEqual(metricsOf(one));
    expect(metricsOf(batched)).toEqual(metricsOf(one));
    for (const r of [one, two, batched]) {
      const flaky = caseOf(r, 'pool-errors', 'flaky');
      const nan = caseOf(r, 'pool-errors', 'nan');
      expect(flaky.state === 'errored' && flaky.error).toMatch(/^score\(sys-\d*7\): boom$/);
      expect(nan.state === 'errored' && nan.error).toMatch(/^score\(sys-\d*9\): returned NaN/);
      expect(caseOf(r, 'pool', 'pca').state).toBe('scored');
      // Every case, scored or errored, carries the seed its model was given (the run's seed is 's').
      for (const s of r.suites)
        for (const c of s.cases) expect(c.seed).toBe(`s:${s.name}:${c.model}`);
    }
  });

  it('fits a model that ships its state once, in one worker; a model without saveState/restoreState fits in every worker', async () => {
    const log = path.join(root, 'fits.log');
    const fitsOf = async (workers: number) => {
      await rm(log, { force: true });
      const r = await run(workers, false, 'cache-off', ['pool-fits']);
      const lines = (await readFile(log, 'utf8')).trim().split('\n');
      return {
        r,
        shipped: lines.filter((l) => l === 'shipped').length,
        refit: lines.filter((l) => l === 'refit').length,
      };
    };
    const one = await fitsOf(1);
    const two = await fitsOf(2);
    expect([one.shipped, one.refit]).toEqual([1, 1]);
    expect([two.shipped, two.refit]).toEqual([1, 2]);
    expect(metricsOf(two.r)).toEqual(metricsOf(one.r));
    expect(caseOf(two.r, 'pool-fits', 'shipped').state).toBe('scored');
    const failed = caseOf(two.r, 'pool-fits', 'fit-fails');
    expect(failed.state === 'errored' && failed.error).toBe('fit: nope');
  });

  it('turns a failing restoreState in a worker into an errored case', async () => {
    const r = await run(2, false, 'cache-off', ['pool-restore']);
    const c = caseOf(r, 'pool-restore', 'restore-fails');
    expect(c.state === 'errored' && c.error).toBe('restoreState: bad state');
  });

  it('reads unchanged inputs back from the cache (cached cases, identical results) and never caches an error', async () => {
    const first = await run(2, true, 'cache-on');
    const second = await run(1, true, 'cache-on');
    expect(metricsOf(second)).toEqual(metricsOf(first));
    for (const r of [first, second]) {
      for (const c of r.suites.flatMap((s) => s.cases)) {
        if (c.state === 'errored') expect(c).not.toHaveProperty('cached', true);
        else expect(c.cached).toBe(r === second);
      }
    }
    expect(caseOf(second, 'pool-errors', 'flaky').state).toBe('errored');
    const off = await run(1, false, 'cache-on');
    expect(off.suites.flatMap((s) => s.cases).some((c) => c.state === 'scored' && c.cached)).toBe(
      false,
    );
  });

  it('gives each model series and metadata of its own: one that writes into them changes nothing for the others', async () => {
    for (const workers of [1, 2]) {
      const r = await run(workers, false, 'cache-off', ['pool', 'pool-vandal']);
      const clean = caseOf(r, 'pool', 'zscore');
      const beside = caseOf(r, 'pool-vandal', 'zscore');
      expect(caseOf(r, 'pool-vandal', 'vandal').state).toBe('scored');
      expect(clean.state === 'scored' && beside.state === 'scored').toBe(true);
      if (clean.state !== 'scored' || beside.state !== 'scored') return;
      expect(Array.from(beside.scores)).toEqual(Array.from(clean.scores));
      expect(beside.summary.breakdown).toEqual(clean.summary.breakdown);
    }
  });

  it('scores again when a code file of the project changed, though name, version and options did not', async () => {
    const cachedFlags = (r: RunResult): unknown[] =>
      r.suites.flatMap((s) => s.cases).map((c) => c.state === 'scored' && c.cached === true);
    await run(1, true, 'cache-code', ['pool']);
    expect(cachedFlags(await run(1, true, 'cache-code', ['pool']))).toEqual([true, true, true]);
    await writeFile(path.join(root, 'suites', 'helper.ts'), 'export const edited = 1;\n');
    expect(cachedFlags(await run(1, true, 'cache-code', ['pool']))).toEqual([false, false, false]);
  });
});
