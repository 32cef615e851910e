/**
 * A failed command lists the first 50 problems of its data and says how many more there are:
 * a labels file with a bad value on every one of a million rows printed a million lines. `harness
 * validate`, whose job is the list, still prints every one.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

const ROWS = 120;
let tmp: { dir: string; cleanup: () => Promise<void> };
const file = (name: string): string => path.join(tmp.dir, name);

beforeAll(async () => {
  tmp = await tempDir('problem-cap-');
  const labels = ['system_id,label,failure_type,lead_time_days,source,label_version'];
  const scores = ['system_id,score'];
  for (let i = 0; i < ROWS; i++) {
    // Every row has a source no data folder has: one problem a row.
    labels.push(`S-${i},normal,none,,synthetc,1`);
    scores.push(`S-${i},0.5`);
  }
  await writeFile(file('labels.csv'), `${labels.join('\n')}\n`);
  await writeFile(file('scores.csv'), `${scores.join('\n')}\n`);
});
afterAll(() => tmp.cleanup());

it('evaluate on a labels file with a problem on each of 120 rows: exit 2, the first 50 located, then how many more', async () => {
  const r = await runHarness([
    'evaluate',
    '--scores',
    file('scores.csv'),
    '--labels',
    file('labels.csv'),
  ]);
  expect(r.code, r.stderr).toBe(2);
  const located = r.stderr.split('\n').filter((l) => /labels\.csv:\d+:\d+: .*synthetc/.test(l));
  expect(located).toHaveLength(50);
  // The first 50 in file order: lines 2 to 51, column 5 (source).
  expect(located[0]).toMatch(/labels\.csv:2:5: /);
  expect(located[49]).toMatch(/labels\.csv:51:5: /);
  expect(r.stderr).toContain('… and 70 more problems (`harness validate` lists every one)');
});
