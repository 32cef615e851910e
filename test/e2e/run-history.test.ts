import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunComparison } from '../../src/track/compare.ts';
import type { RunOverview } from '../../src/track/overview.ts';
import type { RunRecord } from '../../src/track/types.ts';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

// The local run history through the real CLI: `harness run` records each run in
// .harness/runs/<id>/, `harness runs` lists them, `harness compare` diffs two.

const CONFIG = `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'e2e' });\n`;

const suite = (
  sensor: string,
  expectations = `metric('random', 'roc_auc').toBeWithin(0, 1)`,
  models = `'random', ['zscore', { sensor: '${sensor}' }]`,
) => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'hist',
  // a small fleet, so that each run takes a few seconds
  dataset: { scenario: { name: 'hist-fleet', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } },
  models: [${models}],
  expect: ({ metric }) => [${expectations}],
});
`;

const git = async (cwd: string, ...args: string[]) =>
  (
    await promisify(execFile)(
      'git',
      ['-c', 'user.email=e2e@bess.local', '-c', 'user.name=e2e', ...args],
      { cwd },
    )
  ).stdout.trim();

const RECORDED = /\nrun recorded: (\.harness\/runs\/(\d{8}T\d{6}Z-[0-9a-f]{6}))\n$/;

describe('harness run records the run; harness runs and harness compare read the history', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('records two runs, lists them with commit and exit code, compares them, and shows a changed model option', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/hist.suite.ts': suite('temp_cell_max_c'),
      '.gitignore': 'node_modules/\n.harness/\n',
    });
    const dir = project.dir;
    await git(dir, 'init', '-q');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'fixture');
    const head = await git(dir, 'rev-parse', 'HEAD');
    const harness = (...args: string[]) => runHarness(args, { cwd: dir });

    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await harness('run', '--reporter', 'plain', '--reporter', 'json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/PASS\s+Assertions 1 passed, 0 failed/);
      const m = RECORDED.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      runs.push(m![2]!);
    }
    expect(runs[0]).not.toBe(runs[1]);
    expect((await readdir(path.join(dir, '.harness', 'runs'))).sort()).toEqual([...runs].sort());

    // The record: run.json parses, results.json is the last run's results.json byte for byte,
    // one scores row per test system.
    const runDir = path.join(dir, '.harness', 'runs', runs[1]!);
    const record = JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8')) as RunRecord;
    expect(record).toMatchObject({
      schema: 1,
      run_id: runs[1],
      exit_code: 0,
      seed: 'e2e',
      argv: ['--reporter', 'plain', '--reporter', 'json'],
      git: { commit: head, dirty: false },
      config: { file: 'harness.config.ts' },
    });
    expect(record.config.hash).toMatch(/^[0-9a-f]{64}$/);
    const [s] = record.suites;
    expect(s).toMatchObject({
      name: 'hist',
      file: 'suites/hist.suite.ts',
      error: null,
      split: { test: 0.5, folds: null, seed: 'e2e' },
    });
    expect(s!.dataset).toMatchObject({
      kind: 'scenario',
      name: 'hist-fleet',
      data_source: 'synthetic',
      scenario: 'hist-fleet',
      label_version: 1,
      systems: 40,
      train: 20,
      test: 20,
    });
    expect(s!.dataset!.data_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s!.cases.map((c) => [c.model, c.state, c.seed, c.scores_file])).toEqual([
      ['random', 'scored', 'e2e:hist:random', 'scores/hist/random.csv'],
      ['zscore', 'scored', 'e2e:hist:zscore', 'scores/hist/zscore.csv'],
    ]);
    const results = await readFile(path.join(runDir, 'results.json'), 'utf8');
    expect(results).toBe(
      await readFile(path.join(dir, '.harness', 'last-run', 'results.json'), 'utf8'),
    );
    const csv = (await readFile(path.join(runDir, 'scores', 'hist', 'zscore.csv'), 'utf8'))
      .trimEnd()
      .split('\n');
    expect(csv[0]).toBe('system_id,label,score');
    expect(csv).toHaveLength(1 + 20);
    const zscore = JSON.parse(results).suites[0].cases.find(
      (c: { model: string }) => c.model === 'zscore',
    );
    expect(csv.slice(1).filter((l) => l.split(',')[1] === 'anomaly')).toHaveLength(
      zscore.positives,
    );

    // harness runs: newest first, the commit without `*`, exit 0, the AUCs of both models.
    const list = await harness('runs');
    expect(list.code).toBe(0);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(
      /^id\s+started \(UTC\)\s+commit\s+exit\s+suites\s+cases\s+roc_auc\s+tracking$/,
    );
    expect(rows.slice(1).map((l) => l.split(/\s{2,}/))).toEqual(
      [runs[1], runs[0]].map((id) => [
        id,
        expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        head.slice(0, 7),
        '0',
        '1',
        '2',
        expect.stringMatching(/^random \d\.\d\d zscore \d\.\d\d$/),
        '—',
      ]),
    );
    const listed = JSON.parse((await harness('runs', '--json')).stdout) as RunOverview[];
    expect(listed.map((o) => [o.run_id, o.exit_code, o.git.commit, o.tracking])).toEqual([
      [runs[1], 0, head, null],
      [runs[0], 0, head, null],
    ]);

    // Two identical runs: every delta 0, the paired test on the 20 test systems reported.
    const same = await harness('compare', '--json');
    expect(same.code).toBe(0);
    const c1 = JSON.parse(same.stdout) as RunComparison;
    expect([c1.before.run_id, c1.after.run_id]).toEqual(runs);
    expect(c1.changes).toEqual([]);
    for (const k of c1.suites[0]!.cases) {
      if (k.status !== 'compared') throw new Error(`${k.model} was not compared`);
      for (const m of k.metrics)
        if (m.before !== null) expect(m.delta, `${k.model} ${m.name}`).toBe(0);
      expect(k.test).toMatchObject({ kind: 'paired', n: 20, p_value: 1 });
    }
    const text = await harness('compare', runs[0]!, runs[1]!.slice(0, 20));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`harness compare  ${runs[0]} → ${runs[1]}`);
    expect(text.stdout).toContain('what changed: nothing recorded');
    expect(text.stdout).toMatch(
      /zscore {2}paired DeLong on 20 systems: Δ roc_auc 0 \[0, 0\], p = 1\.0000/,
    );

    // A changed model option and a failing assertion, not committed: exit 1, `*`, a non-zero delta.
    await writeFile(
      path.join(dir, 'suites', 'hist.suite.ts'),
      suite(
        'cell_delta_v_mv',
        `metric('random', 'roc_auc').toBeWithin(0, 1), metric('random', 'roc_auc').toBeGreaterThan(0.99)`,
      ),
    );
    const third = await harness('run');
    expect(third.code).toBe(1);
    expect(third.stdout).toMatch(RECORDED);
    const after = await harness('runs', '--json');
    const newest = (JSON.parse(after.stdout) as RunOverview[])[0]!;
    expect(newest).toMatchObject({ exit_code: 1, git: { commit: head, dirty: true } });
    expect((await harness('runs')).stdout.split('\n')[1]).toMatch(
      new RegExp(`^${newest.run_id}\\s+\\S+ \\S+\\s+${head.slice(0, 7)}\\*\\s+1\\s`),
    );

    const changed = await harness('compare', '--json');
    const c2 = JSON.parse(changed.stdout) as RunComparison & { significant_drops: unknown[] };
    expect(c2.changes).toContainEqual({
      scope: 'run',
      field: 'uncommitted changes',
      before: false,
      after: true,
    });
    expect(c2.changes).toContainEqual(
      expect.objectContaining({
        scope: 'hist/zscore',
        field: 'options',
        before: expect.stringContaining('"sensor":"temp_cell_max_c"'),
        after: expect.stringContaining('"sensor":"cell_delta_v_mv"'),
      }),
    );
    expect(
      c2.changes.filter((ch) => ch.field === 'data_hash' || ch.field === 'git commit'),
    ).toEqual([]);
    const [random, z] = c2.suites[0]!.cases;
    if (random?.status !== 'compared' || z?.status !== 'compared')
      throw new Error('both models should be compared');
    expect(random.metrics.find((m) => m.name === 'roc_auc')!.delta).toBe(0);
    const zAuc = z.metrics.find((m) => m.name === 'roc_auc')!;
    expect(zAuc.delta).not.toBe(0);
    expect(zAuc.delta).toBeCloseTo(zAuc.after! - zAuc.before!, 12);
    expect(z.test.kind).toBe('paired');
    if (z.test.kind !== 'paired') throw new Error('not paired');
    expect(z.test.diff).toBeCloseTo(zAuc.delta!, 12);
    expect(z.test.p_value).toBeGreaterThan(0);
    expect(z.test.p_value).toBeLessThan(1);
    // --fail-on-drop exits 1 exactly when a paired test shows a significant drop.
    const gate = await harness('compare', '--fail-on-drop');
    expect(gate.code).toBe(c2.significant_drops.length > 0 ? 1 : 0);

    const show = await harness('runs', 'show', 'latest');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run ${newest.run_id}`);
    expect(show.stdout).toContain(`git       ${head} on `);
    expect(show.stdout).toContain('with uncommitted changes');
    expect(show.stdout).toMatch(
      /zscore\s+1\s+scored\s+(yes|no)\s+.*e2e:hist:zscore\s+\{.*"sensor":"cell_delta_v_mv"/,
    );

    // Bad refs: exit 2, a message naming the store and the runs, no stack trace.
    const unknown = await harness('compare', 'nope', 'latest');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      new RegExp(
        `^harness: no run "nope" in ${dir.replaceAll('/', '\\/')}\\/\\.harness\\/runs \\(runs, newest first: ${newest.run_id}, `,
      ),
    );
    expect(unknown.stderr).not.toMatch(/\n\s+at |internal error/);
    const ambiguous = await harness('runs', 'show', '2');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/is ambiguous in .*\.harness\/runs: it starts 3 run ids/);
    const tooFar = await harness('compare', 'latest~3');
    expect(tooFar.code).toBe(2);
    expect(tooFar.stderr).toContain('holds only 3 runs');
  }, 240_000);

  it('records nothing with --no-history or history: false', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/hist.suite.ts': suite('', undefined, `'random'`),
    });
    const runsDir = path.join(project.dir, '.harness', 'runs');
    const off = await runHarness(['run', '--no-history'], { cwd: project.dir });
    expect(off.code).toBe(0);
    expect(off.stdout).not.toContain('run recorded');
    await expect(stat(runsDir)).rejects.toThrow(/ENOENT/);
    await writeFile(
      path.join(project.dir, 'harness.config.ts'),
      CONFIG.replace("seed: 'e2e'", "seed: 'e2e', history: false"),
    );
    const configured = await runHarness(['run'], { cwd: project.dir });
    expect(configured.code).toBe(0);
    expect(configured.stdout).toMatch(/PASS\s+Assertions 1 passed/);
    expect(configured.stdout).not.toContain('run recorded');
    await expect(stat(runsDir)).rejects.toThrow(/ENOENT/);
    const empty = await runHarness(['runs'], { cwd: project.dir });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(
      `no runs recorded in .harness/runs yet: \`harness run\` records every run (unless history is off)\n`,
    );
  }, 120_000);

  it('a run that cannot be recorded keeps its verdict, and with MLflow set says nothing was tracked', async () => {
    project = await makeProject({
      // runsDir below a file: the record cannot be written
      'harness.config.ts': CONFIG.replace("seed: 'e2e'", "seed: 'e2e', runsDir: 'blocked/runs'"),
      blocked: 'a file, not a folder\n',
      'suites/hist.suite.ts': suite('', undefined, `'random'`),
    });
    // Nothing listens there: the run must not even try, since there is no record to send.
    const r = await runHarness(['run', '--reporter', 'plain'], {
      cwd: project.dir,
      env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' },
    });
    expect(r.stdout).toMatch(/PASS\s+Assertions 1 passed/);
    expect(r.stdout).not.toContain('run recorded');
    expect(r.stderr).toMatch(/^warning: the run was not recorded in blocked\/runs: .*ENOTDIR/m);
    // On stderr with every other warning, not in the report on stdout.
    expect(r.stderr).toContain(
      "warning: tracking failed: nothing was sent to http://127.0.0.1:5000, as the upload sends the run's record and it could not be written (above)\n",
    );
    expect(r.stdout).not.toContain('tracking failed');
    expect(r.code).toBe(0);
  }, 120_000);
});
