import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  edgeSeriesArb,
  labelSetArb,
  scenarioSpecArb,
  scoresWithTiesArb,
  strictlyIncreasing,
} from '../../src/arbitraries/index.ts';
import { formatSeriesCsv } from '../../src/data/csv-write.ts';
import { loadTimeseries } from '../../src/data/load-timeseries.ts';
import { SENSOR_DECIMALS, SENSORS, type Sensor } from '../../src/data/schema.ts';
import type { SystemSeries } from '../../src/data/types.ts';
import { HarnessError } from '../../src/errors.ts';
import { evaluateScores } from '../../src/metrics/evaluate.ts';
import { withinBounds } from '../../src/synth/bounds.ts';
import { resolveScenario } from '../../src/synth/define.ts';
import { generateSystem, planFleet } from '../../src/synth/index.ts';
import { tempDir } from '../helpers/run-harness.ts';

describe('generator properties', () => {
  it('every generated reading lies inside CLEAN_BOUNDS for any scenario fixture (spikes off)', () => {
    fc.assert(
      fc.property(scenarioSpecArb(), (spec) => {
        const scenario = resolveScenario({
          ...spec,
          dataQuality: { ...spec.dataQuality, spike: 0 },
        });
        for (const plan of planFleet(scenario)) {
          const sys = generateSystem(plan, scenario);
          expect(strictlyIncreasing(sys.timestamps)).toBe(true);
          for (const sensor of SENSORS) {
            const col = sys.columns[sensor];
            if (!col) continue;
            expect(col.length).toBe(sys.timestamps.length);
            for (let i = 0; i < col.length; i++) {
              const v = col[i]!;
              if (v === v && !withinBounds(sensor, v)) {
                throw new Error(
                  `${plan.systemId} ${sensor}[${i}] = ${v} is outside its clean bounds (failure ${plan.failure?.type ?? 'none'}, tags ${plan.tags.join(';') || 'none'})`,
                );
              }
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('evaluateScores properties', () => {
  const scored = fc
    .integer({ min: 1, max: 40 })
    .chain((n) => fc.tuple(labelSetArb(n), scoresWithTiesArb(n)));

  it('never throws on finite scores, and a one-sided label set gives null ranking metrics with a reason', () => {
    fc.assert(
      fc.property(scored, fc.constantFrom(0.5, 0, 1.25), ([y, s], threshold) => {
        const summary = evaluateScores({ y, scores: s, threshold });
        expect(summary.n).toBe(y.length);
        expect(summary.positives + summary.negatives).toBe(y.length);
        const c = summary.confusion;
        expect(c.tp + c.fp + c.tn + c.fn).toBe(y.length);
        if (summary.positives === 0 || summary.negatives === 0) {
          for (const name of ['roc_auc', 'average_precision'].filter(
            (m) => !(m === 'average_precision' && summary.positives > 0),
          )) {
            expect(summary.metrics[name]).toBeNull();
            expect(typeof summary.undefined[name]).toBe('string');
          }
          expect(summary.ci['roc_auc']).toBeNull();
        } else {
          expect(summary.metrics['roc_auc']).toBeGreaterThanOrEqual(0);
          expect(summary.metrics['roc_auc']).toBeLessThanOrEqual(1);
        }
        // Every metric is a number or null with a reason.
        for (const [name, v] of Object.entries(summary.metrics)) {
          if (v === null) expect(summary.undefined[name], name).toBeTypeOf('string');
          else expect(Number.isFinite(v) || name === 'threshold', name).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('breakdown counts add up to the whole', () => {
    const withStrata = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc.tuple(
          labelSetArb(n),
          scoresWithTiesArb(n),
          fc.array(fc.constantFrom('a', 'b', 'c', null), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(withStrata, ([y, s, mode]) => {
        const summary = evaluateScores({ y, scores: s, strata: { mode }, minPositives: 1 });
        const cells = summary.breakdown['mode']!;
        expect(cells.reduce((a, c) => a + c.n, 0)).toBe(y.length);
        expect(cells.reduce((a, c) => a + c.positives, 0)).toBe(summary.positives);
        for (const c of cells) expect(c.positives + c.negatives).toBe(c.n);
        expect(new Set(cells.map((c) => c.stratum)).size).toBe(cells.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('edge series properties', () => {
  it('the loadable flag says whether timestamps strictly increase, and odd orders appear only when asked for', () => {
    fc.assert(
      fc.property(edgeSeriesArb({ oddTimestamps: true }), edgeSeriesArb(), (odd, plain) => {
        expect(odd.loadable).toBe(strictlyIncreasing(odd.series.timestamps));
        if (odd.timestampOrder !== 'increasing' && odd.series.timestamps.length >= 2)
          expect(odd.loadable).toBe(false);
        expect(plain.timestampOrder).toBe('increasing');
        expect(plain.loadable).toBe(true);
        for (const col of Object.values(odd.series.sensors))
          expect(col!.length).toBe(odd.series.timestamps.length);
      }),
      { numRuns: 200 },
    );
  });

  it('the loader accepts an edge series iff its timestamps strictly increase (or a row is repeated verbatim), and reads back what was written', async () => {
    const t = await tempDir('bess-edge-');
    try {
      const dir = path.join(t.dir, 'synthetic', 'raw');
      await mkdir(dir, { recursive: true });
      await fc.assert(
        fc.asyncProperty(edgeSeriesArb({ oddTimestamps: true }), async ({ series, loadable }) => {
          const csv = formatSeriesCsv(
            series.timestamps,
            series.sensors as Record<string, Float64Array>,
          );
          await writeFile(path.join(dir, 'sys-0.csv'), csv);
          // A 'duplicated' series repeats the last timestamp: when its row is written exactly as
          // the one before (a logger's repeated row), the loader drops it instead of refusing.
          const lines = csv.trimEnd().split('\n');
          const n = series.timestamps.length;
          const repeated =
            !loadable &&
            n >= 2 &&
            series.timestamps[n - 1] === series.timestamps[n - 2] &&
            strictlyIncreasing(series.timestamps.subarray(0, n - 1)) &&
            lines[n] === lines[n - 1];
          const loaded = await loadTimeseries('sys-0', {
            dataDir: t.dir,
            source: 'synthetic',
          }).then(
            (s) => s,
            (err: unknown) => err,
          );
          if (!loadable && !repeated) {
            expect(loaded).toBeInstanceOf(HarnessError);
            expect((loaded as HarnessError).message).toMatch(/cannot load the series of sys-0/);
            return;
          }
          if (loaded instanceof Error) throw loaded;
          const got = loaded as SystemSeries;
          const kept = repeated ? n - 1 : n;
          expect(Array.from(got.timestamps)).toEqual(
            Array.from(series.timestamps.subarray(0, kept)),
          );
          expect(Object.keys(got.sensors).sort()).toEqual(Object.keys(series.sensors).sort());
          for (const [name, col] of Object.entries(series.sensors)) {
            const back = got.sensors[name]!;
            const decimals = SENSOR_DECIMALS[name as Sensor];
            col!.subarray(0, kept).forEach((v, i) => {
              const r = back[i]!;
              if (Number.isNaN(v)) expect(r).toBeNaN();
              // Written with the sensor's fixed decimals: equal to within half a unit of the last one.
              else
                expect(Math.abs(r - v)).toBeLessThanOrEqual(
                  0.5 * 10 ** -decimals * (1 + 1e-9) + Math.abs(v) * 1e-15,
                );
            });
          }
        }),
        { numRuns: 60 },
      );
    } finally {
      await t.cleanup();
    }
  });
});
