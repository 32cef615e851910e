/**
 * Importing over stored real systems: a series the import changes is replaced only with
 * --replace, and a replaced system's label (given for the stored series) only goes with
 * --drop-labels or a new row in --labels. Before, February's export silently took January's
 * place under January's "anomaly" label, and next week's windowed export reused rk-w000 under
 * the label of the week before.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTree, runHarness, tempDir } from '../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const run = (...args: string[]) => runHarness(args, { cwd: dir });

/** Hourly rows of `days` days from `start` (UTC midnight), voltage `v0` upward. */
function hourly(start: string, days: number, v0: number): string {
  const t0 = Date.parse(start);
  const rows = Array.from(
    { length: days * 24 },
    (_, i) => `${new Date(t0 + i * 3_600_000).toISOString()},${v0 + (i % 50)}`,
  );
  return `ts,U\n${rows.join('\n')}\n`;
}
const LABELS = 'system_id,label,failure_type,lead_time_days,source,label_version';

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-replace-'));
  const files: Record<string, string> = {
    'jan.csv': hourly('2025-01-01', 3, 700),
    'feb.csv': hourly('2025-01-04', 3, 800),
    'week1.csv': hourly('2025-01-01', 3, 700),
    'week2.csv': hourly('2025-01-04', 3, 800),
    'map.json': JSON.stringify({
      timestamp: { column: 'ts' },
      system: { id: 'rack1' },
      columns: { voltage_v: 'U' },
      metadata: { operational_mode: 'arbitrage' },
    }),
    'mapw.json': JSON.stringify({
      timestamp: { column: 'ts' },
      system: { id: 'rk', window_days: 1 },
      columns: { voltage_v: 'U' },
      metadata: { operational_mode: 'arbitrage' },
    }),
    'rack1-labels.csv': `${LABELS}\nrack1,anomaly,cell_imbalance,1,real,1\n`,
    'week-labels.csv': `${LABELS}\nrk-w000,normal,none,,real,1\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
});
afterAll(() => cleanup());

describe('harness import over stored real systems', { timeout: 120_000 }, () => {
  it('refuses to replace a labelled series unless asked, and drops its label only with --drop-labels', async () => {
    const first = await run(
      'import',
      'jan.csv',
      '--mapping',
      'map.json',
      '--data',
      'd',
      '--labels',
      'rack1-labels.csv',
    );
    expect(first.code).toBe(0);
    // the same export again changes nothing, so the label still holds
    const same = await run('import', 'jan.csv', '--mapping', 'map.json', '--data', 'd');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('0 existing real system(s) replaced, 1 written again unchanged');

    const before = await hashTree(path.join(dir, 'd'));
    const refused = await run('import', 'feb.csv', '--mapping', 'map.json', '--data', 'd');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 real system\(s\) already hold other data .*: rack1\./);
    expect(refused.stderr).toContain('--replace');
    expect(refused.stderr).toMatch(/d\/real\/labels\.csv:2:1: rack1 is labelled anomaly/);
    expect(refused.stderr).not.toMatch(/at .*\.ts:\d+/);
    const labelled = await run(
      'import',
      'feb.csv',
      '--mapping',
      'map.json',
      '--data',
      'd',
      '--replace',
    );
    expect(labelled.code).toBe(2);
    expect(labelled.stderr).toMatch(/labelled in .*labels\.csv.*: rack1\. .*--drop-labels/s);
    expect(await hashTree(path.join(dir, 'd'))).toEqual(before);

    const dropped = await run(
      'import',
      'feb.csv',
      '--mapping',
      'map.json',
      '--data',
      'd',
      '--replace',
      '--drop-labels',
    );
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toContain('1 existing real system(s) replaced (rack1)');
    expect(dropped.stdout).toMatch(/1 label\(s\) of replaced systems dropped .*: rack1/);
    expect(await readFile(path.join(dir, 'd/real/labels.csv'), 'utf8')).toBe(`${LABELS}\n`);
    const history = (await readFile(path.join(dir, 'd/real/labels.history.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(history).toHaveLength(3);
    expect(history[2]).toMatch(/,harness import,real,rack1,".*""anomaly"".*",$/);
    expect(await readFile(path.join(dir, 'd/real/raw/rack1.csv'), 'utf8')).toMatch(
      /^timestamp,voltage_v\n2025-01-04T00:00:00Z,/,
    );
  });

  it('a replaced system labelled anew in the same import needs only --replace', async () => {
    await run(
      'import',
      'jan.csv',
      '--mapping',
      'map.json',
      '--data',
      'e',
      '--labels',
      'rack1-labels.csv',
    );
    await writeFile(path.join(dir, 'feb-labels.csv'), `${LABELS}\nrack1,normal,none,,real,1\n`);
    const r = await run(
      'import',
      'feb.csv',
      '--mapping',
      'map.json',
      '--data',
      'e',
      '--replace',
      '--labels',
      'feb-labels.csv',
    );
    expect(r.code).toBe(0);
    expect(await readFile(path.join(dir, 'e/real/labels.csv'), 'utf8')).toBe(
      `${LABELS}\nrack1,normal,none,,real,2\n`,
    );
  });

  it('a later windowed export does not take over the earlier windows; imported with them, it continues their numbering', async () => {
    const first = await run(
      'import',
      'week1.csv',
      '--mapping',
      'mapw.json',
      '--data',
      'w',
      '--labels',
      'week-labels.csv',
    );
    expect(first.code).toBe(0);
    const before = await hashTree(path.join(dir, 'w'));
    const alone = await run('import', 'week2.csv', '--mapping', 'mapw.json', '--data', 'w');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/rk-w000, rk-w001, rk-w002/);
    expect(alone.stderr).toContain('import it together with the earlier ones');
    expect(await hashTree(path.join(dir, 'w'))).toEqual(before);

    const both = await run(
      'import',
      'week1.csv',
      'week2.csv',
      '--mapping',
      'mapw.json',
      '--data',
      'w',
    );
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('0 existing real system(s) replaced, 3 written again unchanged');
    const meta = await readFile(path.join(dir, 'w/real/metadata.csv'), 'utf8');
    expect(
      meta
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['rk-w000', 'rk-w001', 'rk-w002', 'rk-w003', 'rk-w004', 'rk-w005']);
    expect(await readFile(path.join(dir, 'w/real/raw/rk-w003.csv'), 'utf8')).toMatch(
      /\n2025-01-04T00:00:00Z,800\.00\n/,
    );
    expect(await readFile(path.join(dir, 'w/real/labels.csv'), 'utf8')).toBe(
      `${LABELS}\nrk-w000,normal,none,,real,1\n`,
    );
  });
});
