import type { ResolvedConfig } from '../../config/types.ts';
import { DECIMAL } from '../../data/index.ts';
import { HarnessError } from '../../errors.ts';
import { authorizationFromEnv } from './auth.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.ts';
import { parseTrackingUri, type TrackingUri } from '../../config/index.ts';

/** Everything the uploader needs to reach a server. */
export interface MlflowSettings {
  readonly uri: TrackingUri;
  /** Where the URI came from, for messages: `MLFLOW_TRACKING_URI` or the config file's field. */
  readonly origin: string;
  readonly authorization: string | null;
  /** Per request attempt, in ms. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Settings of MLflow's client the harness does not follow, to print once: MLFLOW_EXPERIMENT_NAME / _ID. */
  readonly warnings: readonly string[];
}

/**
 * MLflow's clients log into the experiment these name; the harness logs each suite into the
 * experiment named after the suite, so a user who set one would look for the runs in vain.
 */
const EXPERIMENT_VARIABLES = ['MLFLOW_EXPERIMENT_NAME', 'MLFLOW_EXPERIMENT_ID'] as const;

/** MLFLOW_HTTP_REQUEST_TIMEOUT's default (120 s). */
const DEFAULT_TIMEOUT_MS = 120_000;
/** The longest timeout a Node timer can wait, in seconds (2^31 − 1 ms). */
const MAX_TIMEOUT_S = 2_147_483;

/**
 * MLflow client variables that configure TLS or an auth plugin through Python's requests; the
 * harness's fetch cannot honour them, and ignoring them would fail later with a vaguer error.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  MLFLOW_TRACKING_INSECURE_TLS: 'the harness always verifies TLS certificates',
  MLFLOW_TRACKING_SERVER_CERT_PATH: 'give Node the CA instead: NODE_EXTRA_CA_CERTS=<ca.pem>',
  MLFLOW_TRACKING_CLIENT_CERT_PATH: 'client certificates are not supported',
  MLFLOW_TRACKING_AUTH:
    'auth plugins are Python code; use MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN',
};

/**
 * Whether runs are tracked in MLflow, and how: MLFLOW_TRACKING_URI wins over the config's
 * `tracking.mlflow.uri` (as in every MLflow client: the environment is the per-machine,
 * per-CI-job setting, the config the project's default). Null when neither is set. Credentials
 * come from the environment only (MLFLOW_TRACKING_USERNAME + _PASSWORD, or _TOKEN), and the
 * retry knobs from MLflow's own variables: MLFLOW_HTTP_REQUEST_MAX_RETRIES and _BACKOFF_FACTOR
 * (whole numbers, as MLflow reads them), _BACKOFF_JITTER and _TIMEOUT (seconds). A bad value is a
 * HarnessError naming it.
 */
export function mlflowSettings(
  config: Pick<ResolvedConfig, 'tracking' | 'configFile'>,
  env: NodeJS.ProcessEnv,
): MlflowSettings | null {
  const fromEnv = env['MLFLOW_TRACKING_URI'];
  const fromConfig = config.tracking.mlflow.uri;
  if (!fromEnv && fromConfig === null) return null;
  const origin = fromEnv
    ? 'MLFLOW_TRACKING_URI'
    : `${config.configFile ?? '(config)'}: tracking.mlflow.uri`;
  const uri = parseTrackingUri(fromEnv || fromConfig!, origin);
  for (const [name, instead] of Object.entries(UNSUPPORTED)) {
    const value = env[name];
    if (value && value.toLowerCase() !== 'false')
      throw new HarnessError(
        'E_TRACKING',
        `${name} is set, which the harness's MLflow client does not support: ${instead}`,
      );
  }
  const seconds = (name: string, min: number, max = Infinity): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    // Decimal only, as MLflow's own float() reads it: Number() would take 0x10 as 16.
    const v = DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isFinite(v) || v < min || v > max)
      throw new HarnessError(
        'E_TRACKING',
        `${name}=${JSON.stringify(raw)} must be a number of seconds ≥ ${min}${max < Infinity ? ` and ≤ ${max}` : ''}`,
      );
    return v * 1000;
  };
  // MLflow's client reads these with int() (mlflow/environment_variables.py): `0.1` or `2.0` there
  // is an error, so it is here too, rather than a value one client takes and the other refuses.
  const whole = (name: string, unit: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!/^\s*\+?\d+\s*$/.test(raw))
      throw new HarnessError(
        'E_TRACKING',
        `${name}=${JSON.stringify(raw)} must be a whole number${unit} ≥ 0, as MLflow's own client reads it`,
      );
    return Number(raw);
  };
  const maxRetries =
    whole('MLFLOW_HTTP_REQUEST_MAX_RETRIES', '') ?? DEFAULT_RETRY_POLICY.maxRetries;
  const backoffFactor = whole('MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', ' of seconds');
  // AbortSignal.timeout takes whole milliseconds up to 2^32 − 1: anything else made every
  // request fail as "cannot reach the server". Timers stop at 2^31 − 1 ms (24.8 days).
  const timeoutMs = Math.round(
    seconds('MLFLOW_HTTP_REQUEST_TIMEOUT', 0.001, MAX_TIMEOUT_S) ?? DEFAULT_TIMEOUT_MS,
  );
  const ignored = EXPERIMENT_VARIABLES.filter((name) => env[name]);
  return {
    uri,
    origin,
    warnings:
      ignored.length === 0
        ? []
        : [
            `${ignored.join(' and ')} ${ignored.length === 1 ? 'is' : 'are'} ignored: the harness logs each suite to the MLflow experiment named after the suite`,
          ],
    authorization: authorizationFromEnv(env),
    timeoutMs,
    retry: {
      maxRetries,
      backoffFactorMs:
        backoffFactor !== undefined ? backoffFactor * 1000 : DEFAULT_RETRY_POLICY.backoffFactorMs,
      backoffJitterMs:
        seconds('MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', 0) ?? DEFAULT_RETRY_POLICY.backoffJitterMs,
      maxBackoffMs: DEFAULT_RETRY_POLICY.maxBackoffMs,
    },
  };
}

/**
 * The server runs are tracked at now (MLFLOW_TRACKING_URI, else the config's), as tracking.json
 * writes it (`uri.base`); null when none is set, or when the settings are unusable: `harness runs`
 * only shows it beside each run's status, and `harness run` or `harness runs sync` say what is wrong.
 */
export function currentTrackingServer(
  config: Pick<ResolvedConfig, 'tracking' | 'configFile'>,
  env: NodeJS.ProcessEnv,
): string | null {
  try {
    return mlflowSettings(config, env)?.uri.base ?? null;
  } catch (err) {
    if (err instanceof HarnessError) return null;
    throw err;
  }
}
