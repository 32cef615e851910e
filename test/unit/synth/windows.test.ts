import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES, SYSTEM_ID_PATTERN } from '../../../src/data/schema.ts';
import { failureIntensity } from '../../../src/synth/failures.ts';
import { generateSystem } from '../../../src/synth/generate.ts';
import { planFleet } from '../../../src/synth/plan.ts';
import type { ResolvedScenario, ScenarioSpec, SystemPlan } from '../../../src/synth/types.ts';
import {
  PRECURSOR_FLOOR,
  precursorHorizonDays,
  systemParts,
  windowId,
} from '../../../src/synth/windows.ts';
import { NO_EVENTS, NO_FAULTS, sameBytes, scenario } from './helpers.ts';

const DAY_MS = 86_400_000;

/** 6 racks of 2 days at 5 min, half failing 0.5–1.5 days after their last sample. */
function windowed(window: NonNullable<ScenarioSpec['window']>): ResolvedScenario {
  return scenario({
    systems: 6,
    days: 2,
    interval: '5m',
    anomalyRate: 0.5,
    leadTimeDays: { kind: 'uniform', min: 0.5, max: 1.5 },
    window,
  });
}

const failing = (s: ResolvedScenario): SystemPlan[] =>
  planFleet(s).filter((p) => p.failure !== null);

describe('window scenarios', () => {
  it('cut each rack into consecutive windows named <rack>-wNNNN, each with its rack as parent', () => {
    const s = windowed('6h');
    const plans = planFleet(s);
    for (const plan of plans) {
      const parts = systemParts(plan, s);
      // 2 days / 6 h = 8 windows; an outage may drop one, never add one.
      expect(parts.length).toBeLessThanOrEqual(8);
      expect(parts.length).toBeGreaterThanOrEqual(6);
      const whole = generateSystem(plan, s);
      let rows = 0;
      for (const w of parts) {
        expect(w.systemId).toMatch(SYSTEM_ID_PATTERN);
        expect(w.systemId).toMatch(new RegExp(`^${plan.systemId}-w\\d{4}$`));
        expect(w.metadata).toMatchObject({
          system_id: w.systemId,
          parent_system_id: plan.systemId,
          operational_mode: plan.mode,
          season: plan.season,
        });
        expect(w.label.system_id).toBe(w.systemId);
        const k = Number(w.systemId.slice(-4));
        // Rows belong to the window of their planned sample (72 of 5 min in 6 h), jittered or not.
        const planned = (t: number | undefined) => Math.round((t! - plan.startMs) / 300_000);
        expect(planned(w.timestamps[0])).toBeGreaterThanOrEqual(k * 72);
        expect(planned(w.timestamps[w.timestamps.length - 1])).toBeLessThan((k + 1) * 72);
        for (const col of Object.values(w.columns)) expect(col.length).toBe(w.timestamps.length);
        rows += w.timestamps.length;
      }
      // Windows tile the series: no row lost or repeated (2 days is a whole number of windows).
      expect(rows).toBe(whole.timestamps.length);
    }
  });

  it("gives a failing rack's windows their own lead time, anomaly only inside the precursor horizon", () => {
    const s = windowed({ length: '6h', precursorDays: 1.5 });
    const plans = failing(s);
    expect(plans.length).toBe(3);
    for (const plan of plans) {
      const f = plan.failure!;
      const failureMs = plan.startMs + (plan.samples - 1) * 300_000 + f.leadTimeDays * DAY_MS;
      const parts = systemParts(plan, s);
      let anomalies = 0;
      let normals = 0;
      for (const w of parts) {
        const lead = (failureMs - w.timestamps[w.timestamps.length - 1]!) / DAY_MS;
        if (lead <= 1.5) {
          anomalies++;
          expect(w.label).toMatchObject({ label: 'anomaly', failure_type: f.type });
          expect(w.label.lead_time_days).toBeCloseTo(lead, 2);
        } else {
          normals++;
          expect(w.label).toMatchObject({
            label: 'normal',
            failure_type: 'none',
            lead_time_days: null,
          });
        }
      }
      // Lead times of 0.5–1.5 days and a 1.5-day horizon over a 2-day series: both kinds occur.
      expect(anomalies).toBeGreaterThan(0);
      expect(normals).toBeGreaterThan(0);
      // The last window ends at the rack's last sample: its lead time is the rack's.
      const last = parts[parts.length - 1]!;
      expect(last.label.lead_time_days).toBeCloseTo(f.leadTimeDays, 2);
    }
    const healthy = planFleet(s).filter((p) => p.failure === null);
    for (const plan of healthy)
      for (const w of systemParts(plan, s)) expect(w.label.label).toBe('normal');
  });

  it('cuts by planned sample, not by jittered time: a window holds a whole number of samples', () => {
    // Every rack jitters; a row jittered early past a window's end once went to the next window
    // (59 rows in one, 61 in the next at 1 min an hour).
    const s = scenario({
      systems: 4,
      days: 2,
      interval: '1m',
      window: '1h',
      dataQuality: NO_FAULTS,
      events: { ...NO_EVENTS, jitter: 1 },
    });
    for (const plan of planFleet(s)) {
      expect(plan.tags).toContain('timestamp_jitter');
      const parts = systemParts(plan, s);
      expect(parts.length).toBe(48);
      for (const w of parts) {
        const k = Number(w.systemId.slice(-4));
        expect(w.timestamps.length).toBe(60);
        const planned = Array.from(w.timestamps, (t) => Math.round((t - plan.startMs) / 60_000));
        expect(planned).toEqual(Array.from({ length: 60 }, (_, i) => k * 60 + i));
        // The label's lead time counts from the window's own last row, jittered or not.
        if (w.label.label === 'anomaly') {
          const failureMs = Date.parse(w.label.failure_at!);
          const end = w.timestamps[59]!;
          expect(w.label.lead_time_days).toBe(Math.round(((failureMs - end) / DAY_MS) * 100) / 100);
        }
      }
    }
  });

  it('with precursorDays, gives onset_at = failure_at − precursorDays: a window is anomalous exactly when it ends at or after the onset', () => {
    const s = scenario({
      systems: 8,
      days: 10,
      interval: '1h',
      anomalyRate: 0.5,
      leadTimeDays: { kind: 'uniform', min: 0.5, max: 3 },
      window: { length: '12h', precursorDays: 4 },
    });
    const plans = failing(s);
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      const parts = systemParts(plan, s);
      const anomalous = parts.filter((w) => w.label.label === 'anomaly');
      expect(anomalous.length).toBeGreaterThan(0);
      const { failure_at, onset_at } = anomalous[0]!.label;
      const onsetMs = Date.parse(onset_at!);
      // The horizon is precursorDays, not the failure type's own (≥ 24 days, before the data).
      expect(Date.parse(failure_at!) - onsetMs).toBe(4 * DAY_MS);
      for (const w of parts) {
        const end = w.timestamps[w.timestamps.length - 1]!;
        expect(w.label.label).toBe(end >= onsetMs ? 'anomaly' : 'normal');
        if (w.label.label === 'anomaly') {
          expect(w.label).toMatchObject({ failure_at, onset_at });
          expect(w.label.lead_time_days).toBeLessThanOrEqual(4);
        }
      }
      expect(parts.some((w) => w.label.label === 'normal')).toBe(true);
    }
  });

  it("defaults the horizon to where each failure type's precursor fades to 5 % of its strength", () => {
    for (const type of FAILURE_TYPES) {
      const h = precursorHorizonDays(type);
      const at = (tau: number) => failureIntensity(type, tau, 1);
      expect(at(h)).toBeCloseTo(PRECURSOR_FLOOR * at(0), 3);
      expect(at(h - 1)).toBeGreaterThan(PRECURSOR_FLOOR * at(0));
    }
    // Without precursorDays every window of a 2-day series is inside every type's horizon (≥ 24 days).
    const s = windowed('6h');
    for (const plan of failing(s))
      for (const w of systemParts(plan, s)) expect(w.label.label).toBe('anomaly');
  });

  it('is deterministic: the same seed gives the same windows, byte for byte', () => {
    const a = windowed('6h');
    const b = windowed('6h');
    const plan = failing(a)[0]!;
    const x = systemParts(plan, a);
    const y = systemParts(
      planFleet(b).find((p) => p.systemId === plan.systemId)!,
      b,
    );
    expect(y.map((w) => w.systemId)).toEqual(x.map((w) => w.systemId));
    expect(y.map((w) => w.label)).toEqual(x.map((w) => w.label));
    x.forEach((w, i) => {
      expect(sameBytes(w.timestamps, y[i]!.timestamps)).toBe(true);
      for (const [name, col] of Object.entries(w.columns))
        expect(sameBytes(col, y[i]!.columns[name]!)).toBe(true);
    });
  });

  it('leaves a scenario without window as one system per rack, with no parent', () => {
    const s = scenario({ systems: 2, days: 1 });
    expect(s.window).toBeUndefined();
    for (const plan of planFleet(s)) {
      const parts = systemParts(plan, s);
      expect(parts.map((p) => p.systemId)).toEqual([plan.systemId]);
      expect(parts[0]!.metadata.parent_system_id).toBeUndefined();
    }
  });

  it('pads window numbers to the widest index', () => {
    expect(windowId('r', 7, 10)).toBe('r-w0007');
    expect(windowId('r', 7, 10_001)).toBe('r-w00007');
  });

  it('refuses a window that is not a whole number of samples, too short or too long', () => {
    const bad = (window: unknown) => () =>
      scenario({ days: 1, interval: '5m', window: window as string });
    expect(bad('7m')).toThrow(/window must be a whole number of 300 s samples/);
    expect(bad('5m')).toThrow(/window must span at least two samples/);
    expect(bad('2d')).toThrow(/window is longer than the series/);
    expect(bad('soon')).toThrow(/window is invalid: window must look like 30s, 5m, 1h/);
    expect(bad({ length: '1h', precursorDays: -1 })).toThrow(/window.precursorDays must be/);
    expect(scenario({ days: 1, interval: '5m', window: 3600 }).window).toEqual({
      seconds: 3600,
      precursorDays: null,
    });
  });
});
