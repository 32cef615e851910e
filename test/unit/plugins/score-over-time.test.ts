/**
 * The baselines' `scoreOverTime` (trailing windows, src/plugin/rolling.ts): each instant is the
 * plugin's own statistic on that window, the windows are the ones the rules give, and random is
 * seeded per system. Their one score is untouched (the other plugin tests pin it).
 */
import { describe, expect, it } from 'vitest';
import deltaV from '../../../plugins/delta-v/index.ts';
import pca from '../../../plugins/pca/index.ts';
import random from '../../../plugins/random/index.ts';
import zscore from '../../../plugins/zscore/index.ts';
import { datasetOf } from '../../../src/data/in-memory.ts';
import type { SystemSeries } from '../../../src/data/types.ts';
import {
  DEFAULT_ROLLING,
  rollingScores,
  sliceSeries,
  trailingWindows,
} from '../../../src/plugin/index.ts';
import { scoreContext } from '../../helpers/in-memory-dataset.ts';
import { sharedFleet } from './fleet.ts';

const H = 3_600_000;

describe('trailingWindows', () => {
  const hours = (...h: number[]) => Float64Array.from(h, (x) => x * H);

  it('ends at first + window, then every step, and at the last timestamp; each holds (end − window, end]', () => {
    const ts = hours(0, 1, 2, 3, 4, 5, 6, 7);
    expect(trailingWindows(ts, { windowMs: 3 * H, stepMs: 2 * H })).toEqual([
      { end: 3 * H, from: 1, to: 4 }, // hours 1, 2, 3
      { end: 5 * H, from: 3, to: 6 },
      { end: 7 * H, from: 5, to: 8 },
    ]);
    // The step does not land on the last timestamp: one more window ends there.
    expect(trailingWindows(ts, { windowMs: 2 * H, stepMs: 4 * H }).map((w) => w.end / H)).toEqual([
      2, 6, 7,
    ]);
  });

  it('a gap gives an empty window (NaN score); a short series one window holding it all', () => {
    const ts = hours(0, 1, 10, 11);
    const ws = trailingWindows(ts, { windowMs: 2 * H, stepMs: 3 * H });
    expect(ws.map((w) => [w.end / H, w.to - w.from])).toEqual([
      [2, 1],
      [5, 0],
      [8, 0],
      [11, 2],
    ]);
    expect(trailingWindows(hours(0, 1), { windowMs: 24 * H, stepMs: H })).toEqual([
      { end: H, from: 0, to: 2 },
    ]);
    expect(trailingWindows(new Float64Array(0), DEFAULT_ROLLING)).toEqual([]);
    const series: SystemSeries = {
      systemId: 's',
      source: 'synthetic',
      timestamps: ts,
      sensors: { soc_pct: Float64Array.of(1, 2, 3, 4) },
    };
    const sum = (w: SystemSeries) => w.sensors.soc_pct!.reduce((a, b) => a + b, 0);
    expect(
      Array.from(rollingScores(series, { windowMs: 2 * H, stepMs: 3 * H }, sum).score),
    ).toEqual([2, NaN, NaN, 7]); // (0, 2 h] holds hour 1 only: half-open windows
  });
});

describe('the baselines over time', () => {
  const { fleet, train, test } = sharedFleet();
  const trainSet = datasetOf(train.map((s) => s.record));
  const signal = new AbortController().signal;

  it.each([
    ['zscore', () => zscore()],
    ['pca', () => pca()],
    ['delta-v', () => deltaV()],
  ])('%s: each instant is its score of the trailing day ending there', async (_, make) => {
    const model = make();
    await model.fit!(trainSet, { seed: 's', signal });
    const s = test.find((x) => x.record.label.label === 'anomaly')!;
    const series = s.series(model.derive ?? []);
    const ctx = scoreContext('s', s.record.metadata);
    const over = (await model.scoreOverTime!(series, ctx))!;
    const windows = trailingWindows(series.timestamps, DEFAULT_ROLLING);
    // 10 days at 15 min: the first window ends after a day, then every 6 h (36 ends + the last).
    expect(over.t).toEqual(Float64Array.from(windows, (w) => w.end));
    expect(over.t.length).toBeGreaterThan(30);
    for (const k of [0, 7, windows.length - 1]) {
      const w = windows[k]!;
      expect(over.score[k]).toBe(await model.score(sliceSeries(series, w.from, w.to), ctx));
    }
  });

  it('random: a seeded coin per window end, the same for the same (seed, system), not across systems', async () => {
    const [a, b] = fleet.systems;
    const over = async (s: typeof a, seed: string) =>
      (await random().scoreOverTime!(s!.series(), scoreContext(seed, s!.record.metadata)))!;
    const first = await over(a, 's');
    expect(await over(a, 's')).toEqual(first);
    expect((await over(a, 't')).score).not.toEqual(first.score);
    expect((await over(b, 's')).score).not.toEqual(first.score);
    for (const v of first.score) expect(v >= 0 && v < 1).toBe(true);
  });
});
