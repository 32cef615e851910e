import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioSpecArb } from '../../src/arbitraries/index.ts';
import { resolveConfig } from '../../src/config/load-config.ts';
import { runSuites } from '../../src/runner/run.ts';
import type { CollectedSuite } from '../../src/runner/types.ts';
import { tempDir } from '../helpers/run-harness.ts';

/**
 * The whole pipeline — generate → write → load → split → fit → score → evaluate → grade — on
 * generated scenarios: fleets of 1–3 systems, anomaly rates of 0 and 1, every data-quality fault.
 * It must never throw; a model that cannot work on a fleet fails its own case with a message;
 * a metric that needs both classes is null with a reason whenever a class is missing.
 */
describe('harness run on generated scenarios (property)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => tmp.cleanup());

  it('never crashes, and reports undefined metrics as undefined', async () => {
    const config = resolveConfig({ cacheDir: 'cache' }, null, tmp.dir);
    await fc.assert(
      fc.asyncProperty(
        scenarioSpecArb({ maxSystems: 3, maxDays: 2 }),
        fc.constantFrom(0.3, 0.5, 0.7),
        async (fixture, test) => {
          const suite: CollectedSuite = {
            file: `${tmp.dir}/generated.suite.ts`,
            spec: {
              name: 'generated',
              dataset: { scenario: { ...fixture, name: 'generated' } },
              split: { test, seed: 1 },
              models: ['random', 'zscore', 'pca'],
              expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
            },
            modelNames: ['random', 'zscore', 'pca'],
          };
          const run = await runSuites([suite], config, [], { seed: 'p', harnessVersion: 'test' });
          const [s] = run.suites;
          expect(s!.error, s!.error).toBeUndefined();
          expect(s!.cases).toHaveLength(3);
          const random = s!.cases.find((c) => c.model === 'random')!;
          // random needs no training data: it always scores
          expect(random.state).toBe('scored');
          for (const c of s!.cases) {
            if (c.state === 'errored') {
              // zscore and pca may refuse to fit (no or too few training normals), with a message
              expect(c.model).not.toBe('random');
              expect(c.error).toMatch(/^fit: .{10,}/);
              continue;
            }
            const { positives, negatives, metrics, undefined: why } = c.summary;
            expect(positives + negatives).toBe(c.summary.n);
            if (positives === 0 || negatives === 0) {
              expect(metrics['roc_auc']).toBeNull();
              expect(why['roc_auc']).toMatch(/\S/);
            } else {
              expect(metrics['roc_auc']).toBeGreaterThanOrEqual(0);
              expect(metrics['roc_auc']).toBeLessThanOrEqual(1);
            }
            for (const cells of Object.values(c.summary.breakdown)) {
              for (const cell of cells) expect(cell.positives + cell.negatives).toBe(cell.n);
            }
          }
          // the assertion on random is graded, whatever the data: passed, or failed because AUC is undefined
          const [a] = s!.assertions;
          expect(['passed', 'failed']).toContain(a!.state);
          if (random.state === 'scored' && random.summary.metrics['roc_auc'] === null)
            expect(a!.message).toMatch(/undefined/);
        },
      ),
      { numRuns: 40, seed: 42 },
    );
  }, 120_000);
});
