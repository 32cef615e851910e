import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../../src/data/schema.ts';
import { failureIntensity } from '../../../src/synth/failures.ts';
import { planToLabel } from '../../../src/synth/generate.ts';
import { planFleet } from '../../../src/synth/plan.ts';
import { PRECURSOR_FLOOR, precursorHorizonDays, systemParts } from '../../../src/synth/windows.ts';
import { scenario } from './helpers.ts';

const DAY_MS = 86_400_000;

describe('failure_at and onset_at of generated failures', () => {
  // Lead times from hours to months, so the onset is sometimes inside the data and sometimes clamped.
  const s = scenario({
    systems: 30,
    days: 2,
    interval: '1h',
    anomalyRate: 0.6,
    leadTimeDays: { kind: 'uniform', min: 0.1, max: 60 },
  });
  const plans = planFleet(s);

  it('failure_at = last planned sample + lead_time_days; onset where the precursor reaches 5 %, never after the data', () => {
    let clamped = 0;
    let inside = 0;
    for (const plan of plans) {
      const label = planToLabel(plan);
      if (!plan.failure) {
        expect(label.failure_at).toBeUndefined();
        expect(label.onset_at).toBeUndefined();
        continue;
      }
      const last = plan.startMs + (plan.samples - 1) * plan.intervalSeconds * 1000;
      const failureAt = Date.parse(label.failure_at!);
      const onsetAt = Date.parse(label.onset_at!);
      expect((failureAt - last) / DAY_MS).toBeCloseTo(label.lead_time_days!, 9);
      expect(onsetAt).toBeLessThanOrEqual(last);
      const horizon = precursorHorizonDays(plan.failure.type);
      if (failureAt - horizon * DAY_MS > last) {
        // The precursor only reaches the floor after the data ends: onset is the last sample.
        expect(onsetAt).toBe(last);
        clamped++;
      } else {
        expect((failureAt - onsetAt) / DAY_MS).toBeCloseTo(horizon, 6);
        // At the onset the precursor is at the floor share of its value at the failure.
        const share =
          failureIntensity(plan.failure.type, horizon, 1) /
          failureIntensity(plan.failure.type, 0, 1);
        expect(share).toBeCloseTo(PRECURSOR_FLOOR, 3);
        inside++;
      }
    }
    expect(clamped).toBeGreaterThan(0);
    expect(inside).toBeGreaterThan(0);
  });

  it('has a horizon for every failure type', () => {
    for (const t of FAILURE_TYPES) expect(precursorHorizonDays(t)).toBeGreaterThan(0);
  });

  it('gives every anomalous window its rack failure_at and onset_at, and normal windows neither', () => {
    const w = scenario({
      systems: 6,
      days: 2,
      interval: '30m',
      anomalyRate: 0.5,
      leadTimeDays: { kind: 'uniform', min: 0.5, max: 1.5 },
      window: '6h',
    });
    let anomalous = 0;
    for (const plan of planFleet(w)) {
      const rack = planToLabel(plan);
      for (const part of systemParts(plan, w)) {
        if (part.label.label === 'anomaly') {
          anomalous++;
          expect(part.label.failure_at).toBe(rack.failure_at);
          expect(part.label.onset_at).toBe(rack.onset_at);
        } else {
          expect(part.label.failure_at).toBeUndefined();
        }
      }
    }
    expect(anomalous).toBeGreaterThan(0);
  });
});
