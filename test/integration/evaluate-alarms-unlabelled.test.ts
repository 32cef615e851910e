/**
 * `harness evaluate --alarms` with alarms no label matches. An alarm keyed by a rack id (the
 * parent_system_id of window rows) was "a system without a label; pass --allow-missing", and
 * following that hint dropped every alarm of the rack: exit 0 with recall 0. Dropping every
 * alarm of the file was exit 0 too, while `--scores` refuses a total drop; and --max-missing,
 * which caps a drop for scores, was refused with --alarms.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarmFiles, type EvaluateAlarmsOptions } from '../../src/evaluate/index.ts';
import { HarnessError } from '../../src/errors.ts';
import { writeAlarmFleet } from '../helpers/alarm-files.ts';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

describe('harness evaluate --alarms: alarms without a label', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const file = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir('alarms-unlabelled-');
    // Rack R1: two one-day windows, the second failing; S1 a system on its own.
    await writeAlarmFleet(file('fleet'), {
      labels:
        'R1-w0,normal,none,,synthetic,1,,\n' +
        'R1-w1,anomaly,cooling_failure,1,synthetic,1,2025-06-03T23:00:00Z,2025-06-02T00:00:00Z\n' +
        'S1,normal,none,,synthetic,1,,\n',
      metadata:
        'system_id,source,operational_mode,season,parent_system_id\n' +
        'R1-w0,synthetic,arbitrage,summer,R1\n' +
        'R1-w1,synthetic,arbitrage,summer,R1\n' +
        'S1,synthetic,arbitrage,summer,\n',
      series: { 'R1-w0': '2025-06-01', 'R1-w1': '2025-06-02', S1: '2025-06-01' },
    });
    await writeFile(
      file('rack.csv'),
      'system_id,alarm_at\nR1,2025-06-02T12:00:00Z\nS1,2025-06-01T06:00:00Z\n',
    );
    await writeFile(
      file('others.csv'),
      'system_id,alarm_at\nX1,2025-06-02T12:00:00Z\nX2,2025-06-01T06:00:00Z\n',
    );
    await writeFile(
      file('some.csv'),
      'system_id,alarm_at\nR1-w1,2025-06-02T12:00:00Z\nX1,2025-06-01T06:00:00Z\nS1,2025-06-01T06:00:00Z\n',
    );
  });
  afterAll(() => tmp.cleanup());

  const evaluate = (alarms: string, more: Partial<EvaluateAlarmsOptions> = {}) =>
    evaluateAlarmFiles({
      alarms: file(alarms),
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: false,
      ...more,
    }).then(
      () => null,
      (e: unknown) => e as HarnessError,
    );

  it('says an alarm names a rack, not a window, with --allow-missing or without', async () => {
    for (const allowMissing of [false, true]) {
      const err = await evaluate('rack.csv', { allowMissing });
      expect(err).toBeInstanceOf(HarnessError);
      expect(err!.message).toBe(
        "1 alarm names a rack (a parent_system_id), not a window: name the window's system_id",
      );
      expect(err!.problems).toEqual([
        {
          file: file('rack.csv'),
          line: 2,
          column: 1,
          message: `R1 is the parent_system_id of 2 windows (R1-w0, R1-w1) in ${file('fleet/metadata.csv')}, not a labelled system: an alarm must name a window's system_id (the one whose series holds alarm_at); a rack's windows are judged as the rack, their alarms merged`,
        },
      ]);
    }
  });

  it('refuses dropping every alarm of the file with --allow-missing (exit 2), as --scores does', async () => {
    const err = await evaluate('others.csv', { allowMissing: true });
    expect(err).toBeInstanceOf(HarnessError);
    expect(err!.message).toMatch(
      /^.*others\.csv: --allow-missing dropped every alarm of the file \(2 alarms\): no alarm names a system labelled in /,
    );
    expect(err!.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 1],
      [3, 1],
    ]);
  });

  it('drops some with --allow-missing, and refuses more than --max-missing of them', async () => {
    const ok = await evaluateAlarmFiles({
      alarms: file('some.csv'),
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: true,
      maxMissing: 0.5,
    });
    expect(ok.droppedAlarms).toBe(1);
    expect(ok.summary.counts).toMatchObject({ caught: 1, alarms: 2 });
    const err = await evaluate('some.csv', { allowMissing: true, maxMissing: 0.25 });
    expect(err).toBeInstanceOf(HarnessError);
    expect(err!.message).toMatch(
      /some\.csv: --allow-missing dropped 1 alarm of 3 \(33\.3 %\): more than --max-missing 0\.25$/,
    );
  });

  it('exits 2 from the command line on a total drop and above --max-missing', async () => {
    const all = await runHarness([
      'evaluate',
      '--alarms',
      file('others.csv'),
      '--data',
      file('fleet'),
      '--allow-missing',
    ]);
    expect(all.code, all.stderr).toBe(2);
    expect(all.stdout).toBe('');
    expect(all.stderr).toMatch(/--allow-missing dropped every alarm of the file/);
    const share = await runHarness([
      'evaluate',
      '--alarms',
      file('some.csv'),
      '--data',
      file('fleet'),
      '--allow-missing',
      '--max-missing',
      '0.25',
    ]);
    expect(share.code, share.stderr).toBe(2);
    expect(share.stderr).toMatch(/more than --max-missing 0\.25/);
    expect(share.stderr).toContain(`${file('some.csv')}:3:1: system X1 has an alarm but no label`);
  });
});
