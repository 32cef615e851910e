/**
 * The score cache's key against the false greens an audit found (a stale hit passes a gate the
 * model now fails), through runSuites in this process: a helper imported from outside the
 * project, the run's timeout, and an environment variable the config names in `cacheEnv`.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import type { ResolvedConfig, UserConfig } from '../../src/config/types.ts';
import { collectSuites } from '../../src/runner/collect.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { CaseResult, RunResult } from '../../src/runner/types.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let base = '';
let root = '';

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'bess-cachekey-')));
  root = path.join(base, 'proj');
  await mkdir(path.join(root, 'suites'), { recursive: true });
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await mkdir(path.join(base, 'shared'), { recursive: true });
  await symlink(REPO, path.join(root, 'node_modules', 'bess-harness'), 'dir');
  await writeFile(path.join(base, 'shared', 'helper.ts'), 'export const SIGN = 1;\n');
  await writeFile(
    path.join(root, 'suites', 'k.suite.ts'),
    `import { defineModel, defineSuite } from 'bess-harness';
import { SIGN } from '../../shared/helper.ts';
const dataset = { scenario: { name: 'cachekey', systems: 16, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'k' } };
const outside = defineModel({ name: 'outside', version: '1', score: (s) => SIGN * s.timestamps.length });
const envy = defineModel({ name: 'envy', version: '1', score: (s) => Number(process.env.BESS_TEST_SIGN ?? '1') * s.timestamps.length });
const slow = defineModel({ name: 'slow', version: '1', score: async () => { await new Promise((r) => setTimeout(r, 40)); return 1; } });
export default [
  defineSuite({ name: 'outside', dataset, models: [outside] }),
  defineSuite({ name: 'envy', dataset, models: [envy] }),
  defineSuite({ name: 'slow', dataset, models: [slow] }),
];
`,
  );
  await writeFile(
    path.join(root, 'package.json'),
    '{ "name": "k", "private": true, "type": "module" }\n',
  );
});
afterAll(() => rm(base, { recursive: true, force: true }));
afterEach(() => {
  delete process.env['BESS_TEST_SIGN'];
});

async function run(suite: string, user: UserConfig = {}): Promise<CaseResult> {
  const config: ResolvedConfig = { ...resolveConfig(user, null, root), workers: 1 };
  const suites = (await collectSuites(config)).filter((s) => s.spec.name === suite);
  const r: RunResult = await runSuites(suites, config, [], { seed: 's', harnessVersion: 'test' });
  return r.suites[0]!.cases[0]!;
}
const cached = (c: CaseResult): boolean => c.state === 'scored' && c.cached === true;

describe('the score cache key', () => {
  it('scores again when a helper imported from outside the project changed', async () => {
    await run('outside');
    expect(cached(await run('outside'))).toBe(true);
    const helper = path.join(base, 'shared', 'helper.ts');
    await writeFile(helper, 'export const SIGN = 2;\n'); // same size
    await utimes(helper, new Date(), new Date(Date.now() + 60_000));
    expect(cached(await run('outside'))).toBe(false);
  });

  it('does not serve scores made under a longer timeout to a run whose calls would time out', async () => {
    await run('slow');
    expect(cached(await run('slow'))).toBe(true);
    const short = await run('slow', { timeoutMs: 5 });
    expect(short.state).toBe('errored');
    expect(short.state === 'errored' && short.error).toMatch(/timeout/);
    expect(cached(await run('slow'))).toBe(true); // the longer timeout's entry is still there
  });

  it('scores again when a variable named in cacheEnv changed, and only then', async () => {
    const user: UserConfig = { cacheEnv: ['BESS_TEST_SIGN'] };
    process.env['BESS_TEST_SIGN'] = '1';
    await run('envy', user);
    expect(cached(await run('envy', user))).toBe(true);
    process.env['BESS_TEST_SIGN'] = '-1';
    const flipped = await run('envy', user);
    expect(cached(flipped)).toBe(false);
    expect(flipped.state === 'scored' && flipped.scores[0]!).toBeLessThan(0);
  });
});
