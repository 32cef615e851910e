import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, hashTree, makeProject, runHarness, tempDir } from '../helpers/run-harness.ts';

const execFileAsync = promisify(execFile);
const TINY = ['--systems', '12', '--days', '2', '--interval', '15m'];
const LABELS_HEADER = 'system_id,label,failure_type,lead_time_days,source,label_version';
const REAL_ROW = 'site9-rack3,anomaly,insulation_fault,12.5,real,3';
const REAL_META = 'site9-rack3,real,arbitrage,summer,LFP,,,';
const REAL_SERIES =
  'timestamp,voltage_v,temp_cell_max_c\n2026-01-01T00:00:00Z,801.5,31.2\n2026-01-01T00:05:00Z,,31.4\n';
/** The data files a clone of the repository starts with. */
const COMMITTED_DATA = ['data/real/labels.csv', 'data/real/metadata.csv', 'data/real/raw/.gitkeep'];

/** Copies the repository's committed data/ into `<dir>/data`, as a fresh clone has it; returns that folder. */
async function freshCloneData(dir: string): Promise<string> {
  const { stdout } = await execFileAsync('git', ['ls-files', 'data'], { cwd: REPO_ROOT });
  expect(stdout.trim().split('\n').sort()).toEqual(COMMITTED_DATA);
  for (const rel of COMMITTED_DATA) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await copyFile(path.join(REPO_ROOT, rel), path.join(dir, rel));
  }
  return path.join(dir, 'data');
}

describe('harness generate into a data folder', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => tmp.cleanup());

  it('keeps every real file byte for byte: a real label row survives regeneration', async () => {
    const data = await freshCloneData(tmp.dir);
    await writeFile(
      path.join(data, 'real', 'metadata.csv'),
      `${await readFile(path.join(data, 'real', 'metadata.csv'), 'utf8')}${REAL_META}\n`,
    );
    await writeFile(path.join(data, 'real', 'raw', 'site9-rack3.csv'), REAL_SERIES);
    const realLabels = path.join(data, 'real', 'labels.csv');
    await writeFile(realLabels, `${await readFile(realLabels, 'utf8')}${REAL_ROW}\n`);
    const real = await hashTree(path.join(data, 'real'));

    const r = await runHarness(['generate', ...TINY, '--data', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await hashTree(path.join(data, 'real'))).toEqual(real);
    expect((await readFile(realLabels, 'utf8')).trim().split('\n').at(-1)).toBe(REAL_ROW);
    const synthetic = (await readFile(path.join(data, 'synthetic', 'labels.csv'), 'utf8'))
      .trim()
      .split('\n');
    // source and label_version, then failure_at/onset_at (empty for a normal).
    expect(synthetic.slice(1).filter((l) => /,synthetic,1(,|$)/.test(l))).toHaveLength(12);
    expect(await readdir(path.join(data, 'synthetic', 'raw'))).toHaveLength(12);
    // No staging folder, temp file or old version left behind: beside the source folders only the
    // version synthetic/ links to.
    expect((await readdir(data)).sort()).toEqual([
      await readlink(path.join(data, 'synthetic')),
      'real',
      'synthetic',
    ]);
    expect((await readdir(path.join(data, 'synthetic'))).sort()).toEqual([
      'labels.csv',
      'metadata.csv',
      'raw',
    ]);

    const v = await runHarness(['validate', '--data', data]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  });

  it("a suite on source 'real' over the fresh clone's header-only real/ exits 2 saying there are no real systems", async () => {
    const suite = `import { defineSuite } from 'bess-harness';\nexport default defineSuite({ name: 'real-only', dataset: { source: 'real' }, models: ['random'], expect: () => [] });\n`;
    const project = await makeProject({ 'suites/real-only.suite.ts': suite });
    try {
      await freshCloneData(project.dir);
      const r = await runHarness(['run', '--reporter', 'plain', '--no-history'], {
        cwd: project.dir,
      });
      expect(r.code).toBe(2);
      expect(`${r.stdout}${r.stderr}`).toContain(
        `no real systems in ${path.join(project.dir, 'data')}: ${path.join(project.dir, 'data', 'real', 'metadata.csv')} lists none`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    } finally {
      await project.cleanup();
    }
  });

  it('on a fresh clone (real/ holds header rows only) generate dirties no tracked file, then validate and labels exit 0', async () => {
    const project = tmp.dir;
    const data = await freshCloneData(project);
    expect(await readFile(path.join(data, 'real', 'labels.csv'), 'utf8')).toBe(
      `${LABELS_HEADER}\n`,
    );
    expect(
      (await readFile(path.join(data, 'real', 'metadata.csv'), 'utf8')).trim().split('\n'),
    ).toHaveLength(1);
    await copyFile(path.join(REPO_ROOT, '.gitignore'), path.join(project, '.gitignore'));
    const git = (...args: string[]) =>
      execFileAsync(
        'git',
        [
          '-c',
          'user.name=t',
          '-c',
          'user.email=t@example.com',
          '-c',
          'commit.gpgsign=false',
          ...args,
        ],
        { cwd: project },
      );
    await git('init', '-q');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'fresh');
    expect((await git('ls-files')).stdout.trim().split('\n').sort()).toEqual([
      '.gitignore',
      ...COMMITTED_DATA,
    ]);

    const g = await runHarness(['generate', '--systems', '6', '--days', '2'], { cwd: project });
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    expect(await readdir(path.join(data, 'synthetic', 'raw'))).toHaveLength(6);
    expect((await git('status', '--porcelain', '--untracked-files=all')).stdout).toBe('');

    const v = await runHarness(['validate'], { cwd: project });
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    const labels = await runHarness(
      ['labels', '--out-dir', path.join(project, '.scratch', 'charts')],
      { cwd: project },
    );
    expect(labels.stderr).toBe('');
    expect(labels.code).toBe(0);
    expect(labels.stdout).toContain('6 labelled systems');
  });

  it('refuses a legacy data/labels.csv with exit 2, naming it and what to do; validate reports it', async () => {
    const data = await freshCloneData(tmp.dir);
    const legacy = path.join(data, 'labels.csv');
    const old = `${LABELS_HEADER}\nsys-0001,normal,none,,synthetic,1\n${REAL_ROW}\n`;
    await writeFile(legacy, old);
    const before = await hashTree(data);
    const r = await runHarness(['generate', ...TINY, '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${legacy}: labels now live in each source folder, and this file is no longer read.`,
    );
    expect(r.stderr).toContain(
      `Move its real rows (source real) to ${path.join(data, 'real', 'labels.csv')}`,
    );
    expect(r.stderr).toContain('synthetic rows are regenerated by `harness generate`');
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(await hashTree(data)).toEqual(before);
    const v = await runHarness(['validate', '--data', data], { cwd: tmp.dir });
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/data\/labels\.csv:1:0: labels now live in each source folder/);
  });

  it('reads dataDir and the default scenario from harness.config.ts', async () => {
    // Imported by path, not by package name (nothing is installed in this folder): still loads.
    const config = `import { defineConfig } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'src', 'index.js'))};\nexport default defineConfig({ dataDir: 'fleet', scenario: 'smoke' });\n`;
    await writeFile(path.join(tmp.dir, 'harness.config.ts'), config);
    const r = await runHarness(['generate', '--systems', '6', '--days', '1'], { cwd: tmp.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scenario "smoke"');
    expect(await readdir(path.join(tmp.dir, 'fleet', 'synthetic', 'raw'))).toHaveLength(6);
  });

  it('names a wrong config field and exits 2', async () => {
    await writeFile(
      path.join(tmp.dir, '.harnessrc.json'),
      JSON.stringify({ dataDir: 3, scenaro: 'x' }),
    );
    const r = await runHarness(['validate'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dataDir: must be a non-empty string');
    expect(r.stderr).toContain('scenaro: unknown field');
  });

  it('rejects an unknown flag and an unknown scenario with exit 2 and no stack trace', async () => {
    const flag = await runHarness(['generate', '--sytems', '3']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--sytems'/);
    const scen = await runHarness([
      'generate',
      '--scenario',
      'nope',
      '--out',
      path.join(tmp.dir, 'x'),
    ]);
    expect(scen.code).toBe(2);
    expect(scen.stderr).toMatch(/no scenario "nope".*known scenarios: .*default/s);
    for (const r of [flag, scen]) expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });
});
