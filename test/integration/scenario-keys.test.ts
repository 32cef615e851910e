import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

// A key a scenario does not know was ignored: `failuretypes` generated all six failure types,
// an inline `anomalyrate` the default rate. Each is now exit 2 naming the file and the key path.

const fixture = (body: string): string =>
  `import { defineScenario } from 'bess-harness';\nexport default defineScenario({ name: 'f', systems: 6, days: 1, interval: '1h', ${body} } as never);\n`;

describe('scenario fixtures refuse keys they do not know', () => {
  let p: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    p = await makeProject({
      'suites/scenarios/typo.scenario.ts': fixture('failuretypes: { thermal_runaway: 1 }'),
      'suites/scenarios/nested.scenario.ts': fixture(
        "window: { length: '12h', precursordays: 0.1 }",
      ),
      'suites/scenarios/rate.scenario.ts': fixture('subtleRate: 1.5'),
      'suites/scenarios/nan.scenario.ts': fixture('seed: NaN'),
    });
  });
  afterAll(() => p.cleanup());

  it('harness generate: exit 2 naming the fixture file and the key, with did-you-mean', async () => {
    const [typo, nested, rate, nan] = await Promise.all(
      ['typo', 'nested', 'rate', 'nan'].map((s) =>
        runHarness(['generate', '--scenario', s, '--out', `out-${s}`], { cwd: p.dir }),
      ),
    );
    expect(typo!.code).toBe(2);
    expect(typo!.stderr).toContain(
      'suites/scenarios/typo.scenario.ts: scenario "f": unknown key `failuretypes` (did you mean "failureTypes"?)',
    );
    expect(nested!.code).toBe(2);
    expect(nested!.stderr).toContain(
      'suites/scenarios/nested.scenario.ts: scenario "f": unknown key `window.precursordays` (did you mean "precursorDays"?)',
    );
    expect(rate!.code).toBe(2);
    expect(rate!.stderr).toContain(
      'suites/scenarios/rate.scenario.ts: scenario "f": subtleRate must be between 0 and 1 (got 1.5)',
    );
    expect(nan!.code).toBe(2);
    expect(nan!.stderr).toContain('suites/scenarios/nan.scenario.ts: scenario "f": seed must be');
    for (const r of [typo, nested, rate, nan]) {
      expect(r!.stdout).not.toContain('generated');
      expect(r!.stderr).not.toMatch(/\n\s+at |internal error/);
    }
  });

  it('an inline scenario in a suite: exit 2 at collection, naming the suite file and dataset.scenario.<key>', async () => {
    const q = await makeProject({
      'suites/inline.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'inline', dataset: { scenario: { name: 'inl', systems: 6, days: 1, interval: '1h', anomalyrate: 0.9 } as never }, models: ['random'] });
`,
    });
    try {
      const r = await runHarness(['run', '--list'], { cwd: q.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'suites/inline.suite.ts: suite "inline": unknown key `dataset.scenario.anomalyrate` (did you mean "anomalyRate"?)',
      );
    } finally {
      await q.cleanup();
    }
  });

  it("a bad value names the file it was written in: the fixture's, or the suite's override", async () => {
    const q = await makeProject({
      'suites/scenarios/rate.scenario.ts': fixture('subtleRate: 1.5'),
      'suites/scenarios/ok.scenario.ts': fixture('anomalyRate: 0.5'),
      'suites/a.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'a', dataset: { scenario: 'rate' }, models: ['random'] });
`,
      'suites/b.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'b', dataset: { scenario: 'ok', systems: -3 }, models: ['random'] });
`,
    });
    try {
      const r = await runHarness(['run', '--no-history', '--reporter', 'plain'], { cwd: q.dir });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain(
        'suites/scenarios/rate.scenario.ts: scenario "f": subtleRate must be between 0 and 1 (got 1.5)',
      );
      expect(r.stdout + r.stderr).toContain(
        'suites/b.suite.ts: scenario "f": systems must be a positive integer (got -3)',
      );
    } finally {
      await q.cleanup();
    }
  });
});
