/**
 * When to retry a request, mirroring MLflow's Python client (urllib3's Retry with the
 * MLFLOW_HTTP_REQUEST_* defaults): 7 retries, exponential backoff factor·2^(n−1) from the second
 * retry on, capped at 120 s, plus a uniform jitter; a server's Retry-After wins over the formula.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Backoff factor in ms: retry n waits factor·2^(n−1) (the first retry does not wait). */
  readonly backoffFactorMs: number;
  /** Up to this many ms are added to every wait, drawn from the seeded generator. */
  readonly backoffJitterMs: number;
  /** No wait is longer (Retry-After included). */
  readonly maxBackoffMs: number;
}

/** MLflow's defaults (mlflow/environment_variables.py): MAX_RETRIES 7, BACKOFF_FACTOR 2 s, BACKOFF_JITTER 1 s; urllib3's backoff_max 120 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 7,
  backoffFactorMs: 2000,
  backoffJitterMs: 1000,
  maxBackoffMs: 120_000,
};

/** HTTP statuses worth retrying: overload (429) and server-side or gateway failures. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** The wait before retry `retry` (1-based), in ms. `random` is a seeded uniform [0, 1) draw. */
export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs: number | null = null,
): number {
  if (retryAfterMs !== null) return Math.min(policy.maxBackoffMs, retryAfterMs);
  const exponential = retry <= 1 ? 0 : policy.backoffFactorMs * 2 ** (retry - 1);
  return Math.min(policy.maxBackoffMs, exponential + policy.backoffJitterMs * random());
}

/** A Retry-After header in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
