import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
} from '../../../../src/track/mlflow/backoff.ts';

const noJitter = { ...DEFAULT_RETRY_POLICY, backoffJitterMs: 0 };

describe('backoffDelayMs', () => {
  it('follows urllib3: no wait before the first retry, then factor·2^(n−1), capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, noJitter, () => 0))).toEqual([
      0, 4000, 8000, 16000, 32000, 64000, 120000,
    ]);
  });

  it('adds a jitter drawn from the seeded generator: the same seed waits the same', () => {
    const waits = (seed: string) => {
      const random = seedrandom.alea(seed);
      return [1, 2, 3].map((n) => backoffDelayMs(n, DEFAULT_RETRY_POLICY, random));
    };
    expect(waits('a')).toEqual(waits('a'));
    expect(waits('a')).not.toEqual(waits('b'));
    waits('a').forEach((w, i) => {
      const base = i === 0 ? 0 : 2000 * 2 ** i;
      expect(w).toBeGreaterThanOrEqual(base);
      expect(w).toBeLessThan(base + 1000);
    });
  });

  it("waits what the server's Retry-After says instead, within the cap", () => {
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.9, 1500)).toBe(1500);
    expect(backoffDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.9, 10 * 60_000)).toBe(120_000);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Thu, 26 Nov 2026 12:00:05 GMT', 5000],
    ['Thu, 26 Nov 2026 11:00:00 GMT', 0],
    ['soon', null],
    [null, null],
  ])('%j → %j ms', (header, ms) => {
    expect(parseRetryAfterMs(header, now)).toBe(ms);
  });
});
