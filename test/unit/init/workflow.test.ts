/**
 * The workflow `harness init` writes and the commands it prints follow the project: the config's
 * outDir, its package manager and lockfile, and where bess-harness is installed from. A workflow
 * that installs with npm ci in a pnpm project, or uploads a folder the reporters never wrote,
 * fails (or reports nothing) on the first push.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scaffoldProject } from '../../../src/init/scaffold.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-init-wf-'));
  await mkdir(path.join(dir, '.git'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const no = async (): Promise<boolean> => false;
const put = (rel: string, text: string): Promise<void> => writeFile(path.join(dir, rel), text);
const pkg = (extra: object = {}): Promise<void> =>
  put('package.json', JSON.stringify({ name: 'p', private: true, type: 'module', ...extra }));
const workflowText = (): Promise<string> =>
  readFile(path.join(dir, '.github/workflows/harness.yml'), 'utf8');

describe('harness init: the workflow and commands follow the project', () => {
  it("reports and uploads the config's outDir, not the default", async () => {
    await pkg();
    await put('package-lock.json', '{}');
    await put('harness.config.ts', "export default { outDir: 'reports' };\n");
    const r = await scaffoldProject({
      dir,
      confirm: no,
      readConfig: async () => ({
        dataDir: path.join(dir, 'data'),
        outDir: path.join(dir, 'reports'),
        suites: ['suites/**/*.suite.ts'],
        runsSuite: () => true,
      }),
    });
    const text = await workflowText();
    expect(text).toContain('report_paths: reports/junit.xml');
    expect(text).toContain('path: reports/\n');
    expect(text).not.toContain('.harness/last-run');
    expect(text).toContain('      - run: npm ci\n');
    expect(r.tscCommand).toBe('npx tsc --noEmit');
    expect(r.installNotes).toEqual([]);
  });

  it('installs with pnpm where pnpm-lock.yaml is, and prints a tsc command pnpm can run', async () => {
    await pkg({ devDependencies: { 'bess-harness': '^0.1.0' } });
    await put('pnpm-lock.yaml', "lockfileVersion: '9.0'\n");
    const r = await scaffoldProject({ dir, confirm: no });
    const text = await workflowText();
    expect(text).toContain(
      '      - uses: pnpm/action-setup@v4\n        with:\n          version: 9\n',
    );
    expect(text).toContain('          cache: pnpm\n');
    expect(text).toContain('      - run: pnpm install --frozen-lockfile\n');
    expect(text).toContain('      - run: pnpm exec harness run ');
    expect(text).not.toContain('npm ci');
    // pnpm links no bin of a dependency's dependency, and tsconfig's types: ["node"] needs @types/node
    expect(r.tscCommand).toBe('pnpm add -D typescript @types/node && pnpm exec tsc --noEmit');
    expect(r.exec).toBe('pnpm exec');
  });

  it('pnpm with typescript and @types/node declared, pinned by packageManager: no add, no version', async () => {
    await pkg({
      packageManager: 'pnpm@9.15.0',
      devDependencies: { typescript: '^5', '@types/node': '^20' },
    });
    await put('pnpm-lock.yaml', "lockfileVersion: '9.0'\n");
    const r = await scaffoldProject({ dir, confirm: no });
    expect(r.tscCommand).toBe('pnpm exec tsc --noEmit');
    expect(await workflowText()).toContain('      - uses: pnpm/action-setup@v4\n      - uses:');
  });

  it('installs with yarn 1 (--frozen-lockfile) or yarn 2+ (--immutable) from yarn.lock', async () => {
    await pkg();
    await put('yarn.lock', '# yarn lockfile v1\n');
    await scaffoldProject({ dir, confirm: no });
    expect(await workflowText()).toContain('      - run: yarn install --frozen-lockfile\n');
    expect(await workflowText()).toContain('          cache: yarn\n');
    await rm(path.join(dir, '.github'), { recursive: true });
    await put('yarn.lock', '__metadata:\n  version: 8\n');
    await scaffoldProject({ dir, confirm: no });
    expect(await workflowText()).toContain('      - run: yarn install --immutable\n');
    expect(await workflowText()).toContain('      - run: corepack enable\n');
  });

  it('says that npm ci needs a committed lockfile when there is none', async () => {
    await pkg();
    const r = await scaffoldProject({ dir, confirm: no });
    expect(r.installNotes).toEqual([
      expect.stringMatching(/^no lockfile: .*npm ci.*commit package-lock\.json/),
    ]);
    expect(await workflowText()).not.toContain('cache:');
  });

  it('warns of a file: tarball outside the repository, which a fresh clone cannot install', async () => {
    await put('package-lock.json', '{}');
    await pkg({ devDependencies: { 'bess-harness': 'file:../bess-harness-0.1.0.tgz' } });
    const outside = await scaffoldProject({ dir, confirm: no });
    expect(outside.installNotes).toEqual([
      expect.stringMatching(
        /file:\.\.\/bess-harness-0\.1\.0\.tgz, outside the repository: a fresh clone \(CI\) cannot install it/,
      ),
    ]);
    await pkg({ devDependencies: { 'bess-harness': 'file:vendor/bess-harness-0.1.0.tgz' } });
    expect((await scaffoldProject({ dir, confirm: no })).installNotes).toEqual([]);
  });

  it("warns of that tarball when the repository root's package.json declares it, for a package below", async () => {
    // `npm install <tgz>` in a folder without package.json walks up and writes to the root's.
    await put('package-lock.json', '{}');
    await pkg({ devDependencies: { 'bess-harness': 'file:../bess-harness-0.1.0.tgz' } });
    const sub = path.join(dir, 'packages', 'eval');
    await mkdir(sub, { recursive: true });
    const r = await scaffoldProject({ dir: sub, confirm: no });
    expect(r.installNotes).toEqual([
      expect.stringMatching(/file:\.\.\/bess-harness-0\.1\.0\.tgz, outside the repository/),
    ]);
    // Relative to the root's package.json, this one is inside the repository.
    await pkg({ devDependencies: { 'bess-harness': 'file:vendor/bess-harness-0.1.0.tgz' } });
    const inside = path.join(dir, 'packages', 'other');
    await mkdir(inside, { recursive: true });
    expect((await scaffoldProject({ dir: inside, confirm: no })).installNotes).toEqual([]);
  });
});
