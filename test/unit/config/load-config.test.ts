import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load-config.ts';
import { HarnessError } from '../../../src/errors.ts';

describe('resolveConfig', () => {
  it('fills defaults and resolves paths against the config folder', () => {
    const c = resolveConfig({}, null, '/proj');
    expect(c).toEqual({ configFile: null, root: '/proj', dataDir: path.resolve('/proj', 'data'), scenario: 'default', seed: null });
    expect(resolveConfig({ dataDir: '../d', seed: 7 }, '/proj/harness.config.ts', '/proj')).toMatchObject({ dataDir: path.resolve('/d'), seed: '7' });
  });

  it('names every wrong field once, with the file', () => {
    try {
      resolveConfig({ dataDir: '', scenario: 3, sed: 1 }, '/proj/.harnessrc.json', '/proj');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HarnessError);
      const e = err as HarnessError;
      expect(e.code).toBe('E_CONFIG');
      expect(e.problems.map((p) => [p.file, p.message])).toEqual([
        ['/proj/.harnessrc.json', 'dataDir: must be a non-empty string (a folder path)'],
        ['/proj/.harnessrc.json', 'scenario: must be a scenario name or path'],
        ['/proj/.harnessrc.json', 'sed: unknown field (known: dataDir, scenario, seed)'],
      ]);
    }
  });

  it('rejects a config that is not an object', () => {
    expect(() => resolveConfig([], 'x.json', '/')).toThrow(/must be an object/);
  });
});
