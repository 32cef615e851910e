/**
 * `harness evaluate` on files that join to no system at all: a scores file whose ids match none
 * of the labels (another id scheme) with --allow-missing, or two header-only files. Nothing was
 * measured, so it is exit 2 naming the files, never exit 0 with a table of dashes and zeros (a
 * CI step reading the exit code would pass on nothing).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

const LABELS_HEADER = 'system_id,label,failure_type,lead_time_days,source,label_version';

describe('harness evaluate with no system both scored and labelled', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const file = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir('evaluate-nothing-');
    const labels = [LABELS_HEADER];
    for (let i = 0; i < 8; i++)
      labels.push(
        i % 2 ? `S-${i},normal,none,,synthetic,1` : `S-${i},anomaly,thermal_runaway,3,synthetic,1`,
      );
    await writeFile(file('labels.csv'), `${labels.join('\n')}\n`);
    await writeFile(file('other-ids.csv'), 'system_id,score\nsys-0,0.9\nsys-1,0.1\n');
    await writeFile(file('scores-empty.csv'), 'system_id,score\n');
    await writeFile(file('labels-empty.csv'), `${LABELS_HEADER}\n`);
    await writeFile(file('alarms.csv'), 'system_id,alarm_at\nsys-0,2026-01-01T00:00:00Z\n');
    await mkdir(file('data/synthetic/raw'), { recursive: true });
  });
  afterAll(() => tmp.cleanup());

  it('ids that match no label, with --allow-missing: exit 2 naming the scores file, no metrics on stdout', async () => {
    const r = await runHarness(
      [
        'evaluate',
        '--scores',
        file('other-ids.csv'),
        '--labels',
        file('labels.csv'),
        '--allow-missing',
        '--json',
        '--by',
        'failure_type',
      ],
      { cwd: tmp.dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^harness: other-ids\.csv: no system of this file has a label in labels\.csv \(2 scores, 8 labels\): nothing to evaluate$/m,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.split('nothing to evaluate')).toHaveLength(2); // said once, not twice
  });

  // A scorer that skipped exactly the failing systems (or the healthy ones): --allow-missing
  // would leave one class, no ranking, every detection metric undefined, and exit 0.
  it.each([
    ['normals-only.csv', 'all 4 anomalies', 'S-1,0.2\nS-3,0.4\nS-5,0.6\nS-7,0.8'],
    ['anomalies-only.csv', 'all 4 normal systems', 'S-0,0.9\nS-2,0.8'],
  ])(
    '%s with --allow-missing: exit 2, as it dropped %s of the labels',
    async (name, lost, rows) => {
      // The scores as a file of their own, judged against the 8 labels with --allow-missing.
      const evaluate = async (scoresName: string, scored: string) => {
        await writeFile(file(scoresName), `system_id,score\n${scored}\n`);
        const args = ['--labels', file('labels.csv'), '--data', file('no-data')];
        return runHarness(
          ['evaluate', '--scores', file(scoresName), ...args, '--allow-missing', '--json'],
          { cwd: tmp.dir },
        );
      };
      const r = await evaluate(name, rows);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `${name}:1:0: --allow-missing dropped ${lost} of the labels (they have no score)`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // One system of the other class scored as well: measured, with the drop reported.
      const other = name.startsWith('normals') ? 'S-0,0.9' : 'S-1,0.1';
      const ok = await evaluate(`mixed-${name}`, `${rows}\n${other}`);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/dropped 0 scores without a label and \d labels without a score/);
    },
  );

  it('a header-only scores file and a header-only labels file: exit 2, not an evaluation of 0 systems', async () => {
    const r = await runHarness(
      [
        'evaluate',
        '--scores',
        file('scores-empty.csv'),
        '--labels',
        file('labels-empty.csv'),
        '--by',
        'failure_type',
      ],
      { cwd: tmp.dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).not.toMatch(/0 systems/);
    expect(r.stderr).toMatch(
      /^harness: scores-empty\.csv: no system of this file has a label in labels-empty\.csv \(0 scores, 0 labels\): nothing to evaluate$/m,
    );
  });

  it('alarms against a header-only labels file, with --allow-missing: exit 2, not alarm metrics over 0 systems', async () => {
    const r = await runHarness(
      [
        'evaluate',
        '--alarms',
        file('alarms.csv'),
        '--labels',
        file('labels-empty.csv'),
        '--data',
        file('data'),
        '--allow-missing',
      ],
      { cwd: tmp.dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).not.toMatch(/0 systems/);
    expect(r.stderr).toMatch(
      /^harness: labels-empty\.csv: no labelled system in this file \(1 alarm\): nothing to evaluate$/m,
    );
  });
});
