/**
 * `harness evaluate --alarms` on failures whose event window starts after their series ends.
 * An alarm log may run past the telemetry export, so an alarm there is in the window by design;
 * but whether such a failure counted was decided by its alarms (`caught || data reaches the
 * window`): the caught one counted, the missed one was "unobservable", and one catch of two
 * failures was event_recall 1. Now both count, whatever the alarms say.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarmFiles } from '../../src/evaluate/index.ts';
import { writeAlarmFleet } from '../helpers/alarm-files.ts';
import { tempDir } from '../helpers/run-harness.ts';

describe('harness evaluate --alarms: failures whose window starts after the data', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const file = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir('alarms-past-');
    // Both series end on 2025-06-01 at 23:00; A1's onset is 2 days later, B1's 3.
    await writeAlarmFleet(file('fleet'), {
      labels:
        'N1,normal,none,,synthetic,1,,\n' +
        'A1,anomaly,cooling_failure,4,synthetic,1,2025-06-05T23:00:00Z,2025-06-03T00:00:00Z\n' +
        'B1,anomaly,cooling_failure,5,synthetic,1,2025-06-06T23:00:00Z,2025-06-04T00:00:00Z\n',
      series: { N1: '2025-06-01', A1: '2025-06-01', B1: '2025-06-01' },
    });
    await writeFile(file('alarms.csv'), 'system_id,alarm_at\nA1,2025-06-04T00:00:00Z\n');
  });
  afterAll(() => tmp.cleanup());

  it('counts the missed one as the caught one: recall 1 of 2', async () => {
    const e = await evaluateAlarmFiles({
      alarms: file('alarms.csv'),
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: false,
    });
    expect(e.summary.counts).toMatchObject({ failures: 2, caught: 1, unobservable: 0 });
    expect(e.summary.metrics['event_recall']).toBe(1 / 2);
    expect(e.summary.metrics['caught_with_1d_warning']).toBe(1 / 2);
    expect(e.summary.per_failure.map((f) => [f.system_id, f.observable, f.caught])).toEqual([
      ['A1', true, true],
      ['B1', true, false],
    ]);
  });
});
