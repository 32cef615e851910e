/**
 * The MLflow client's transport against real HTTP exchanges with a small node:http server that
 * misbehaves on purpose (an MLflow server cannot be made to answer 503 on cue): retries with
 * Retry-After, auth headers, typed errors from MLflow and non-MLflow bodies, non-idempotent
 * calls, timeouts and a server that is not there.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MlflowClient } from '../../src/track/mlflow/client.ts';
import { MlflowError } from '../../src/track/mlflow/errors.ts';
import { MlflowHttp } from '../../src/track/mlflow/http.ts';
import { mlflowSettings } from '../../src/track/mlflow/settings.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly at: number;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** Serves `answer(n)` to the n-th request (0-based) and records every request. */
async function fake(
  answer: (n: number, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
        at: Date.now(),
      });
      answer(seen.length - 1, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function client(url: string, env: NodeJS.ProcessEnv = {}): MlflowClient {
  const settings = mlflowSettings(
    { configFile: null, tracking: { mlflow: { uri: null } } },
    {
      MLFLOW_TRACKING_URI: url,
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3',
      MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0',
      MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.01',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '2',
      ...env,
    },
  )!;
  return new MlflowClient(new MlflowHttp({ ...settings, seed: 'http-test' }));
}

describe('MLflow transport', () => {
  it('retries 503 as Retry-After says, then succeeds; every attempt carries basic auth', async () => {
    const { url, seen } = await fake((n, res) =>
      n < 2
        ? json(
            res,
            503,
            { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' },
            { 'retry-after': '1' },
          )
        : json(res, 200, {}),
    );
    const c = client(url, {
      MLFLOW_TRACKING_USERNAME: 'ci',
      MLFLOW_TRACKING_PASSWORD: 's3cret',
      MLFLOW_TRACKING_TOKEN: 'ignored',
    });
    await c.logBatch('r1', {
      metrics: [{ key: 'auc', value: 'NaN', timestamp: 1, step: 0 }],
      params: [],
      tags: [],
    });
    expect(seen).toHaveLength(3);
    const basic = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
    for (const s of seen) {
      expect(s).toMatchObject({
        method: 'POST',
        url: '/api/2.0/mlflow/runs/log-batch',
        authorization: basic,
        contentType: 'application/json',
      });
      expect(JSON.parse(s.body)).toEqual({
        run_id: 'r1',
        metrics: [{ key: 'auc', value: 'NaN', timestamp: 1, step: 0 }],
        params: [],
        tags: [],
      });
    }
    // Retry-After: 1 second, twice (the formula alone would wait ~0 and 40 ms)
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(950);
  });

  it('sends a bearer token when only MLFLOW_TRACKING_TOKEN is set, below the URI path prefix', async () => {
    const { url, seen } = await fake((_, res) =>
      json(res, 200, { experiment: { experiment_id: '7', name: 'x', lifecycle_stage: 'active' } }),
    );
    const e = await client(`${url}/team/mlflow/`, {
      MLFLOW_TRACKING_TOKEN: 'tok-1',
    }).getExperimentByName('my suite');
    expect(e?.experiment_id).toBe('7');
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: '/team/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=my+suite',
        authorization: 'Bearer tok-1',
      }),
    ]);
  });

  it('gives up after the configured retries with a typed error naming status, code and endpoint', async () => {
    const { url, seen } = await fake((_, res) =>
      json(res, 500, {
        error_code: 'INTERNAL_ERROR',
        message: 'database is locked\n[SQL: INSERT …]',
      }),
    );
    const err = await client(url)
      .updateRun('r1', 'FINISHED', 5)
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(4);
    expect(err).toBeInstanceOf(MlflowError);
    expect(err).toMatchObject({
      status: 500,
      errorCode: 'INTERNAL_ERROR',
      endpoint: 'POST /api/2.0/mlflow/runs/update',
      code: 'E_MLFLOW',
    });
    expect((err as Error).message).toBe(
      `MLflow POST /api/2.0/mlflow/runs/update at ${url}: HTTP 500 INTERNAL_ERROR: database is locked (after 3 retries)`,
    );
  });

  it('does not retry a client error, and reads a body that is not MLflow’s', async () => {
    const { url, seen } = await fake((_, res) => {
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<html><body>401 Authorization Required</body></html>');
    });
    const err = await client(url)
      .getRun('r1')
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(err).toMatchObject({
      status: 401,
      errorCode: null,
      endpoint: 'GET /api/2.0/mlflow/runs/get',
    });
    expect((err as Error).message).toMatch(
      /HTTP 401 non-JSON body: "<html><body>401 Authorization Required<\/body><\/html>"$/,
    );
  });

  it('a 200 page that is not JSON (a login page behind a redirect) is an error naming it, not an empty answer', async () => {
    const { url, seen } = await fake((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Sign in</body></html>');
    });
    const err = await client(url)
      .getExperimentByName('smoke')
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(1); // not retried: the same page would come back
    expect(err).toBeInstanceOf(MlflowError);
    expect(err).toMatchObject({ status: 200, errorCode: null });
    expect((err as Error).message).toBe(
      `MLflow GET /api/2.0/mlflow/experiments/get-by-name at ${url}: HTTP 200 non-JSON body: "<html><body>Sign in</body></html>" (not an MLflow tracking server; a login page?)`,
    );
  });

  it('a 200 JSON answer without the run or experiment it must hold is an error, never a run in experiment "undefined"', async () => {
    const { url } = await fake((_, res) => json(res, 200, { ok: true }));
    const c = client(url);
    for (const call of [
      () => c.getExperimentByName('smoke'),
      () => c.createExperiment('smoke'),
      () => c.createRun({ experimentId: '1', runName: 'm', startTime: 1, userId: null, tags: [] }),
      () => c.getRun('r1'),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MlflowError);
      expect((err as Error).message).toMatch(
        /: the answer has no (experiment|experiment_id|run): \{"ok":true\} \(not an MLflow tracking server\?\)$/,
      );
    }
  });

  it('never repeats runs/create after an error that may have created the run, but does after 503', async () => {
    const run = {
      run: {
        info: {
          run_id: 'r9',
          experiment_id: '1',
          status: 'RUNNING',
          artifact_uri: 'mlflow-artifacts:/1/r9/artifacts',
          lifecycle_stage: 'active',
        },
        data: {},
      },
    };
    const body = { experimentId: '1', runName: 'm', startTime: 1, userId: null, tags: [] };
    const first = await fake((_, res) =>
      json(res, 502, { error_code: 'BAD_GATEWAY', message: 'upstream' }),
    );
    await expect(client(first.url).createRun(body)).rejects.toMatchObject({ status: 502 });
    expect(first.seen).toHaveLength(1);
    await new Promise((r) => server!.close(r));
    const second = await fake((n, res) =>
      n === 0
        ? json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'x' })
        : json(res, 200, run),
    );
    expect((await client(second.url).createRun(body)).run_id).toBe('r9');
    expect(second.seen).toHaveLength(2);
  });

  it('a timeout of a fraction of a millisecond more is no reason to fail every request', async () => {
    const { url } = await fake((_, res) => json(res, 200, {}));
    await expect(
      client(url, { MLFLOW_HTTP_REQUEST_TIMEOUT: '30.0001' }).logBatch('r1', {
        metrics: [],
        params: [],
        tags: [],
      }),
    ).resolves.toBeUndefined();
  });

  it('times out a server that does not answer, and says so', async () => {
    const { url, seen } = await fake(() => undefined); // never answers
    const err = await client(url, {
      MLFLOW_HTTP_REQUEST_TIMEOUT: '0.2',
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1',
    })
      .getRun('r1')
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect(err).toMatchObject({ status: null, endpoint: 'GET /api/2.0/mlflow/runs/get' });
    expect((err as Error).message).toBe(
      `MLflow GET /api/2.0/mlflow/runs/get at ${url}: no answer within 0.2 s (after 1 retry)`,
    );
  });

  it('names a port that fetch refuses to use instead of retrying it', async () => {
    const err = await client('http://127.0.0.1:6000')
      .getRun('r1')
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "MLflow GET /api/2.0/mlflow/runs/get at http://127.0.0.1:6000: Node's fetch refuses port 6000 (it is on the fetch standard's list of blocked ports): serve MLflow on another port, e.g. 5000",
    );
  });

  it('retries a refused connection, then reports that the server cannot be reached', async () => {
    const { url } = await fake(() => undefined);
    await new Promise((r) => server!.close(r));
    server = undefined;
    const t0 = Date.now();
    const err = await client(url)
      .createRun({ experimentId: '1', runName: 'm', startTime: 1, userId: null, tags: [] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: null, errorCode: null });
    expect((err as Error).message).toBe(
      `MLflow POST /api/2.0/mlflow/runs/create at ${url}: cannot reach the server (ECONNREFUSED) (after 3 retries)`,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
