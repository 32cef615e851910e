import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../../src/errors.ts';
import { authorizationFromEnv } from '../../../../src/track/mlflow/auth.ts';
import { syncRuns } from '../../../../src/track/mlflow/index.ts';
import { mlflowSettings } from '../../../../src/track/mlflow/settings.ts';
import { experimentUrl, parseTrackingUri } from '../../../../src/config/tracking-uri.ts';

const config = (uri: string | null) => ({
  configFile: '/proj/harness.config.ts',
  tracking: { mlflow: { uri } },
});

describe('parseTrackingUri', () => {
  it.each([
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['http://127.0.0.1:5000/', 'http://127.0.0.1:5000'],
    ['https://mlflow.example.com/team/mlflow//', 'https://mlflow.example.com/team/mlflow'],
    ['  HTTPS://Example.com  ', 'https://example.com'],
  ])('accepts %j as %j', (raw, base) => {
    expect(parseTrackingUri(raw, 'MLFLOW_TRACKING_URI').base).toBe(base);
  });

  it.each([
    [
      'sqlite:///mlflow.db',
      /database that only the Python client opens.*mlflow server --backend-store-uri sqlite:\/\/\/mlflow.db/,
    ],
    [
      'postgresql+psycopg2://u:secret@db/x',
      /"postgresql\+psycopg2:\/\/\*\*\*@db\/x" is a database/,
    ],
    ['file:///tmp/mlruns', /local folder \(the FileStore/],
    ['./mlruns', /local folder/],
    ['databricks', /Databricks CLI profile/],
    ['databricks://prod', /Databricks/],
    ['ftp://host', /not an http\(s\) URL/],
    ['http://user:pw@host:5000', /carries credentials: put them in MLFLOW_TRACKING_USERNAME/],
    ['http://host:5000/?x=1', /query or a fragment/],
    ['http://', /not a valid URL/],
    ['', /is empty/],
  ])('refuses %j, saying what to do instead', (raw, why) => {
    try {
      parseTrackingUri(raw, 'MLFLOW_TRACKING_URI');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('E_TRACKING');
      expect((err as Error).message).toMatch(/^MLFLOW_TRACKING_URI: /);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).not.toMatch(/secret|pw@/);
    }
  });

  it('links to an experiment in the UI', () => {
    expect(experimentUrl(parseTrackingUri('https://h/prefix/', 'x'), '12')).toBe(
      'https://h/prefix/#/experiments/12',
    );
  });
});

describe('authorizationFromEnv', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it('sends basic auth when user and password are set, winning over a token (as the Python client)', () => {
    expect(
      authorizationFromEnv({
        MLFLOW_TRACKING_USERNAME: 'ci',
        MLFLOW_TRACKING_PASSWORD: 'p:ä',
        MLFLOW_TRACKING_TOKEN: 't',
      }),
    ).toBe(`Basic ${b64('ci:p:ä')}`);
  });
  it('sends a bearer token otherwise, and nothing without credentials', () => {
    expect(
      authorizationFromEnv({ MLFLOW_TRACKING_USERNAME: 'ci', MLFLOW_TRACKING_TOKEN: 'tok' }),
    ).toBe('Bearer tok');
    expect(authorizationFromEnv({ MLFLOW_TRACKING_USERNAME: 'ci' })).toBeNull();
    expect(authorizationFromEnv({})).toBeNull();
  });
});

describe('mlflowSettings', () => {
  it('is off when neither the environment nor the config names a server', () => {
    expect(mlflowSettings(config(null), {})).toBeNull();
    expect(mlflowSettings(config(null), { MLFLOW_TRACKING_URI: '' })).toBeNull();
  });

  it('takes MLFLOW_TRACKING_URI over the config, and names where the URI came from', () => {
    const s = mlflowSettings(config('http://config:5000'), {
      MLFLOW_TRACKING_URI: 'http://env:5000',
    })!;
    expect(s.uri.base).toBe('http://env:5000');
    expect(s.origin).toBe('MLFLOW_TRACKING_URI');
    const c = mlflowSettings(config('http://config:5000'), {})!;
    expect(c.uri.base).toBe('http://config:5000');
    expect(c.origin).toBe('/proj/harness.config.ts: tracking.mlflow.uri');
  });

  it("uses MLflow's retry defaults, overridable by MLflow's own variables (seconds)", () => {
    const uri = { MLFLOW_TRACKING_URI: 'http://h:1' };
    expect(mlflowSettings(config(null), uri)).toMatchObject({
      timeoutMs: 120_000,
      retry: { maxRetries: 7, backoffFactorMs: 2000, backoffJitterMs: 1000, maxBackoffMs: 120_000 },
      authorization: null,
    });
    const s = mlflowSettings(config(null), {
      ...uri,
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
      MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: ' 3 ',
      MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '5',
      MLFLOW_TRACKING_TOKEN: 't',
    })!;
    expect(s).toMatchObject({
      timeoutMs: 5000,
      retry: { maxRetries: 2, backoffFactorMs: 3000, backoffJitterMs: 0 },
      authorization: 'Bearer t',
    });
  });

  it.each([
    [
      { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '-1' },
      /MLFLOW_HTTP_REQUEST_MAX_RETRIES="-1" must be a whole number/,
    ],
    [{ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2.5' }, /MAX_RETRIES="2.5"/],
    // Decimal only, as MLflow's int() and float() read them: Number() took 0x2 as 2.
    [{ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0x2' }, /MAX_RETRIES="0x2" must be a whole number/],
    [{ MLFLOW_HTTP_REQUEST_TIMEOUT: '0x10' }, /TIMEOUT="0x10" must be a number of seconds/],
    [
      { MLFLOW_HTTP_REQUEST_TIMEOUT: '0' },
      /MLFLOW_HTTP_REQUEST_TIMEOUT="0" must be a number of seconds/,
    ],
    [
      { MLFLOW_HTTP_REQUEST_TIMEOUT: '10000000' },
      /MLFLOW_HTTP_REQUEST_TIMEOUT="10000000" must be a number of seconds ≥ 0.001 and ≤ 2147483$/,
    ],
    [{ MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: 'fast' }, /BACKOFF_FACTOR="fast"/],
    // MLflow's client reads both with int(): it refuses these, so the harness does too
    [
      { MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.1' },
      /^MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR="0.1" must be a whole number of seconds ≥ 0, as MLflow's own client reads it$/,
    ],
    [{ MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '-1' }, /BACKOFF_FACTOR="-1" must be a whole number/],
    [{ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2.0' }, /MAX_RETRIES="2.0" must be a whole number ≥ 0/],
    [{ MLFLOW_TRACKING_INSECURE_TLS: 'true' }, /MLFLOW_TRACKING_INSECURE_TLS is set.*verifies TLS/],
    [{ MLFLOW_TRACKING_SERVER_CERT_PATH: '/ca.pem' }, /NODE_EXTRA_CA_CERTS/],
    [{ MLFLOW_TRACKING_URI: 'sqlite:///x.db' }, /^MLFLOW_TRACKING_URI: "sqlite/],
  ])('refuses %j with a message naming the variable', (env, why) => {
    expect(() =>
      mlflowSettings(config(null), { MLFLOW_TRACKING_URI: 'http://h:1', ...env }),
    ).toThrow(why);
  });

  it('warns that MLFLOW_EXPERIMENT_NAME and _ID are ignored: each suite is its own experiment', () => {
    const uri = { MLFLOW_TRACKING_URI: 'http://h:1' };
    expect(mlflowSettings(config(null), uri)!.warnings).toEqual([]);
    expect(
      mlflowSettings(config(null), {
        ...uri,
        MLFLOW_EXPERIMENT_NAME: 'team',
        MLFLOW_EXPERIMENT_ID: '',
      })!.warnings,
    ).toEqual([
      'MLFLOW_EXPERIMENT_NAME is ignored: the harness logs each suite to the MLflow experiment named after the suite',
    ]);
    expect(
      mlflowSettings(config(null), {
        ...uri,
        MLFLOW_EXPERIMENT_NAME: 'a',
        MLFLOW_EXPERIMENT_ID: '3',
      })!.warnings,
    ).toEqual([
      'MLFLOW_EXPERIMENT_NAME and MLFLOW_EXPERIMENT_ID are ignored: the harness logs each suite to the MLflow experiment named after the suite',
    ]);
  });

  it('keeps a timeout in whole milliseconds, as AbortSignal.timeout takes it', () => {
    const s = (t: string) =>
      mlflowSettings(config(null), {
        MLFLOW_TRACKING_URI: 'http://h:1',
        MLFLOW_HTTP_REQUEST_TIMEOUT: t,
      })!.timeoutMs;
    expect(s('30.0001')).toBe(30_000);
    expect(s('0.0015')).toBe(2);
    expect(s('2147483')).toBe(2_147_483_000);
  });

  it('accepts MLFLOW_TRACKING_INSECURE_TLS=false (the Python default spelled out)', () => {
    expect(
      mlflowSettings(config(null), {
        MLFLOW_TRACKING_URI: 'http://h:1',
        MLFLOW_TRACKING_INSECURE_TLS: 'false',
      }),
    ).not.toBeNull();
  });
});

describe('syncRuns', () => {
  it('refuses to sync without a server, saying how to configure one', async () => {
    await expect(syncRuns('/nowhere', config(null), {})).rejects.toThrow(
      /^no MLflow server to sync to: set MLFLOW_TRACKING_URI/,
    );
  });
});
