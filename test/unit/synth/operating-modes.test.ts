import { describe, expect, it } from 'vitest';
import type { OperationalMode } from '../../../src/data/schema.ts';
import { hourOfDay } from '../../../src/synth/ambient.ts';
import { generateFleet } from '../../../src/synth/generate.ts';
import { simulateOperation } from '../../../src/synth/operating-modes.ts';
import { createRng } from '../../../src/synth/random.ts';
import { DAY_MS } from '../../../src/synth/rack.ts';
import type { GeneratedSystem } from '../../../src/synth/types.ts';
import { col, finite, mean, NO_FAULTS, scenario } from './helpers.ts';

/** Four clean normal systems of one mode over two weeks. */
function fleetOf(mode: OperationalMode): GeneratedSystem[] {
  return [
    ...generateFleet(
      scenario({
        systems: 4,
        days: 14,
        modes: { [mode]: 1 },
        anomalyRate: 0,
        dataQuality: NO_FAULTS,
        seed: mode,
      }),
    ),
  ];
}

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] as number;

describe('operating modes', () => {
  it('frequency regulation hovers around 50 % SOC with two-sided current', () => {
    for (const g of fleetOf('frequency_regulation')) {
      const soc = finite(col(g.columns, 'soc_pct'));
      const cur = finite(col(g.columns, 'current_a'));
      expect(mean(soc)).toBeGreaterThan(42);
      expect(mean(soc)).toBeLessThan(58);
      // About half the time inside the deadband; the rest split between both directions.
      expect(cur.filter((i) => i > 5).length / cur.length).toBeGreaterThan(0.15);
      expect(cur.filter((i) => i < -5).length / cur.length).toBeGreaterThan(0.15);
    }
  });

  it('backup floats at 90–100 % SOC most of the time with near-zero current', () => {
    for (const g of fleetOf('backup')) {
      const soc = finite(col(g.columns, 'soc_pct'));
      expect(soc.filter((x) => x >= 90).length / soc.length).toBeGreaterThan(0.9);
      expect(quantile(finite(col(g.columns, 'current_a')).map(Math.abs), 0.5)).toBeLessThan(2);
    }
  });

  it('peak shaving is near-idle on weekends and discharges on weekday afternoons', () => {
    for (const g of fleetOf('peak_shaving')) {
      const cur = col(g.columns, 'current_a');
      const weekend: number[] = [];
      const afternoon: number[] = [];
      g.timestamps.forEach((ms, i) => {
        const weekday = (Math.floor(ms / DAY_MS) + 4) % 7;
        const h = hourOfDay(ms);
        // Saturday after the Friday recharge has finished, and all of Sunday.
        if ((weekday === 6 && h >= 6) || weekday === 0) weekend.push(Math.abs(cur[i] as number));
        if (weekday >= 1 && weekday <= 5 && h >= 13 && h < 17) afternoon.push(cur[i] as number);
      });
      expect(mean(weekend)).toBeLessThan(1.5);
      expect(mean(afternoon)).toBeGreaterThan(10);
    }
  });

  it('arbitrage swings SOC over a wide range', () => {
    for (const g of fleetOf('arbitrage')) {
      const soc = finite(col(g.columns, 'soc_pct'));
      expect(quantile(soc, 0.98) - quantile(soc, 0.02)).toBeGreaterThan(60);
    }
  });

  it('solar smoothing charges through the day and drains in the evening', () => {
    for (const g of fleetOf('solar_smoothing')) {
      const soc = col(g.columns, 'soc_pct');
      const at = (hour: number) =>
        mean(
          Array.from(g.timestamps).flatMap((ms, i) =>
            Math.abs(hourOfDay(ms) - hour) < 0.01 ? [soc[i] as number] : [],
          ),
        );
      expect(at(16)).toBeGreaterThan(at(7) + 20);
    }
  });

  it('keeps SOC inside the controller window and current within 1C', () => {
    for (const mode of [
      'frequency_regulation',
      'arbitrage',
      'peak_shaving',
      'solar_smoothing',
    ] as const) {
      const op = simulateOperation({
        mode,
        samples: 2000,
        intervalSeconds: 3600,
        startMs: Date.UTC(2025, 5, 1),
        rng: createRng(mode),
      });
      expect(Math.min(...op.soc)).toBeGreaterThanOrEqual(5 - 1e-9);
      expect(Math.max(...op.soc)).toBeLessThanOrEqual(95 + 1e-9);
      expect(Math.max(...op.current.map(Math.abs))).toBeLessThanOrEqual(280);
    }
  });
});
