/**
 * The config a `harness` process reads, from the folder it is started in: a CommonJS config's
 * gate runs (it was skipped, exit 0), a package.json that does not parse is `file:line:column`
 * (it was an internal error), and nothing but the harness's own config files can change the
 * search (cosmiconfig's `.config/config.json` redirected it, or crashed it).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const DATASET = `{ scenario: { name: 'tiny', systems: 12, days: 2, interval: '30m', anomalyRate: 0.5, seed: 't' } }`;
const suite = (name: string, bound: number) => `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: '${name}',
  dataset: ${DATASET},
  models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeGreaterThan(${bound})],
});
`;
const PACKAGE = JSON.stringify({ name: 'fixture', type: 'module', private: true });

describe('the config of a harness process', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  const file = (rel: string) => path.join(project.dir, rel);
  const run = (args: readonly string[]) => runHarness(args, { cwd: project.dir });
  beforeAll(async () => {
    project = await makeProject({
      'suites/pass.suite.ts': suite('pass', 0),
      // The gate the CommonJS config names: it fails.
      'gates/gate.suite.ts': suite('gate', 2),
    });
  });
  afterAll(() => project.cleanup());

  it('harness.config.cjs is read: its failing gate fails the run', async () => {
    await writeFile(
      file('harness.config.cjs'),
      "module.exports = { suites: ['gates/*.suite.ts'] };\n",
    );
    try {
      const r = await run(['run', '--reporter', 'plain', '--no-history']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain('✗ expected random roc_auc > 2');
    } finally {
      await rm(file('harness.config.cjs'));
    }
  });

  it('a package.json that is not valid JSON is located, for run and generate', async () => {
    await writeFile(file('package.json'), `{\n  "name": "fixture",\n  "type": "module",\n}\n`);
    try {
      for (const args of [['run', '--list'], ['generate']]) {
        const r = await run(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain('package.json:4:1: not valid JSON');
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    } finally {
      await writeFile(file('package.json'), PACKAGE);
    }
  });

  it("cosmiconfig's meta-config (.config/config.json) neither redirects the search nor breaks it", async () => {
    await mkdir(file('.config'));
    try {
      await writeFile(
        file('.config/config.json'),
        JSON.stringify({ cosmiconfig: { searchPlaces: ['gates.json'] } }),
      );
      await writeFile(file('gates.json'), JSON.stringify({ suites: ['gates/*.suite.ts'] }));
      const redirected = await run(['run', '--list']);
      expect(redirected.code, redirected.stderr).toBe(0);
      expect(redirected.stdout).toContain('pass  suites/pass.suite.ts');
      expect(redirected.stdout).not.toContain('gate');

      await writeFile(file('.config/config.json'), '{,}');
      const broken = await run(['run', '--list']);
      expect(broken.code, broken.stderr).toBe(0);
      expect(broken.stdout).toContain('pass  suites/pass.suite.ts');
    } finally {
      await rm(file('.config'), { recursive: true, force: true });
      await rm(file('gates.json'), { force: true });
    }
  });

  it('two configs exit 2 naming both', async () => {
    await writeFile(file('harness.config.ts'), 'export default { workers: 1 };\n');
    await writeFile(file('.harnessrc.json'), '{ "workers": 2 }\n');
    try {
      const r = await run(['run', '--list']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `harness: 2 configs in ${project.dir}: ${file('harness.config.ts')}, ${file('.harnessrc.json')}`,
      );
    } finally {
      await rm(file('harness.config.ts'));
      await rm(file('.harnessrc.json'));
    }
  });
});

describe('harness run arguments that would run more than asked', () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  beforeAll(async () => {
    project = await makeProject({ 'suites/pass.suite.ts': suite('pass', 0) });
  });
  afterAll(() => project.cleanup());
  const run = (args: readonly string[]) => runHarness(args, { cwd: project.dir });

  it.each([
    [['run', ''], 'harness run: a filter word is empty (an unset variable?)'],
    [['run', '--suite', ''], 'harness run: --suite is empty'],
    [['run', '--model', ' '], 'harness run: --model is empty'],
    [['run', '--reporter', 'plain', '--reporter', 'plain'], '--reporter plain is given twice'],
  ])('%j is exit 2', async (args, message) => {
    const r = await run([...args, '--no-history']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).not.toContain('PASS');
  });
});
