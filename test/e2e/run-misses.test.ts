/**
 * What must never be a green run: a filter that matches nothing, and a config that exists but
 * cannot be read or loaded. Each exits 2 with a message that names what was asked for (and what
 * exists) or the file, with its line and column when there is one.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'tiny',
  dataset: { scenario: { name: 'tiny', systems: 12, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'tiny' } },
  models: ['random', 'zscore'],
});
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({ 'suites/tiny.suite.ts': SUITE });
});
afterAll(() => project.cleanup());

const run = (args: readonly string[]) =>
  runHarness(['run', '--no-history', ...args], { cwd: project.dir });

describe('harness run exits 2 when it cannot do what was asked', () => {
  it('on a --model, --suite or filter that matches nothing, listing what exists (names are case-sensitive)', async () => {
    const [model, wrongCase, suite, filter] = await Promise.all([
      run(['--model', 'nosuchmodel']),
      run(['--model', 'ZSCORE']),
      run(['--suite', 'nope']),
      run(['nothing-like-it']),
    ]);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain(
      '--model: no model named "nosuchmodel" in the selected suites (models: random, zscore',
    );
    expect(wrongCase.code).toBe(2);
    expect(wrongCase.stderr).toContain('no model named "ZSCORE"');
    expect(suite.code).toBe(2);
    expect(suite.stderr).toContain('--suite: no suite named "nope" (suites: tiny)');
    expect(filter.code).toBe(2);
    expect(filter.stderr).toContain('no suite matches "nothing-like-it" (suites: tiny)');
    for (const r of [model, wrongCase, suite, filter]) expect(r.stdout).not.toMatch(/PASS/);
  });

  it('on an empty --seed or --out-dir (`--seed=$SEED` with SEED unset)', async () => {
    const [seed, outDir] = await Promise.all([run(['--seed=']), run(['--out-dir', ' '])]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('harness run: --seed needs a value (got an empty one)');
    expect(outDir.code).toBe(2);
    expect(outDir.stderr).toContain('--out-dir needs a value');
  });

  it('with --model, an assertion naming no model of the suite (a typo) still errors, and those left out are shown', async () => {
    const typo = await makeProject({
      'suites/tiny.suite.ts': SUITE.replace(
        "models: ['random', 'zscore'],",
        `models: ['random', 'zscore'],
  expect: ({ metric, model }) => [
    model('zscore').toBeat('random', { test: 'none' }),
    metric('zscore', 'roc_auc').toBeWithin(0, 1),
    metric('zscor', 'roc_auc').toBeGreaterThan(0.5),
  ],`,
      ),
    });
    try {
      // It was PASS, exit 0: the typo'd assertion was left out with the one about random.
      const r = await runHarness(
        ['run', '--no-history', '--reporter', 'plain', '--model', 'zscore'],
        {
          cwd: typo.dir,
        },
      );
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stdout).toContain('unknown model "zscor"');
      expect(r.stdout).toContain(
        '– 1 assertion left out by --model: it names random, which did not run',
      );
    } finally {
      await typo.cleanup();
    }
  });

  it('on a config that is a folder or unreadable, or whose .ts or JSON does not parse, naming the file, line and column', async () => {
    const ts = path.join(project.dir, 'harness.config.ts');
    const rc = path.join(project.dir, '.harnessrc.json');
    try {
      await mkdir(ts);
      const folder = await run(['--list']);
      expect(folder.code).toBe(2);
      expect(folder.stderr).toContain(`the config ${ts} is not a regular file`);
      await rm(ts, { recursive: true });

      await writeFile(
        ts,
        "import { defineConfig } from 'bess-harness';\nexport default defineConfig({\n  seed: 'x',,\n});\n",
      );
      const syntax = await run(['--list']);
      expect(syntax.code).toBe(2);
      expect(syntax.stderr).toContain('harness.config.ts:3:13: Expected identifier but found ","');
      await writeFile(ts, "throw new Error('config exploded');\n");
      const throws = await run(['--list']);
      expect(throws.code).toBe(2);
      expect(throws.stderr).toContain(`the config ${ts} could not be loaded: config exploded`);
      await rm(ts);

      await writeFile(rc, '{\n  "seed": "x",\n}\n');
      const json = await run(['--list']);
      expect(json.code).toBe(2);
      expect(json.stderr).toContain('.harnessrc.json:3:1: not valid JSON');
      if (process.getuid?.() !== 0) {
        // root reads any file, so this part only runs for other users
        await writeFile(rc, '{}');
        await chmod(rc, 0);
        const unreadable = await run(['--list']);
        expect(unreadable.code).toBe(2);
        expect(unreadable.stderr).toContain(`the config ${rc} cannot be read (EACCES)`);
      }
      for (const r of [folder, syntax, throws, json])
        expect(r.stderr).not.toMatch(/\n\s+at |internal error/); // no stack trace
    } finally {
      await rm(ts, { recursive: true, force: true });
      await rm(rc, { force: true });
    }
  });

  it('in a project whose package.json is not "type": "module", names the suite and the file, line and column where its import threw', async () => {
    const cjs = await makeProject({
      'package.json': '{ "name": "cjs-project", "private": true }\n',
      'suites/tiny.suite.ts': SUITE,
      'suites/helper.ts':
        "export const n: number = 1;\n\nif (n > 0) {\n  throw new Error('helper exploded');\n}\n",
      'suites/broken.suite.ts': "import { n } from './helper.ts';\nexport default n;\n",
    });
    try {
      const r = await runHarness(['run', '--no-history', '--list'], { cwd: cjs.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `the suite ${path.join(cjs.dir, 'suites', 'broken.suite.ts')} could not be loaded: helper exploded`,
      );
      expect(r.stderr).toContain('suites/helper.ts:4:9: Error: helper exploded'); // tsx's source maps: the TypeScript line
      expect(r.stderr).not.toMatch(/\n\s+at |internal error|namespace=/);
    } finally {
      await cjs.cleanup();
    }
  });
});
