/**
 * Two `harness run`s at once writing one file: the baseline (`--update-baseline`, one model
 * each) and a scenario's cached dataset (generated on first use). Nothing locked between the
 * read and the write: one update lost the other model's entry (both said "baseline written"),
 * and the second generate replaced the cached fleet the first run was reading (exit 2, "was
 * replaced by `harness generate`"). Here the test process holds the lock another run would (the
 * baseline file's, the scenario's generate lock) and acts as that run while the runs wait: a
 * run that does not wait, or does not read again what it waited for, fails every time.
 */
import { watch } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/data/file-lock.ts';
import { pathExists } from '../../src/data/path-exists.ts';
import { makeProject, runHarness, type RunResult } from '../helpers/run-harness.ts';
import { escapeRegExp } from '../../src/data/side-names.ts';

const suite = (
  name: string,
  scenario: string,
  models: readonly string[],
  gated = false,
): string => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: '${name}',
  dataset: { scenario: ${scenario} },
  split: { test: 0.5, seed: 5 },
  models: ${JSON.stringify(models)},
${gated ? '  baseline: {},\n' : ''}  expect: ({ metric }) => ${JSON.stringify(models)}.map((m) => metric(m, 'roc_auc').toBeWithin(0, 1)),
});
`;
const BL = "{ name: 't', systems: 30, days: 2, interval: '1h', seed: 't1', anomalyRate: 0.4 }";
const SHARED = "{ name: 'shared', systems: 20, days: 2, interval: '1h', seed: 'cc' }";

/**
 * Resolves once processes other than this one have tried to take the lock `lockName` in `dir`
 * (each try makes a side file `.new-<pid>-<hex><lockName>` there, see lock-side-files.ts) `pids`
 * times, or `done` settles: whichever comes first. The pids seen.
 */
async function lockTries(
  dir: string,
  lockName: string,
  pids: number,
  done: Promise<unknown>,
): Promise<Set<number>> {
  const side = new RegExp(`^\\.new-(\\d+)-[0-9a-f]{12}${escapeRegExp(lockName)}$`);
  const seen = new Set<number>();
  const watcher = watch(dir);
  try {
    await Promise.race([
      done,
      new Promise<void>((resolve) =>
        watcher.on('change', (_event, name) => {
          const pid = Number(side.exec(String(name))?.[1]);
          if (pid > 0 && pid !== process.pid) seen.add(pid);
          if (seen.size >= pids) resolve();
        }),
      ),
    ]);
  } finally {
    watcher.close();
  }
  return seen;
}

describe('two runs at once', { timeout: 180_000 }, () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeProject({
      'harness.config.ts': 'export default { workers: 1 };\n',
      'suites/bl.suite.ts': suite('bl', BL, ['random', 'zscore', 'pca'], true),
      'suites/one.suite.ts': suite('one', SHARED, ['pca']),
      'suites/two.suite.ts': suite('two', SHARED, ['pca']),
    }));
  });
  afterAll(() => cleanup());
  const run = (...args: string[]): Promise<RunResult> =>
    runHarness(['run', '--no-history', ...args], { cwd: dir });

  it('--update-baseline of two models: the one that waited for the other keeps its entry', async () => {
    const file = path.join(dir, 'suites', '__baselines__', 'bl.json');
    const pca = await run('--suite', 'bl', '--update-baseline', '--model', 'pca');
    expect(pca.code, pca.stdout + pca.stderr).toBe(0);
    const before = await readFile(file, 'utf8');
    const zscore = await run('--suite', 'bl', '--update-baseline', '--model', 'zscore');
    expect(zscore.code, zscore.stdout + zscore.stderr).toBe(0);
    const withZscore = await readFile(file, 'utf8');
    await writeFile(file, before);
    // The zscore update again, now while the random one runs: it holds the lock, and writes its
    // file once the random run waits for the lock.
    let random: Promise<RunResult> = Promise.resolve({ code: null, stdout: '', stderr: '' });
    await withFileLock(file, async () => {
      random = run('--suite', 'bl', '--update-baseline', '--model', 'random');
      await lockTries(path.dirname(file), '.bl.json.lock', 1, random);
      await writeFile(file, withZscore);
    });
    const r = await random;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).models).sort()).toEqual([
      'pca',
      'random',
      'zscore',
    ]);
  });

  it('sharing a scenario on a cold cache: one generates it, the other waits and reads it, and both pass', async () => {
    const first = await run('--suite', 'one', '--out-dir', 'o1');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const datasets = path.join(dir, '.harness', 'cache', 'datasets');
    const [name] = (await readdir(datasets)).filter((e) => !e.startsWith('.'));
    await rm(path.join(dir, '.harness'), { recursive: true, force: true });
    await mkdir(datasets, { recursive: true });
    let runs: Promise<RunResult[]> = Promise.resolve([]);
    await withFileLock(path.join(datasets, `${name}.generate`), async () => {
      runs = Promise.all([
        run('--suite', 'one', '--out-dir', 'o1'),
        run('--suite', 'two', '--out-dir', 'o2'),
      ]);
      const waiting = await lockTries(datasets, `.${name}.generate.lock`, 2, runs);
      expect(waiting.size).toBe(2);
      // Neither generated it meanwhile: that is the holder's to do.
      expect(await pathExists(path.join(datasets, name!, 'labels.csv'))).toBe(false);
    });
    for (const r of await runs) expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
