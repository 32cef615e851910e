/**
 * Seeded random numbers for the generator. Every draw in src/synth goes through an `Rng`
 * made by `createRng`, so a seed reproduces a fleet byte for byte; Math.random is never used.
 */
import seedrandom from 'seedrandom';

/** A seeded random stream with the distributions the generator needs. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Normal (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** exp(normal(mu, sigma)): median e^mu. */
  lognormal(mu: number, sigma: number): number;
  /** Integer uniform in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty array, uniformly. */
  choice<T>(items: readonly T[]): T;
  /** One key of a weight map, with probability proportional to its weight (non-positive weights never win). */
  weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K;
  /** Poisson count with mean `lambda` (Knuth for small means, a normal approximation above 50). */
  poisson(lambda: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

/**
 * A random stream seeded by a string. Uses seedrandom's Alea generator: it is about four times
 * faster than the default ARC4 and a fleet draws tens of millions of numbers.
 */
export function createRng(seed: string): Rng {
  const prng = seedrandom.alea(seed);
  let spare: number | undefined;

  const next = (): number => prng();

  const normal = (mean = 0, sd = 1): number => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return mean + sd * z;
    }
    // 1 - u keeps the log argument in (0, 1].
    const u = 1 - prng();
    const v = prng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  };

  return {
    next,
    uniform: (min, max) => min + (max - min) * prng(),
    normal,
    lognormal: (mu, sigma) => Math.exp(normal(mu, sigma)),
    int: (min, max) => min + Math.floor(prng() * (max - min + 1)),
    choice<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('choice from an empty array');
      return items[Math.floor(prng() * items.length)] as T;
    },
    weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
      const entries = (Object.entries(weights) as [K, number | undefined][]).filter(
        (e): e is [K, number] => e[1] !== undefined && e[1] > 0,
      );
      const total = entries.reduce((s, [, w]) => s + w, 0);
      if (entries.length === 0 || !(total > 0))
        throw new RangeError('weighted choice with no positive weight');
      let x = prng() * total;
      for (const [k, w] of entries) {
        x -= w;
        if (x < 0) return k;
      }
      // Rounding can leave x at a hair above 0: the last key takes it.
      return (entries[entries.length - 1] as [K, number])[0];
    },
    poisson(lambda: number): number {
      if (!(lambda > 0)) return 0;
      if (lambda > 50) return Math.max(0, Math.round(normal(lambda, Math.sqrt(lambda))));
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = prng();
      while (p > limit) {
        k++;
        p *= prng();
      }
      return k;
    },
    bernoulli: (p) => prng() < p,
    shuffle: (items) => shuffleInPlace(items, prng),
  };
}

/** Fisher–Yates shuffle in place with the uniform [0, 1) draws of `random`; returns the same array. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** A shuffled copy of `items` (Fisher–Yates with the draws of `random`); the input is left as it is. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  return shuffleInPlace([...items], random);
}
