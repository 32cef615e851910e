import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { createRng, shuffled } from '../../../src/synth/random.ts';

describe('createRng', () => {
  it('gives the same numbers for the same seed and different ones for another seed', () => {
    const a = createRng('s');
    const b = createRng('s');
    const c = createRng('t');
    const xa = Array.from({ length: 50 }, () => a.normal());
    const xb = Array.from({ length: 50 }, () => b.normal());
    const xc = Array.from({ length: 50 }, () => c.normal());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('draws distributions with the right moments', () => {
    const r = createRng('moments');
    const n = 20000;
    const normals = Array.from({ length: n }, () => r.normal(3, 2));
    const m = normals.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(normals.reduce((s, x) => s + (x - m) ** 2, 0) / n);
    expect(m).toBeCloseTo(3, 1);
    expect(sd).toBeCloseTo(2, 1);
    const pois = Array.from({ length: n }, () => r.poisson(4));
    expect(pois.reduce((s, x) => s + x, 0) / n).toBeCloseTo(4, 1);
    const ints = Array.from({ length: n }, () => r.int(1, 3));
    expect(new Set(ints)).toEqual(new Set([1, 2, 3]));
    const logn = Array.from({ length: n }, () => r.lognormal(Math.log(5), 0.5)).sort(
      (x, y) => x - y,
    );
    expect(logn[n / 2]).toBeGreaterThan(4.7);
    expect(logn[n / 2]).toBeLessThan(5.3);
    const hits = Array.from({ length: n }, () => r.bernoulli(0.2)).filter(Boolean).length;
    expect(hits / n).toBeCloseTo(0.2, 1);
  });

  it('weighted choice follows the weights and never picks a zero weight', () => {
    const r = createRng('w');
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10000; i++) counts[r.weighted({ a: 1, b: 3, c: 0 })]++;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.6);
    expect(counts.b / counts.a).toBeLessThan(3.4);
    expect(() => r.weighted({ a: 0 })).toThrow(RangeError);
  });

  it('shuffle is a permutation', () => {
    const r = createRng('p');
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const sh = r.shuffle([...xs]);
    expect(sh).not.toEqual(xs);
    expect([...sh].sort((a, b) => a - b)).toEqual(xs);
  });
});

describe('shuffled', () => {
  it('is the same Fisher–Yates as Rng.shuffle on the same draws, on a copy', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const copy = shuffled(xs, seedrandom.alea('q'));
    expect(xs).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(copy).toEqual(createRng('q').shuffle([...xs]));
    expect(shuffled(xs, seedrandom.alea('q'))).toEqual(copy);
  });
});
