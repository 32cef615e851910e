/**
 * The `random` baseline: a uniform score in [0, 1) that depends only on (seed, system id).
 * It sees nothing of the data, so its ROC AUC is 0.5 in expectation: the floor any real model
 * must clear. Scores are a pure function of the pair, so they are the same whatever the order
 * in which systems are scored and however many workers score them.
 */
import seedrandom from 'seedrandom';
import { defineModel, trailingWindows, DEFAULT_ROLLING, type ModelPlugin } from 'bess-harness';

/** The random plugin takes no options. */
export type RandomOptions = Readonly<Record<string, never>>;

/** The score of one system: Alea seeded by the (seed, system id) pair, first draw. */
export function randomScore(seed: string, systemId: string): number {
  // JSON keeps the pair unambiguous: ('a:b', 'c') and ('a', 'b:c') get different seeds.
  return seedrandom.alea(JSON.stringify([seed, systemId]))();
}

/** A model that scores every system with a seeded coin. */
export default function random(options: RandomOptions = {}): ModelPlugin<RandomOptions> {
  return defineModel<RandomOptions>({
    name: 'random',
    version: '1',
    options,
    // It never reads the data, so no transformation of it can change a score.
    invariantTo: { timeShift: true, unitScale: true },
    score: (series, ctx) => randomScore(ctx.seed, series.systemId),
    // A coin per window end, seeded per (seed, system): the floor of an alarm model, whose
    // false alarms per system-month say what chance alone costs at a threshold.
    scoreOverTime: (series, ctx) => {
      const windows = trailingWindows(series.timestamps, DEFAULT_ROLLING);
      const rng = seedrandom.alea(JSON.stringify([ctx.seed, series.systemId, 'over-time']));
      return { t: windows.map((w) => w.end), score: windows.map(() => rng()) };
    },
  });
}
