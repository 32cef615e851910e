/**
 * `bess-harness/vitest` in a user's own vitest run: one test per assertion, named as the
 * assertion reads; a failed one fails with the measured value. Whatever makes `harness run` fail
 * (a crashed model, a failed baseline gate, a suite that could not run, a `models` filter that
 * names nothing or leaves nothing to check) fails a vitest test, with the harness's message.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashTree,
  makeProject,
  REPO_ROOT,
  runCommand,
  runHarness,
} from '../helpers/run-harness.ts';

const DATASET = `{ scenario: { name: 'tiny', systems: 24, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } }`;
const suiteFile = (body: string) => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  dataset: ${DATASET},
${body}
});
`;
const testFile = (
  suite: string,
  options = '',
) => `import { describeSuite } from 'bess-harness/vitest';
import suite from '../suites/${suite}.suite.ts';
describeSuite(suite, { file: 'suites/${suite}.suite.ts', cache: false${options} });
`;

interface VitestTest {
  readonly fullName: string;
  readonly status: string;
  readonly failureMessages: string[];
}

/** Runs vitest in the project; its exit code, and its tests by file (relative path → tests). */
async function runVitest(
  dir: string,
  files: readonly string[] = [],
): Promise<{ code: number | null; output: string; files: Record<string, VitestTest[]> }> {
  const report = path.join(dir, 'vitest.json');
  const vitest = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const r = await runCommand(
    process.execPath,
    [vitest, 'run', '--root', dir, '--reporter=json', `--outputFile=${report}`, ...files],
    { cwd: dir },
  );
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: { name: string; assertionResults: VitestTest[] }[];
  };
  return {
    code: r.code,
    output: r.stdout + r.stderr,
    files: Object.fromEntries(
      json.testResults.map((f) => [path.relative(dir, f.name), f.assertionResults]),
    ),
  };
}

const statuses = (tests: readonly VitestTest[] | undefined) =>
  (tests ?? []).map((t) => [t.fullName, t.status]);
const failureOf = (tests: readonly VitestTest[] | undefined, name: string) =>
  (tests ?? []).find((t) => t.fullName === name)?.failureMessages.join('\n') ?? '';

describe('describeSuite', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({
      'harness.config.ts': 'export default { workers: 1 };\n',
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'in-vitest',
  dataset: ${DATASET},
  models: ['random', 'zscore'],
  expect: ({ metric }) => [
    metric('zscore', 'roc_auc').toBeWithin(0, 1),
    metric('random', 'roc_auc').toBeGreaterThan(0.99),
    metric('random', 'roc_auc').toCover(0.5),
  ],
});
`,
      'test/harness.test.ts': testFile('s'),
    });
  });
  afterAll(() => project.cleanup());

  it('makes one vitest test per assertion; a failed one names the measured value', async () => {
    const r = await runVitest(project.dir);
    expect(r.code, r.output).toBe(1);
    const tests = r.files['test/harness.test.ts'];
    expect(statuses(tests)).toEqual([
      ['in-vitest suite runs', 'passed'],
      ['in-vitest every model scores every system', 'passed'],
      ['in-vitest zscore roc_auc in [0, 1]', 'passed'],
      ['in-vitest random roc_auc > 0.99', 'failed'],
      ['in-vitest random roc_auc has a CI covering 0.5', 'passed'],
      ['in-vitest the run completes without harness errors', 'passed'],
    ]);
    const failure = failureOf(tests, 'in-vitest random roc_auc > 0.99');
    expect(failure).toMatch(/measured: 0\.\d+/);
    expect(failure).toMatch(/expected: > 0\.99/);
  }, 180_000);
});

describe('describeSuite fails what harness run fails', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({
      'harness.config.ts': 'export default { workers: 1 };\n',
      'plugins/nanm/index.ts': `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'nanm', version: '1', options: {}, score: () => NaN });
`,
      // A model that crashed, though no assertion names it.
      'suites/crash.suite.ts': suiteFile(`  name: 'crash',
  models: ['random', 'nanm'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0)],`),
      // A baseline gate with no baseline stored: it fails until one is written.
      'suites/gated.suite.ts': suiteFile(`  name: 'gated',
  models: ['random'],
  baseline: { tolerance: 0.02 },
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0)],`),
      // A suite that cannot run: its dataset is not there.
      'suites/broken.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'broken',
  dataset: { path: 'no-such-fleet' },
  models: ['random'],
  expect: () => [],
});
`,
      'test/crash.test.ts': testFile('crash'),
      'test/gated.test.ts': testFile('gated'),
      'test/broken.test.ts': testFile('broken'),
    });
  });
  afterAll(() => project.cleanup());

  it('a crashed model, a failed baseline gate and a suite that could not run each fail a test, as harness run exits non-zero', async () => {
    for (const suite of ['crash', 'gated', 'broken']) {
      const cli = await runHarness(['run', suite, '--no-history', '--reporter', 'plain'], {
        cwd: project.dir,
      });
      expect(cli.code, `${suite}: ${cli.stdout}${cli.stderr}`).not.toBe(0);
    }
    const r = await runVitest(project.dir);
    expect(r.code, r.output).toBe(1);
    const crash = r.files['test/crash.test.ts'];
    expect(statuses(crash)).toEqual([
      ['crash suite runs', 'passed'],
      ['crash every model scores every system', 'failed'],
      ['crash random roc_auc > 0', 'passed'],
      ['crash the run completes without harness errors', 'passed'],
    ]);
    expect(failureOf(crash, 'crash every model scores every system')).toMatch(
      /nanm v1: score\(sys-\d+\): returned NaN/,
    );
    const gated = r.files['test/gated.test.ts'];
    expect(statuses(gated)).toEqual([
      ['gated suite runs', 'passed'],
      ['gated every model scores every system', 'passed'],
      ['gated random roc_auc > 0', 'passed'],
      ['gated baseline gate holds', 'failed'],
      ['gated the run completes without harness errors', 'passed'],
    ]);
    expect(failureOf(gated, 'gated baseline gate holds')).toMatch(
      /random is not gated: the suite sets `baseline` but no baseline is stored/,
    );
    const broken = r.files['test/broken.test.ts'];
    expect(statuses(broken)).toContainEqual(['broken suite runs', 'failed']);
    expect(failureOf(broken, 'broken suite runs')).toMatch(/could not run: .*no-such-fleet/);
  }, 240_000);
});

describe('describeSuite with `models`', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({
      'harness.config.ts': 'export default { workers: 1 };\n',
      'plugins/nanm/index.ts': `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'nanm', version: '1', options: {}, score: () => NaN });
`,
      'suites/a.suite.ts': suiteFile(`  name: 'a',
  models: ['random', 'zscore'],
  expect: ({ metric, fails }) => [
    metric('random', 'roc_auc').toBeGreaterThan(0),
    metric('zscore', 'roc_auc').toBeGreaterThan(0),
    fails(metric('zscore', 'roc_auc').toBeGreaterThan(0.999), 'weak'),
    metric('random', 'roc_auc').toBeGreaterThan(0.999),
  ],`),
      'suites/n.suite.ts': suiteFile(`  name: 'n',
  models: ['random', 'nanm'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0)],`),
      'test/only-random.test.ts': testFile('a', `, models: ['random']`),
      'test/no-such-model.test.ts': testFile('n', `, models: ['nosuch']`),
      'test/nothing-checked.test.ts': testFile('n', `, models: ['nanm']`),
    });
  });
  afterAll(() => project.cleanup());

  it("each result goes to its own assertion's test; the assertions left out are skipped, not passed", async () => {
    const r = await runVitest(project.dir, ['test/only-random.test.ts']);
    expect(r.code, r.output).toBe(1);
    const tests = r.files['test/only-random.test.ts'];
    expect(statuses(tests)).toEqual([
      ['a suite runs', 'passed'],
      ['a every model scores every system', 'passed'],
      ['a random roc_auc > 0', 'passed'],
      ['a zscore roc_auc > 0 (left out by models: it names zscore)', 'skipped'],
      ['a zscore roc_auc > 0.999 (left out by models: it names zscore)', 'skipped'],
      ['a random roc_auc > 0.999', 'failed'],
      ['a the run completes without harness errors', 'passed'],
    ]);
    expect(failureOf(tests, 'a random roc_auc > 0.999')).toMatch(
      /expected random roc_auc > 0\.999, got 0\.\d+[\s\S]*expected: > 0\.999/,
    );
  }, 180_000);

  it('a model that is not in the suite, or a filter that leaves every assertion out, fails as harness run --model does (exit 2)', async () => {
    for (const model of ['nosuch', 'nanm']) {
      const cli = await runHarness(['run', 'n', '--model', model, '--no-history'], {
        cwd: project.dir,
      });
      expect(cli.code, cli.stderr).toBe(2);
    }
    const r = await runVitest(project.dir, [
      'test/no-such-model.test.ts',
      'test/nothing-checked.test.ts',
    ]);
    expect(r.code, r.output).toBe(1);
    expect(failureOf(r.files['test/no-such-model.test.ts'], 'n suite runs')).toMatch(
      /no model named "nosuch" in the selected suites/,
    );
    expect(statuses(r.files['test/nothing-checked.test.ts'])).toContainEqual([
      'n random roc_auc > 0 (left out by models: it names random)',
      'skipped',
    ]);
    expect(failureOf(r.files['test/nothing-checked.test.ts'], 'n suite runs')).toMatch(
      /every assertion of the selected suites names a model left out \(random\)/,
    );
  }, 180_000);
});

describe('describeSuite and the out dir', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({
      'harness.config.ts':
        "export default { workers: 1, reporters: ['plain', 'json', 'junit'] };\n",
      'suites/s.suite.ts': suiteFile(`  name: 's',
  models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0)],`),
      'test/s.test.ts': testFile('s'),
      'test/nosuch.test.ts': testFile('s', `, models: ['nosuch']`),
    });
  });
  afterAll(() => project.cleanup());

  it("leaves the last harness run's reports and run-record.json as they were: it writes and records nothing", async () => {
    const cli = await runHarness(['run'], { cwd: project.dir });
    expect(cli.code, cli.stderr).toBe(0);
    const outDir = path.join(project.dir, '.harness', 'last-run');
    const before = await hashTree(outDir);
    expect(Object.keys(before).sort()).toEqual(['junit.xml', 'results.json', 'run-record.json']);
    // One run that passes, one that throws (an unknown model) before anything runs.
    const r = await runVitest(project.dir);
    expect(r.code, r.output).toBe(1);
    expect(statuses(r.files['test/s.test.ts']).every(([, s]) => s === 'passed')).toBe(true);
    expect(await hashTree(outDir)).toEqual(before);
  }, 180_000);
});

describe('describeSuite with a suite object that is not its file', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({
      'harness.config.ts': 'export default { workers: 1 };\n',
      'suites/s.suite.ts': suiteFile(`  name: 's',
  models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0)],`),
      // A variant of the file's suite, with the file's path: its models were made from the
      // file in the workers, and random's scores were graded as zscore's.
      'test/variant.test.ts': `import { defineSuite } from 'bess-harness';
import { describeSuite } from 'bess-harness/vitest';
import suite from '../suites/s.suite.ts';
describeSuite(
  defineSuite({ ...suite, models: ['zscore'], expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeGreaterThan(0)] }),
  { file: 'suites/s.suite.ts', cache: false },
);
`,
    });
  });
  afterAll(() => project.cleanup());

  it("fails with why: the file's model is not the object's", async () => {
    const r = await runVitest(project.dir);
    expect(r.code, r.output).toBe(1);
    const tests = r.files['test/variant.test.ts'];
    expect(statuses(tests)).toContainEqual(['s every model scores every system', 'failed']);
    expect(statuses(tests)).toContainEqual(['s zscore roc_auc > 0', 'failed']);
    expect(failureOf(tests, 's every model scores every system')).toContain(
      `model #1 of suite "s" is "random" v1 in the file, but "zscore" v1 in the suite being run`,
    );
  }, 180_000);
});
