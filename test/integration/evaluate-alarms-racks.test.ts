/**
 * `harness evaluate --alarms` judges the windows of one rack (same source and metadata
 * `parent_system_id`) as one asset, as `harness run` does: their alarms and spans merged, one
 * failure event per rack failure. It judged windows one by one, so a failing rack cut into three
 * anomalous windows with an alarm in each was three failures caught by three alarms, and a normal
 * rack's alarm listed by two overlapping windows two false alarms on two normals: on a window
 * fleet it disagreed with the run. Now its counts are per rack, and equal to the run's.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelRow, SystemRecord } from '../../src/data/types.ts';
import { evaluateAlarmFiles } from '../../src/evaluate/index.ts';
import { caseAlarms } from '../../src/runner/case-alarms.ts';
import type { OverTime } from '../../src/runner/over-time.ts';
import { ALARM_LABELS_HEADER } from '../helpers/alarm-files.ts';
import { tempDir } from '../helpers/run-harness.ts';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2025-06-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const FAILURE = T0 + 5 * D;
const ONSET = T0 + 2 * D;

interface Win {
  readonly id: string;
  readonly rack: string | undefined;
  readonly start: number;
  readonly anomaly: boolean;
  /** Instants of its alarms. */
  readonly alarms: readonly number[];
}

// Failing rack R1: five one-day windows, the first two before the precursor (labelled normal);
// an alarm in each anomalous window, and one early (false) alarm in w0.
// Normal rack R2: two overlapping windows listing the same alarm, and a third window.
// S1: a system without a rack, judged on its own as before.
const WINDOWS: readonly Win[] = [
  ...[0, 1, 2, 3, 4].map((k) => ({
    id: `R1-w${k}`,
    rack: 'R1',
    start: T0 + k * D,
    anomaly: k >= 2,
    alarms: k === 0 ? [T0 + 6 * H] : k >= 2 ? [T0 + k * D + 12 * H] : [],
  })),
  { id: 'R2-w0', rack: 'R2', start: T0, anomaly: false, alarms: [T0 + 18 * H] },
  { id: 'R2-w1', rack: 'R2', start: T0 + 12 * H, anomaly: false, alarms: [T0 + 18 * H] },
  { id: 'R2-w2', rack: 'R2', start: T0 + 2 * D, anomaly: false, alarms: [] },
  { id: 'S1', rack: undefined, start: T0, anomaly: false, alarms: [T0 + 3 * H] },
];
const instants = (w: Win) => Array.from({ length: 24 }, (_, i) => w.start + i * H);
const leadDays = (w: Win) => Math.round(((FAILURE - instants(w)[23]!) / D) * 100) / 100;

function label(w: Win): LabelRow {
  return {
    system_id: w.id,
    label: w.anomaly ? 'anomaly' : 'normal',
    failure_type: w.anomaly ? 'thermal_runaway' : 'none',
    lead_time_days: w.anomaly ? leadDays(w) : null,
    source: 'synthetic',
    label_version: 1,
    ...(w.anomaly ? { failure_at: iso(FAILURE), onset_at: iso(ONSET) } : {}),
  } as LabelRow;
}

describe('harness evaluate --alarms on a window fleet', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const file = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir('alarms-racks-');
    await mkdir(file('fleet/raw'), { recursive: true });
    await writeFile(
      file('fleet/labels.csv'),
      ALARM_LABELS_HEADER +
        WINDOWS.map((w) => {
          const l = label(w);
          return `${w.id},${l.label},${l.failure_type},${l.lead_time_days ?? ''},synthetic,1,${l.failure_at ?? ''},${l.onset_at ?? ''}\n`;
        }).join(''),
    );
    await writeFile(
      file('fleet/metadata.csv'),
      'system_id,source,operational_mode,season,parent_system_id\n' +
        WINDOWS.map(
          (w) =>
            `${w.id},synthetic,${w.rack === 'R1' && w.anomaly ? 'peak_shaving' : 'arbitrage'},summer,${w.rack ?? ''}\n`,
        ).join(''),
    );
    for (const w of WINDOWS)
      await writeFile(
        file(`fleet/raw/${w.id}.csv`),
        'timestamp,voltage_v\n' +
          instants(w)
            .map((t) => `${iso(t)},800\n`)
            .join(''),
      );
    await writeFile(
      file('alarms.csv'),
      'system_id,alarm_at\n' +
        WINDOWS.flatMap((w) => w.alarms.map((t) => `${w.id},${iso(t)}\n`)).join(''),
    );
  });
  afterAll(() => tmp.cleanup());

  const evaluate = () =>
    evaluateAlarmFiles({
      alarms: file('alarms.csv'),
      dataDir: async () => file('fleet'),
      dataExplicit: true,
      cooldownDays: 0,
      preWindowDays: null,
      weighting: 'none',
      allowMissing: false,
    });

  it('counts one failure per rack, its alarms once, and names the rack', async () => {
    const e = await evaluate();
    expect(e.summary.counts).toMatchObject({
      systems: 3,
      failures: 1,
      normals: 2,
      caught: 1,
      alarms: 6,
      false_alarms_on_normals: 2,
      false_alarms_on_failures: 1,
    });
    // R2 first to last sample (its windows merged, the overlap once) and S1.
    expect(e.summary.counts.normal_system_months).toBeCloseTo((2 + 23 / 24 + 23 / 24) / 30.44);
    expect(e.summary.per_failure.map((f) => f.system_id)).toEqual(['R1']);
    // A rack's strata are those of the windows carrying its label (R1's anomalous windows).
    expect(e.breakdown['operational_mode']!.map((c) => [c.stratum, c.systems])).toEqual([
      ['arbitrage', 2],
      ['peak_shaving', 1],
    ]);
  });

  it('agrees with the run judging the same alarms on the same windows', async () => {
    const e = await evaluate();
    const test: SystemRecord[] = WINDOWS.map((w) => ({
      systemId: w.id,
      source: 'synthetic',
      label: label(w),
      metadata: {
        system_id: w.id,
        source: 'synthetic',
        operational_mode: 'arbitrage',
        season: 'summer',
        scenario_tags: [],
        ...(w.rack ? { parent_system_id: w.rack } : {}),
      } as SystemRecord['metadata'],
      loadSeries: () => Promise.reject(new Error('not loaded')),
    }));
    // Scores of 1 exactly at the alarm instants: with minDuration 1 the run raises those alarms.
    const overTime: OverTime[] = WINDOWS.map((w) => {
      const t = Float64Array.from(instants(w));
      return {
        t,
        score: Float64Array.from(t, (x) => (w.alarms.includes(x) ? 1 : 0)),
        spanStart: t[0]!,
        spanEnd: t[23]!,
      };
    });
    const run = caseAlarms(
      { overTime, threshold: 0.5 },
      test,
      { minDuration: 1, cooldownDays: 0 },
      's',
    ).alarms.summary;
    expect(e.summary.counts).toEqual(run.counts);
    expect(e.summary.metrics).toEqual(run.metrics);
    expect(e.summary.per_failure).toEqual(run.per_failure);
  });
});
