/**
 * `harness evaluate --metadata FILE`: the named metadata file is read in a worker thread while
 * the scores and labels are read and joined. The numbers must be those of the metadata read on
 * the main thread (from the data folder), and a file with a problem must be reported as it
 * always was: located, exit code 2, no stack trace.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../helpers/seeded.ts';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

describe('harness evaluate --metadata FILE', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let fleet: string;
  let scores: string;
  const file = (name: string): string => path.join(tmp.dir, name);

  beforeAll(async () => {
    tmp = await tempDir();
    fleet = file('fleet');
    const g = await runHarness([
      'generate',
      '--systems',
      '40',
      '--days',
      '2',
      '--interval',
      '30m',
      '--out',
      fleet,
    ]);
    expect(g.code).toBe(0);
    const ids = (await readFile(path.join(fleet, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]!);
    const rand = mulberry32(11);
    scores = file('scores.csv');
    await writeFile(
      scores,
      `system_id,score\n${ids.map((id) => `${id},${rand().toFixed(6)}`).join('\n')}\n`,
    );
  });
  afterAll(async () => tmp.cleanup());

  it('gives the JSON of the metadata read from the data folder', async () => {
    const fromFolder = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--json',
    ]);
    expect(fromFolder.stderr).toBe('');
    expect(fromFolder.code).toBe(0);
    const named = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      path.join(fleet, 'labels.csv'),
      '--metadata',
      path.join(fleet, 'metadata.csv'),
      '--json',
    ]);
    expect(named.stderr).toBe('');
    expect(named.code).toBe(0);
    const a = JSON.parse(fromFolder.stdout) as Record<string, unknown>;
    const b = JSON.parse(named.stdout) as Record<string, unknown>;
    expect(Object.keys(b['breakdown'] as object)).toContain('scenario_tags');
    expect(b).toEqual(a);
  });

  it('warns when --labels has a metadata.csv beside it that the default (the data folder) did not read', async () => {
    // Another data folder whose metadata shares the fleet's ids (sys-0001, …), as any generated fleet does.
    const other = file('other-data');
    await mkdir(path.join(other, 'synthetic'), { recursive: true });
    await copyFile(path.join(fleet, 'metadata.csv'), path.join(other, 'synthetic', 'metadata.csv'));
    await copyFile(path.join(fleet, 'labels.csv'), path.join(other, 'synthetic', 'labels.csv'));
    const r = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      path.join(fleet, 'labels.csv'),
      '--data',
      other,
      '--by',
      'season',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: the metadata breakdowns use ${path.join(other, 'synthetic', 'metadata.csv')} (the data folder's), not ${path.join(fleet, 'metadata.csv')} beside --labels: pass --metadata`,
    );
  });

  it('a scenario tag listed twice counts its system once in the tag breakdown', async () => {
    const text = await readFile(path.join(fleet, 'metadata.csv'), 'utf8');
    const header = text.split('\n')[0]!.split(',');
    const at = header.indexOf('scenario_tags');
    // Every listed tag written twice (`subtle;subtle`): the same systems, the same strata.
    const doubled = text
      .split('\n')
      .map((line, i) => {
        if (i === 0 || line === '') return line;
        const cells = line.split(',');
        if (cells[at]) cells[at] = `${cells[at]};${cells[at]}`;
        return cells.join(',');
      })
      .join('\n');
    expect(doubled).not.toBe(text);
    const twice = file('doubled-tags.csv');
    await writeFile(twice, doubled);
    const run = (metadata: string) =>
      runHarness([
        'evaluate',
        '--scores',
        scores,
        '--labels',
        path.join(fleet, 'labels.csv'),
        '--metadata',
        metadata,
        '--json',
      ]);
    const [once, again] = await Promise.all([run(path.join(fleet, 'metadata.csv')), run(twice)]);
    expect([once.code, again.code]).toEqual([0, 0]);
    const tags = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { breakdown: Record<string, unknown> }).breakdown['scenario_tags'];
    expect(tags(again)).toEqual(tags(once));
  });

  it('reports a problem in the file located, with exit code 2', async () => {
    const lines = (await readFile(path.join(fleet, 'metadata.csv'), 'utf8')).split('\n');
    lines[2] = lines[2]!.replace(/,(spring|summer|autumn|winter),/, ',monsoon,');
    const bad = file('bad-metadata.csv');
    await writeFile(bad, lines.join('\n'));
    const r = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      path.join(fleet, 'labels.csv'),
      '--metadata',
      bad,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`bad-metadata\\.csv:3:\\d+: .*monsoon`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      path.join(fleet, 'labels.csv'),
      '--metadata',
      file('none.csv'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.csv: file not found');
  });
});
