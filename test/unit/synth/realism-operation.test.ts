/**
 * Realism of operation against field-stats.md: frequency regulation on a grid frequency with a
 * deadband (idle share, lag-1 autocorrelation at 5 minutes) and the normal operational events
 * (jitter, SOC recalibration, string trips, repeated rows, idle days).
 */
import { describe, expect, it } from 'vitest';
import { formatSeriesCsv, scanSeries } from '../../../src/data/index.ts';
import { resolveScenario } from '../../../src/synth/define.ts';
import { applySocRecalibration, drawOperationEvents } from '../../../src/synth/events.ts';
import { generateFleet, planToLabel, planToMetadata } from '../../../src/synth/generate.ts';
import {
  droop,
  drawGridFrequency,
  gridFrequencySeries,
} from '../../../src/synth/grid-frequency.ts';
import { simulateOperation } from '../../../src/synth/operating-modes.ts';
import { planFleet } from '../../../src/synth/plan.ts';
import { CELL_AH } from '../../../src/synth/rack.ts';
import { createRng } from '../../../src/synth/random.ts';
import type { GeneratedSystem } from '../../../src/synth/types.ts';
import { col, rackCurrent, NO_EVENTS, NO_FAULTS, scenario } from './helpers.ts';

/** Every operational event on every system. */
const ALL_EVENTS = { jitter: 1, socRecalibration: 1, stringTrip: 1, repeatedRows: 1, idleDays: 1 };

/** |I| below 1 % of 1C reads as idle (the current sensor's noise is 0.3 A). */
const IDLE_A = 0.01 * CELL_AH;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function lag1(x: Float64Array): number {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < x.length; i++) {
    c0 += ((x[i] as number) - m) ** 2;
    if (i > 0) c1 += ((x[i] as number) - m) * ((x[i - 1] as number) - m);
  }
  return c1 / c0;
}

const idleShare = (x: Float64Array): number =>
  x.filter((v) => Math.abs(v) < IDLE_A).length / x.length;

describe('frequency regulation (field-stats.md "Frequency regulation")', () => {
  const fleet: GeneratedSystem[] = [
    ...generateFleet(
      scenario({
        systems: 8,
        days: 10,
        interval: '5m',
        modes: { frequency_regulation: 1 },
        anomalyRate: 0,
        dataQuality: NO_FAULTS,
        events: NO_EVENTS,
        seed: 'fr-realism',
      }),
    ),
  ];

  it('idles inside the deadband 40–78 % of the time and has a lag-1 autocorrelation of 0.13–0.19 at 5 minutes', () => {
    const idle = fleet.map((g) => idleShare(rackCurrent(g)));
    const ac = fleet.map((g) => lag1(rackCurrent(g)));
    expect(median(idle)).toBeGreaterThanOrEqual(0.4);
    expect(median(idle)).toBeLessThanOrEqual(0.78);
    expect(median(ac)).toBeGreaterThanOrEqual(0.13);
    expect(median(ac)).toBeLessThanOrEqual(0.19);
    // Every unit is plausible on its own, not only the fleet's middle.
    for (const v of idle) expect(v).toBeGreaterThan(0.33);
    for (const v of ac) expect(v).toBeLessThan(0.3);
  });

  it('keeps SOC inside the window with its slow recharge bias, and answers in both directions', () => {
    for (const g of fleet) {
      const soc = col(g.columns, 'soc_pct');
      const cur = rackCurrent(g);
      expect(Math.min(...soc)).toBeGreaterThanOrEqual(5);
      expect(Math.max(...soc)).toBeLessThanOrEqual(95);
      expect(cur.filter((v) => v > IDLE_A).length).toBeGreaterThan(0.1 * cur.length);
      expect(cur.filter((v) => v < -IDLE_A).length).toBeGreaterThan(0.1 * cur.length);
    }
  });

  it('changes the sign of its current about a hundred times a day at 1 s (field: 78–103)', () => {
    const perDay: number[] = [];
    for (let k = 0; k < 4; k++) {
      const { current } = simulateOperation({
        mode: 'frequency_regulation',
        samples: 86400,
        intervalSeconds: 1,
        startMs: Date.UTC(2025, 5, 1),
        rng: createRng(`fr-1s:${k}`),
      });
      let changes = 0;
      let last = 0;
      for (const v of current) {
        const sign = Math.abs(v) < IDLE_A ? 0 : Math.sign(v);
        if (sign !== 0 && last !== 0 && sign !== last) changes++;
        if (sign !== 0) last = sign;
      }
      perDay.push(changes);
    }
    // The field's three unit-days span 78–103; a simulated day varies more, so the band is wider.
    expect(median(perDay)).toBeGreaterThan(60);
    expect(median(perDay)).toBeLessThan(160);
  });

  it('draws a grid frequency with a 20–40 mHz spread and minute-scale correlation, and a droop with a deadband', () => {
    const f = gridFrequencySeries(
      drawGridFrequency(createRng('grid')),
      86400,
      1,
      createRng('grid:f'),
    );
    let ss = 0;
    for (const v of f) ss += v * v;
    const sd = Math.sqrt(ss / f.length);
    expect(sd).toBeGreaterThan(0.015);
    expect(sd).toBeLessThan(0.04);
    expect(lag1(f)).toBeGreaterThan(0.99); // smooth at 1 s
    expect(droop(0.01, 0.015, 0.1)).toBe(0);
    expect(droop(-0.05, 0.015, 0.1)).toBeCloseTo(35 / 85, 12); // low frequency → discharge
    expect(droop(0.5, 0.015, 0.1)).toBe(-1); // saturates at the limit
  });
});

describe('normal operational events', () => {
  const spec = {
    systems: 6,
    days: 6,
    interval: '5m',
    anomalyRate: 0.5,
    dataQuality: NO_FAULTS,
    seed: 'events',
  } as const;
  const s = scenario({ ...spec, events: ALL_EVENTS });
  const fleet = [...generateFleet(s)];

  it('tags every event in metadata and leaves labels as they were without events', () => {
    const quiet = planFleet(scenario({ ...spec, events: NO_EVENTS }));
    for (const [i, g] of fleet.entries()) {
      expect(planToMetadata(g.plan).scenario_tags).toEqual(
        expect.arrayContaining([
          'timestamp_jitter',
          'soc_recalibration',
          'string_trip',
          'repeated_rows',
          'idle_day',
        ]),
      );
      expect(planToLabel(g.plan)).toEqual(planToLabel(quiet[i]!));
      expect(quiet[i]!.tags.some((t) => t === 'string_trip' || t === 'idle_day')).toBe(false);
    }
  });

  it('jitters timestamps by about 0.35 % of the interval, in whole ms, strictly increasing', () => {
    for (const g of fleet) {
      const t = g.timestamps;
      const d: number[] = [];
      for (let i = 1; i < t.length; i++) d.push((t[i] as number) - (t[i - 1] as number));
      expect(Math.min(...d)).toBeGreaterThan(0);
      for (const v of t) expect(Number.isInteger(v)).toBe(true);
      const m = d.reduce((a, b) => a + b, 0) / d.length;
      const sd = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length);
      expect(sd / 300_000).toBeGreaterThan(0.002);
      expect(sd / 300_000).toBeLessThan(0.005);
    }
  });

  it('steps the reported SOC against the current a few times a day', () => {
    for (const g of fleet) {
      const soc = col(g.columns, 'soc_pct');
      const cur = rackCurrent(g);
      let steps = 0;
      for (let i = 1; i < soc.length; i++) {
        const expected = -(((cur[i - 1] as number) * 300) / 3600 / CELL_AH) * 100;
        if (Math.abs((soc[i] as number) - (soc[i - 1] as number) - expected) >= 0.5) steps++;
      }
      const perDay = steps / 6;
      expect(perDay).toBeGreaterThan(1);
      expect(perDay).toBeLessThan(20);
    }
  });

  it('recalibrates at the field rate at 1 s: 73–164 steps of ≥ 0.5 point a day, about one in five ≥ 1', () => {
    const soc = new Float64Array(86400).fill(50);
    applySocRecalibration(soc, 1, createRng('recal-1s'));
    let half = 0;
    let one = 0;
    for (let i = 1; i < soc.length; i++) {
      const d = Math.abs((soc[i] as number) - (soc[i - 1] as number));
      if (d >= 0.5) half++;
      if (d >= 1) one++;
    }
    // The rate is drawn in 73–164 a day; a day's count scatters around it (Poisson).
    expect(half).toBeGreaterThanOrEqual(60);
    expect(half).toBeLessThanOrEqual(180);
    expect(one / half).toBeGreaterThan(0.08);
    expect(one / half).toBeLessThan(0.35);
  });

  it('holds idle days at 0 A', () => {
    for (const g of fleet) {
      const cur = rackCurrent(g);
      let idleDays = 0;
      for (let d = 0; d < 6; d++) {
        const day = cur.subarray(d * 288, (d + 1) * 288);
        if (day.every((v) => Math.abs(v) < 1.5)) idleDays++;
      }
      expect(idleDays).toBeGreaterThanOrEqual(1);
    }
  });

  it('trips a string at low SOC while discharging: 0 A, SOC frozen, for as long as drawn', () => {
    const n = 4000;
    const trip = { armedFrom: 0, deadline: n - 100, socBelow: 20, samples: 36 };
    const op = simulateOperation({
      mode: 'arbitrage',
      samples: n,
      intervalSeconds: 300,
      startMs: Date.UTC(2025, 0, 6),
      rng: createRng('trip'),
      stringTrip: trip,
    });
    const at = op.current.findIndex(
      (v, i) => v === 0 && i > 0 && (op.soc[i] as number) < 20 && (op.current[i - 1] as number) > 0,
    );
    expect(at).toBeGreaterThan(0);
    for (let i = at; i < at + trip.samples; i++) {
      expect(op.current[i]).toBe(0);
      expect(op.soc[i]).toBe(op.soc[at]);
    }
    // A plan's trip lands inside its series even when SOC never gets low.
    for (const g of fleet) {
      const e = drawOperationEvents(g.plan, createRng(`${g.plan.seed}:events`));
      expect(e.stringTrip!.deadline + e.stringTrip!.samples).toBeLessThanOrEqual(g.plan.samples);
    }
  });

  it('writes repeated rows verbatim, and the loader drops them to give the series back', () => {
    for (const g of fleet) {
      expect(g.repeatRows!.length).toBeGreaterThanOrEqual(2);
      const csv = formatSeriesCsv(g.timestamps, g.columns, undefined, g.repeatRows);
      const lines = csv.trimEnd().split('\n');
      expect(lines.length).toBe(1 + g.timestamps.length + g.repeatRows!.length);
      const problems: unknown[] = [];
      const scan = scanSeries(csv, { file: 'x.csv', report: (p) => void problems.push(p) });
      expect(problems).toEqual([]);
      expect([...scan.timestamps]).toEqual([...g.timestamps]);
    }
  });

  it('the scanner still rejects a repeated timestamp with other values', () => {
    const csv =
      'timestamp,soc_pct\n2025-01-01T00:00:00Z,50.0\n2025-01-01T00:00:00Z,50.0\n2025-01-01T00:00:00Z,50.1\n';
    const problems: { line: number; message: string }[] = [];
    scanSeries(csv, { file: 'x.csv', report: (p) => void problems.push(p) });
    expect(problems.map((p) => p.line)).toEqual([4]);
    expect(problems[0]!.message).toMatch(/not after the previous one \(line 2\)/);
  });

  it('rejects an unknown event and a rate outside 0–1', () => {
    expect(() => resolveScenario({ name: 'x', events: { bogus: 1 } as never })).toThrow(
      /unknown key `events\.bogus`/,
    );
    expect(() => resolveScenario({ name: 'x', events: { jitter: 2 } })).toThrow(
      /events\.jitter must be between 0 and 1/,
    );
  });
});
