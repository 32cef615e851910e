import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

const TINY = ['--systems', '12', '--days', '2', '--interval', '15m'];
const REAL_ROW = 'site9-rack3,anomaly,insulation_fault,12.5,real,3';

describe('harness generate into a data folder', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => tmp.cleanup());

  it('keeps a real label row added by hand and replaces only the synthetic rows', async () => {
    const data = path.join(tmp.dir, 'data');
    expect((await runHarness(['generate', ...TINY, '--seed', '1', '--data', data])).code).toBe(0);
    const labelsPath = path.join(data, 'labels.csv');
    await writeFile(labelsPath, (await readFile(labelsPath, 'utf8')) + REAL_ROW + '\n');

    const r = await runHarness(['generate', ...TINY, '--seed', '2', '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 real rows kept');
    const rows = (await readFile(labelsPath, 'utf8')).trim().split('\n');
    expect(rows).toContain(REAL_ROW);
    expect(rows.filter((l) => l.endsWith(',synthetic,1'))).toHaveLength(12);
    expect(await readdir(path.join(data, 'synthetic', 'raw'))).toHaveLength(12);
    // No staging folder or temp file left behind.
    expect((await readdir(data)).sort()).toEqual(['labels.csv', 'synthetic']);
  });

  it('refuses to generate when labels.csv cannot be read, and changes nothing', async () => {
    const data = path.join(tmp.dir, 'data');
    await mkdir(data, { recursive: true });
    const broken = 'system_id,label,failure_type,lead_time_days,source,label_version\nx1,maybe,none,,real,1\n';
    await writeFile(path.join(data, 'labels.csv'), broken);
    const r = await runHarness(['generate', ...TINY, '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/labels\.csv:2:2: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(path.join(data, 'labels.csv'), 'utf8')).toBe(broken);
    expect(await readdir(data)).toEqual(['labels.csv']);
  });

  it('reads dataDir and the default scenario from harness.config.ts', async () => {
    const config = `import { defineConfig } from ${JSON.stringify(path.join(REPO_ROOT, 'src', 'index.ts'))};\nexport default defineConfig({ dataDir: 'fleet', scenario: 'smoke' });\n`;
    await writeFile(path.join(tmp.dir, 'harness.config.ts'), config);
    const r = await runHarness(['generate', '--systems', '6', '--days', '1'], { cwd: tmp.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scenario "smoke"');
    expect(await readdir(path.join(tmp.dir, 'fleet', 'synthetic', 'raw'))).toHaveLength(6);
  });

  it('names a wrong config field and exits 2', async () => {
    await writeFile(path.join(tmp.dir, '.harnessrc.json'), JSON.stringify({ dataDir: 3, scenaro: 'x' }));
    const r = await runHarness(['validate'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dataDir: must be a non-empty string');
    expect(r.stderr).toContain('scenaro: unknown field');
  });

  it('rejects an unknown flag and an unknown scenario with exit 2 and no stack trace', async () => {
    const flag = await runHarness(['generate', '--sytems', '3']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--sytems'/);
    const scen = await runHarness(['generate', '--scenario', 'nope', '--out', path.join(tmp.dir, 'x')]);
    expect(scen.code).toBe(2);
    expect(scen.stderr).toMatch(/no scenario "nope".*known scenarios: .*default/s);
    for (const r of [flag, scen]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
