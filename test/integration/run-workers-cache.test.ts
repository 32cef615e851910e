/**
 * Parallel scoring and the score cache, through runSuites in this process: the same metrics
 * whatever the number of workers, cached cases on a second run with identical results, and
 * errors (a throw, a NaN) that stay errored cases naming the system, in workers and never cached.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import type { ResolvedConfig } from '../../src/config/types.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { CaseResult, RunResult } from '../../src/runner/types.ts';

const SRC = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
let root = '';
let config: ResolvedConfig;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-pool-'));
  await mkdir(path.join(root, 'suites'), { recursive: true });
  await writeFile(
    path.join(root, 'suites', 'pool.suite.ts'),
    `import { defineModel, defineSuite } from ${JSON.stringify(SRC)};
const dataset = { scenario: { name: 'pool', systems: 40, days: 2, interval: '30m', anomalyRate: 0.3, seed: 'pool' } };
const flaky = defineModel({ name: 'flaky', version: '1', score: (s) => { if (s.systemId.endsWith('7')) throw new Error('boom'); return 1; } });
const nan = defineModel({ name: 'nan', version: '1', score: (s) => (s.systemId.endsWith('9') ? NaN : 1) });
export default [
  defineSuite({ name: 'pool', dataset, models: ['random', 'zscore', ['pca', { components: 2 }]] }),
  defineSuite({ name: 'pool-errors', dataset, models: ['random', flaky, nan] }),
];
`,
  );
  await writeFile(path.join(root, 'package.json'), '{ "name": "pool-fixture", "private": true, "type": "module" }\n');
  config = resolveConfig({}, null, root);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(workers: number, cache: boolean, cacheDir = 'cache-off'): Promise<RunResult> {
  const suites = await collectSuites(config);
  return runSuites(suites, { ...config, workers, cacheDir: path.join(root, cacheDir) }, [], { seed: 's', harnessVersion: 'test', cache, minSystemsPerWorker: 1 });
}

const metricsOf = (r: RunResult): unknown =>
  r.suites.map((s) => s.cases.map((c) => (c.state === 'scored' ? { model: c.model, metrics: c.summary.metrics, ci: c.summary.ci, scores: Array.from(c.scores) } : { model: c.model, error: c.error })));

const caseOf = (r: RunResult, suite: string, model: string): CaseResult => r.suites.find((s) => s.name === suite)!.cases.find((c) => c.model === model)!;

describe('harness run with a worker pool and a score cache', () => {
  it('gives the same results with 1 and 2 workers, and turns a throw or a NaN into an errored case naming the system', async () => {
    const one = await run(1, false);
    const two = await run(2, false);
    expect(metricsOf(two)).toEqual(metricsOf(one));
    for (const r of [one, two]) {
      const flaky = caseOf(r, 'pool-errors', 'flaky');
      const nan = caseOf(r, 'pool-errors', 'nan');
      expect(flaky.state === 'errored' && flaky.error).toMatch(/^score\(sys-\d*7\): boom$/);
      expect(nan.state === 'errored' && nan.error).toMatch(/^score\(sys-\d*9\): returned NaN/);
      expect(caseOf(r, 'pool', 'pca').state).toBe('scored');
    }
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
    expect(off.suites.flatMap((s) => s.cases).some((c) => c.state === 'scored' && c.cached)).toBe(false);
  });
});
