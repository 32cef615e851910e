import seedrandom from 'seedrandom';
import type { Source } from '../data/index.ts';
import type { SystemRecord } from '../data/types.ts';
import { HarnessError } from '../errors.ts';
import { shuffled } from '../synth/index.ts';
import type { SplitSpec } from './suite.ts';

/**
 * A train/test split stratified by label × failure type, so that every failure type lands on
 * both sides in proportion. Deterministic for a seed and independent of the input order
 * (systems are sorted by source and id before shuffling). The total test size is
 * round(test · n), allotted to the strata by largest remainder.
 *
 * Windows (systems with a `parent_system_id`) are split by their parent: all windows of one
 * rack go to the same side, so a model is never tested on windows of a rack it trained on. The
 * unit is then the rack, stratified by the rack's label × failure type (a rack with any anomaly
 * window counts as that failure), and `test` is the share of racks. Without parents every unit
 * is one system and the split is what it always was.
 */
export function stratifiedSplit(
  systems: readonly SystemRecord[],
  test: number,
  seed: string,
  groupWindows = true,
): { train: SystemRecord[]; test: SystemRecord[] } {
  const rng = seedrandom.alea(`split:${seed}`);
  const entries = strata(units(systems, groupWindows));
  const unitCount = entries.reduce((s, [, g]) => s + g.length, 0);
  const quotas = entries.map(([, g]) => g.length * test);
  const counts = quotas.map(Math.floor);
  let left = Math.round(unitCount * test) - counts.reduce((a, b) => a + b, 0);
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
    testOut.push(...drawn.slice(0, counts[i]).flat());
    trainOut.push(...drawn.slice(counts[i]).flat());
  });
  return { train: trainOut.sort(byId), test: testOut.sort(byId) };
}

/**
 * k folds stratified by label × failure type: within each stratum the shuffled systems are
 * dealt round-robin, with the deal continuing across strata, so fold sizes differ by at most one
 * and every failure type spreads over the folds. Deterministic for a seed. Windows are dealt by
 * their parent, as in {@link stratifiedSplit} (fold sizes then differ by at most one rack).
 */
export function stratifiedFolds(
  systems: readonly SystemRecord[],
  k: number,
  seed: string,
  groupWindows = true,
): SystemRecord[][] {
  const rng = seedrandom.alea(`folds:${seed}`);
  const folds: SystemRecord[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const [, g] of strata(units(systems, groupWindows)))
    for (const u of shuffled(g, rng)) folds[next++ % k]!.push(...u);
  return folds.map((f) => f.sort(byId));
}

/** The other source: what a source split's unnamed side holds. */
const OTHER: Readonly<Record<Source, Source>> = { synthetic: 'real', real: 'synthetic' };

/**
 * A sim-to-real split (`split: { train: { source: 'synthetic' }, test: { source: 'real' } }`,
 * or the reverse): every system of one source trains, every system of the other is tested. A
 * side named alone takes the other source for the other side.
 * @throws HarnessError `E_SUITE` when a side matches no system of the dataset.
 */
export function sourceSplit(
  systems: readonly SystemRecord[],
  split: { readonly train: Source; readonly test: Source },
  where: string,
): { train: SystemRecord[]; test: SystemRecord[] } {
  const sorted = [...systems].sort(byId);
  const train = sorted.filter((s) => s.source === split.train);
  const test = sorted.filter((s) => s.source === split.test);
  for (const [side, list] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (list.length > 0) continue;
    const held = (['synthetic', 'real'] as const)
      .map((src) => `${systems.filter((s) => s.source === src).length} ${src}`)
      .join(', ');
    throw new HarnessError(
      'E_SUITE',
      `${where}: split.${side} { source: '${split[side]}' } matches no system of the dataset (it holds ${held}); ` +
        `use dataset: { source: 'all' } with both sources in the data folder (\`harness generate\` for synthetic, \`harness import\` for real)`,
    );
  }
  return { train, test };
}

/** The sources of a source split, or null for a random one (`test` a share, or `folds`). */
export function splitSources(
  spec: SplitSpec | undefined,
): { readonly train: Source; readonly test: Source } | null {
  const test = typeof spec?.test === 'object' && spec.test !== null ? spec.test.source : undefined;
  const train = spec?.train?.source;
  if (test === undefined && train === undefined) return null;
  return { train: train ?? OTHER[test!], test: test ?? OTHER[train!] };
}

/**
 * What is wrong with a suite's source split, or null: a side that is not `{ source }` with a
 * known source, folds beside it, a share beside `train`, or one source on both sides.
 */
export function sourceSplitProblem(split: SplitSpec | undefined): string | null {
  if (split?.train !== undefined && (typeof split.train !== 'object' || split.train === null))
    return `split.train must be { source: 'synthetic' | 'real' } (got ${JSON.stringify(split.train)})`;
  const sides = (['train', 'test'] as const).filter(
    (k) => typeof split?.[k] === 'object' && split[k] !== null,
  );
  for (const k of sides) {
    const src = (split![k] as { source?: unknown }).source;
    if (src !== 'synthetic' && src !== 'real')
      return `split.${k}.source must be 'synthetic' or 'real' (got ${JSON.stringify(src)})`;
  }
  if (sides.length === 0) return null;
  if (split?.folds !== undefined)
    return `split.folds cannot be combined with a source split (split.${sides[0]})`;
  if (typeof split?.test === 'number')
    return 'split.train { source } needs split.test to be { source } or absent, not a share';
  const s = splitSources(split);
  if (s && s.train === s.test)
    return `split trains and tests on the same source (${s.train}); name two different sources`;
  return null;
}

/** "trained on synthetic, tested on real" for a source split; a random split's share or folds otherwise. */
export function describeSplit(spec: SplitSpec | undefined): string {
  const sources = splitSources(spec);
  if (sources) return `trained on ${sources.train}, tested on ${sources.test}`;
  if (spec?.folds !== undefined) return `${spec.folds}-fold cross-validation`;
  const test = typeof spec?.test === 'number' ? spec.test : 0.5;
  return `random split, ${Math.round(test * 100)} % tested`;
}

const byId = (a: SystemRecord, b: SystemRecord): number =>
  a.source + a.systemId < b.source + b.systemId ? -1 : 1;

/**
 * The units a split moves: a window with a parent goes with its parent's other windows (keyed by
 * source and parent id, so a real and a synthetic rack of the same name stay apart), and with
 * the parent itself when the data holds the whole rack too (a rack imported whole, then again
 * in windows: keyed apart, the rack trained on what its windows were tested on). A system
 * without a parent is its own unit otherwise. Members and units come in id order.
 */
function units(systems: readonly SystemRecord[], groupWindows: boolean): SystemRecord[][] {
  const groups = new Map<string, SystemRecord[]>();
  for (const s of [...systems].sort(byId)) {
    const rack = groupWindows ? (s.metadata.parent_system_id ?? s.systemId) : `\u0000${s.systemId}`;
    const key = `${s.source}/${rack}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  return [...groups.values()];
}

/** A unit's stratum: its anomaly's failure type if any member is an anomaly, else normal. */
function unitKey(u: readonly SystemRecord[]): string {
  const failing = u.find((s) => s.label.label === 'anomaly') ?? u[0]!;
  return `${failing.label.label}/${failing.label.failure_type}`;
}

/** Units grouped by label × failure type, groups and members in a fixed order (input order does not matter). */
function strata(list: readonly SystemRecord[][]): [string, SystemRecord[][]][] {
  const groups = new Map<string, SystemRecord[][]>();
  for (const u of list) {
    const key = unitKey(u);
    const g = groups.get(key);
    if (g) g.push(u);
    else groups.set(key, [u]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}
