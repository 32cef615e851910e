/**
 * What a battery team does first: `npm pack`, install the tarball into an empty folder outside
 * this repository (no link, no overrides), `npx harness init --yes`, `npx harness run`. Then the
 * gate must tell a broken plugin (exit 2) from a weak one (exit 1).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCommand, tempDir, type RunResult } from '../helpers/run-harness.ts';

/** Runs a command as a user would in a shell (CI set: the plain reporter). */
const sh = (command: string, args: readonly string[], cwd: string): Promise<RunResult> =>
  runCommand(command, args, { cwd, env: { CI: 'true' } });

const ok = (r: RunResult): RunResult => {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
};

describe('the packed tarball in a project of its own', () => {
  let packDir: Awaited<ReturnType<typeof tempDir>>;
  let project: Awaited<ReturnType<typeof tempDir>>;
  let packed: { filename: string; files: { path: string }[] };
  const pluginFile = (): string => path.join(project.dir, 'plugins', 'my-model', 'index.ts');

  beforeAll(async () => {
    packDir = await tempDir('bess-pack-');
    project = await tempDir('bess-user-');
    const pack = ok(
      await sh('npm', ['pack', '--json', '--pack-destination', packDir.dir], REPO_ROOT),
    );
    // npm prints lifecycle output before the JSON when a prepack script runs: take the array.
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as (typeof packed)[])[0]!;
    ok(
      await sh(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          path.join(packDir.dir, packed.filename),
        ],
        project.dir,
      ),
    );
  }, 300_000);

  afterAll(async () => {
    await project?.cleanup();
    await packDir?.cleanup();
  });

  it('ships only what a user runs, and installs with every dependency resolved', async () => {
    const tops = new Set(packed.files.map((f) => f.path.split('/')[0]));
    expect([...tops].sort()).toEqual([
      'README.md',
      'bin',
      'dist',
      'docs',
      'package.json',
      'plugins',
      'python',
      'src',
      'suites',
      'types',
    ]);
    expect(
      packed.files
        .filter((f) => f.path.startsWith('suites/'))
        .every((f) => f.path.startsWith('suites/scenarios/')),
    ).toBe(true);
    // `npm ls` exits non-zero on a missing or invalid dependency anywhere in the tree.
    ok(await sh('npm', ['ls', '--all'], project.dir));
    const pkg = JSON.parse(
      await readFile(
        path.join(project.dir, 'node_modules', 'bess-harness', 'package.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    expect(pkg['overrides']).toBeUndefined();
    // tsc gets declarations (written by prepack), Node the compiled JavaScript (bin/compile.js).
    const exports = pkg['exports'] as Record<string, { types?: string; default?: string }>;
    expect(exports['.']).toMatchObject({
      types: './types/src/index.d.ts',
      default: './dist/src/index.js',
    });
    const shipped = new Set(packed.files.map((f) => f.path));
    for (const d of [
      'dist/.stamp.json',
      'dist/src/index.js',
      'dist/src/cli/main.js',
      'dist/src/runner/worker-entry.js',
      'dist/plugins/zscore/index.js',
      'types/src/index.d.ts',
      'types/src/vitest/index.d.ts',
      'types/plugins/zscore/index.d.ts',
    ]) {
      expect(shipped).toContain(d);
    }
  });

  it('ships the Python package at its own version: pip installs bess_harness from node_modules', async () => {
    const shipped = packed.files.map((f) => f.path);
    expect(shipped).toEqual(
      expect.arrayContaining([
        'python/pyproject.toml',
        'python/bess_harness/__init__.py',
        'python/bess_harness/serve.py',
      ]),
    );
    expect(shipped.filter((f) => /__pycache__|\.pyc$/.test(f))).toEqual([]);
    // What the README tells a project to run (pip builds it with setuptools from PyPI, as .ci/run
    // installs the test venv's packages); --no-deps: the test venv has pandas and pyarrow already.
    const target = path.join(project.dir, 'py-target');
    const python = path.join(REPO_ROOT, '.venv-python', 'bin', 'python');
    ok(
      await sh(
        python,
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--no-deps',
          '--target',
          target,
          './node_modules/bess-harness/python',
        ],
        project.dir,
      ),
    );
    // PYTHONPATH first: the test venv also has the repository's own copy installed.
    const imported = ok(
      await runCommand(
        python,
        [
          '-c',
          'import bess_harness; print(bess_harness.__file__); print(bess_harness.Model.__name__)',
        ],
        { cwd: project.dir, env: { PYTHONPATH: target } },
      ),
    );
    expect(imported.stdout).toContain(path.join(target, 'bess_harness', '__init__.py'));
    expect(imported.stdout).toContain('Model');
  });

  it('init --yes sets up the project; a second init lists what exists and overwrites nothing', async () => {
    const first = ok(await sh('npx', ['harness', 'init', '--yes'], project.dir));
    for (const f of [
      'harness.config.ts',
      'plugins/my-model/index.ts',
      'suites/my-model.suite.ts',
      'tsconfig.json',
      '.github/workflows/harness.yml',
      '.gitignore',
    ]) {
      expect(first.stdout).toContain(`created  ${f}`);
    }
    expect(first.stdout).toContain('updated  package.json: "type": "module"');
    expect(first.stdout).toMatch(
      /Next:\n {2}npx harness run .*\n {2}npx harness check my-model .*\n {2}npx tsc --noEmit /,
    );
    expect(
      JSON.parse(await readFile(path.join(project.dir, 'package.json'), 'utf8')),
    ).toMatchObject({ type: 'module' });
    expect(await readFile(path.join(project.dir, '.gitignore'), 'utf8')).toMatch(
      /^data\/synthetic$[\s\S]*^\.harness\/$/m,
    );

    await writeFile(
      path.join(project.dir, 'harness.config.ts'),
      `${await readFile(path.join(project.dir, 'harness.config.ts'), 'utf8')}// mine\n`,
    );
    const second = ok(await sh('npx', ['harness', 'init', '--yes'], project.dir));
    expect(second.stdout).not.toContain('created');
    expect(second.stdout).toContain('exists   harness.config.ts (left as it is)');
    expect(second.stdout).toContain('Nothing to do');
    expect(await readFile(path.join(project.dir, 'harness.config.ts'), 'utf8')).toMatch(
      /\/\/ mine\n$/,
    );
  });

  it('npx harness run passes the checklist: exit 0, on the JavaScript compiled when the package was packed', async () => {
    const main = path.join(
      project.dir,
      'node_modules',
      'bess-harness',
      'dist',
      'src',
      'cli',
      'main.js',
    );
    const before = (await stat(main)).mtimeMs;
    const run = await sh('npx', ['harness', 'run'], project.dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // Unpacking changed the sources' times, not their bytes: nothing was compiled again.
    expect((await stat(main)).mtimeMs).toBe(before);
    expect(run.stdout).toMatch(/PASS {2}Assertions 7 passed, 0 failed/);
    expect(run.stdout).toContain('my-model beats random on roc_auc');
  }, 180_000);

  it("the same checklist runs inside the project's own vitest through bess-harness/vitest: one test per assertion, and the suite's own", async () => {
    ok(
      await sh(
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', 'vitest@~4.1.9'],
        project.dir,
      ),
    );
    await mkdir(path.join(project.dir, 'test'), { recursive: true });
    const testFile =
      "import { describeSuite } from 'bess-harness/vitest';\nimport suite from '../suites/my-model.suite.ts';\ndescribeSuite(suite, { file: 'suites/my-model.suite.ts' });\n";
    await writeFile(path.join(project.dir, 'test', 'harness.test.ts'), testFile);
    const run = await sh(
      'npx',
      ['vitest', 'run', 'test/harness.test.ts', '--reporter=verbose'],
      project.dir,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The 7 assertions, and each of the 4 suites' own three: suite runs, every model scores
    // every system, the run completes without harness errors.
    expect(run.stdout).toMatch(/Tests\s+19 passed \(19\)/);
    expect(run.stdout.match(/> suite runs/g)).toHaveLength(4);
    expect(run.stdout).toContain('every model scores every system');
    expect(run.stdout).toMatch(/Test Files\s+1 passed/);
    expect(run.stdout).toContain('my-model beats random on roc_auc');
  }, 240_000);

  it('the plugin type-checks with the tsconfig init wrote', async () => {
    const tsc = ok(await sh('npx', ['tsc', '--noEmit', '--listFiles'], project.dir));
    expect(tsc.stdout).toContain(pluginFile());
    expect(tsc.stdout).toContain(path.join(project.dir, 'suites', 'my-model.suite.ts'));
  }, 180_000);

  it("a strict user tsconfig type-checks the user's files and none of the harness's", async () => {
    // What many teams already run in CI: strict node16 settings, no allowImportingTsExtensions,
    // no jsx, skipLibCheck. skipLibCheck skips .d.ts only, so the package must give tsc
    // declarations, not its TypeScript source.
    const strict = path.join(project.dir, 'strict');
    await mkdir(path.join(strict, 'suites'), { recursive: true });
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        exactOptionalPropertyTypes: true,
        noPropertyAccessFromIndexSignature: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ['harness.config.ts', 'suites'],
    };
    await writeFile(path.join(strict, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    await writeFile(path.join(strict, 'package.json'), '{ "private": true, "type": "module" }\n');
    await writeFile(
      path.join(strict, 'harness.config.ts'),
      "import { defineConfig } from 'bess-harness';\nexport default defineConfig({ dataDir: 'data', suites: ['suites/**/*.suite.ts'] });\n",
    );
    await writeFile(
      path.join(strict, 'suites', 'strict.suite.ts'),
      `import { defineModel, defineSuite, type ModelPlugin } from 'bess-harness';
import zscore, { type ZscoreOptions } from 'bess-harness/plugins/zscore';
import { describeSuite } from 'bess-harness/vitest';

const options: ZscoreOptions = { sensor: 'temp_cell_max_c', robust: true };
const mine: ModelPlugin = defineModel({ name: 'mine', version: '1', score: (s) => s.timestamps.length });
const suite = defineSuite({
  name: 'strict',
  dataset: 'default',
  models: ['random', zscore(options), mine],
  expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeGreaterThan(0.5)],
});
export const register = (): void => describeSuite(suite);
export default suite;
`,
    );
    const tsc = await sh('npx', ['tsc', '--noEmit', '-p', 'strict'], project.dir);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);

    // The types are real: a mistake in the user's own suite is still reported, and only there.
    await writeFile(
      path.join(strict, 'suites', 'typo.suite.ts'),
      "import { defineSuite } from 'bess-harness';\nexport default defineSuite({ name: 'typo', dataset: 'default', split: { test: '0.5' }, expect: () => [] });\n",
    );
    const typo = await sh('npx', ['tsc', '--noEmit', '-p', 'strict'], project.dir);
    expect(typo.code).toBe(2);
    const errors = typo.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(errors.length, typo.stdout).toBeGreaterThan(0);
    expect(
      errors.every((l) => l.startsWith('strict/suites/typo.suite.ts(')),
      typo.stdout,
    ).toBe(true);
  }, 180_000);

  it('a plugin that returns NaN: exit 2; a model weaker than its assertions: exit 1', async () => {
    const original = await readFile(pluginFile(), 'utf8');
    expect(original).toContain('return median;');
    try {
      await writeFile(pluginFile(), original.replace('return median;', 'return NaN;'));
      const broken = await sh('npx', ['harness', 'run'], project.dir);
      expect(broken.code, broken.stdout + broken.stderr).toBe(2);
      expect(broken.stdout + broken.stderr).toMatch(/NaN/);

      await writeFile(
        pluginFile(),
        original.replace('return median;', 'return median > 0 ? 1 : 0;'),
      );
      const weak = await sh('npx', ['harness', 'run'], project.dir);
      expect(weak.code, weak.stdout + weak.stderr).toBe(1);
      expect(weak.stdout).toMatch(/✗ expected my-model to beat random/);
    } finally {
      await writeFile(pluginFile(), original);
    }
  }, 240_000);
});
