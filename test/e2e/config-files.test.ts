/**
 * The config a `harness` process reads, from the folder it is started in: a CommonJS config's
 * gate runs (it was skipped, exit 0), a package.json that does not parse is `file:line:column`
 * (it was an internal error), and cosmiconfig's meta-config (`.config/config.json`) is honoured
 * but a broken one is located and a config it makes the harness skip is named.
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

  it("cosmiconfig's meta-config (.config/config.json) adds search places; a broken one is located", async () => {
    await mkdir(file('.config'));
    try {
      await writeFile(
        file('.config/config.json'),
        JSON.stringify({ cosmiconfig: { searchPlaces: ['gates.json'] } }),
      );
      await writeFile(file('gates.json'), JSON.stringify({ suites: ['gates/*.suite.ts'] }));
      const redirected = await run(['run', '--list']);
      expect(redirected.code, redirected.stderr).toBe(0);
      expect(redirected.stdout).toContain('gate  gates/gate.suite.ts');
      expect(redirected.stdout).not.toContain('pass');

      // gates.json comes first in the search, so .harnessrc.json would be ignored.
      await writeFile(file('.harnessrc.json'), '{ "workers": 2 }\n');
      const two = await run(['run', '--list']);
      expect(two.code, two.stdout).toBe(2);
      expect(two.stderr).toContain(
        `harness: 2 configs in ${project.dir}: ${file('.harnessrc.json')}, ${file('gates.json')}`,
      );

      // Search places that leave out the harness's own: .harnessrc.json would not be read.
      await rm(file('gates.json'));
      await writeFile(
        file('.config/config.json'),
        JSON.stringify({ cosmiconfig: { searchPlaces: ['gates.json'], mergeSearchPlaces: false } }),
      );
      const skipped = await run(['run', '--list']);
      expect(skipped.code, skipped.stdout).toBe(2);
      expect(skipped.stderr).toContain(
        `harness: ${file('.harnessrc.json')} would be ignored: the harness reads no config`,
      );

      await writeFile(file('.config/config.json'), '{,}');
      const broken = await run(['run', '--list']);
      expect(broken.code, broken.stdout).toBe(2);
      expect(broken.stderr).toContain('.config/config.json:1:2: not valid JSON');
      expect(broken.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      await rm(file('.config'), { recursive: true, force: true });
      await rm(file('gates.json'), { force: true });
      await rm(file('.harnessrc.json'), { force: true });
    }
  });

  it('a package.json with a byte order mark: cosmiconfig cannot read it, exit 2 saying so', async () => {
    await writeFile(file('package.json'), `\uFEFF${PACKAGE}`);
    try {
      const r = await run(['run', '--list']);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toContain(
        'package.json: cosmiconfig cannot read a file that starts with a UTF-8 byte order mark',
      );
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      await writeFile(file('package.json'), PACKAGE);
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
