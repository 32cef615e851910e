import { describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

describe('harness check (the real CLI)', () => {
  it('catches the broken example: exit 1, a one-system all-NaN fixture and a replay line that reproduces it', async () => {
    const r = await runHarness(['check', './examples/broken-all-nan/index.ts']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ non_finite: score(sys-0) returned NaN');
    expect(r.stdout).toMatch(/^ {4}1 system /m);
    expect(r.stdout).toMatch(/^ {6}temp_cell_max_c: all NaN \(\d+ samples?\)$/m);
    expect(r.stdout).toMatch(/contract violated: 1 of 4 rules \(seed \d+\)/);
    const replay = /replay: (harness check \S+ --seed (\d+) --path (\S+) --rule non_finite)$/m.exec(
      r.stdout,
    );
    expect(replay, r.stdout).not.toBeNull();

    const again = await runHarness(replay![1]!.split(' ').slice(1));
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`replay: ${replay![1]}`);
  });

  it('passes the random baseline: exit 0 and the seed in the summary', async () => {
    const r = await runHarness(['check', 'random', '--runs', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/contract holds: 6 rules, 30 fleets each \(seed \d+\)/);
  });

  it('prints the report as JSON with --json', async () => {
    const r = await runHarness([
      'check',
      './examples/broken-all-nan/index.ts',
      '--json',
      '--seed',
      '3',
      '--rule',
      'non_finite',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      seed: number;
      violations: { kind: string; replay: string }[];
    };
    expect(report.seed).toBe(3);
    expect(report.violations.map((v) => v.kind)).toEqual(['non_finite']);
    expect(report.violations[0]!.replay).toMatch(
      /^harness check \.\/examples\/broken-all-nan\/index\.ts --seed 3 --path \S+ --rule non_finite$/,
    );
  });

  it('--json stays JSON when the plugin prints: its prints go to stderr', async () => {
    const p = await makeProject({
      'plugins/chatty/index.ts': `import { defineModel } from 'bess-harness';
export default () => defineModel({ name: 'chatty', version: '1', score(s) { console.log('scoring', s.systemId); return s.timestamps.length; } });
`,
    });
    try {
      const r = await runHarness(['check', 'chatty', '--json', '--runs', '2', '--rule', 'throws'], {
        cwd: p.dir,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(() => JSON.parse(r.stdout) as unknown, r.stdout.slice(0, 200)).not.toThrow();
      expect(r.stderr).toContain('scoring sys-0');
    } finally {
      await p.cleanup();
    }
  });

  it('exits 2 on a harness error: a missing module, an unknown model, --path without --rule', async () => {
    const missing = await runHarness(['check', './no/such/plugin.ts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no plugin module at no\/such\/plugin\.ts/);
    const unknown = await runHarness(['check', 'zscroe']);
    expect(unknown.code).toBe(2);
    // Said once: the loader's message is not wrapped in a second "harness check …:".
    expect(unknown.stderr).toMatch(
      /^harness: harness check: unknown model "zscroe" \(known: [^)]*zscore/,
    );
    const noRule = await runHarness(['check', 'random', '--path', '1:0']);
    expect(noRule.code).toBe(2);
    expect(noRule.stderr).toMatch(/--path replays one rule/);
  });
});

describe('harness check --assume', () => {
  it('shows why pca cannot declare unit-scale invariance, with a replay line that keeps --assume', async () => {
    const r = await runHarness([
      'check',
      'pca',
      '--assume',
      'unitScale',
      '--rule',
      'unit_scale',
      '--runs',
      '60',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /✗ unit_scale: score\(sys-\d\) is [\d.e+-]+, but [\d.e+-]+ with every sensor value × [\d.]+/,
    );
    const replay =
      /replay: harness check (pca --assume unitScale --seed -?\d+ --path \S+ --rule unit_scale)$/m.exec(
        r.stdout,
      );
    expect(replay, r.stdout).not.toBeNull();
    const again = await runHarness(['check', ...replay![1]!.split(' ').slice(0)]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(replay![1]!);
  });
});

describe('harness check: the second instance comes from another import of the module', () => {
  // What a run's workers see: each imports the plugin's module on its own.
  const MODULE_STATE = `import { defineModel } from 'bess-harness';
let baseline: number | undefined; // fitted state in the module: saveState() carries nothing
const meanOf = (c: Float64Array | undefined) => { let s = 0, n = 0; for (const v of c ?? []) if (v === v) { s += v; n++; } return n ? s / n : 0; };
export default () => defineModel({ name: 'module-state', version: '1',
  async fit(train) { let s = 0; for (const x of train.systems) s += meanOf((await x.loadSeries()).sensors.voltage_v); baseline = s / train.systems.length; },
  saveState() { return {}; },
  restoreState() {},
  score(series) { return meanOf(series.sensors.voltage_v) - (baseline ?? 0); } });
`;
  const RAND_IMPORT = `import { defineModel } from 'bess-harness';
const K = Math.random(); // drawn once per import, not from ctx.seed
export default () => defineModel({ name: 'rand-import', version: '1', score(series) { return series.timestamps.length * K; } });
`;

  it('state kept in the module fails state_roundtrip, and its replay line reproduces it', async () => {
    const p = await makeProject({ 'plugins/module-state/index.ts': MODULE_STATE });
    try {
      const r = await runHarness(['check', 'module-state', '--runs', '30'], { cwd: p.dir });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        /✗ state_roundtrip: score\(sys-\d\) is .* from the fitted instance but .* from an instance of another import of the plugin/,
      );
      const replay =
        /replay: harness check (\S+ --seed \S+ --path \S+ --rule state_roundtrip)$/m.exec(r.stdout);
      expect(replay, r.stdout).not.toBeNull();
      const again = await runHarness(['check', ...replay![1]!.split(' ')], { cwd: p.dir });
      expect(again.code, again.stdout).toBe(1);
    } finally {
      await p.cleanup();
    }
  });

  it('Math.random() drawn at import fails nondeterministic', async () => {
    const p = await makeProject({ 'plugins/rand-import/index.ts': RAND_IMPORT });
    try {
      const r = await runHarness(['check', 'rand-import', '--runs', '10'], { cwd: p.dir });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/✗ nondeterministic: score\(sys-\d\) is .* from one instance and/);
    } finally {
      await p.cleanup();
    }
  });
});

describe('harness check: a replay line reproduces, or says it does not', () => {
  const OPTBAD = `import { defineModel } from 'bess-harness';
export default (options: { guard?: boolean } = {}) => defineModel({ name: 'optbad', version: '1', options,
  score(series) { const n = series.timestamps.length; return options.guard === false && n < 2 ? NaN : n; } });
`;
  const SUITE = `import { defineSuite } from 'bess-harness';
import optbad from '../plugins/optbad/index.ts';
export default defineSuite({
  name: 'contract',
  dataset: { scenario: 'default', systems: 10, days: 2, interval: '1h', seed: 'a' },
  split: { test: 0.5, seed: 1 },
  models: [optbad({ guard: false })],
  contract: { runs: 30 },
});
`;

  it("a suite's contract replay line names the suite, and replays the suite's configured model", async () => {
    const p = await makeProject({
      'plugins/optbad/index.ts': OPTBAD,
      'suites/contract.suite.ts': SUITE,
    });
    try {
      const run = await runHarness(['run', '--reporter', 'plain', '--no-history'], { cwd: p.dir });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const replay =
        /replay: harness check (optbad --suite contract --seed -?\d+ --path ([\d:]+) --rule non_finite)/.exec(
          run.stdout,
        );
      expect(replay, run.stdout).not.toBeNull();
      const again = await runHarness(['check', ...replay![1]!.split(' ')], { cwd: p.dir });
      expect(again.code, again.stdout + again.stderr).toBe(1);
      expect(again.stdout).toContain('✗ non_finite: score(sys-0) returned NaN');

      // Without --suite it is optbad with its default options: the replay says it does not fail.
      const args = replay![1]!
        .split(' ')
        .filter((w, i, all) => w !== '--suite' && all[i - 1] !== '--suite');
      const other = await runHarness(['check', ...args], { cwd: p.dir });
      expect(other.code, other.stdout).toBe(1);
      expect(other.stdout).toMatch(/replay not reproduced: non_finite does not fail/);
      expect(other.stdout).not.toMatch(/contract holds/);

      const noSuite = await runHarness(['check', 'optbad', '--suite', 'nope'], { cwd: p.dir });
      expect(noSuite.code).toBe(2);
      expect(noSuite.stderr).toMatch(/--suite: no suite named "nope" \(suites: contract\)/);
    } finally {
      await p.cleanup();
    }
  });

  it('a --path that names no fleet of the seed and rule is exit 2, never "contract holds"', async () => {
    const r = await runHarness([
      'check',
      'random',
      '--seed',
      '5',
      '--path',
      '99:99999',
      '--rule',
      'non_finite',
    ]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(
      /--path 99:99999: the seed 5 has no fleet at that path for rule non_finite/,
    );
    expect(r.stdout).not.toMatch(/contract holds/);
  });
});

describe('harness check --rule: rules that do not apply check nothing', () => {
  it('is exit 2, saying why, when no rule asked for applies to the plugin', async () => {
    const r = await runHarness([
      'check',
      './examples/broken-all-nan/index.ts',
      '--rule',
      'time_shift,state_roundtrip',
    ]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(
      /--rule time_shift,state_roundtrip: no rule asked for applies to broken-all-nan \(time_shift: the plugin does not declare invariantTo\.timeShift; state_roundtrip: the plugin has no saveState/,
    );
    expect(r.stdout).not.toMatch(/contract holds/);
  });
});
