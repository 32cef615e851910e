import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_TYPES, OPERATIONAL_MODES, SEASONS } from '../../src/data/schema.ts';
import { hashTree, runHarness, tempDir } from '../helpers/run-harness.ts';

// The "done when", run through the real bin on real files. 60 systems over 7 days
// keeps it quick while still holding every failure type, mode and season.
const SMALL = ['--systems', '60', '--days', '7'];

describe('harness generate → validate (from the command line)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => tmp.cleanup());

  const dir = (name: string) => path.join(tmp.dir, name);

  it('gives byte-identical files for the same seed and different ones for another seed', async () => {
    for (const [out, seed] of [
      ['A', '7'],
      ['B', '7'],
      ['C', '8'],
    ] as const) {
      const r = await runHarness(['generate', ...SMALL, '--seed', seed, '--out', dir(out)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/generated 60 systems/);
    }
    const [a, b, c] = await Promise.all([
      hashTree(dir('A')),
      hashTree(dir('B')),
      hashTree(dir('C')),
    ]);
    expect(Object.keys(a)).toContain('metadata.csv');
    expect(Object.keys(a)).toContain('labels.csv');
    expect(Object.keys(a).filter((f) => f.startsWith('raw'))).toHaveLength(60);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('holds both labels, all six failure types, five modes, four seasons, and series with gaps', async () => {
    const labels = await readFile(path.join(dir('A'), 'labels.csv'), 'utf8');
    const metadata = await readFile(path.join(dir('A'), 'metadata.csv'), 'utf8');
    const col = (csv: string, name: string) => {
      const [head, ...rows] = csv.trim().split('\n');
      const i = head!.split(',').indexOf(name);
      return new Set(rows.map((r) => r.split(',')[i]));
    };
    expect(col(labels, 'label')).toEqual(new Set(['normal', 'anomaly']));
    for (const t of FAILURE_TYPES) expect(col(labels, 'failure_type')).toContain(t);
    for (const m of OPERATIONAL_MODES) expect(col(metadata, 'operational_mode')).toContain(m);
    for (const s of SEASONS) expect(col(metadata, 'season')).toContain(s);

    // A gap: a missing row (a step longer than the 5-minute interval) or an empty field.
    let withMissingRows = 0;
    let withEmptyFields = 0;
    for (const f of await readdir(path.join(dir('A'), 'raw'))) {
      const lines = (await readFile(path.join(dir('A'), 'raw', f), 'utf8'))
        .trim()
        .split('\n')
        .slice(1);
      const t = lines.map((l) => Date.parse(l.slice(0, l.indexOf(','))));
      if (t.some((v, i) => i > 0 && v - t[i - 1]! > 5 * 60_000)) withMissingRows++;
      if (lines.some((l) => l.includes(',,') || l.endsWith(','))) withEmptyFields++;
    }
    expect(withMissingRows).toBeGreaterThan(0);
    expect(withEmptyFields).toBeGreaterThan(0);
  });

  it('validates a generated folder, then names file:line:column for a corrupted value and timestamp', async () => {
    const ok = await runHarness(['validate', '--data', dir('A')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid/);

    // Corrupt one value (line 11, the third field) of one file of B.
    const file = path.join(dir('B'), 'raw', (await readdir(path.join(dir('B'), 'raw')))[0]!);
    const lines = (await readFile(file, 'utf8')).split('\n');
    const fields = lines[10]!.split(',');
    fields[2] = '12x.5';
    lines[10] = fields.join(',');
    await writeFile(file, lines.join('\n'));
    const bad = await runHarness(['validate', '--data', dir('B')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`raw/${path.basename(file)}:11:3:`);
    expect(bad.stderr).toContain('12x.5');
    expect(bad.stderr).not.toMatch(/\n\s+at |internal error/); // no stack trace

    // Corrupt one timestamp of another file: it goes backwards.
    const file2 = path.join(dir('C'), 'raw', (await readdir(path.join(dir('C'), 'raw')))[1]!);
    const l2 = (await readFile(file2, 'utf8')).split('\n');
    const f5 = l2[5]!.split(',');
    f5[0] = '2020-01-01T00:00:00Z';
    l2[5] = f5.join(',');
    await writeFile(file2, l2.join('\n'));
    const bad2 = await runHarness(['validate', '--data', dir('C')]);
    expect(bad2.code).toBe(2);
    expect(bad2.stderr).toMatch(new RegExp(`raw/${path.basename(file2)}:(6|7):1:`));
  });
});
