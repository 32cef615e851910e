import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defineModel } from '../../../src/index.ts';
import { harnessKey } from '../../../src/runner/harness-key.ts';
import { envKeyOf, scoreKey, type ScoreCache } from '../../../src/runner/score-cache.ts';

const cache: ScoreCache = {
  dir: '/tmp/none',
  dataKey: 'd'.repeat(64),
  codeKey: 'c'.repeat(64),
  harness: '0.1.0+0123456789abcdef',
  env: envKeyOf([]),
};
const plugin = defineModel({ name: 'm', version: '1', score: () => 0 });
const split = { train: [], test: [] };
const key = (c: ScoreCache = cache, timeoutMs = 60_000) =>
  scoreKey(c, plugin, split, 's', false, timeoutMs);

describe('scoreKey', () => {
  it('is the same for the same inputs', () => {
    expect(key()).toBe(key());
  });

  it('differs with the harness: its version or its code', () => {
    expect(key({ ...cache, harness: '0.2.0+0123456789abcdef' })).not.toBe(key());
    expect(key({ ...cache, harness: '0.1.0+fedcba9876543210' })).not.toBe(key());
  });

  it('differs with the time a call may take', () => {
    expect(key(cache, 5)).not.toBe(key(cache, 60_000));
  });

  it('differs with the values of the variables cacheEnv names, not with the rest of the environment', () => {
    const name = 'BESS_SCORE_KEY_TEST';
    try {
      process.env[name] = '1';
      const one = envKeyOf([name]);
      process.env[name] = '-1';
      expect(envKeyOf([name])).not.toBe(one);
      delete process.env[name];
      expect(envKeyOf([name])).not.toBe(one);
      const none = envKeyOf([]);
      process.env[name] = 'anything';
      expect(envKeyOf([])).toBe(none);
      expect(key({ ...cache, env: envKeyOf([name]) })).not.toBe(key());
    } finally {
      delete process.env[name];
    }
  });
});

describe('harnessKey', () => {
  it("is the harness's version and a hash of its code, computed once", async () => {
    const { version } = JSON.parse(
      await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const k = await harnessKey();
    expect(k).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\+[0-9a-f]{16}$`));
    expect(await harnessKey()).toBe(k);
  });
});
