/**
 * `harness generate` landing in the middle of a `harness run`: the run read fleet B's series
 * against fleet A's labels and reported the mix (exit 0 or 1 by chance). The generate lands at a
 * fixed point here, inside the first model's fit, after the dataset was loaded and before any
 * series is read: the run must stop with exit 2 and say why, never score another fleet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO_ROOT, runHarness } from '../helpers/run-harness.ts';
import path from 'node:path';

const FLEET = ['--systems', '20', '--days', '2', '--interval', '1h'];

const REGENERATE = `import { execFileSync } from 'node:child_process';
import { defineModel } from 'bess-harness';

// Its fit replaces data/synthetic with another fleet, as a generate in another terminal would.
export default defineModel({
  name: 'regenerate',
  version: '1',
  fit() {
    execFileSync(process.execPath, [${JSON.stringify(path.join(REPO_ROOT, 'bin', 'harness.js'))}, 'generate', ${FLEET.map((a) => `'${a}'`).join(', ')}, '--seed', 'b'], { stdio: 'ignore' });
  },
  score() {
    return 0;
  },
});
`;

const SUITE = `import { defineSuite } from 'bess-harness';
import regenerate from '../plugins/regenerate.ts';

export default defineSuite({
  name: 'overlap',
  dataset: { source: 'synthetic' },
  split: { test: 0.5, seed: 7 },
  models: [regenerate, 'zscore'],
  expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeGreaterThan(0)],
});
`;

describe('a generate during a run', { timeout: 120_000 }, () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeProject({
      'harness.config.ts': `export default { workers: 1, reporters: ['plain'] };\n`,
      'plugins/regenerate.ts': REGENERATE,
      'suites/overlap.suite.ts': SUITE,
    }));
    const gen = await runHarness(['generate', ...FLEET, '--seed', 'a'], { cwd: dir });
    expect(gen.code, gen.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it('stops the run with exit 2 saying the folder was replaced, instead of scoring the new fleet', async () => {
    const r = await runHarness(['run', '--no-cache', '--no-history'], { cwd: dir });
    expect(r.stdout + r.stderr).toMatch(
      /data\/synthetic was replaced by `harness generate` while this dataset was in use/,
    );
    expect(r.code, r.stdout + r.stderr).toBe(2);
  });
});
