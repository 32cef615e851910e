import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, REPO_ROOT, runHarness } from '../helpers/run-harness.ts';
import { schemaErrors } from '../helpers/xml.ts';

// The file-writing reporters through the real CLI, on a fixture project (see run-projects.test.ts).

const CONFIG = `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'e2e' });\n`;

const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'files',
  dataset: { scenario: { name: 'e2e-fleet', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } },
  models: ['random'],
  expect: ({ metric }) => [
    metric('random', 'roc_auc').toBeWithin(0, 1),
    metric('random', 'roc_auc').toBeGreaterThan(0.99),
  ],
});
`;

describe('harness run --reporter junit --reporter markdown', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('writes junit.xml and summary.md to --out-dir, and exits 1 on a failed assertion', async () => {
    project = await makeProject({ 'harness.config.ts': CONFIG, 'suites/files.suite.ts': SUITE });
    const step = path.join(project.dir, 'step-summary.md');
    const r = await runHarness(
      ['run', '--reporter', 'junit', '--reporter', 'markdown', '--out-dir', 'D'],
      {
        cwd: project.dir,
        env: { GITHUB_STEP_SUMMARY: step },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);

    const junit = path.join(project.dir, 'D', 'junit.xml');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="bess-harness" tests="2" failures="1" errors="0" /);
    expect(xml).toContain('<testcase classname="files" name="random roc_auc &gt; 0.99"');
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(/at suites\/files\.suite\.ts:\d+:\d+<\/failure>/);
    expect(xml).not.toContain('\u001b');
    expect(schemaErrors(xml, path.join(REPO_ROOT, 'test/fixtures/junit-10.xsd'), junit)).toEqual(
      [],
    );

    const md = await readFile(path.join(project.dir, 'D', 'summary.md'), 'utf8');
    expect(md).toMatch(/^## ❌ FAIL · bess-harness\n\n\*\*Assertions\*\* 1 passed, 1 failed/);
    expect(md).toMatch(/\| random \| \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] \|/);
    expect(md.indexOf('- ❌ expected random roc_auc > 0.99'.replace('>', '&gt;'))).toBeLessThan(
      md.indexOf('- ✅ random roc_auc'),
    );
    expect(await readFile(step, 'utf8')).toBe(`${md}\n`);
  });
});

// A run that exits 2 for a reason outside its suites must not leave a green report behind.
const SMALL = (extra = '') => `import { defineSuite } from 'bess-harness';
import { isMainThread } from 'node:worker_threads';
${extra}
export default defineSuite({
  name: 'small',
  dataset: { scenario: { name: 'e2e-small', systems: 8, days: 2, interval: '1h', anomalyRate: 0.4 } },
  models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
});
`;
const ALL_FILES = ['--reporter', 'plain', '--reporter', 'junit', '--reporter', 'json'];

describe('harness run: errors of the run itself reach every report', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('an exception thrown from a timer in the main thread: exit 2, and every report says so', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/small.suite.ts': SMALL(
        "if (isMainThread) setTimeout(() => { throw new Error('stray boom'); }, 10);",
      ),
    });
    const r = await runHarness(
      ['run', ...ALL_FILES, '--reporter', 'markdown', '--no-history', '--out-dir', 'D'],
      { cwd: project.dir },
    );
    expect(r.code, r.stderr).toBe(2);
    const error = 'an uncaught exception outside any plugin call: stray boom';
    expect(r.stdout).toContain(`✗ harness error: ${error}\nERROR  Assertions 1 passed`);
    expect(r.stdout).not.toContain('PASS');
    const json = JSON.parse(await readFile(path.join(project.dir, 'D', 'results.json'), 'utf8'));
    expect([json.summary.exitCode, json.errors]).toEqual([2, [error]]);
    const xml = await readFile(path.join(project.dir, 'D', 'junit.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="bess-harness" tests="2" failures="0" errors="1" /);
    expect(xml).toContain(`type="HarnessError">${error}</error>`);
    const md = await readFile(path.join(project.dir, 'D', 'summary.md'), 'utf8');
    expect(md).toMatch(/^## ⚠️ ERROR · bess-harness/);
  });

  it('an error after the run was recorded: the record in the history says exit 2 too, as the reports do', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/small.suite.ts': SMALL(),
      // Its run end arms a timer that fires while the run is being recorded (after every
      // reporter rendered the run green).
      'late.mjs': `let armed = false;
export default { onRunEnd() { if (!armed) { armed = true; setTimeout(() => { throw new Error('late boom'); }, 0); } } };
`,
    });
    const r = await runHarness(
      ['run', ...ALL_FILES, '--reporter', './late.mjs', '--out-dir', 'D'],
      {
        cwd: project.dir,
      },
    );
    expect(r.code, r.stderr).toBe(2);
    const error = 'an uncaught exception outside any plugin call: late boom';
    const dir = /\nrun recorded: (\S+)\n/.exec(r.stdout)?.[1];
    expect(dir, r.stdout).toBeDefined();
    const record = JSON.parse(await readFile(path.join(project.dir, dir!, 'run.json'), 'utf8'));
    expect(record.exit_code).toBe(2);
    const kept = JSON.parse(await readFile(path.join(project.dir, dir!, 'results.json'), 'utf8'));
    expect([kept.summary.exitCode, kept.errors]).toEqual([2, [error]]);
    expect(await readFile(path.join(project.dir, dir!, 'results.json'), 'utf8')).toBe(
      await readFile(path.join(project.dir, 'D', 'results.json'), 'utf8'),
    );
    const runs = await runHarness(['runs'], { cwd: project.dir });
    expect(runs.stdout.split('\n')[1]).toMatch(/\b2\b/);
  });

  it("a run without the json or junit reporter leaves no earlier run's results.json or junit.xml in the out dir", async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/small.suite.ts': SMALL(),
      'D/mine.txt': "a file of the user's\n",
    });
    const first = await runHarness(['run', ...ALL_FILES, '--no-history', '--out-dir', 'D'], {
      cwd: project.dir,
    });
    expect(first.code, first.stderr).toBe(0);
    expect((await readdir(path.join(project.dir, 'D'))).sort()).toEqual([
      'junit.xml',
      'mine.txt',
      'results.json',
    ]);
    const second = await runHarness(
      ['run', '--reporter', 'plain', '--reporter', 'junit', '--no-history', '--out-dir', 'D'],
      { cwd: project.dir },
    );
    expect(second.code, second.stderr).toBe(0);
    expect((await readdir(path.join(project.dir, 'D'))).sort()).toEqual(['junit.xml', 'mine.txt']);
  });

  it('a reporter that fails (junit.xml is a folder): the reports after it say exit 2, the ones before render again', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/small.suite.ts': SMALL(),
      'D/junit.xml/keep': '',
    });
    const r = await runHarness(['run', ...ALL_FILES, '--no-history', '--out-dir', 'D'], {
      cwd: project.dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: reporter "junit" failed in onRunEnd: cannot move a file into \S+junit\.xml: is a folder, not a file \(EISDIR\)$/m,
    );
    // plain printed PASS before junit failed; it ends with the run as it turned out.
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(
      /^ERROR {2}Assertions 1 passed.* · Harness errors 1 · /,
    );
    const json = JSON.parse(await readFile(path.join(project.dir, 'D', 'results.json'), 'utf8'));
    expect(json.summary.exitCode).toBe(2);
    expect(json.errors).toEqual([
      expect.stringMatching(
        /^reporter "junit" failed in onRunEnd: cannot move a file into .*(EISDIR)/,
      ),
    ]);
  });
});

describe('harness run: a run that fails before its reporters write leaves no stale report', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  const REPORTS = ['junit.xml', 'results.json', 'summary.md', 'run-record.json'];
  const present = async (dir: string) =>
    (await readdir(dir)).filter((f) => REPORTS.includes(f)).sort();
  const args = ['run', ...ALL_FILES, '--reporter', 'markdown', '--out-dir', 'D'];

  it('a suite that does not compile, a filter that matches nothing, a config that does not load: the previous green reports are removed, other files kept', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/small.suite.ts': SMALL(),
      'D/notes.txt': 'mine',
    });
    const green = await runHarness(args, { cwd: project.dir });
    expect(green.code, green.stderr).toBe(0);
    expect(await present(path.join(project.dir, 'D'))).toEqual([...REPORTS].sort());

    const suite = path.join(project.dir, 'suites', 'small.suite.ts');
    await writeFile(suite, `${SMALL()}\nexport const broken = ;\n`);
    const syntax = await runHarness(args, { cwd: project.dir });
    expect(syntax.code).toBe(2);
    expect(await present(path.join(project.dir, 'D'))).toEqual([]);
    expect(await readFile(path.join(project.dir, 'D', 'notes.txt'), 'utf8')).toBe('mine');

    await writeFile(suite, SMALL());
    expect((await runHarness(args, { cwd: project.dir })).code).toBe(0);
    const nothing = await runHarness([...args, 'no-such-suite'], { cwd: project.dir });
    expect(nothing.code).toBe(2);
    expect(await present(path.join(project.dir, 'D'))).toEqual([]);

    expect((await runHarness(args, { cwd: project.dir })).code).toBe(0);
    await writeFile(path.join(project.dir, 'harness.config.ts'), 'export default { sed: 1 };\n');
    const config = await runHarness(args, { cwd: project.dir });
    expect(config.code).toBe(2);
    expect(await present(path.join(project.dir, 'D'))).toEqual([]);
  }, 60_000);

  it("a bad flag or a config that does not load (exit 2 before the run): the previous green reports are removed from --out-dir, the config's out dir, or the default one", async () => {
    // Each left the last green run's junit.xml for a CI to read as this run's, though a
    // filter that matched nothing removed it.
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/small.suite.ts': SMALL(),
      'D/notes.txt': 'mine',
    });
    const dir = project.dir;
    const green = await runHarness(args, { cwd: dir });
    expect(green.code, green.stderr).toBe(0);
    const reports = new Map<string, string>();
    for (const f of REPORTS) reports.set(f, await readFile(path.join(dir, 'D', f), 'utf8'));
    /** The green run's reports, put back in `out` before each refused run. */
    const putBack = async (out: string) => {
      await mkdir(path.join(dir, out), { recursive: true });
      for (const [f, text] of reports) await writeFile(path.join(dir, out, f), text);
    };
    const refused = async (extra: string[], out: string, base = args) => {
      await putBack(out);
      const r = await runHarness([...base, ...extra], { cwd: dir });
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(await present(path.join(dir, out)), extra.join(' ')).toEqual([]);
    };
    for (const extra of [
      ['--workers', '0'],
      ['--timeout', '0'],
      [''],
      ['--seed', ''],
      ['--reporter', 'junit'],
      ['--bogus'],
    ])
      await refused(extra, 'D');
    expect(await readFile(path.join(dir, 'D', 'notes.txt'), 'utf8')).toBe('mine');

    // No --out-dir: the config's out dir when it loads, else the default one.
    await writeFile(path.join(dir, 'harness.config.ts'), `export default { outDir: 'E' };\n`);
    await refused(['--workers', '0'], 'E', ['run', ...ALL_FILES]);
    for (const config of ['export default { workers: 0 };\n', 'export default { ;\n']) {
      await writeFile(path.join(dir, 'harness.config.ts'), config);
      await refused([], path.join('.harness', 'last-run'), ['run', ...ALL_FILES]);
    }
  }, 60_000);
});

describe('harness run: reporter options are checked before any suite runs', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  // Each used to fail only once the whole run had finished, with a Node internal message, or
  // never: `weakest: 'five'` listed nothing, and two reports in one file lost the first.
  it.each([
    [
      `['plain', ['json', { file: 42 }]]`,
      'reporters[1]: reporter "json": option `file` must be a file path (a non-empty string), got 42',
    ],
    [
      `[['junit', { hostname: 5 }]]`,
      'reporters[0]: reporter "junit": option `hostname` must be a string (a host name), got 5',
    ],
    [
      `[['markdown', { stepSummary: true }]]`,
      'reporters[0]: reporter "markdown": option `stepSummary` must be a file path to append the summary to, or false for none, got true',
    ],
    [
      `[['markdown', { weakest: 'five' }]]`,
      'reporters[0]: reporter "markdown": option `weakest` must be a whole number ≥ 0 (how many weakest strata to list per suite), got "five"',
    ],
    [
      `[['json', { file: 'same.txt' }], ['junit', { file: 'same.txt' }]]`,
      'reporters[0] "json" and reporters[1] "junit" both write <out>/same.txt: give each its own file',
    ],
    [
      `[['json', { file: 'report' }], 'html']`,
      'reporters[0] "json" writes <out>/report, a folder reporters[1] "html" writes <out>/report/index.html in: give each its own place (option `file`, or `dir` for html)',
    ],
    [
      `[['json', { file: '.' }]]`,
      'reporters[0] "json" writes <out>, the out dir itself: give it a file in the out dir',
    ],
    [
      `[['json', { file: 'run-record.json' }]]`,
      `reporters[0] "json" writes <out>/run-record.json, where the harness keeps the pointer to the run's record: give it another file`,
    ],
  ])(
    'reporters: %s is exit 2 naming harness.config.ts, and nothing is scored',
    async (reporters, why) => {
      project = await makeProject({
        'harness.config.ts': `export default { workers: 1, reporters: ${reporters} };\n`,
        'plugins/marks.ts': `import { writeFileSync } from 'node:fs';
import { defineModel } from 'bess-harness';
export default defineModel({ name: 'marks', version: '1', score() { writeFileSync('scored', ''); return 0.5; } });
`,
        'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
import marks from '../plugins/marks.ts';
export default defineSuite({
  name: 's',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: [marks],
  expect: ({ metric }) => [metric('marks', 'roc_auc').toBeWithin(0, 1)],
});
`,
      });
      const r = await runHarness(['run', '--no-cache'], { cwd: project.dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const out = path.join(project.dir, '.harness', 'last-run');
      expect(r.stderr).toContain(`harness: harness.config.ts: ${why.replaceAll('<out>', out)}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await readdir(project.dir)).not.toContain('scored');
    },
    60_000,
  );
});
