/**
 * `bess-harness/vitest` in a user's own vitest run: one test per assertion, named as the
 * assertion reads; a failed one fails with the measured value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeProject, REPO_ROOT, runCommand } from '../helpers/run-harness.ts';

const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'in-vitest',
  dataset: { scenario: { name: 'tiny', systems: 24, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['random', 'zscore'],
  expect: ({ metric }) => [
    metric('zscore', 'roc_auc').toBeWithin(0, 1),
    metric('random', 'roc_auc').toBeGreaterThan(0.99),
    metric('random', 'roc_auc').toCover(0.5),
  ],
});
`;
const TEST = `import { describeSuite } from 'bess-harness/vitest';
import suite from '../suites/s.suite.ts';
describeSuite(suite, { file: 'suites/s.suite.ts', cache: false });
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/s.suite.ts': SUITE,
    'test/harness.test.ts': TEST,
  });
});
afterAll(() => project.cleanup());

it('describeSuite makes one vitest test per assertion; a failed one names the measured value', async () => {
  const report = path.join(project.dir, 'vitest.json');
  const vitest = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const r = await runCommand(
    process.execPath,
    [vitest, 'run', '--root', project.dir, '--reporter=json', `--outputFile=${report}`],
    { cwd: project.dir },
  );
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: {
      assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
    }[];
  };
  const tests = json.testResults.flatMap((f) => f.assertionResults);
  expect(tests.map((t) => [t.fullName, t.status])).toEqual([
    ['in-vitest zscore roc_auc in [0, 1]', 'passed'],
    ['in-vitest random roc_auc > 0.99', 'failed'],
    ['in-vitest random roc_auc has a CI covering 0.5', 'passed'],
  ]);
  const failure = tests[1]!.failureMessages.join('\n');
  expect(failure).toMatch(/measured: 0\.\d+/);
  expect(failure).toMatch(/expected: > 0\.99/);
}, 180_000);
