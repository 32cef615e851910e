import seedrandom from 'seedrandom';
import type { SystemRecord } from '../data/types.ts';
import { shuffled } from '../synth/index.ts';

/**
 * A train/test split stratified by label × failure type, so that every failure type lands on
 * both sides in proportion. Deterministic for a seed and independent of the input order
 * (systems are sorted by source and id before shuffling). The total test size is
 * round(test · n), allotted to the strata by largest remainder.
 */
export function stratifiedSplit(
  systems: readonly SystemRecord[],
  test: number,
  seed: string,
): { train: SystemRecord[]; test: SystemRecord[] } {
  const rng = seedrandom.alea(`split:${seed}`);
  const entries = strata(systems);
  const quotas = entries.map(([, g]) => g.length * test);
  const counts = quotas.map(Math.floor);
  let left = Math.round(systems.length * test) - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas
    .map((q, i) => [q - Math.floor(q), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    counts[i]! += 1;
    left--;
  }
  const trainOut: SystemRecord[] = [];
  const testOut: SystemRecord[] = [];
  entries.forEach(([, g], i) => {
    const drawn = shuffled(g, rng);
    testOut.push(...drawn.slice(0, counts[i]));
    trainOut.push(...drawn.slice(counts[i]));
  });
  return { train: trainOut.sort(byId), test: testOut.sort(byId) };
}

/**
 * k folds stratified by label × failure type: within each stratum the shuffled systems are
 * dealt round-robin, with the deal continuing across strata, so fold sizes differ by at most one
 * and every failure type spreads over the folds. Deterministic for a seed.
 */
export function stratifiedFolds(
  systems: readonly SystemRecord[],
  k: number,
  seed: string,
): SystemRecord[][] {
  const rng = seedrandom.alea(`folds:${seed}`);
  const folds: SystemRecord[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const [, g] of strata(systems)) for (const s of shuffled(g, rng)) folds[next++ % k]!.push(s);
  return folds.map((f) => f.sort(byId));
}

const byId = (a: SystemRecord, b: SystemRecord): number =>
  a.source + a.systemId < b.source + b.systemId ? -1 : 1;

/** Systems grouped by label × failure type, groups and members in a fixed order (input order does not matter). */
function strata(systems: readonly SystemRecord[]): [string, SystemRecord[]][] {
  const groups = new Map<string, SystemRecord[]>();
  for (const s of [...systems].sort(byId)) {
    const key = `${s.label.label}/${s.label.failure_type}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}
