/**
 * Run records uploaded to a real `mlflow server`: a real harness run (two suites on a generated
 * fleet) becomes one MLflow run per suite and model whose metrics equal results.json; a server
 * that dies mid-upload loses nothing and `sync` finishes the job without duplicates; a server
 * that is not there leaves the record for later.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/errors.ts';
import { caseId, caseRun } from '../../src/track/mlflow/case-run.ts';
import { MlflowClient } from '../../src/track/mlflow/client.ts';
import { getOrCreateExperiment } from '../../src/track/mlflow/experiments.ts';
import { MlflowHttp } from '../../src/track/mlflow/http.ts';
import {
  syncPendingRuns,
  syncRuns,
  trackRun,
  uploadRunRecord,
} from '../../src/track/mlflow/index.ts';
import { readRunFolder, type RunFolder } from '../../src/track/mlflow/run-folder.ts';
import { mlflowSettings, type MlflowSettings } from '../../src/track/mlflow/settings.ts';
import { readTrackingState } from '../../src/track/mlflow/tracking-state.ts';
import type { TrackingState } from '../../src/track/types.ts';
import { launchChromium } from '../helpers/browser.ts';
import { closedPort, startMlflowServer, type MlflowServer } from '../helpers/mlflow-server.ts';
import { showChartInUi } from '../helpers/mlflow-ui.ts';
import {
  downloadArtifact,
  experimentByName,
  getRun,
  listArtifacts,
  metricsOf,
  paramsOf,
  restPost,
  searchRuns,
  tagsOf,
  type RestRun,
} from '../helpers/mlflow-rest.ts';
import { runHarness, tempDir } from '../helpers/run-harness.ts';
import { syntheticRun, tinyHarnessRun, writeRunFolder } from '../helpers/run-record.ts';

/** Small retries: a dead server fails an upload in well under a second. */
const FAST = {
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
  MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0',
  MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.05',
  MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
};
const NO_CONFIG = { configFile: null, tracking: { mlflow: { uri: null } } };
const settingsFor = (uri: string): MlflowSettings =>
  mlflowSettings(NO_CONFIG, { MLFLOW_TRACKING_URI: uri, ...FAST })!;

let server: MlflowServer;
let tmp: { dir: string; cleanup: () => Promise<void> };
let tiny: { runDir: string; folder: RunFolder };
let removeProject: (() => Promise<void>) | undefined;

// A missing mlflow (or a server that does not start) fails every test with the reason, not skips them.
let setupError: unknown;
beforeAll(async () => {
  try {
    // the server starts while the harness runs; whatever started is cleaned up in afterAll
    const [s, t, h] = await Promise.allSettled([
      startMlflowServer(),
      tempDir('bess-runs-'),
      tinyHarnessRun(),
    ]);
    if (s.status === 'fulfilled') server = s.value;
    if (t.status === 'fulfilled') tmp = t.value;
    if (h.status === 'fulfilled') removeProject = h.value.cleanup;
    if (s.status === 'rejected') throw s.reason;
    if (t.status === 'rejected') throw t.reason;
    if (h.status === 'rejected') throw h.reason;
    const runDir = await writeRunFolder(path.join(tmp.dir, 'runs'), h.value.run, h.value.root);
    tiny = { runDir, folder: await readRunFolder(runDir) };
  } catch (err) {
    setupError = err;
  }
}, 180_000);
beforeEach(() => {
  if (setupError) throw setupError;
});
afterAll(async () => {
  await server?.close();
  await removeProject?.();
  await tmp?.cleanup();
});

/** The active runs of a harness run in one experiment. */
async function runsOf(experiment: string, runId: string, view = 'ACTIVE_ONLY'): Promise<RestRun[]> {
  const e = await experimentByName(server.url, experiment);
  return searchRuns(server.url, [e.experiment_id], `tags.\`harness.run_id\` = '${runId}'`, view);
}

/** A logged value as the server reads it back: NaN as "NaN", ±Infinity as ±the largest double. */
const asStored = (v: number | string) =>
  v === 'Infinity' ? Number.MAX_VALUE : v === '-Infinity' ? -Number.MAX_VALUE : v;

describe('uploading a real harness run', () => {
  it('tracks nothing unless MLFLOW_TRACKING_URI or tracking.mlflow.uri is set', async () => {
    expect(await trackRun(tiny.runDir, NO_CONFIG, {})).toBeNull();
    expect(await readTrackingState(tiny.runDir)).toBeNull();
  });

  it('makes one MLflow run per suite and model whose metrics, params, tags and artifacts match the record', async () => {
    const result = (await trackRun(tiny.runDir, NO_CONFIG, {
      MLFLOW_TRACKING_URI: server.url,
      USER: 'ci-bot',
      ...FAST,
    }))!;
    const { record, cases } = tiny.folder;
    expect(result).toMatchObject({
      status: 'synced',
      runId: record.run_id,
      uploaded: 5,
      skipped: 0,
      error: null,
      uri: server.url,
    });
    const [a, b] = await Promise.all([
      experimentByName(server.url, 'tiny-a'),
      experimentByName(server.url, 'tiny-b'),
    ]);
    expect(result.message).toBe(
      `tracked 5 runs to ${server.url}/#/experiments/${a.experiment_id} (tiny-a), ${server.url}/#/experiments/${b.experiment_id} (tiny-b)`,
    );

    const results = JSON.parse(await readFile(path.join(tiny.runDir, 'results.json'), 'utf8'));
    for (const c of cases) {
      const runs = await runsOf(c.suite.name, record.run_id);
      const mine = runs.filter(
        (r) =>
          tagsOf(r)['mlflow.runName'] ===
          (c.record.version ? `${c.record.model}@${c.record.version}` : c.record.model),
      );
      expect(mine, `${c.suite.name}/${c.record.model}`).toHaveLength(1);
      const run = mine[0]!;
      const tags = tagsOf(run);
      expect(run.info).toMatchObject({
        status: c.record.state === 'scored' ? 'FINISHED' : 'FAILED',
        start_time: Date.parse(record.started_at),
        end_time: Date.parse(record.finished_at),
        user_id: 'ci-bot',
      });
      expect(paramsOf(run)).toMatchObject({
        model: c.record.model,
        seed: c.record.seed,
        'split.test': '0.5',
        'split.seed': '7',
        threshold: c.suite.threshold,
      });
      // the gate's verdict, from results.json's assertions (tiny-a: random passes, zscore
      // fails, crashy errors; tiny-b has none), though a completed case stays FINISHED
      const verdict = {
        'tiny-a': {
          random: [1, 0, 0, 'pass'],
          zscore: [0, 1, 0, 'fail'],
          crashy: [0, 0, 1, 'error'],
        },
      }[c.suite.name]?.[c.record.model as 'random'] ?? [0, 0, 0, 'none'];
      expect(record.exit_code).toBe(2);
      expect(tags).toMatchObject({
        'harness.exit_code': '2',
        'harness.assertions.passed': String(verdict[0]),
        'harness.assertions.failed': String(verdict[1]),
        'harness.assertions.errored': String(verdict[2]),
        'harness.verdict': verdict[3],
        'harness.run_id': record.run_id,
        'mlflow.source.type': 'LOCAL',
        'mlflow.source.name': c.suite.file,
        'mlflow.user': 'ci-bot',
        data_source: 'synthetic',
        scenario: 'mlflow-fleet',
      });

      // every metric the mapping derives from results.json is on the server with its value …
      const plan = caseRun(record, c, { USER: 'ci-bot' });
      const onServer = metricsOf(run);
      expect(onServer.size).toBe(plan.payload.metrics.length);
      for (const m of plan.payload.metrics)
        expect(onServer.get(m.key), m.key).toBe(asStored(m.value));
      // … and equal to results.json, read independently
      const json = results.suites
        .find((s: { name: string }) => s.name === c.suite.name)
        .cases.find((x: { model: string }) => x.model === c.record.model);
      const files = await listArtifacts(server.url, run.info.run_id);
      const resultsBytes = await downloadArtifact(server.url, run, 'results.json');
      expect(resultsBytes.equals(Buffer.from(tiny.folder.resultsBytes))).toBe(true);
      if (c.record.state === 'errored') {
        expect(tags['harness.error']).toBe(json.error);
        expect(onServer.size).toBe(0);
        expect(files).toEqual(['results.json']);
        continue;
      }
      for (const [name, value] of Object.entries(json.metrics as Record<string, number | null>)) {
        if (value === null) expect(tags[`metric.${name}.undefined`]).toBe(json.undefined[name]);
        else expect(onServer.get(name), name).toBe(value);
      }
      expect(onServer.get('roc_auc.ci_low')).toBe(json.ci.roc_auc.low);
      expect(onServer.get('n')).toBe(json.n);
      for (const cell of json.breakdown.failure_type as {
        stratum: string;
        metrics: { roc_auc: number | null };
      }[]) {
        if (cell.metrics.roc_auc !== null)
          expect(onServer.get(`roc_auc.failure_type.${cell.stratum}`), cell.stratum).toBe(
            cell.metrics.roc_auc,
          );
      }
      expect(files).toEqual(
        expect.arrayContaining([
          'charts/pr.svg',
          'charts/roc.svg',
          'charts/score-distribution.svg',
          'charts/breakdown-failure_type.svg',
          'results.json',
          'scores.csv',
        ]),
      );
      const scores = await downloadArtifact(server.url, run, 'scores.csv');
      expect(scores.equals(await readFile(path.join(tiny.runDir, c.record.scores_file!)))).toBe(
        true,
      );
      expect((await downloadArtifact(server.url, run, 'charts/roc.svg')).toString('utf8')).toMatch(
        /^<svg[^>]*>.*ROC curve: AUC/s,
      );
    }

    const state = (await readTrackingState(tiny.runDir))!;
    expect(state.mlflow).toMatchObject({ uri: server.url, status: 'synced' });
    expect(state.mlflow!.error).toBeUndefined();
    expect(state.mlflow!.runs).toHaveLength(5);
    expect(state.mlflow!.runs.every((r) => r.complete)).toBe(true);
  });

  it('uploads nothing twice: a second upload skips every case', async () => {
    const again = await uploadRunRecord(tiny.runDir, { settings: settingsFor(server.url) });
    expect(again).toMatchObject({
      status: 'synced',
      uploaded: 0,
      skipped: 5,
      message: 'nothing to upload: 5 runs already tracked',
    });
    expect(await runsOf('tiny-a', tiny.folder.record.run_id)).toHaveLength(3);
  });

  it('a suite that failed before any model ran is one FAILED run with its error, not "nothing to track"', async () => {
    const run = syntheticRun('2026-12-01T08:00:00.000Z');
    const error = 'dataset: data/real/labels.csv:4:1: unknown system "rk-9"';
    const broken = {
      name: 'broken',
      file: '/project/suites/broken.suite.ts',
      dataset: null,
      threshold: 'train-fpr 0.05',
      cases: [],
      assertions: [],
      error,
      durationMs: 5,
    };
    const runDir = await writeRunFolder(
      path.join(tmp.dir, 'suite-error'),
      { ...run, suites: [broken] },
      '/project',
    );
    const r = await uploadRunRecord(runDir, { settings: settingsFor(server.url) });
    expect(r).toMatchObject({ status: 'synced', uploaded: 1 });
    const [one, ...more] = await runsOf('broken', path.basename(runDir));
    expect(more).toEqual([]);
    expect(one!.info.status).toBe('FAILED');
    const tags = tagsOf(one!);
    expect([tags['mlflow.runName'], tags['harness.error']]).toEqual(['suite error', error]);
    expect(paramsOf(one!)['model']).toBe('(suite)');
    expect(await listArtifacts(server.url, one!.info.run_id)).toEqual(['results.json']);
    expect((await uploadRunRecord(runDir, { settings: settingsFor(server.url) })).message).toBe(
      'nothing to upload: 1 run already tracked',
    );
  });

  it('opens in the MLflow UI, its charts rendered by the artifact viewer', async () => {
    const run = (await readTrackingState(tiny.runDir))!.mlflow!.runs.find(
      (r) => r.model === 'zscore',
    )!;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
      for (const chart of ['roc.svg', 'score-distribution.svg']) {
        const img = await showChartInUi(page, server.url, run.experiment_id, run.run_id, chart);
        expect(
          await img.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth),
          chart,
        ).toBeGreaterThan(300);
      }
      expect(await page.getByText('zscore@1', { exact: true }).first().isVisible()).toBe(true);
    } finally {
      await browser.close();
    }
  }, 150_000);

  it('finds its runs by case id when tracking.json is lost, and deletes a duplicate', async () => {
    const before = (await readTrackingState(tiny.runDir))!.mlflow!.runs;
    const target = before.find((r) => r.model === 'random' && r.suite === 'tiny-a')!;
    const caseTag = tagsOf(
      (await runsOf('tiny-a', tiny.folder.record.run_id)).find(
        (r) => r.info.run_id === target.run_id,
      )!,
    )['harness.case_id']!;
    // a run of the same case whose creation answer never arrived
    await restPost(server.url, '/api/2.0/mlflow/runs/create', {
      experiment_id: target.experiment_id,
      run_name: 'random',
      start_time: Date.now(),
      tags: [
        { key: 'harness.case_id', value: caseTag },
        { key: 'harness.run_id', value: tiny.folder.record.run_id },
      ],
    });
    expect(await runsOf('tiny-a', tiny.folder.record.run_id)).toHaveLength(4);
    await rm(path.join(tiny.runDir, 'tracking.json'));

    const result = await uploadRunRecord(tiny.runDir, { settings: settingsFor(server.url) });
    expect(result).toMatchObject({ status: 'synced', uploaded: 5 });
    const after = (await readTrackingState(tiny.runDir))!.mlflow!.runs;
    expect(after.map((r) => r.run_id).sort()).toEqual(before.map((r) => r.run_id).sort());
    const active = await runsOf('tiny-a', tiny.folder.record.run_id);
    expect(active.map((r) => r.info.run_id).sort()).toEqual(
      before
        .filter((r) => r.suite === 'tiny-a')
        .map((r) => r.run_id)
        .sort(),
    );
    expect(active.every((r) => r.info.status !== 'RUNNING')).toBe(true);
    expect(await runsOf('tiny-a', tiny.folder.record.run_id, 'DELETED_ONLY')).toHaveLength(1);
  });
});

/** Forwards requests to the MLflow server until `kill` says otherwise; then it stops the server. */
async function killingProxy(
  target: MlflowServer,
  kill: (path: string, body: string) => boolean,
): Promise<{ url: string; proxy: Server }> {
  let killed = false;
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (!killed && kill(req.url!, body.toString('utf8'))) {
        killed = true;
        await target.stop();
      }
      try {
        const r = await fetch(`${target.url}${req.url}`, {
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          body: req.method === 'GET' ? undefined : body,
        });
        res.writeHead(r.status, {
          'content-type': r.headers.get('content-type') ?? 'application/json',
        });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch {
        req.socket.destroy(); // the server is gone: so is the connection
      }
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, proxy };
}

describe('a server that goes away', () => {
  it('dies mid-upload: nothing is lost, tracking.json says failed, and sync finishes it without duplicates', async () => {
    const crashDir = path.join(tmp.dir, 'crash');
    const runDir = await writeRunFolder(
      crashDir,
      syntheticRun('2026-11-27T08:00:00.000Z'),
      '/project',
    );
    const runId = path.basename(runDir);
    const resultsBefore = await readFile(path.join(runDir, 'results.json'));
    let firstRun: string | null = null;
    // the server dies when the second case starts logging
    const { url, proxy } = await killingProxy(server, (p, body) => {
      if (!p.endsWith('/runs/log-batch')) return false;
      const id = (JSON.parse(body) as { run_id: string }).run_id;
      firstRun ??= id;
      return id !== firstRun;
    });
    try {
      const failed = await uploadRunRecord(runDir, { settings: settingsFor(url) });
      expect(failed).toMatchObject({ status: 'failed', uploaded: 1, unreachable: true });
      expect(failed.message).toMatch(
        new RegExp(
          `^tracking failed: detectors/random: MLflow POST /api/2\\.0/mlflow/runs/log-batch at ${url}: cannot reach the server \\(.+\\) \\(after 2 retries\\); the upload stopped there, 2 more cases were not tried \\(1 run made it\\) — results kept in .+${runId}; run \`harness runs sync\` to upload them$`,
        ),
      );
      const state = (await readTrackingState(runDir))!;
      expect(state.mlflow).toMatchObject({ uri: url, status: 'failed', error: failed.error });
      expect(state.mlflow!.runs.map((r) => [r.model, r.complete])).toEqual([
        ['good', true],
        ['random', false],
      ]);
      const halfDone = state.mlflow!.runs[1]!.run_id;
      expect(await readFile(path.join(runDir, 'results.json'))).toEqual(resultsBefore);

      await server.start();
      expect(
        (
          await searchRuns(
            server.url,
            [(await experimentByName(server.url, 'detectors')).experiment_id],
            `tags.\`harness.run_id\` = '${runId}'`,
          )
        ).find((r) => r.info.run_id === halfDone)!.info.status,
      ).toBe('RUNNING');
      // as if an earlier attempt had been refused: the finished run must not keep the complaint
      await restPost(server.url, '/api/2.0/mlflow/runs/set-tag', {
        run_id: halfDone,
        key: 'harness.upload_error',
        value: 'an earlier attempt failed',
      });
      const sync = await syncPendingRuns(crashDir, { settings: settingsFor(url) });
      expect(sync.pending).toBe(1);
      expect(sync.results).toHaveLength(1);
      expect(sync.results[0]).toMatchObject({ status: 'synced', runId, uploaded: 3, skipped: 1 });
      expect(sync.ok).toBe(true);
      expect(sync.message).toMatch(
        new RegExp(
          `^${runId}: tracked 3 runs to ${url}/#/experiments/\\d+ \\(detectors\\), ${url}/#/experiments/\\d+ \\(edge\\); 1 run already tracked$`,
        ),
      );

      const all = [
        ...(await runsOf('detectors', runId, 'ALL')),
        ...(await runsOf('edge', runId, 'ALL')),
      ];
      expect(
        all.map((r) => [tagsOf(r)['mlflow.runName'], r.info.status, r.info.lifecycle_stage]).sort(),
      ).toEqual([
        ['crashy@1', 'FAILED', 'active'],
        ['flat@1', 'FINISHED', 'active'],
        ['good@2', 'FINISHED', 'active'],
        ['random@1', 'FINISHED', 'active'],
      ]);
      const resumed = all.find((r) => r.info.run_id === halfDone)!;
      expect(tagsOf(resumed)['mlflow.runName']).toBe('random@1');
      expect(tagsOf(resumed)['harness.upload_error']).toBeUndefined();
      const folder = await readRunFolder(runDir);
      const plan = caseRun(
        folder.record,
        folder.cases.find((c) => c.record.model === 'random')!,
        {},
      );
      expect(metricsOf(resumed).size).toBe(plan.payload.metrics.length);
      const finalState: TrackingState = (await readTrackingState(runDir))!;
      expect(finalState.mlflow).toMatchObject({ status: 'synced' });
      expect(finalState.mlflow!.runs.every((r) => r.complete)).toBe(true);
      expect((await syncPendingRuns(crashDir, { settings: settingsFor(url) })).message).toBe(
        `nothing to sync: every recorded run is tracked at ${url}`,
      );
    } finally {
      await new Promise((r) => proxy.close(r));
      await server.start(); // the next test needs it, whatever happened above
    }
    // A server restart takes up to 90 s alone on a busy machine: more than the default 60 s.
  }, 180_000);

  it('cannot write tracking.json mid-upload (a full disk): a tracking error naming the file, and sync finishes the run later', async () => {
    const dir = path.join(tmp.dir, 'unwritable');
    const runDir = await writeRunFolder(dir, syntheticRun('2026-11-30T08:00:00.000Z'), '/project');
    const runId = path.basename(runDir);
    // Once the first MLflow run is being made, the run folder can no longer be written to.
    let blocked = false;
    const { url, proxy } = await killingProxy(server, (p) => {
      if (!blocked && p.endsWith('/runs/create')) {
        blocked = true;
        renameSync(runDir, `${runDir}.away`);
        writeFileSync(runDir, 'a file where the run folder was\n');
      }
      return false;
    });
    try {
      const err = await uploadRunRecord(runDir, { settings: settingsFor(url) }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('E_TRACKING');
      expect((err as Error).message).toMatch(
        new RegExp(
          `^${path.join(runDir, 'tracking.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be written \\(E[A-Z]+: `,
        ),
      );
    } finally {
      await new Promise((r) => proxy.close(r));
      await rm(runDir, { force: true });
      await rename(`${runDir}.away`, runDir);
    }
    const sync = await syncPendingRuns(dir, { settings: settingsFor(server.url) });
    expect(sync.ok, sync.message).toBe(true);
    // every case once: the run made before the failure was found again, not duplicated
    const cases = (await readRunFolder(runDir)).cases;
    for (const suite of new Set(cases.map((c) => c.suite.name)))
      expect((await runsOf(suite, runId)).length).toBe(
        cases.filter((c) => c.suite.name === suite).length,
      );
  });

  it('is not there at all: the upload fails fast, says to sync, and the record stays', async () => {
    const runDir = await writeRunFolder(
      path.join(tmp.dir, 'offline'),
      syntheticRun('2026-11-28T08:00:00.000Z'),
      '/project',
    );
    const dead = await closedPort();
    const t0 = Date.now();
    const r = await uploadRunRecord(runDir, { settings: settingsFor(dead) });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r).toMatchObject({ status: 'failed', uploaded: 0, unreachable: true });
    expect(r.message).toMatch(
      /^tracking failed: detectors\/good: MLflow GET \/api\/2\.0\/mlflow\/experiments\/get-by-name at http:\/\/127\.0\.0\.1:\d+: cannot reach the server \(ECONNREFUSED\) \(after 2 retries\); the upload stopped there, 3 more cases were not tried — results kept in .+; run `harness runs sync` to upload them$/,
    );
    expect(await readTrackingState(runDir)).toMatchObject({
      mlflow: { uri: dead, status: 'failed', runs: [] },
    });
    // a sync against the real server later uploads it, and names a folder that is no run record
    await mkdir(path.join(tmp.dir, 'offline', 'broken'));
    await writeFile(path.join(tmp.dir, 'offline', 'broken', 'run.json'), '{"schema":1}');
    const sync = await syncRuns(path.join(tmp.dir, 'offline'), NO_CONFIG, {
      MLFLOW_TRACKING_URI: server.url,
      ...FAST,
    });
    expect(sync.results.map((x) => x.status)).toEqual(['synced']);
    expect(sync.broken).toEqual([
      {
        runDir: path.join(tmp.dir, 'offline', 'broken'),
        error: expect.stringMatching(/broken\/run\.json: run_id must be a non-empty string$/),
      },
    ]);
    expect(sync.ok).toBe(false);
    expect(sync.message.split('\n')[1]).toMatch(
      /^skipped .*broken: .*run_id must be a non-empty string$/,
    );
    expect((await readTrackingState(runDir))!.mlflow).toMatchObject({
      uri: server.url,
      status: 'synced',
    });
  });

  it('refuses one case: that run is marked KILLED with the reason, the other cases go on, and a later sync finishes it', async () => {
    const dir = path.join(tmp.dir, 'refused');
    const runDir = await writeRunFolder(dir, syntheticRun('2026-11-29T08:00:00.000Z'), '/project');
    const runId = path.basename(runDir);
    const client = new MlflowClient(
      new MlflowHttp({ ...settingsFor(server.url), seed: 'refused' }),
    );
    const { id } = await getOrCreateExperiment(client, 'detectors');
    // a run of the case left by an older harness, whose params differ: the server refuses to change them
    const stale = await restPost<{ run: RestRun }>(server.url, '/api/2.0/mlflow/runs/create', {
      experiment_id: id,
      run_name: 'random',
      start_time: Date.parse('2026-11-29T08:00:00.000Z'),
      tags: [{ key: 'harness.case_id', value: caseId(runId, 'detectors', 'random') }],
    });
    const staleId = stale.run.info.run_id;
    await restPost(server.url, '/api/2.0/mlflow/runs/log-batch', {
      run_id: staleId,
      params: [{ key: 'model', value: 'random-v0' }],
    });

    const r = await uploadRunRecord(runDir, { settings: settingsFor(server.url) });
    expect(r).toMatchObject({ status: 'failed', uploaded: 3, unreachable: false });
    expect(r.error).toMatch(
      /^detectors\/random: MLflow POST \/api\/2\.0\/mlflow\/runs\/log-batch at http:\/\/127\.0\.0\.1:\d+: HTTP 400 INVALID_PARAMETER_VALUE: .*model/,
    );
    const killed = await getRun(server.url, staleId);
    expect(killed.info.status).toBe('KILLED');
    expect(tagsOf(killed)['harness.upload_error']).toBe(
      r.error!.replace(/^detectors\/random: /, ''),
    );
    const state = (await readTrackingState(runDir))!.mlflow!;
    expect(state.status).toBe('failed');
    expect(state.runs.map((x) => [x.model, x.complete])).toEqual([
      ['good', true],
      ['random', false],
      ['crashy', true],
      ['flat', true],
    ]);

    // the user deletes the stale run; the next sync makes a new one
    await restPost(server.url, '/api/2.0/mlflow/runs/delete', { run_id: staleId });
    const sync = await syncPendingRuns(dir, { settings: settingsFor(server.url) });
    expect(sync.results[0]).toMatchObject({ status: 'synced', uploaded: 1, skipped: 3 });
    const active = await runsOf('detectors', runId);
    expect(active.map((x) => [tagsOf(x)['mlflow.runName'], x.info.status]).sort()).toEqual([
      ['crashy@1', 'FAILED'],
      ['good@2', 'FINISHED'],
      ['random@1', 'FINISHED'],
    ]);
    expect(active.every((x) => tagsOf(x)['harness.upload_error'] === undefined)).toBe(true);
  });
});

describe('what stops an upload, and what does not', () => {
  it('a suite MLflow cannot name (over 500 characters) fails its own cases only: the other suites upload', async () => {
    const run = syntheticRun('2026-12-02T08:00:00.000Z');
    const [detectors, edge] = run.suites;
    const long = `long-${'L'.repeat(505)}`;
    // first, so that before, its refusal stopped the upload before any other case was tried
    const runDir = await writeRunFolder(
      path.join(tmp.dir, 'long-name'),
      { ...run, suites: [{ ...edge!, name: long }, detectors!] },
      '/project',
    );
    const r = await uploadRunRecord(runDir, { settings: settingsFor(server.url) });
    expect(r).toMatchObject({ status: 'failed', uploaded: 3, unreachable: false });
    expect(r.error).toBe(
      `${long.slice(0, 60)}…/flat: suite name ${JSON.stringify(long.slice(0, 60))}… is 510 characters; MLflow experiment names are at most 500`,
    );
    expect(r.message).toContain('(3 runs made it)');
    expect(r.message).not.toContain('not tried');
    const made = await runsOf('detectors', path.basename(runDir));
    expect(made.map((x) => [tagsOf(x)['mlflow.runName'], x.info.status]).sort()).toEqual([
      ['crashy@1', 'FAILED'],
      ['good@2', 'FINISHED'],
      ['random@1', 'FINISHED'],
    ]);
  });

  it('stops at a server that refuses the credentials (401), which would refuse every case, and counts the cases not tried', async () => {
    const seen: string[] = [];
    const fake = createServer((req, res) => {
      seen.push(req.url!);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'who are you?' }));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
      const runDir = await writeRunFolder(
        path.join(tmp.dir, 'unauthenticated'),
        syntheticRun('2026-12-04T08:00:00.000Z'),
        '/project',
      );
      const r = await uploadRunRecord(runDir, { settings: settingsFor(url) });
      expect(r).toMatchObject({ status: 'failed', uploaded: 0, unreachable: false });
      expect(r.error).toMatch(
        /^detectors\/good: MLflow GET \/api\/2\.0\/mlflow\/experiments\/get-by-name at .*HTTP 401 .*; the upload stopped there, 3 more cases were not tried$/,
      );
      expect(seen).toHaveLength(1);
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });

  it('harness runs sync refuses a run whose scores file was cut short (inside a row or at a row boundary): exit 2 naming the file, nothing of it uploaded', async () => {
    const dir = path.join(tmp.dir, 'cut-scores');
    const write = (at: string) => writeRunFolder(dir, syntheticRun(at), '/project');
    const cut = async (runDir: string, edit: (text: string) => string) => {
      const file = path.join(runDir, 'scores', 'detectors', 'good.csv');
      await writeFile(file, edit(await readFile(file, 'utf8')));
      return file;
    };
    // Both were uploaded before: "synced", with a scores.csv and charts of the cut file.
    const midRow = await write('2026-12-05T08:00:00.000Z');
    const midRowFile = await cut(midRow, (t) => t.slice(0, -4));
    const atRow = await write('2026-12-05T09:00:00.000Z');
    const atRowFile = await cut(atRow, (t) => `${t.split('\n').slice(0, -6).join('\n')}\n`);
    const sound = await write('2026-12-05T10:00:00.000Z');

    const r = await runHarness(['runs', 'sync', '--runs-dir', dir], {
      cwd: tmp.dir,
      env: { MLFLOW_TRACKING_URI: server.url, ...FAST },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).toContain(`${midRowFile}: cut short (half-written or damaged)`);
    expect(r.stdout).toContain(
      `${atRowFile}: 115 row(s), but results.json counts n = 120 scored systems for this case: the file was cut short or edited; restore it, or remove the run`,
    );
    for (const runDir of [midRow, atRow]) {
      expect(await runsOf('detectors', path.basename(runDir))).toEqual([]);
      expect(await readTrackingState(runDir)).toBeNull();
    }
    expect((await readTrackingState(sound))!.mlflow).toMatchObject({ status: 'synced' });
  });

  it('harness runs sync skips a damaged run naming the file and the field, and syncs the others (an older record without assertions too)', async () => {
    const dir = path.join(tmp.dir, 'damaged-store');
    const write = (at: string) => writeRunFolder(dir, syntheticRun(at), '/project');
    const edit = async (file: string, change: (j: any) => void) => {
      const json = JSON.parse(await readFile(file, 'utf8'));
      change(json);
      await writeFile(file, JSON.stringify(json));
    };
    // each crashed the sync with "internal error" and left the runs after it unsynced
    const stringMetric = await write('2026-12-03T08:00:00.000Z');
    await edit(path.join(stringMetric, 'results.json'), (j) => {
      j.suites[0].cases[0].metrics.roc_auc = '0.71';
    });
    const runsNotAList = await write('2026-12-03T09:00:00.000Z');
    await writeFile(
      path.join(runsNotAList, 'tracking.json'),
      JSON.stringify({ mlflow: { uri: server.url, status: 'failed', at: 'x', runs: {} } }),
    );
    const older = await write('2026-12-03T10:00:00.000Z');
    await edit(path.join(older, 'results.json'), (j) => {
      for (const s of j.suites) delete s.assertions;
    });

    const sync = await syncRuns(dir, NO_CONFIG, { MLFLOW_TRACKING_URI: server.url, ...FAST });
    expect(sync.results.map((x) => [x.runDir, x.status])).toEqual([[older, 'synced']]);
    expect(sync.broken).toEqual([
      {
        runDir: runsNotAList,
        error: `${path.join(runsNotAList, 'tracking.json')}: mlflow.runs must be a list; delete the file to upload the run again`,
      },
      {
        runDir: stringMetric,
        error: `${path.join(stringMetric, 'results.json')}: suites[0].cases[0].metrics.roc_auc must be a number or null`,
      },
    ]);
    expect(sync.ok).toBe(false);
    expect(sync.message.split('\n').at(-1)).toBe(
      `not every run is synced to ${server.url}: 2 runs skipped (above); run \`harness runs sync\` again once that is fixed`,
    );
    // the older record: no verdict tags (results.json has no assertions), the exit code still
    const [good] = (await runsOf('detectors', path.basename(older))).filter(
      (x) => tagsOf(x)['mlflow.runName'] === 'good@2',
    );
    expect(good!.info.status).toBe('FINISHED');
    expect(tagsOf(good!)['harness.exit_code']).toBe('2');
    expect(tagsOf(good!)['harness.verdict']).toBeUndefined();
  });
});
