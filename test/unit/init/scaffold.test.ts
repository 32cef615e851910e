import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { scaffoldProject, type InitEntry } from '../../../src/init/scaffold.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-init-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const yes = async (): Promise<boolean> => true;
const no = async (): Promise<boolean> => false;
const actionOf = (entries: readonly InitEntry[], file: string): InitEntry | undefined =>
  entries.find((e) => e.file === file);

describe('harness init', () => {
  it('writes a project into a folder it creates, package.json included, and leaves no temp file', async () => {
    const target = path.join(dir, 'new', 'project');
    const r = await scaffoldProject({ dir: target, confirm: no });
    expect(r.entries.map((e) => e.action)).toEqual(Array(7).fill('created'));
    expect(JSON.parse(await readFile(path.join(target, 'package.json'), 'utf8'))).toEqual({
      name: 'project',
      private: true,
      type: 'module',
    });
    expect((await readdir(target)).some((f) => f.includes('.tmp-'))).toBe(false);
    expect(await readFile(path.join(target, 'plugins', 'my-model', 'index.ts'), 'utf8')).toContain(
      "name: 'my-model'",
    );
  });

  it('in a package of a monorepo, writes the workflow at the repository root, run in the package, never over one', async () => {
    // GitHub reads .github/workflows only at the repository root: packages/bess/.github is dead.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'repo', '.git'), { recursive: true });
    const sub = await scaffoldProject({
      dir: path.join(dir, 'repo', 'packages', 'bess'),
      confirm: no,
    });
    const wf = actionOf(sub.entries, '../../.github/workflows/harness.yml');
    expect(wf?.action).toBe('created');
    expect(wf?.detail).toMatch(/repository root.*run in packages\/bess/);
    const text = await readFile(path.join(dir, 'repo', '.github/workflows/harness.yml'), 'utf8');
    expect(text).toContain('    defaults:\n      run:\n        working-directory: packages/bess\n');
    expect(text).toContain('report_paths: packages/bess/.harness/last-run/junit.xml');
    expect(text).toContain('path: packages/bess/.harness/last-run/');
    await expect(readdir(path.join(dir, 'repo', 'packages', 'bess', '.github'))).rejects.toThrow();
    // A second package: the root's workflow exists and is left as it is, with what to add.
    const other = await scaffoldProject({
      dir: path.join(dir, 'repo', 'packages', 'other'),
      confirm: no,
    });
    expect(actionOf(other.entries, '../../.github/workflows/harness.yml')).toMatchObject({
      action: 'exists',
      detail: expect.stringMatching(/left as it is.*working-directory: packages\/other/),
    });
    expect(await readFile(path.join(dir, 'repo', '.github/workflows/harness.yml'), 'utf8')).toBe(
      text,
    );
    const root = await scaffoldProject({ dir: path.join(dir, 'repo'), confirm: no });
    expect(actionOf(root.entries, '.github/workflows/harness.yml')).toEqual({
      file: '.github/workflows/harness.yml',
      action: 'exists',
    });
  });

  it('in a workspace package without .git, puts the workflow at the workspace root', async () => {
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'root', private: true, workspaces: ['pkgs/*'] }),
    );
    await writeFile(path.join(dir, 'package-lock.json'), '{}');
    const r = await scaffoldProject({ dir: path.join(dir, 'pkgs', 'a'), confirm: no });
    expect(actionOf(r.entries, '../../.github/workflows/harness.yml')?.action).toBe('created');
    const text = await readFile(path.join(dir, '.github/workflows/harness.yml'), 'utf8');
    // npm ci at the workspace root, where the lockfile is; the harness in the package
    expect(text).toContain('      - run: npm ci\n        working-directory: .\n');
    expect(text).toContain('cache-dependency-path: package-lock.json');
    expect(text).toContain('working-directory: pkgs/a');
    expect(r.installNotes).toEqual([]);
  });

  it('never overwrites: a second run lists every file as existing and changes no byte', async () => {
    await scaffoldProject({ dir, confirm: yes });
    await writeFile(path.join(dir, 'suites', 'my-model.suite.ts'), 'mine\n');
    const before = await readFile(path.join(dir, 'suites', 'my-model.suite.ts'), 'utf8');
    const again = await scaffoldProject({ dir, confirm: yes });
    expect(again.entries.every((e) => e.action === 'exists')).toBe(true);
    expect(await readFile(path.join(dir, 'suites', 'my-model.suite.ts'), 'utf8')).toBe(before);
  });

  it('asks before it sets "type": "module" in an existing package.json, and keeps its keys, order and indentation', async () => {
    const pkg =
      '{\n\t"name": "plant",\n\t"version": "1.0.0",\n\t"dependencies": { "bess-harness": "^0.1.0" }\n}\n';
    await writeFile(path.join(dir, 'package.json'), pkg);
    const questions: string[] = [];
    const declined = await scaffoldProject({
      dir,
      confirm: async (q) => (questions.push(q), false),
    });
    expect(questions).toEqual([expect.stringContaining('"type": "module"')]);
    expect(actionOf(declined.entries, 'package.json')).toMatchObject({ action: 'left' });
    expect(await readFile(path.join(dir, 'package.json'), 'utf8')).toBe(pkg);

    const agreed = await scaffoldProject({ dir, confirm: yes });
    expect(actionOf(agreed.entries, 'package.json')).toMatchObject({
      action: 'updated',
      detail: '"type": "module" (was no "type")',
    });
    const text = await readFile(path.join(dir, 'package.json'), 'utf8');
    expect(text).toBe(
      '{\n\t"name": "plant",\n\t"version": "1.0.0",\n\t"type": "module",\n\t"dependencies": {\n\t\t"bess-harness": "^0.1.0"\n\t}\n}\n',
    );
  });

  it('never changes a "type" that is set: "commonjs" stays, with --yes too, and it says why', async () => {
    // "type": "module" made the project's require() code (index.js) fail to load.
    const pkg = '{ "name": "x", "type": "commonjs", "main": "index.js" }';
    await writeFile(path.join(dir, 'package.json'), pkg);
    await writeFile(path.join(dir, 'index.js'), "require('node:path');\n");
    const questions: string[] = [];
    const r = await scaffoldProject({ dir, confirm: async (q) => (questions.push(q), true) });
    expect(questions).toEqual([]);
    expect(actionOf(r.entries, 'package.json')).toEqual({
      file: 'package.json',
      action: 'left',
      detail: expect.stringMatching(
        /^"type": "commonjs" kept: .*init never changes it; the harness loads/,
      ),
    });
    expect(await readFile(path.join(dir, 'package.json'), 'utf8')).toBe(pkg);
  });

  it('adds no "type": "module" where no type is set but a .js file would become an ES module', async () => {
    await writeFile(path.join(dir, 'package.json'), '{ "name": "x" }');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'lib'));
    await writeFile(path.join(dir, 'lib', 'app.js'), "module.exports = require('node:os');\n");
    // node_modules, dot-folders and nested packages are not the package's own .js files
    await mkdir(path.join(dir, 'node_modules', 'dep'), { recursive: true });
    await writeFile(path.join(dir, 'node_modules', 'dep', 'index.js'), '');
    const r = await scaffoldProject({ dir, confirm: yes });
    expect(actionOf(r.entries, 'package.json')?.detail).toMatch(
      /^no "type" \(CommonJS\) kept: "type": "module" would make lib\/app\.js an ES module/,
    );
    expect(await readFile(path.join(dir, 'package.json'), 'utf8')).toBe('{ "name": "x" }');
  });

  it('creates package.json without "type": "module" beside .js files that are CommonJS now', async () => {
    await writeFile(path.join(dir, 'tool.js'), "require('node:fs');\n");
    const r = await scaffoldProject({ dir: dir, confirm: yes });
    expect(actionOf(r.entries, 'package.json')).toMatchObject({ action: 'created' });
    expect(actionOf(r.entries, 'package.json')?.detail).toContain('tool.js');
    expect(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'))).not.toHaveProperty(
      'type',
    );
  });

  it('refuses to replace a read-only package.json with a message naming it and the change, and leaves it', async () => {
    const { chmod, stat } = await import('node:fs/promises');
    if (process.getuid?.() === 0) return; // root may write it; test/unit/data/atomic.test.ts checks as nobody
    await writeFile(path.join(dir, 'package.json'), '{ "name": "ro" }');
    await chmod(path.join(dir, 'package.json'), 0o444);
    await expect(scaffoldProject({ dir, confirm: yes })).rejects.toThrow(
      `${path.join(dir, 'package.json')}: cannot be changed (it is read-only); it was left as it was`,
    );
    expect((await stat(path.join(dir, 'package.json'))).mode & 0o777).toBe(0o444);
  });

  it('says when an existing tsconfig.json would not type-check the plugin and suite, and what to add', async () => {
    const tsconfig = (body: string) => writeFile(path.join(dir, 'tsconfig.json'), body);
    await writeFile(path.join(dir, 'package.json'), '{ "name": "x", "type": "module" }');
    await tsconfig('{ "compilerOptions": { "strict": true }, "include": ["src"] }');
    const narrow = await scaffoldProject({ dir, confirm: yes });
    expect(narrow.tscNote).toBe(
      'tsconfig.json\'s "include" (["src"]) leaves out harness.config.ts, plugins/my-model/index.ts, suites/my-model.suite.ts: add "harness.config.ts", "plugins", "suites" to it',
    );
    // comments and trailing commas, as tsc reads them; the suite imports ../plugins/my-model/index.ts
    await tsconfig(
      '{\n  // mine\n  "compilerOptions": { "strict": true, "noEmit": true },\n  "include": ["src", "plugins", "suites", "*.ts",],\n}\n',
    );
    const noTsImports = await scaffoldProject({ dir, confirm: yes });
    expect(noTsImports.tscNote).toMatch(/^tsconfig\.json needs "allowImportingTsExtensions": true/);
    await tsconfig(
      '{ "compilerOptions": { "noEmit": true, "allowImportingTsExtensions": true }, "include": ["**/*.ts"] }',
    );
    expect((await scaffoldProject({ dir, confirm: yes })).tscNote).toBeUndefined();
  });

  it('says nothing about tsc in a new module project (its own tsconfig checks them)', async () => {
    const r = await scaffoldProject({ dir, confirm: yes });
    expect(r.tscNote).toBeUndefined();
  });

  it('appends only the .gitignore lines that are missing, in either spelling', async () => {
    await writeFile(path.join(dir, '.gitignore'), 'node_modules\n/.harness\n');
    const r = await scaffoldProject({ dir, confirm: yes });
    expect(actionOf(r.entries, '.gitignore')).toMatchObject({
      action: 'updated',
      detail: 'added data/synthetic, data/.synthetic.*, *.csv.lock, .*.json.lock',
    });
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe(
      'node_modules\n/.harness\n# bess-harness: generated data and runs\ndata/synthetic\ndata/.synthetic.*\n*.csv.lock\n.*.json.lock\n',
    );
    expect(
      actionOf((await scaffoldProject({ dir, confirm: yes })).entries, '.gitignore')?.action,
    ).toBe('exists');
  });

  it('adds data/synthetic beside an old data/synthetic/ line, which misses the symlink generate makes', async () => {
    await writeFile(path.join(dir, '.gitignore'), 'data/synthetic/\n.harness/\n');
    const r = await scaffoldProject({ dir, confirm: yes });
    expect(actionOf(r.entries, '.gitignore')).toMatchObject({
      action: 'updated',
      detail: 'added data/synthetic, data/.synthetic.*, *.csv.lock, .*.json.lock',
    });
  });

  it("follows an existing config's dataDir in .gitignore, not the default data/", async () => {
    await writeFile(path.join(dir, 'harness.config.ts'), 'export default {};\n');
    const at = (dataDir: string) => async () => ({
      dataDir: path.join(dir, dataDir),
      suites: ['suites/**/*.suite.ts'],
      runsSuite: () => true,
    });
    const r = await scaffoldProject({ dir, confirm: yes, readConfig: at('telemetry') });
    expect(actionOf(r.entries, '.gitignore')?.action).toBe('created');
    const text = await readFile(path.join(dir, '.gitignore'), 'utf8');
    expect(text.split('\n')).toEqual(
      expect.arrayContaining(['telemetry/synthetic', 'telemetry/.synthetic.*', '.harness/']),
    );
    expect(text).not.toMatch(/^data\//m);
    // A data folder outside the project is not the project's .gitignore's to cover.
    await rm(path.join(dir, '.gitignore'));
    await scaffoldProject({ dir, confirm: yes, readConfig: at('../shared-data') });
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).not.toMatch(/synthetic/);
  });

  it('writes no harness.config.ts into a project configured another way: two configs are refused by every later command', async () => {
    for (const [file, text, named] of [
      ['.harnessrc.json', '{ "workers": 1 }\n', '.harnessrc.json'],
      ['harness.config.cjs', 'module.exports = {};\n', 'harness.config.cjs'],
      [
        'package.json',
        '{ "name": "p", "harness": { "workers": 1 } }\n',
        `package.json's "harness" key`,
      ],
    ] as const) {
      const project = path.join(dir, file.replace(/\W/g, ''));
      await mkdir(project);
      await writeFile(path.join(project, file), text);
      const r = await scaffoldProject({ dir: project, confirm: no });
      expect(actionOf(r.entries, 'harness.config.ts')).toEqual({
        file: 'harness.config.ts',
        action: 'left',
        detail: `not written: the project's config is ${named}`,
      });
      expect(await readdir(project)).not.toContain('harness.config.ts');
      expect(actionOf(r.entries, 'suites/my-model.suite.ts')?.action).toBe('created');
    }
  });

  it("says when an existing config's suites globs leave out the suite it writes, and what to change", async () => {
    await writeFile(path.join(dir, 'harness.config.ts'), 'export default {};\n');
    const globs = (suites: string[], covers: boolean) => async () => ({
      dataDir: path.join(dir, 'data'),
      suites,
      runsSuite: (file: string) => covers && file === 'suites/my-model.suite.ts',
    });
    const r = await scaffoldProject({
      dir,
      confirm: yes,
      readConfig: globs(['checks/**/*.suite.ts'], false),
    });
    const suite = actionOf(r.entries, 'suites/my-model.suite.ts');
    expect(suite?.action).toBe('created');
    expect(suite?.detail).toMatch(
      /^not run: harness\.config\.ts's suites \(checks\/\*\*\/\*\.suite\.ts\) do not match it; add 'suites\/\*\*\/\*\.suite\.ts'/,
    );
    await rm(path.join(dir, 'suites'), { recursive: true });
    const covered = await scaffoldProject({
      dir,
      confirm: yes,
      readConfig: globs(['**/*.suite.ts'], true),
    });
    expect(actionOf(covered.entries, 'suites/my-model.suite.ts')).toEqual({
      file: 'suites/my-model.suite.ts',
      action: 'created',
    });
  });

  it('refuses a package.json that is not JSON with its line and column, before it writes anything', async () => {
    await writeFile(path.join(dir, 'package.json'), '{ "name": "x", }');
    const err = await scaffoldProject({ dir, confirm: yes }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).problems).toEqual([
      {
        file: path.join(dir, 'package.json'),
        line: 1,
        column: 16,
        message: 'not valid JSON: Expected double-quoted property name',
      },
    ]);
    expect(await readFile(path.join(dir, 'package.json'), 'utf8')).toBe('{ "name": "x", }');
    expect(await readdir(dir)).toEqual(['package.json']);
  });

  it('refuses a --dir that is a file, and a file it cannot write, with an error naming it', async () => {
    await writeFile(path.join(dir, 'plain'), 'x');
    await expect(scaffoldProject({ dir: path.join(dir, 'plain'), confirm: yes })).rejects.toThrow(
      `${path.join(dir, 'plain')} is not a folder`,
    );
    await writeFile(path.join(dir, 'plugins'), 'a file where a folder should be');
    await expect(scaffoldProject({ dir, confirm: yes })).rejects.toThrow(
      `${path.join(dir, 'plugins', 'my-model', 'index.ts')}: cannot be written (ENOTDIR`,
    );
  });
});
