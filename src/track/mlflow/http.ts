import { setTimeout as sleep } from 'node:timers/promises';
import seedrandom from 'seedrandom';
import {
  backoffDelayMs,
  parseRetryAfterMs,
  RETRYABLE_STATUSES,
  type RetryPolicy,
} from './backoff.ts';
import { MlflowError } from './errors.ts';
import type { TrackingUri } from '../../config/index.ts';

/** How the client reaches the server. */
export interface HttpOptions {
  readonly uri: TrackingUri;
  /** The Authorization header value, or null (see authorizationFromEnv). */
  readonly authorization: string | null;
  /** Per attempt, in ms. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Seed of the backoff jitter: every random draw of the harness is seeded. */
  readonly seed: string;
}

/** One REST call. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Below the tracking URI, e.g. `/api/2.0/mlflow/runs/get`; or a whole http(s) URL (an artifact proxy on another host). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON (MLflow requires Content-Type: application/json on POST). */
  readonly json?: unknown;
  /** Raw bytes (artifact uploads), sent with `contentType`. */
  readonly body?: Uint8Array;
  readonly contentType?: string;
  /**
   * False for a call the server must not see twice (`runs/create` makes a new run each time): it is
   * retried only when it surely did not reach the server (connection refused, 429, 503), never
   * after a timeout or a gateway error that may have let it through. Default true.
   */
  readonly idempotent?: boolean;
  /** Overrides the policy's retries (0 for a best-effort call). */
  readonly maxRetries?: number;
}

/** Why an attempt failed, and whether trying again could help. */
interface Failure {
  readonly error: MlflowError;
  readonly retry: 'always' | 'idempotent' | 'never';
  readonly retryAfterMs: number | null;
}

/** Network error codes that mean the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The transport under the MLflow client: global fetch, a timeout per attempt, retries with
 * exponential backoff and seeded jitter on 429/500/502/503/504 and network errors, and every
 * failure turned into an MlflowError that names the endpoint, the status and MLflow's error code.
 */
export class MlflowHttp {
  private readonly random: () => number;

  constructor(readonly options: HttpOptions) {
    this.random = seedrandom.alea(options.seed);
  }

  /** Sends the request (retrying as the policy says) and returns the parsed JSON body (`{}` for an empty one). */
  async json<T>(req: HttpRequest): Promise<T> {
    const maxRetries = req.maxRetries ?? this.options.retry.maxRetries;
    for (let retry = 0; ; retry++) {
      const outcome = await this.attempt(req);
      if (!('error' in outcome)) return outcome.body as T;
      const again =
        outcome.retry === 'always' || (outcome.retry === 'idempotent' && req.idempotent !== false);
      if (!again || retry >= maxRetries) {
        if (retry === 0) throw outcome.error;
        const e = outcome.error;
        throw new MlflowError(
          `${e.message} (after ${retry} ${retry === 1 ? 'retry' : 'retries'})`,
          e.endpoint,
          e.status,
          e.errorCode,
        );
      }
      await sleep(backoffDelayMs(retry + 1, this.options.retry, this.random, outcome.retryAfterMs));
    }
  }

  private async attempt(req: HttpRequest): Promise<{ body: unknown } | Failure> {
    const endpoint = `${req.method} ${req.path}`;
    const base = /^https?:\/\//.test(req.path) ? '' : this.options.uri.base;
    const url = `${base}${req.path}${req.query ? `?${new URLSearchParams(req.query)}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.authorization) headers['authorization'] = this.options.authorization;
    let body: string | Uint8Array | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/octet-stream';
      body = req.body;
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      return this.networkFailure(endpoint, err);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      return this.networkFailure(endpoint, err);
    }
    const parsed = parseJson(text);
    // A 2xx page that is not JSON is not MLflow: typically an SSO proxy's login page (fetch
    // followed its redirect) or a web server at that URI. Read as `{}`, it made every field of
    // the answer undefined (a run in experiment "undefined", then a crash).
    if (res.ok && parsed === undefined) {
      return {
        error: new MlflowError(
          `MLflow ${endpoint} at ${this.options.uri.base}: HTTP ${res.status} non-JSON body: ${JSON.stringify(clip(text.trim(), 200))} (not an MLflow tracking server; a login page?)`,
          endpoint,
          res.status,
          null,
        ),
        retry: 'never',
        retryAfterMs: null,
      };
    }
    if (res.ok) return { body: parsed ?? {} };
    const mlflow = isMlflowError(parsed) ? parsed : null;
    const detail = mlflow
      ? `${mlflow.error_code}: ${firstLine(mlflow.message)}`
      : text.trim() === ''
        ? 'empty body'
        : `non-JSON body: ${JSON.stringify(clip(text.trim(), 200))}`;
    const error = new MlflowError(
      `MLflow ${endpoint} at ${this.options.uri.base}: HTTP ${res.status} ${detail}`,
      endpoint,
      res.status,
      mlflow?.error_code ?? null,
    );
    const retry =
      res.status === 429 || res.status === 503
        ? 'always'
        : RETRYABLE_STATUSES.has(res.status)
          ? 'idempotent'
          : 'never';
    return {
      error,
      retry,
      retryAfterMs: parseRetryAfterMs(res.headers.get('retry-after'), Date.now()),
    };
  }

  private networkFailure(endpoint: string, err: unknown): Failure {
    const timedOut =
      err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const cause = (err as { cause?: { message?: unknown } } | null)?.cause;
    if (cause?.message === 'bad port') {
      const port = new URL(this.options.uri.base).port;
      const why = `Node's fetch refuses port ${port} (it is on the fetch standard's list of blocked ports): serve MLflow on another port, e.g. 5000`;
      return {
        error: new MlflowError(
          `MLflow ${endpoint} at ${this.options.uri.base}: ${why}`,
          endpoint,
          null,
          null,
        ),
        retry: 'never',
        retryAfterMs: null,
      };
    }
    const code = networkCode(err);
    const why = timedOut
      ? `no answer within ${this.options.timeoutMs / 1000} s`
      : `cannot reach the server (${code ?? (err instanceof Error ? err.message : String(err))})`;
    return {
      error: new MlflowError(
        `MLflow ${endpoint} at ${this.options.uri.base}: ${why}`,
        endpoint,
        null,
        null,
      ),
      retry: code !== null && NOT_SENT.has(code) ? 'always' : 'idempotent',
      retryAfterMs: null,
    };
  }
}

/** The system error code behind a fetch failure (undici wraps it in `cause`, sometimes in an AggregateError). */
function networkCode(err: unknown): string | null {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null)
    ?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : null;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isMlflowError(x: unknown): x is { error_code: string; message: string } {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { error_code?: unknown }).error_code === 'string' &&
    typeof (x as { message?: unknown }).message === 'string'
  );
}

/** MLflow messages can carry a whole SQL statement after the first line: keep the part a person reads. */
function firstLine(message: string): string {
  return clip(message.split('\n')[0]!.trim(), 500);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
