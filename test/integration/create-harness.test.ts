/**
 * A whole run driven from code through createHarness, with no CLI: collect, run, the result,
 * the exit code and the run record, and the errors a CI gate needs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, defineSuite, HarnessError } from '../../src/index.ts';
import type { Reporter } from '../../src/index.ts';
import type { BaselineFile } from '../../src/runner/baseline.ts';
import { hashTree, makeProject } from '../helpers/run-harness.ts';

const DATASET = `{ scenario: { name: 'tiny', systems: 24, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } }`;
const SUITES = `import { defineSuite } from 'bess-harness';
export default [
  defineSuite({ name: 'holds', dataset: ${DATASET}, models: ['random', 'zscore'],
    expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeWithin(0, 1)] }),
  defineSuite({ name: 'fails', dataset: ${DATASET}, models: ['random'],
    expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0.99)] }),
];
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/s.suite.ts': SUITES,
    // Outside the config's suites glob: collected on its own by the typo test below.
    'typos/expects.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'typo', dataset: ${DATASET}, models: ['random'],
  expects: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(0.99)] });
`,
  });
});
afterAll(() => project.cleanup());

describe('createHarness', () => {
  it('collects suites × models without running anything', async () => {
    const harness = await createHarness({ cwd: project.dir });
    expect(harness.config.workers).toBe(1);
    const suites = await harness.collect();
    expect(suites.map((s) => [s.spec.name, s.modelNames])).toEqual([
      ['holds', ['random', 'zscore']],
      ['fails', ['random']],
    ]);
    expect((await harness.collect({ models: ['zscore'] })).map((s) => s.spec.name)).toEqual([
      'holds',
    ]);
  });

  it('runs, grades, records: the exit code is the verdict, and reporters hear every suite', async () => {
    const harness = await createHarness({
      cwd: project.dir,
      overrides: { runsDir: path.join(project.dir, 'runs') },
    });
    const heard: string[] = [];
    const listener: Reporter = { onSuiteResult: ({ result }) => void heard.push(result.name) };
    const holds = await harness.run(
      { suites: ['holds'] },
      { reporters: [listener], record: true, argv: ['from-code'] },
    );
    expect(
      holds.exitCode,
      JSON.stringify(
        holds.result.suites.map((s) => [
          s.error,
          s.cases.map((c) => (c.state === 'errored' ? c.error : c.state)),
        ]),
      ),
    ).toBe(0);
    expect(heard).toEqual(['holds']);
    expect(holds.result.suites[0]!.cases.map((c) => [c.model, c.state])).toEqual([
      ['random', 'scored'],
      ['zscore', 'scored'],
    ]);
    expect(holds.record).not.toBeNull();
    const dir = (holds.record as { dir: string }).dir;
    expect(existsSync(path.join(dir, 'run.json'))).toBe(true);
    expect(readFileSync(path.join(dir, 'run.json'), 'utf8')).toContain('from-code');
    // The out dir names the record, so load_results finds the scores after a plain run.
    const pointerFile = path.join(project.dir, '.harness', 'last-run', 'run-record.json');
    const pointer = JSON.parse(readFileSync(pointerFile, 'utf8')) as Record<string, unknown>;
    expect(pointer).toEqual({
      schema: 1,
      run_id: path.basename(dir),
      started_at: holds.result.startedAt,
      record: `../../runs/${path.basename(dir)}`,
    });
    expect(path.resolve(path.dirname(pointerFile), pointer['record'] as string)).toBe(dir);

    const fails = await harness.run({ words: ['fails'] }, { reporters: [listener], record: false });
    expect(fails.exitCode).toBe(1);
    expect(fails.record).toBeNull();
    // A run that reports but is not recorded removes the pointer: it named the last recorded
    // (green) run, and load_results() read that run as this one when no results.json was written.
    expect(existsSync(pointerFile)).toBe(false);
    expect(fails.result.summary.assertions.failed).toBe(1);
  }, 120_000);

  it('--update-baseline with --model rewrites that model and keeps the others, so none goes ungated', async () => {
    const harness = await createHarness({ cwd: project.dir });
    const file = path.join(project.dir, 'suites', '__baselines__', 'holds.json');
    const stored = () => JSON.parse(readFileSync(file, 'utf8')) as BaselineFile;
    const opts = { record: false, updateBaseline: true };
    expect((await harness.run({ suites: ['holds'] }, opts)).exitCode).toBe(0);
    const full = stored();
    const one = await harness.run({ suites: ['holds'], models: ['zscore'] }, opts);
    expect(one.result.suites[0]!.baseline!.message).toBe(
      'baseline written for zscore (kept: random)',
    );
    expect(stored().models).toEqual(full.models); // random kept, zscore rewritten as it was
  }, 60_000);

  it('a reporter that throws is named and the run exits 2; the other reporters still write, and an out dir that is a file stops the run first', async () => {
    const harness = await createHarness({ cwd: project.dir });
    const outDir = path.join(project.dir, 'reporter-out');
    const heard: string[] = [];
    const throwing: Reporter = {
      onSuiteResult() {
        throw new Error('slack is down');
      },
      onRunEnd: () => void heard.push('not called again'),
    };
    const listener: Reporter = { onRunEnd: () => void heard.push('onRunEnd') };
    const run = await harness.run(
      { suites: ['fails'] },
      { reporters: [throwing, 'json', listener], outDir, record: false },
    );
    expect(run.reporterErrors).toEqual([
      'reporter "reporter 1 (an object)" failed in onSuiteResult: slack is down',
    ]);
    expect(run.exitCode).toBe(2);
    // The reports say exit 2 too, with why: a CI reading only results.json must not see exit 1.
    expect(run.result.summary.exitCode).toBe(2);
    expect(run.result.errors).toEqual(run.reporterErrors);
    expect(run.result.suites[0]!.assertions.map((a) => a.state)).toContain('failed');
    expect(heard).toEqual(['onRunEnd']);
    const json = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8'));
    expect([json.summary.exitCode, json.errors]).toEqual([2, run.reporterErrors]);

    // Checked before any suite runs (the other shapes of a bad out dir: guard-reporters.test.ts).
    const file = path.join(outDir, 'results.json');
    await expect(
      harness.run({ suites: ['fails'] }, { reporters: ['junit'], outDir: file, record: false }),
    ).rejects.toThrow(`out dir ${file} is a file, not a folder`);
  }, 60_000);

  it('a typo in a suite key is a HarnessError naming the file and the key, never a suite that drops it', async () => {
    const { config } = await createHarness({ cwd: project.dir });
    const typo = await createHarness({ config: { ...config, suites: ['typos/*.suite.ts'] } });
    await expect(typo.collect()).rejects.toThrow(
      /typos\/expects\.suite\.ts: suite "typo": unknown suite key `expects` \(did you mean "expect"\?\)/,
    );
  });

  it('a filter that matches nothing is a HarnessError naming what exists, never an empty green run', async () => {
    const harness = await createHarness({ cwd: project.dir });
    await expect(harness.run({ words: ['nope'] })).rejects.toThrow(HarnessError);
    await expect(harness.run({ words: ['nope'] })).rejects.toThrow(
      /no suite matches "nope" \(suites: holds, fails\)/,
    );
    // One word of several that matches nothing is the same typo: the suite it meant would not run.
    await expect(harness.run({ words: ['holds', 'nope'] })).rejects.toThrow(
      /no suite matches "nope" \(suites: holds, fails\)/,
    );
    await expect(harness.run({ models: ['PCA'] })).rejects.toThrow(
      /--model: no model named "PCA" .*models: random, zscore/,
    );
  });

  it('runCollected checks `models` as run does: an unknown model, or a filter that leaves every assertion out, is a HarnessError', async () => {
    const harness = await createHarness({ cwd: project.dir });
    // A suite made in code (a test file's), with no baseline beside its file.
    const inCode = {
      file: path.join(project.dir, 'in-code', 'in-code.suite.ts'),
      spec: defineSuite({
        name: 'in-code',
        dataset: {
          scenario: {
            name: 'tiny',
            systems: 24,
            days: 1,
            interval: '1h',
            anomalyRate: 0.4,
            seed: 'tiny',
          },
        },
        models: ['random', 'zscore'],
        expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeWithin(0, 1)],
      }),
      modelNames: ['random', 'zscore'],
    };
    const opts = { record: false, reporters: [] };
    await expect(harness.runCollected([inCode], { ...opts, models: ['nosuch'] })).rejects.toThrow(
      /--model: no model named "nosuch" .*models: random, zscore/,
    );
    // Its one assertion names zscore: with random alone, nothing would be checked.
    await expect(harness.runCollected([inCode], { ...opts, models: ['random'] })).rejects.toThrow(
      /every assertion of the selected suites names a model left out \(zscore\)/,
    );
    const zscore = await harness.runCollected([inCode], { ...opts, models: ['zscore'] });
    expect(zscore.exitCode).toBe(0);
    expect(zscore.result.suites[0]!.cases.map((c) => c.model)).toEqual(['zscore']);
  });

  it('a run with no reporter that records nothing leaves the out dir as the last run left it, even when it throws', async () => {
    const outDir = path.join(project.dir, 'quiet-out');
    const harness = await createHarness({
      cwd: project.dir,
      overrides: { outDir, runsDir: path.join(project.dir, 'quiet-runs') },
    });
    const last = await harness.run({ suites: ['holds'] }, { reporters: ['json'], record: true });
    expect(last.exitCode).toBe(0);
    const before = await hashTree(outDir);
    expect(Object.keys(before).sort()).toEqual(['results.json', 'run-record.json']);
    const quiet = { reporters: [], record: false };
    expect((await harness.run({ suites: ['fails'] }, quiet)).exitCode).toBe(1);
    const fails = (await harness.collect({ suites: ['fails'] }))[0]!;
    await expect(harness.runCollected([fails], { ...quiet, models: ['nosuch'] })).rejects.toThrow(
      HarnessError,
    );
    expect(await hashTree(outDir)).toEqual(before);
    // A run that reports, even on the terminal alone, leaves no earlier report beside its own.
    await harness.run({ suites: ['holds'] }, { reporters: ['plain'], record: false });
    expect(await hashTree(outDir)).toEqual({});
  });

  it('a run with track: false (a suite under vitest) runs unrecorded while MLFLOW_TRACKING_URI is set; without it that is refused', async () => {
    const harness = await createHarness({
      cwd: project.dir,
      env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' },
    });
    const quiet = { reporters: [], record: false };
    await expect(harness.run({ suites: ['holds'] }, quiet)).rejects.toThrow(
      /cannot go with --no-history|cannot go with history: false/,
    );
    const r = await harness.run({ suites: ['holds'] }, { ...quiet, track: false });
    expect([r.exitCode, r.tracking, r.record]).toEqual([0, null, null]);
  });
});
