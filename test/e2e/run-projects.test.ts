import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

// Fixture projects run through the real CLI in a temporary folder: their own config, plugins
// and suites, importing `bess-harness` as a user's project would.

const CONFIG = `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'e2e' });\n`;

/** A plugin whose score is the system's largest cell ΔV: it sees imbalance and shorts well. */
const DELTA_V = `import { defineModel } from 'bess-harness';
export default (options = {}) => defineModel({
  name: 'delta-v', version: '1', options, derive: ['cell_delta_v_mv'],
  score(series) {
    const dv = series.sensors.cell_delta_v_mv;
    let max = 0;
    for (let i = 0; i < (dv?.length ?? 0); i++) if (dv[i] > max) max = dv[i];
    return max;
  },
});
`;

/** A plugin that crashes on one system, and one that returns NaN. */
const CRASHY = `import { defineModel } from 'bess-harness';
let seen = 0;
export default () => defineModel({
  name: 'crashy', version: '1',
  score(series) { if (++seen === 3) throw new Error('boom on purpose'); return 1; },
});
`;
const NAN = `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'nan', version: '1', score: () => NaN });
`;
const SLOW = `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'slow', version: '1', timeoutMs: 50, score: () => new Promise((r) => setTimeout(() => r(1), 1000)) });
`;

const suite = (
  models: string,
  expectations: string,
  name = 'e2e',
) => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: '${name}',
  // a small fleet, so that each project runs in a few seconds
  dataset: { scenario: { name: 'e2e-fleet', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } },
  models: [${models}],
  expect: ({ metric, model }) => [${expectations}],
});
`;

describe('harness run on fixture projects', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('passes, writes results.json with metrics, CIs, breakdowns and assertions, and exits 0', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'plugins/delta-v/index.ts': DELTA_V,
      'suites/e2e.suite.ts': suite(
        `'random', 'delta-v'`,
        `metric('random', 'roc_auc').toBeWithin(0, 1), metric('delta-v', 'roc_auc').toBeGreaterThan(0.5)`,
      ),
    });
    const r = await runHarness(
      ['run', '--reporter', 'plain', '--reporter', 'json', '--out-dir', 'out'],
      { cwd: project.dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ delta-v roc_auc \d\.\d{3} > 0\.5/);
    expect(r.stdout).toMatch(/PASS\s+Assertions 2 passed, 0 failed/);
    const json = JSON.parse(await readFile(path.join(project.dir, 'out', 'results.json'), 'utf8'));
    expect(json.summary.exitCode).toBe(0);
    const [s] = json.suites;
    expect(s.name).toBe('e2e');
    expect(s.dataset).toMatchObject({ kind: 'scenario', systems: 40, train: 20, test: 20 });
    const dv = s.cases.find((c: { model: string }) => c.model === 'delta-v');
    expect(dv.state).toBe('scored');
    expect(dv.n).toBe(20);
    expect(dv.metrics.roc_auc).toBeGreaterThan(0.5);
    expect(dv.ci.roc_auc).toMatchObject({ method: 'delong', level: 0.95 });
    expect(Object.keys(dv.breakdown)).toEqual(
      expect.arrayContaining(['failure_type', 'operational_mode', 'season', 'lead_time_bucket']),
    );
    expect(s.assertions).toHaveLength(2);
    for (const a of s.assertions) expect(a).toMatchObject({ pass: true, state: 'passed' });
    expect(typeof s.assertions[1].actual).toBe('number');
    expect(s.assertions[1].expected).toBe('> 0.5');
  });

  it('exits 1 when an assertion cannot hold, and names the suite line', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/e2e.suite.ts': suite(
        `'random'`,
        `\n    metric('random', 'roc_auc').toBeGreaterThan(0.99),\n  `,
      ),
    });
    const r = await runHarness(['run'], { cwd: project.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ expected random roc_auc > 0\.99, got \d\.\d+/);
    expect(r.stdout).toContain('suites/e2e.suite.ts:8:');
    expect(r.stdout).toMatch(/FAIL\s+Assertions 0 passed, 1 failed/);
  });

  it('a plugin that throws, returns NaN or times out fails its own case with the system id; the others still run; exit 2', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'plugins/crashy/index.ts': CRASHY,
      'plugins/nan/index.ts': NAN,
      'plugins/slow/index.ts': SLOW,
      'suites/e2e.suite.ts': suite(
        `'crashy', 'nan', 'slow', 'random'`,
        `metric('random', 'roc_auc').toBeWithin(0, 1)`,
      ),
    });
    const r = await runHarness(['run'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✗ crashy\s+errored: score\([\w.-]+\): boom on purpose/);
    expect(r.stdout).toMatch(
      /✗ nan\s+errored: score\([\w.-]+\): returned NaN; a score must be a finite number/,
    );
    expect(r.stdout).toMatch(
      /✗ slow\s+errored: score\([\w.-]+\): score ran past its 50 ms timeout/,
    );
    expect(r.stdout).toMatch(/● random\s+roc_auc/);
    expect(r.stdout).toMatch(/✓ random roc_auc/);
    expect(r.stdout).toMatch(/ERROR\s+Assertions 1 passed, 0 failed · Cases 1 scored, 3 errored/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it('exits 2 on an unknown model name, naming the suite file and the known models', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/e2e.suite.ts': suite(`'zscroe'`, ''),
    });
    const r = await runHarness(['run'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /suites\/e2e\.suite\.ts: unknown model "zscroe" \(known: delta-v, pca, random, zscore/,
    );
  });

  it('exits 2 on a config typo, naming the file and the field', async () => {
    project = await makeProject({
      'harness.config.ts': `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ suits: ['x'] } as never);\n`,
      'suites/e2e.suite.ts': suite(`'random'`, ''),
    });
    const r = await runHarness(['run'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/harness\.config\.ts: suits: unknown field/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it('--list shows suites × models without running anything', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/a.suite.ts': suite(
        `'random', ['zscore', { sensor: 'temp_cell_max_c' }]`,
        '',
        'alpha',
      ),
      'suites/nested/b.suite.ts': suite(`'pca'`, '', 'beta'),
    });
    const r = await runHarness(['run', '--list'], { cwd: project.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('alpha  suites/a.suite.ts  models: random, zscore');
    expect(r.stdout).toContain('beta  suites/nested/b.suite.ts  models: pca');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(project.dir)).not.toContain('.harness'); // nothing generated
  });
});

describe('the baseline gate', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('writes a baseline, holds on an unchanged run, fails on a real regression and on a changed fixture', async () => {
    // A fleet with short lead times, where delta-v's AUC is well above chance.
    const gateSuite = (systems: number) => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'e2e',
  dataset: { scenario: { name: 'gate-fleet', systems: ${systems}, days: 5, interval: '1h', anomalyRate: 0.4, leadTimeDays: { kind: 'uniform', min: 0, max: 5 } } },
  models: ['delta-v'],
});
`;
    // The same plugin made worse: it now ranks the systems backwards.
    const worse = DELTA_V.replace('return max;', 'return -max;').replace(
      "version: '1'",
      "version: '2'",
    );
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'plugins/delta-v/index.ts': DELTA_V,
      'suites/e2e.suite.ts': gateSuite(200),
    });
    const cwd = project.dir;
    const write = await runHarness(['run', '--update-baseline'], { cwd });
    expect(write.code).toBe(0);
    expect(write.stdout).toMatch(
      /baseline \(suites\/__baselines__\/e2e\.json\): baseline written for delta-v/,
    );
    const stored = JSON.parse(
      await readFile(path.join(cwd, 'suites', '__baselines__', 'e2e.json'), 'utf8'),
    );
    expect(stored.models['delta-v'].system_ids).toHaveLength(100);
    expect(stored.dataset.hash).toMatch(/^[0-9a-f]{64}$/);

    const same = await runHarness(['run'], { cwd });
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(
      /✓ delta-v roc_auc holds against the baseline: (\d\.\d{3}) → \1 \(−0\.000\)/,
    );

    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(cwd, 'plugins', 'delta-v', 'index.ts'), worse);
    const regressed = await runHarness(['run'], { cwd });
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(
      /✗ delta-v roc_auc regressed: .*\(paired DeLong, one-sided p [<=] .*\(plugin changed: v1 → v2\)/,
    );

    await writeFile(path.join(cwd, 'suites', 'e2e.suite.ts'), gateSuite(204));
    const stale = await runHarness(['run'], { cwd });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(
      /✗ baseline the baseline was made on other data .* not compared; run `harness run --update-baseline`/,
    );
  });
});

describe('where plugins come from', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('loads plugins from an npm package and from a path in the config, and uses scoreBatch', async () => {
    project = await makeProject({
      'harness.config.ts': `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'e2e', models: { batchy: './models/batchy.ts' } });\n`,
      // an installed npm package (plain JavaScript) whose default export is a plugin factory
      'node_modules/bess-model-soc/package.json': JSON.stringify({
        name: 'bess-model-soc',
        type: 'module',
        main: 'index.js',
      }),
      'node_modules/bess-model-soc/index.js': `export default () => ({ name: 'bess-model-soc', version: '3', score: (s) => { let m = 0; for (const v of s.sensors.soc_pct ?? []) if (v > m) m = v; return m; } });\n`,
      // a model at a path named by the config; it scores a whole chunk at once
      'models/batchy.ts': `import { defineModel } from 'bess-harness';
let calls = 0;
export default () => defineModel({
  name: 'batchy', version: '1',
  score: () => { throw new Error('score must not be called when scoreBatch exists'); },
  scoreBatch: (series) => { calls++; return series.map((s) => s.timestamps.length + calls * 0); },
});
`,
      'suites/e2e.suite.ts': suite(
        `'bess-model-soc', 'batchy'`,
        `metric('bess-model-soc', 'roc_auc').toBeWithin(0, 1), metric('batchy', 'roc_auc').toBeWithin(0, 1)`,
      ),
    });
    const r = await runHarness(['run', '--reporter', 'json', '--out-dir', 'out'], {
      cwd: project.dir,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(await readFile(path.join(project.dir, 'out', 'results.json'), 'utf8'));
    const cases = json.suites[0].cases;
    expect(
      cases.map((c: { model: string; state: string; version: string }) => [
        c.model,
        c.state,
        c.version,
      ]),
    ).toEqual([
      ['bess-model-soc', 'scored', '3'],
      ['batchy', 'scored', '1'],
    ]);
  });
});

describe('k-fold', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('scores every system once, out of fold, with per-fold thresholds', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'plugins/delta-v/index.ts': DELTA_V,
      'suites/e2e.suite.ts': suite(
        `'random', 'delta-v'`,
        `metric('delta-v', 'roc_auc').toBeWithin(0, 1)`,
      ).replace('models:', 'split: { folds: 4, seed: 3 },\n  models:'),
    });
    const r = await runHarness(
      ['run', '--reporter', 'plain', '--reporter', 'json', '--out-dir', 'out'],
      { cwd: project.dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('40 systems: 4-fold, each system scored once');
    expect(r.stdout).toContain("threshold: 5 % FPR on each fold's training normals");
    const json = JSON.parse(await readFile(path.join(project.dir, 'out', 'results.json'), 'utf8'));
    const s = json.suites[0];
    expect(s.dataset).toMatchObject({ systems: 40, test: 40, train: 30, folds: 4 });
    const dv = s.cases.find((c: { model: string }) => c.model === 'delta-v');
    expect(dv.n).toBe(40);
    expect(dv.metrics.threshold).toBe(0); // margins are judged at 0
    // roughly 5 % of the normals are flagged: each fold's threshold came from its own training normals
    expect(dv.confusion.fp / (dv.confusion.fp + dv.confusion.tn)).toBeLessThan(0.25);
  });
});

describe('metamorphic laws', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('catches a model that scores stronger faults lower and one that alarms on gaps; fails(…) documents a known one', async () => {
    // scores the *narrowest* ΔV: stronger imbalance → lower score
    const backwards = DELTA_V.replace("name: 'delta-v'", "name: 'backwards'").replace(
      'return max;',
      'return -max;',
    );
    // counts empty readings: every dropout looks like an alarm
    const gappy = `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'gappy', version: '1', score(s) { let n = 0; for (const col of Object.values(s.sensors)) for (const v of col ?? []) if (Number.isNaN(v)) n++; return n; } });
`;
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'plugins/backwards/index.ts': backwards,
      'plugins/gappy/index.ts': gappy,
      'suites/e2e.suite.ts': suite(
        `'backwards', 'gappy'`,
        `model('backwards').toBeMonotoneInSeverity(), model('gappy').toTolerateDropouts(), model('backwards').toBeChanceOnShuffledLabels(),
    fails(model('gappy').toTolerateDropouts(), 'it counts empty readings by design')`,
      ).replace('({ metric, model })', '({ model, fails })'),
    });
    const r = await runHarness(['run'], { cwd: project.dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /✗ expected backwards's mean score not to fall as injected faults get stronger, got 0\.25: -[\d.]+, 0\.5: -[\d.]+, 1: -[\d.]+; it falls for .*cell_imbalance/,
    );
    expect(r.stdout).toMatch(
      /✗ expected gappy's false-alarm rate to rise by at most 0\.1 under dropouts, got false-alarm rate on \d+ normal systems 0\.\d+ → 1\.000/,
    );
    expect(r.stdout).toMatch(/✓ backwards's scores follow the series, not the id/);
    expect(r.stdout).toMatch(
      /✓ expected failure \(it counts empty readings by design\): expected gappy's false-alarm rate/,
    );
    expect(r.code).toBe(1);
  });
});

// Each of these once ran on, exit 0, without the suites the user meant to gate on.
describe('config and suite files that would drop suites from the gate', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());
  const config = (fields: string) =>
    `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ ${fields} });\n`;

  it('a suites glob with a leading ./ runs its files', async () => {
    project = await makeProject({
      'harness.config.ts': config(`suites: ['suites/*.suite.ts', './gates/*.suite.ts']`),
      'suites/s.suite.ts': suite(`'random'`, '', 'in-suites'),
      'gates/g.suite.ts': suite(`'random'`, '', 'in-gates'),
    });
    const r = await runHarness(['run', '--list'], { cwd: project.dir });
    expect(r.stdout).toContain('in-gates  gates/g.suite.ts');
    expect(r.code).toBe(0);
  });

  it('a suites glob that matches no file is exit 2, named with the folder searched, though another glob matches', async () => {
    project = await makeProject({
      'harness.config.ts': config(`suites: ['suites/*.suite.ts', 'gatez/*.suite.ts']`),
      'suites/s.suite.ts': suite(`'random'`, '', 'in-suites'),
      'gates/g.suite.ts': suite(`'random'`, '', 'in-gates'),
    });
    const r = await runHarness(['run', '--list'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(project.dir, 'harness.config.ts')}: suites: "gatez/*.suite.ts" matches no file in ${path.join(project.dir, 'gatez')}`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it('a suite file that exports no suite is exit 2', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'suites/s.suite.ts': suite(`'random'`, ''),
      'suites/empty.suite.ts': 'export default [];\n',
    });
    const r = await runHarness(['run', '--list'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/suites\/empty\.suite\.ts: exports an empty list of suites/);
  });

  it('a config with no default export is exit 2, not a run on the defaults', async () => {
    project = await makeProject({
      'harness.config.ts': `export const config = { seed: 'e2e' };\n`,
      'suites/s.suite.ts': suite(`'random'`, ''),
    });
    const r = await runHarness(['run', '--list'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /harness\.config\.ts has no default export: write `export default defineConfig\(\{ … \}\)`/,
    );
  });

  it('a config timeoutMs past the --timeout range is exit 2', async () => {
    project = await makeProject({
      'harness.config.ts': config('timeoutMs: 1e10'),
      'suites/s.suite.ts': suite(`'random'`, ''),
    });
    const r = await runHarness(['run', '--list'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /timeoutMs: must be a whole number of milliseconds from 1 to 86,400,000/,
    );
  });
});
