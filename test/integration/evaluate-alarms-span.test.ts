/**
 * `harness evaluate --alarms` with alarms on normal systems outside their observed span (the
 * first to the last timestamp of the series). They count as false alarms while the rate divides
 * by the observed span only, so a year of SCADA alarms against two days of series inflated
 * false_alarms_per_system_month without a word; now a warning names the first. A failing
 * system's alarms past its data's end are in its event window (the data stops before the
 * failure) and are not warned about.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarmFiles } from '../../src/evaluate/index.ts';
import { HarnessError } from '../../src/errors.ts';
import { ALARM_LABELS_HEADER, writeAlarmFleet } from '../helpers/alarm-files.ts';
import { tempDir } from '../helpers/run-harness.ts';

describe('harness evaluate --alarms: alarms outside the observed span, systems without metadata', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const file = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir('alarms-span-');
    // Metadata of N1 only: N2 and A1 are "(missing)" in the metadata breakdowns, and said so.
    await writeAlarmFleet(file('fleet'), {
      labels:
        'N1,normal,none,,synthetic,1,,\n' +
        'N2,normal,none,,synthetic,1,,\n' +
        'A1,anomaly,cooling_failure,4,synthetic,1,2025-06-05T23:00:00Z,2025-05-20T00:00:00Z\n',
      metadata: 'system_id,source,operational_mode,season\nN1,synthetic,arbitrage,summer\n',
      series: { N1: '2025-06-01', N2: '2025-06-01', A1: '2025-06-01' },
    });
    await writeFile(
      file('alarms.csv'),
      'system_id,alarm_at\n' +
        'N1,2025-06-01T06:00:00Z\n' + // inside N1's span
        'A1,2025-06-04T00:00:00Z\n' + // after A1's data, before its failure: a detection
        'N2,2025-01-01T00:00:00Z\n' + // months before N2's series
        'N2,2025-06-03T00:00:00Z\n', // after it
    );
  });
  afterAll(() => tmp.cleanup());

  it('counts them and warns, naming the first alarm and its series span', async () => {
    const e = await evaluateAlarmFiles({
      alarms: file('alarms.csv'),
      labels: file('fleet/labels.csv'),
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: false,
    });
    expect(e.summary.counts).toMatchObject({ caught: 1, false_alarms_on_normals: 3 });
    expect(e.warnings).toContain(
      '2 evaluated systems without a metadata row: shown as the stratum "(missing)"',
    );
    expect(e.breakdown['season']!.map((c) => [c.stratum, c.systems]).sort()).toEqual([
      ['(missing)', 2],
      ['summer', 1],
    ]);
    expect(e.warnings.filter((w) => w.includes('failing systems'))).toEqual([]);
    const outside = e.warnings.filter((w) => w.includes('outside the observed span'));
    expect(outside).toEqual([
      `2 alarms on normal systems outside the observed span of their series under ${file('fleet')} (first: ${file('alarms.csv')}:4 (N2 at 2025-01-01T00:00:00.000Z, series 2025-06-01T00:00:00.000Z to 2025-06-01T23:00:00.000Z)): counted as false alarms all the same, while false_alarms_per_system_month divides by the observed span only`,
    ]);
  });

  it("warns of an alarm before a failing system's first sample, which counts as a catch with weeks of warning", async () => {
    // A1's onset is 2025-05-20, its series starts 2025-06-01: an alarm on 2025-05-21 is in the
    // event window (a catch with 15.9 days of warning) though no sample before it exists.
    const alarms = file('alarms-before.csv');
    await writeFile(
      alarms,
      'system_id,alarm_at\nN1,2025-06-01T06:00:00Z\nA1,2025-05-21T00:00:00Z\n',
    );
    const e = await evaluateAlarmFiles({
      alarms,
      labels: file('fleet/labels.csv'),
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: false,
    });
    expect(e.summary.counts).toMatchObject({ caught: 1 });
    expect(e.warnings.filter((w) => w.includes('failing systems'))).toEqual([
      `1 alarm on failing systems before the first sample of their series under ${file('fleet')} (first: ${alarms}:3 (A1 at 2025-05-21T00:00:00.000Z, series 2025-06-01T00:00:00.000Z to 2025-06-01T23:00:00.000Z)): counted by their time all the same, one in the event window as a catch with that much warning, though the series does not show what raised it; check the alarm source's clock and year`,
    ]);
  });

  it('refuses an anomaly whose failure_at its series does not support (a year typed wrong), at its line', async () => {
    const labels = file('fleet/labels-wrong-year.csv');
    await writeFile(
      labels,
      ALARM_LABELS_HEADER +
        'N1,normal,none,,synthetic,1,,\n' +
        'A1,anomaly,cooling_failure,4,synthetic,1,2024-06-05T23:00:00Z,2024-05-20T00:00:00Z\n',
    );
    const err = await evaluateAlarmFiles({
      alarms: file('alarms.csv'),
      labels,
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: true,
    }).then(
      () => null,
      (e: unknown) => e as HarnessError,
    );
    expect(err).toBeInstanceOf(HarnessError);
    if (!err) return;
    expect(err.message).toBe(
      '1 anomaly label with a failure_at the series does not support: warning time cannot be measured from it',
    );
    expect(err.problems[0]).toMatchObject({ file: labels, line: 3 });
    expect(err.problems[0]!.message).toContain(
      'failure_at 2024-06-05T23:00:00Z is 360.0 days before the first sample of A1',
    );
  });
});
