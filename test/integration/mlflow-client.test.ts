/**
 * The MLflow client against a real `mlflow server` (SQLite backend, artifact proxy): experiments
 * made once under a race and restored from the trash, log-batch chunking past every limit, NaN
 * and infinities, keys (the local check agrees with the server's), truncation, artifacts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { artifactUploadTarget, contentTypeOf } from '../../src/track/mlflow/artifacts.ts';
import { chunkBatches, MAX_PARAM_VALUE, PayloadBuilder } from '../../src/track/mlflow/batch.ts';
import { MlflowClient } from '../../src/track/mlflow/client.ts';
import { MlflowError } from '../../src/track/mlflow/errors.ts';
import { getOrCreateExperiment } from '../../src/track/mlflow/experiments.ts';
import { MlflowHttp } from '../../src/track/mlflow/http.ts';
import { keyProblem } from '../../src/track/mlflow/keys.ts';
import { mlflowSettings, type MlflowSettings } from '../../src/track/mlflow/settings.ts';
import { startMlflowServer, type MlflowServer } from '../helpers/mlflow-server.ts';
import {
  downloadArtifact,
  getRun,
  listArtifacts,
  metricsOf,
  paramsOf,
  restGet,
  restPost,
  restPostError,
  tagsOf,
} from '../helpers/mlflow-rest.ts';

let server: MlflowServer;
let settings: MlflowSettings;
let client: MlflowClient;
const T = Date.parse('2026-11-26T15:30:12Z');

// A missing mlflow (or a server that does not start) fails every test with the reason, not skips them.
let setupError: unknown;
beforeAll(async () => {
  try {
    server = await startMlflowServer();
    settings = mlflowSettings(
      { configFile: null, tracking: { mlflow: { uri: null } } },
      {
        MLFLOW_TRACKING_URI: server.url,
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0',
        MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.05',
        MLFLOW_HTTP_REQUEST_TIMEOUT: '30',
      },
    )!;
    client = new MlflowClient(new MlflowHttp({ ...settings, seed: 'client-test' }));
  } catch (err) {
    setupError = err;
  }
}, 120_000);
beforeEach(() => {
  if (setupError) throw setupError;
});
afterAll(() => server?.close());

async function newRun(experiment: string): Promise<{ runId: string; artifactUri: string }> {
  const { id } = await getOrCreateExperiment(client, experiment);
  const info = await client.createRun({
    experimentId: id,
    runName: 'r',
    startTime: T,
    userId: 'ci',
    tags: [],
  });
  return { runId: info.run_id, artifactUri: info.artifact_uri };
}

describe('experiments', () => {
  it('get-or-create under a race of 6 clients yields one experiment', async () => {
    const clients = Array.from(
      { length: 6 },
      (_, i) => new MlflowClient(new MlflowHttp({ ...settings, seed: `racer-${i}` })),
    );
    const got = await Promise.all(clients.map((c) => getOrCreateExperiment(c, 'race suite')));
    expect(new Set(got.map((g) => g.id)).size).toBe(1);
    expect(got.filter((g) => g.created).length).toBeLessThanOrEqual(1);
    const all = await restPost<{ experiments?: { name: string }[] }>(
      server.url,
      '/api/2.0/mlflow/experiments/search',
      { max_results: 1000, view_type: 'ALL' },
    );
    expect(all.experiments!.filter((e) => e.name === 'race suite')).toHaveLength(1);
  });

  it('restores an experiment someone deleted, keeping its id', async () => {
    const first = await getOrCreateExperiment(client, 'deleted suite');
    await restPost(server.url, '/api/2.0/mlflow/experiments/delete', { experiment_id: first.id });
    const again = await getOrCreateExperiment(client, 'deleted suite');
    expect(again).toEqual({ id: first.id, name: 'deleted suite', created: false, restored: true });
    const e = await restGet<{ experiment: { lifecycle_stage: string } }>(
      server.url,
      '/api/2.0/mlflow/experiments/get',
      { experiment_id: first.id },
    );
    expect(e.experiment.lifecycle_stage).toBe('active');
  });
});

describe('log-batch', () => {
  it('chunks 1200 metrics, 150 params and 120 tags into accepted requests and all of them read back', async () => {
    const { runId } = await newRun('chunking');
    const b = new PayloadBuilder(T);
    const rng = seedrandom.alea('chunk-values');
    const values = Array.from({ length: 1200 }, () => rng());
    values.forEach((v, i) => b.metric(['m', String(i)], v));
    for (let i = 0; i < 150; i++) b.param(['p', String(i)], `value ${i}`);
    for (let i = 0; i < 120; i++) b.tag(['t', String(i)], `tag ${i}`);
    const batches = chunkBatches(b.build());
    expect(batches.length).toBe(2);
    for (const batch of batches) await client.logBatch(runId, batch);
    const run = await getRun(server.url, runId);
    const m = metricsOf(run);
    expect(m.size).toBe(1200);
    values.forEach((v, i) => expect(m.get(`m.${i}`)).toBe(v));
    expect(Object.keys(paramsOf(run)).filter((k) => k.startsWith('p.'))).toHaveLength(150);
    expect(paramsOf(run)['p.149']).toBe('value 149');
    expect(Object.keys(tagsOf(run)).filter((k) => k.startsWith('t.'))).toHaveLength(120);
  });

  it('an unchunked request over the limit is refused by the server (the limits are real)', async () => {
    const { runId } = await newRun('chunking');
    const metrics = Array.from({ length: 1001 }, (_, i) => ({
      key: `x${i}`,
      value: i,
      timestamp: T,
      step: 0,
    }));
    const err = await client
      .logBatch(runId, { metrics, params: [], tags: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowError);
    expect(err).toMatchObject({
      status: 400,
      errorCode: 'INVALID_PARAMETER_VALUE',
      endpoint: 'POST /api/2.0/mlflow/runs/log-batch',
    });
    expect((err as Error).message).toMatch(/at most 1000 metrics/);
  });

  it('round-trips NaN and the infinities, and logs an undefined metric as a tag', async () => {
    const { runId } = await newRun('nan');
    const b = new PayloadBuilder(T);
    b.metric('nan', NaN);
    b.metric('inf', Infinity);
    b.metric('neg_inf', -Infinity);
    b.metric('roc_auc', null, 'ROC AUC is undefined: no anomalies');
    for (const batch of chunkBatches(b.build())) await client.logBatch(runId, batch);
    const run = await getRun(server.url, runId);
    const m = metricsOf(run);
    expect(m.get('nan')).toBe('NaN');
    expect(m.get('inf')).toBe(Number.MAX_VALUE); // the SQL store keeps ±Infinity as the largest double
    expect(m.get('neg_inf')).toBe(-Number.MAX_VALUE);
    expect(m.has('roc_auc')).toBe(false);
    expect(tagsOf(run)['metric.roc_auc.undefined']).toBe('ROC AUC is undefined: no anomalies');
    const history = await restGet<{
      metrics: { value: unknown; timestamp: number; step?: number }[];
    }>(server.url, '/api/2.0/mlflow/metrics/get-history', { run_id: runId, metric_key: 'nan' });
    expect(history.metrics).toEqual([{ key: 'nan', value: 'NaN', timestamp: T, step: 0 }]);
  });

  it('logging the same payload again adds no metric point and keeps params (what resuming relies on)', async () => {
    const { runId } = await newRun('nan');
    const b = new PayloadBuilder(T);
    b.metric('auc', 0.75);
    b.param('model', 'z');
    const [batch] = chunkBatches(b.build());
    await client.logBatch(runId, batch!);
    await client.logBatch(runId, batch!);
    const history = await restGet<{ metrics: unknown[] }>(
      server.url,
      '/api/2.0/mlflow/metrics/get-history',
      { run_id: runId, metric_key: 'auc' },
    );
    expect(history.metrics).toHaveLength(1);
  });

  it('sanitized keys are accepted; keys the local check rejects, the server rejects too', async () => {
    const { runId } = await newRun('keys');
    const b = new PayloadBuilder(T);
    const strata = [
      '(missing)',
      '[0,7)',
      'hot/dry.v2',
      'grid+peak',
      'été',
      'a:b',
      '..',
      ' ',
      'x\u001b[31my',
    ];
    strata.forEach((s, i) => b.metric(['roc_auc', 'site', s], i / 10));
    for (const batch of chunkBatches(b.build())) await client.logBatch(runId, batch);
    const keys = [...metricsOf(await getRun(server.url, runId)).keys()].sort();
    expect(keys).toHaveLength(strata.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        'roc_auc.site.missing',
        'roc_auc.site.0_7',
        'roc_auc.site.hot_dry_v2',
        'roc_auc.site.grid_peak',
        'roc_auc.site.été',
        'roc_auc.site.a_b',
      ]),
    );

    const probes = [
      'ok key',
      'a/b',
      'x:y',
      'é',
      'a..b',
      'a//b',
      'a/./b',
      'trailing/',
      '/abs',
      '..up',
      '.',
      'a+b',
      'q?',
      'k'.repeat(251),
    ];
    for (const key of probes) {
      const local = keyProblem(key);
      const remote = await restPostError(server.url, '/api/2.0/mlflow/runs/log-batch', {
        run_id: runId,
        metrics: [{ key, value: 1, timestamp: T, step: 0 }],
      });
      expect({ key, accepted: remote.status === 200 }).toEqual({ key, accepted: local === null });
    }
  });

  it('truncates an over-long param to exactly what the server would keep', async () => {
    const { runId } = await newRun('truncation');
    const b = new PayloadBuilder(T);
    const long = 'αβγ'.repeat(2500); // 7500 characters
    b.param('options.long', long);
    const payload = b.build();
    expect(payload.truncated).toEqual([
      { kind: 'param', key: 'options.long', length: 7500, limit: MAX_PARAM_VALUE },
    ]);
    for (const batch of chunkBatches(payload)) await client.logBatch(runId, batch);
    const run = await getRun(server.url, runId);
    expect(paramsOf(run)['options.long']).toBe(long.slice(0, MAX_PARAM_VALUE));
    expect(tagsOf(run)['harness.truncated']).toBe('param options.long: 7500 -> 6000 characters');
  });
});

describe('artifacts through the proxy', () => {
  it('uploads files that list and download byte for byte', async () => {
    const { runId, artifactUri } = await newRun('artifacts');
    expect(artifactUri).toMatch(/^mlflow-artifacts:\//);
    const files: Record<string, Buffer> = {
      'results.json': Buffer.from('{"schema":1}\n'),
      'charts/roc curve.svg': Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>ROC — é</text></svg>',
      ),
      'bytes.bin': randomBytes(70_000),
    };
    for (const [p, bytes] of Object.entries(files))
      await client.uploadArtifact(
        artifactUploadTarget(artifactUri, p, settings.uri),
        bytes,
        contentTypeOf(p),
      );
    expect(await listArtifacts(server.url, runId)).toEqual([
      'bytes.bin',
      'charts/roc curve.svg',
      'results.json',
    ]);
    const run = await getRun(server.url, runId);
    for (const [p, bytes] of Object.entries(files))
      expect((await downloadArtifact(server.url, run, encodeURI(p))).equals(bytes)).toBe(true);
  });
});

describe('runs', () => {
  it('returns null for a run the server does not know, and finds runs by tag', async () => {
    expect(await client.getRun('0'.repeat(32))).toBeNull();
    const { id } = await getOrCreateExperiment(client, 'search');
    const a = await client.createRun({
      experimentId: id,
      runName: 'a',
      startTime: T,
      userId: null,
      tags: [{ key: 'harness.case_id', value: 'abc123' }],
    });
    await client.createRun({
      experimentId: id,
      runName: 'b',
      startTime: T,
      userId: null,
      tags: [{ key: 'harness.case_id', value: 'def456' }],
    });
    const found = await client.searchRuns(id, "tags.`harness.case_id` = 'abc123'");
    expect(found.map((r) => r.info.run_id)).toEqual([a.run_id]);
    await client.updateRun(a.run_id, 'FINISHED', T + 5);
    expect((await getRun(server.url, a.run_id)).info).toMatchObject({
      status: 'FINISHED',
      end_time: T + 5,
    });
  });
});
