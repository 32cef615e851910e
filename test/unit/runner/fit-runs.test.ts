/**
 * fitRuns gives each plugin a training set of its own: a plugin that trims, reorders or relabels
 * its input in place once changed what the next plugin of the same worker fitted on (another
 * model's AUC moved, or its fit failed for want of normals).
 */
import { expect, it } from 'vitest';
import { defineModel } from '../../../src/plugin/model.ts';
import { fitRuns, newRuns } from '../../../src/runner/score.ts';
import { smallDefaultFleet } from '../../helpers/in-memory-dataset.ts';

it("a plugin that mutates its training set in place changes nothing for the next plugin's fit", async () => {
  const fleet = smallDefaultFleet({ systems: 12, days: 2 });
  const train = fleet.dataset.systems;
  const before = train.map((s) => `${s.systemId}:${s.label.label}:${s.metadata.season}`);
  const vandal = defineModel({
    name: 'vandal',
    version: '1',
    fit(set) {
      const systems = set.systems as (typeof set.systems)[number][];
      for (const s of systems) {
        (s.label as { label: string }).label = 'anomaly';
        (s.metadata as { season: string }).season = 'none';
      }
      systems.reverse();
      systems.length = 1;
    },
    score: () => 0,
  });
  let seen: string[] = [];
  const witness = defineModel({
    name: 'witness',
    version: '1',
    fit(set) {
      seen = set.systems.map((s) => `${s.systemId}:${s.label.label}:${s.metadata.season}`);
    },
    score: () => 0,
  });
  const runs = newRuns([vandal, witness], 0);
  await fitRuns(runs, train, { seedFor: () => 's', timeoutMs: 10_000, dataset: fleet.dataset });
  expect(runs.map((r) => r.error)).toEqual([null, null]);
  expect(seen).toEqual(before);
  // The caller's records are untouched too (in this process they are the run's own).
  expect(train.map((s) => `${s.systemId}:${s.label.label}:${s.metadata.season}`)).toEqual(before);
});
