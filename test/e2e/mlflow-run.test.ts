/**
 * `harness run` with MLFLOW_TRACKING_URI set, through the real CLI and a real `mlflow server`:
 * one MLflow run per suite and model whose metrics equal results.json; a server that is down
 * does not change the run's verdict and `harness runs sync` uploads the run later; a bad URI
 * fails before anything runs.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '../helpers/mlflow-server.ts';
import { experimentByName, metricsOf, searchRuns, tagsOf } from '../helpers/mlflow-rest.ts';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

/** Small retries: a dead server fails an upload in well under a second. */
const FAST = {
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1',
  MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0',
  MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.05',
};

const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'tracked',
  dataset: { scenario: { name: 'tracked-fleet', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } },
  models: ['random', ['zscore', { sensor: 'temp_cell_max_c' }]],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
});
`;
const RECORDED = /run recorded: \.harness\/runs\/(\d{8}T\d{6}Z-[0-9a-f]{6})\n/;

let server: MlflowServer;
let project: { dir: string; cleanup: () => Promise<void> };
let setupError: unknown;

beforeAll(async () => {
  try {
    const [s, p] = await Promise.allSettled([
      startMlflowServer(),
      makeProject({
        'suites/tracked.suite.ts': SUITE,
        'harness.config.ts': `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'mlflow-e2e' });\n`,
      }),
    ]);
    if (p.status === 'fulfilled') project = p.value;
    if (s.status === 'fulfilled') server = s.value;
    if (s.status === 'rejected') throw s.reason;
    if (p.status === 'rejected') throw p.reason;
  } catch (err) {
    setupError = err;
  }
}, 180_000);
// A missing mlflow fails every test with the install hint; it never skips them.
beforeEach(() => {
  if (setupError) throw setupError;
});
afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

const harness = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runHarness(args, { cwd: project.dir, env });
const tracked = () => ({ MLFLOW_TRACKING_URI: server.url, ...FAST });

/** The MLflow runs of one harness run, by model. */
async function mlflowRuns(runId: string) {
  const e = await experimentByName(server.url, 'tracked');
  const runs = await searchRuns(
    server.url,
    [e.experiment_id],
    `tags.\`harness.run_id\` = '${runId}'`,
  );
  return new Map(runs.map((r) => [tagsOf(r)['mlflow.runName']!.replace(/@.*$/, ''), r]));
}

describe('harness run with MLflow tracking', () => {
  it('logs one MLflow run per suite and model whose metrics equal results.json; harness runs says synced', async () => {
    const r = await harness(['run', '--reporter', 'plain', '--reporter', 'json'], tracked());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runId = RECORDED.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeDefined();
    const e = await experimentByName(server.url, 'tracked');
    expect(r.stdout).toContain(
      `tracked 2 runs to ${server.url}/#/experiments/${e.experiment_id} (tracked)`,
    );

    const results = JSON.parse(
      await readFile(path.join(project.dir, '.harness', 'last-run', 'results.json'), 'utf8'),
    );
    const runs = await mlflowRuns(runId!);
    expect([...runs.keys()].sort()).toEqual(['random', 'zscore']);
    for (const c of results.suites[0].cases) {
      const run = runs.get(c.model)!;
      expect(run.info.status).toBe('FINISHED');
      // the gate's verdict: random's assertion held, none is about zscore
      expect(tagsOf(run)).toMatchObject({
        'harness.exit_code': '0',
        'harness.verdict': c.model === 'random' ? 'pass' : 'none',
      });
      const logged = metricsOf(run);
      for (const [name, value] of Object.entries(c.metrics as Record<string, number | null>)) {
        if (value !== null) expect(logged.get(name), `${c.model} ${name}`).toBe(value);
      }
      expect(logged.get('roc_auc.ci_low')).toBe(c.ci.roc_auc.low);
      expect(logged.get('roc_auc.ci_high')).toBe(c.ci.roc_auc.high);
    }

    const list = await harness(['runs', '--json']);
    expect(list.code).toBe(0);
    const mine = (JSON.parse(list.stdout) as { run_id: string; tracking: unknown }[]).find(
      (x) => x.run_id === runId,
    );
    expect(mine?.tracking).toBe('synced');
  });

  it('keeps the verdict when the server is down, says tracking failed, and harness runs sync uploads the run later', async () => {
    await server.stop();
    const r = await harness(['run', '--reporter', 'plain'], tracked());
    expect(r.code).toBe(0);
    const runId = RECORDED.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeDefined();
    expect(r.stderr).toMatch(/warning: tracking failed: .*\n/);
    expect(r.stderr).toContain('harness runs sync');
    expect(r.stdout).not.toContain('tracking failed');
    const state = JSON.parse(
      await readFile(path.join(project.dir, '.harness', 'runs', runId!, 'tracking.json'), 'utf8'),
    );
    expect(state.mlflow.status).toBe('failed');

    // Still down: sync fails (exit 2) and loses nothing.
    const early = await harness(['runs', 'sync'], tracked());
    expect(early.code).toBe(2);

    await server.start();
    const sync = await harness(['runs', 'sync'], tracked());
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    const runs = await mlflowRuns(runId!);
    expect([...runs.keys()].sort()).toEqual(['random', 'zscore']);
    expect([...runs.values()].every((x) => x.info.status === 'FINISHED')).toBe(true);
    const after = JSON.parse(
      await readFile(path.join(project.dir, '.harness', 'runs', runId!, 'tracking.json'), 'utf8'),
    );
    expect(after.mlflow.status).toBe('synced');

    // Again: nothing left, no duplicate runs.
    const again = await harness(['runs', 'sync'], tracked());
    expect(again.code).toBe(0);
    expect((await mlflowRuns(runId!)).size).toBe(2);
    // Four CLI runs and a server restart (up to 90 s alone on a busy machine): more than the default 60 s.
  }, 180_000);

  it('refuses a tracking URI it cannot use before running anything, and tracking without a history', async () => {
    const before = await stat(path.join(project.dir, '.harness', 'runs')).then((s) => s.mtimeMs);
    const bad = await harness(['run', '--reporter', 'plain'], {
      MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^harness: .*sqlite/);
    expect(bad.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(bad.stdout).toBe('');
    const noHistory = await harness(['run', '--reporter', 'plain', '--no-history'], tracked());
    expect(noHistory.code).toBe(2);
    expect(noHistory.stderr).toMatch(/^harness: MLflow tracking .* cannot go with --no-history/);
    // it named the server "[object Object]", and not how to run without a record
    expect(noHistory.stderr).toContain(`MLflow tracking (${server.url}, from MLFLOW_TRACKING_URI)`);
    expect(noHistory.stderr).toContain('unset MLFLOW_TRACKING_URI for this run');
    expect(await stat(path.join(project.dir, '.harness', 'runs')).then((s) => s.mtimeMs)).toBe(
      before,
    );
  });

  it('tracks a run with a suite that could not run: the run says exit 2 for the suite, not for its record', async () => {
    // A suite that fails before its data loads is recorded with split: null.
    const broken = path.join(project.dir, 'suites', 'broken.suite.ts');
    await writeFile(
      broken,
      SUITE.replace("name: 'tracked'", "name: 'broken'").replace(
        "['zscore', { sensor: 'temp_cell_max_c' }]",
        "'random'",
      ),
    );
    try {
      const r = await harness(['run', '--reporter', 'plain'], {
        ...tracked(),
        MLFLOW_EXPERIMENT_ID: '7',
      });
      expect(r.stdout).toContain('suite "broken" has two cases named "random"');
      // MLflow's clients would log into experiment 7: say that the harness does not
      expect(r.stderr).toContain(
        'warning: MLFLOW_EXPERIMENT_ID is ignored: the harness logs each suite to the MLflow experiment named after the suite\n',
      );
      expect(r.stderr).not.toContain('run.json');
      const runId = RECORDED.exec(r.stdout)?.[1];
      expect(runId, r.stdout + r.stderr).toBeDefined();
      // The suite that could not run is a FAILED run of its own experiment, with its error.
      expect(r.stdout).toMatch(/\ntracked 3 runs to .* \(broken\), .* \(tracked\)\n/);
      expect(r.code).toBe(2);
      expect((await mlflowRuns(runId!)).size).toBe(2);
      const e = await experimentByName(server.url, 'broken');
      const [failed, ...more] = await searchRuns(
        server.url,
        [e.experiment_id],
        `tags.\`harness.run_id\` = '${runId}'`,
      );
      expect(more).toEqual([]);
      expect(failed!.info.status).toBe('FAILED');
      expect(tagsOf(failed!)['harness.error']).toContain('has two cases named "random"');
      expect(tagsOf(failed!)['harness.exit_code']).toBe('2');
      const sync = await harness(['runs', 'sync'], tracked());
      expect(sync.stdout).not.toContain('skipped');
      expect(sync.code).toBe(0);
    } finally {
      await rm(broken);
    }
  });
});
