/**
 * Scores over time in the worker pool: each worker scores its block of systems over time, the
 * blocks are put back in order, and the alarms are the same whatever the number of workers; a
 * bad score over time in a worker is the case's error naming the system.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { CaseResult, RunResult } from '../../src/runner/types.ts';

/** The repository, installed in the fixture project as `bess-harness`. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
let root = '';

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-alarm-pool-'));
  await mkdir(path.join(root, 'suites'), { recursive: true });
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await symlink(REPO, path.join(root, 'node_modules', 'bess-harness'), 'dir');
  await writeFile(
    path.join(root, 'suites', 'pool.suite.ts'),
    `import { defineModel, defineSuite } from 'bess-harness';
const dataset = { scenario: { name: 'alarm-pool', systems: 30, days: 4, interval: '1h', anomalyRate: 0.3, seed: 'ap' } };
const bad = defineModel({ name: 'bad', version: '1', score: () => 1,
  scoreOverTime: (s) => ({ t: [s.timestamps[0]], score: [s.systemId.endsWith('7') ? Infinity : 1] }) });
export default [
  defineSuite({ name: 'pool', dataset, alarms: { minDuration: 2 }, models: ['random', 'zscore'] }),
  defineSuite({ name: 'pool-bad', dataset, alarms: true, models: [bad] }),
];
`,
  );
  await writeFile(path.join(root, 'package.json'), '{ "name": "alarm-pool", "type": "module" }\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(workers: number, scoreBatch?: number): Promise<RunResult> {
  const config = resolveConfig({}, null, root);
  return runSuites(await collectSuites(config), { ...config, workers }, [], {
    seed: 's',
    harnessVersion: 'test',
    cache: false,
    minSystemsPerWorker: 1,
    ...(scoreBatch !== undefined ? { scoreBatch } : {}),
  });
}

const scored = (c: CaseResult | undefined) => {
  if (c?.state !== 'scored') throw new Error(`not scored: ${JSON.stringify(c)}`);
  return c;
};

describe('scores over time in worker threads', () => {
  let one: RunResult;
  let three: RunResult;
  let batched: RunResult;
  beforeAll(async () => {
    one = await run(1);
    three = await run(3);
    batched = await run(2, 4);
  }, 180_000);

  it('give the same alarms, metrics and timelines with one worker, three, or two scoring 4 systems a batch', () => {
    for (const model of ['random', 'zscore']) {
      const a = scored(one.suites[0]!.cases.find((c) => c.model === model));
      const b = scored(three.suites[0]!.cases.find((c) => c.model === model));
      const c = scored(batched.suites[0]!.cases.find((x) => x.model === model));
      expect(a.alarms, model).toBeDefined();
      expect(b.alarms).toEqual(a.alarms);
      expect(c.alarms).toEqual(a.alarms);
      expect(a.alarms!.summary.counts.systems).toBe(a.systemIds.length);
    }
  });

  it('a bad score over time in a worker errors that case, naming the system', () => {
    for (const r of [three, batched]) {
      const c = r.suites[1]!.cases[0]!;
      expect(c.state).toBe('errored');
      if (c.state === 'errored')
        expect(c.error).toMatch(
          /^scoreOverTime\(sys-\d*7\): score\[0\] is Infinity; a score is a finite number, or NaN/,
        );
      expect(r.summary.exitCode).toBe(2);
    }
  });
});
