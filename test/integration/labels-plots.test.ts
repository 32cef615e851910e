import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES, OPERATIONAL_MODES } from '../../src/data/schema.ts';
import { REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

describe('harness labels and harness plots', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => tmp.cleanup());

  it('shows the label distribution as bars and writes one SVG chart per dimension', async () => {
    const data = path.join(tmp.dir, 'fleet');
    expect(
      (
        await runHarness([
          'generate',
          '--systems',
          '40',
          '--days',
          '2',
          '--interval',
          '30m',
          '--out',
          data,
        ])
      ).code,
    ).toBe(0);
    const out = path.join(tmp.dir, 'charts');
    const r = await runHarness(['labels', '--data', data, '--out-dir', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('40 labelled systems');
    for (const section of [
      'label',
      'failure_type',
      'operational_mode',
      'season',
      'lead_time_bucket',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${section}$`, 'm'));
    }
    const labels = (await readFile(path.join(data, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1);
    const anomalies = labels.filter((l) => l.split(',')[1] === 'anomaly').length;
    expect(r.stdout).toMatch(new RegExp(`anomaly\\s+█+ ${anomalies}\\b`));

    // A data folder whose real/ holds header rows only (a fresh clone's): nothing to chart is
    // exit 2, not charts of zeros.
    const dataDir = path.join(tmp.dir, 'data');
    await mkdir(path.join(dataDir, 'real', 'raw'), { recursive: true });
    await cp(data, path.join(dataDir, 'synthetic'), { recursive: true });
    for (const f of ['metadata.csv', 'labels.csv']) {
      const header = (await readFile(path.join(data, f), 'utf8')).split('\n')[0];
      await writeFile(path.join(dataDir, 'real', f), `${header}\n`);
    }
    const none = await runHarness([
      'labels',
      '--data',
      dataDir,
      '--source',
      'real',
      '--out-dir',
      path.join(tmp.dir, 'none'),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^harness: no real labelled systems in .*data: nothing to chart/);
    await expect(readdir(path.join(tmp.dir, 'none'))).rejects.toThrow(/ENOENT/);

    const files = (await readdir(out)).sort();
    expect(files).toEqual([
      'failure_type.svg',
      'label.svg',
      'lead_time_bucket.svg',
      'operational_mode.svg',
      'season.svg',
    ]);
    const svg = await readFile(path.join(out, 'failure_type.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of FAILURE_TYPES) expect(svg).toContain(t);
  });

  it('writes a signature plot per failure type and a profile per mode', async () => {
    const out = path.join(tmp.dir, 'signatures');
    const r = await runHarness(['plots', '--out-dir', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = await readdir(out);
    expect(files).toHaveLength(FAILURE_TYPES.length + OPERATIONAL_MODES.length);
    for (const t of FAILURE_TYPES) {
      const svg = await readFile(path.join(out, `failure-${t}.svg`), 'utf8');
      expect(svg).toContain('fails in 1 d');
      expect(svg).toContain('healthy');
      // lines were drawn, not an empty frame
      expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(8);
    }
    // The plots the README links to are exactly what this command makes (regenerate them
    // with `npm run docs:plots` after changing the generator).
    for (const f of files) {
      expect(await readFile(path.join(out, f), 'utf8'), `docs/signatures/${f} is stale`).toBe(
        await readFile(path.join(REPO_ROOT, 'docs', 'signatures', f), 'utf8'),
      );
    }
  });
});
