/**
 * A process model's fitted state is shipped once per worker, as on the TypeScript saveState path
 * (run-workers-cache.test.ts): one process fits and answers save_state, and each scoring worker's
 * process gets restore_state once, then all its score batches. With `shipState: false` each
 * scoring process fits instead. The Python model (python/tests/example_models/state_log.py) logs
 * what each of its processes was asked.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { RunResult } from '../../src/runner/types.ts';
import { REPO_ROOT } from '../helpers/run-harness.ts';

const PY = path.join(REPO_ROOT, '.venv-python', 'bin', 'python');

interface ProcessLog {
  readonly pid: number;
  readonly fit: number;
  readonly save_state: number;
  readonly restore_state: number;
  readonly score_batch: number;
}

let root = '';
const log = () => path.join(root, 'state.log');

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bess-ship-state-'));
  await mkdir(path.join(root, 'suites'), { recursive: true });
  // The repository, installed as `bess-harness`: the suite shares the workers' compiled harness.
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await symlink(REPO_ROOT, path.join(root, 'node_modules', 'bess-harness'), 'dir');
  // 100 small systems: about 90 to score (test split and training normals), so that each of two
  // workers scores several batches of 16.
  await writeFile(
    path.join(root, 'suites', 'state.suite.ts'),
    `import { defineSuite } from 'bess-harness';
const dataset = { scenario: { name: 'state', systems: 100, days: 1, interval: '1h', anomalyRate: 0.2, seed: 'state' } };
export default [
  defineSuite({ name: 'shipped', dataset, models: ['py-state'] }),
  defineSuite({ name: 'refit', dataset, models: ['py-state-refit'] }),
];
`,
  );
  await writeFile(path.join(root, 'package.json'), '{ "name": "ship-state", "type": "module" }\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(suite: string, workers: number): Promise<{ r: RunResult; logs: ProcessLog[] }> {
  const spec = {
    command: [PY, '-m', 'example_models.state_log'],
    cwd: path.join(REPO_ROOT, 'python', 'tests'),
    env: { STATE_LOG: log(), PYTHONPATH: path.join(REPO_ROOT, 'python') },
  };
  const config = resolveConfig(
    { models: { 'py-state': spec, 'py-state-refit': { ...spec, shipState: false } } },
    null,
    root,
  );
  await rm(log(), { force: true });
  const suites = (await collectSuites(config)).filter((s) => s.spec.name === suite);
  const r = await runSuites(
    suites,
    { ...config, workers, cacheDir: path.join(root, 'cache') },
    [],
    {
      seed: 's',
      harnessVersion: 'test',
      cache: false,
      minSystemsPerWorker: 1,
    },
  );
  const text = await readFile(log(), 'utf8');
  return {
    r,
    logs: text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ProcessLog),
  };
}

const scoresOf = (r: RunResult): number[] => {
  const c = r.suites[0]!.cases[0]!;
  if (c.state !== 'scored') throw new Error(`the case errored: ${c.error}`);
  return Array.from(c.scores);
};

describe('a process model in a worker pool', () => {
  it('fits in one process and restores its state once per scoring worker, not once per batch', async () => {
    const one = await run('shipped', 1);
    const two = await run('shipped', 2);
    for (const [{ logs }, workers] of [
      [one, 1],
      [two, 2],
    ] as const) {
      const fitting = logs.filter((l) => l.fit > 0);
      const scoring = logs.filter((l) => l.score_batch > 0);
      expect(fitting).toEqual([expect.objectContaining({ fit: 1, save_state: 1, score_batch: 0 })]);
      expect(scoring).toHaveLength(workers);
      for (const l of scoring) {
        expect(l).toMatchObject({ fit: 0, save_state: 0, restore_state: 1 });
        expect(l.score_batch).toBeGreaterThan(1);
      }
    }
    // The state reached every worker: the scores do not depend on how many there were.
    expect(scoresOf(two.r)).toEqual(scoresOf(one.r));
  }, 120_000);

  it('with shipState: false, each scoring worker fits its own process and nothing is restored', async () => {
    const { r, logs } = await run('refit', 2);
    expect(logs).toHaveLength(2);
    for (const l of logs) {
      expect(l).toMatchObject({ fit: 1, save_state: 0, restore_state: 0 });
      expect(l.score_batch).toBeGreaterThan(1);
    }
    expect(scoresOf(r)).toEqual(scoresOf((await run('shipped', 1)).r));
  }, 120_000);
});
