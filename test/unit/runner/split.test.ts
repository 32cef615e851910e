import { describe, expect, it } from 'vitest';
import type { SystemRecord } from '../../../src/data/types.ts';
import {
  describeSplit,
  sourceSplit,
  sourceSplitProblem,
  splitSources,
  stratifiedFolds,
  stratifiedSplit,
} from '../../../src/runner/split.ts';
import type { SplitSpec } from '../../../src/runner/suite.ts';

const TYPES = ['none', 'thermal_runaway', 'cooling_failure', 'insulation_fault'] as const;
function fleet(n: number): SystemRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const failure = TYPES[i % 4]!;
    return {
      systemId: `s${String(i).padStart(3, '0')}`,
      source: 'synthetic',
      label: {
        system_id: `s${i}`,
        label: failure === 'none' ? 'normal' : 'anomaly',
        failure_type: failure,
        lead_time_days: failure === 'none' ? null : 3,
        source: 'synthetic',
        label_version: 1,
      },
      metadata: {
        system_id: `s${i}`,
        source: 'synthetic',
        operational_mode: 'backup',
        season: 'winter',
        scenario_tags: [],
      },
      loadSeries: () => Promise.reject(new Error('not needed')),
    } as SystemRecord;
  });
}
const ids = (xs: readonly SystemRecord[]) => xs.map((s) => s.systemId);

describe('stratifiedSplit', () => {
  it('is deterministic, independent of input order, and exact in size', () => {
    const systems = fleet(101);
    const a = stratifiedSplit(systems, 0.3, 'x');
    const b = stratifiedSplit([...systems].reverse(), 0.3, 'x');
    expect(ids(a.test)).toEqual(ids(b.test));
    expect(a.test).toHaveLength(30);
    expect(a.train).toHaveLength(71);
    expect(new Set([...ids(a.train), ...ids(a.test)]).size).toBe(101);
    expect(ids(stratifiedSplit(systems, 0.3, 'y').test)).not.toEqual(ids(a.test));
  });

  it('puts every failure type on both sides in proportion', () => {
    const { train, test } = stratifiedSplit(fleet(80), 0.5, 'x');
    for (const t of TYPES) {
      expect(test.filter((s) => s.label.failure_type === t)).toHaveLength(10);
      expect(train.filter((s) => s.label.failure_type === t)).toHaveLength(10);
    }
  });
});

describe('stratifiedFolds', () => {
  it('partitions the fleet into k folds of near-equal size, each with every failure type', () => {
    const folds = stratifiedFolds(fleet(42), 4, 'x');
    expect(folds.map((f) => f.length).sort()).toEqual([10, 10, 11, 11]);
    expect(new Set(folds.flatMap(ids)).size).toBe(42);
    for (const f of folds)
      for (const t of TYPES) expect(f.some((s) => s.label.failure_type === t)).toBe(true);
    expect(stratifiedFolds([...fleet(42)].reverse(), 4, 'x').map(ids)).toEqual(folds.map(ids));
  });
});

/**
 * `racks` racks of `per` windows each (`r017-w0003`, parent `r017`), a rack's failure type
 * cycling through TYPES; a failing rack's early windows are normal (before the precursor),
 * as window scenarios label them.
 */
function windowFleet(racks: number, per: number, source: 'synthetic' | 'real' = 'synthetic') {
  const out: SystemRecord[] = [];
  for (let r = 0; r < racks; r++) {
    const failure = TYPES[r % 4]!;
    const rack = `r${String(r).padStart(3, '0')}`;
    for (let w = 0; w < per; w++) {
      const anomaly = failure !== 'none' && w >= per / 2;
      const id = `${rack}-w${String(w).padStart(4, '0')}`;
      out.push({
        systemId: id,
        source,
        label: {
          system_id: id,
          label: anomaly ? 'anomaly' : 'normal',
          failure_type: anomaly ? failure : 'none',
          lead_time_days: anomaly ? per - w : null,
          source,
          label_version: 1,
        },
        metadata: {
          system_id: id,
          source,
          operational_mode: 'backup',
          season: 'winter',
          scenario_tags: [],
          parent_system_id: rack,
        },
        loadSeries: () => Promise.reject(new Error('not needed')),
      } as SystemRecord);
    }
  }
  return out;
}
const racksOf = (xs: readonly SystemRecord[]) =>
  new Set(xs.map((s) => `${s.source}/${s.metadata.parent_system_id}`));

describe('windows in a split', () => {
  it('keeps every rack on one side, splits racks by share, stratified by the rack label', () => {
    for (const seed of ['a', 'b', 'c']) {
      const { train, test } = stratifiedSplit(windowFleet(40, 6), 0.25, seed);
      const both = [...racksOf(train)].filter((r) => racksOf(test).has(r));
      expect(both).toEqual([]);
      expect(racksOf(test).size).toBe(10);
      expect(train.length + test.length).toBe(240);
      // 10 racks of each type: a quarter of each (2 or 3) lands on the test side.
      for (const t of TYPES) {
        const tested = new Set(
          test
            .filter((s) => TYPES[Number(s.metadata.parent_system_id!.slice(1)) % 4] === t)
            .map((s) => s.metadata.parent_system_id),
        );
        expect(tested.size).toBeGreaterThanOrEqual(2);
        expect(tested.size).toBeLessThanOrEqual(3);
      }
    }
    const a = stratifiedSplit(windowFleet(40, 6), 0.25, 'a');
    expect(ids(stratifiedSplit([...windowFleet(40, 6)].reverse(), 0.25, 'a').test)).toEqual(
      ids(a.test),
    );
  });

  it('deals whole racks to folds', () => {
    const folds = stratifiedFolds(windowFleet(21, 5), 3, 'x');
    const seen = folds.map(racksOf);
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++)
        expect([...seen[i]!].filter((r) => seen[j]!.has(r))).toEqual([]);
    expect(folds.map((f) => f.length)).toEqual([35, 35, 35]);
  });

  it('with groupWindows false splits windows one by one: one rack lands on both sides', () => {
    const one = windowFleet(1, 40);
    expect(stratifiedSplit(one, 0.5, 'x').train).toHaveLength(0); // grouped: the rack is one unit
    const { train, test } = stratifiedSplit(one, 0.5, 'x', false);
    expect([train.length, test.length]).toEqual([20, 20]);
    expect(racksOf(train)).toEqual(racksOf(test));
    const folds = stratifiedFolds(one, 4, 'x', false);
    expect(folds.map((f) => f.length)).toEqual([10, 10, 10, 10]);
  });

  it('keeps a whole rack with its own windows (a rack imported whole, then in windows)', () => {
    // The rack r000…r007 as one system each, beside their windows: keyed apart, a rack landed on
    // one side and its windows on the other (the model trained on what it was tested on).
    const windows = windowFleet(8, 4);
    const wholes = Array.from({ length: 8 }, (_, r) => {
      const w = windows[r * 4]!;
      const id = w.metadata.parent_system_id!;
      const { parent_system_id: _parent, ...metadata } = w.metadata;
      return {
        ...w,
        systemId: id,
        label: { ...w.label, system_id: id },
        metadata: { ...metadata, system_id: id },
      } as SystemRecord;
    });
    const rackOf = (s: SystemRecord) => s.metadata.parent_system_id ?? s.systemId;
    for (const seed of ['a', 'b', 'c']) {
      const { train, test } = stratifiedSplit([...windows, ...wholes], 0.5, seed);
      const trained = new Set(train.map(rackOf));
      expect(test.filter((s) => trained.has(rackOf(s))).map((s) => s.systemId)).toEqual([]);
      const folds = stratifiedFolds([...windows, ...wholes], 4, seed).map(
        (f) => new Set(f.map(rackOf)),
      );
      for (let i = 0; i < 4; i++)
        for (let j = i + 1; j < 4; j++)
          expect([...folds[i]!].filter((r) => folds[j]!.has(r))).toEqual([]);
    }
  });

  it('keeps a real and a synthetic rack of the same name apart', () => {
    const mixed = [...windowFleet(8, 4, 'synthetic'), ...windowFleet(8, 4, 'real')];
    const { train, test } = stratifiedSplit(mixed, 0.5, 'x');
    expect(racksOf(test).size).toBe(8);
    expect([...racksOf(train)].filter((r) => racksOf(test).has(r))).toEqual([]);
  });
});

describe('sourceSplit (sim-to-real)', () => {
  const mixed = [...fleet(12), ...windowFleet(3, 2, 'real')];
  it('trains on one source and tests on the other, either way round', () => {
    const s2r = sourceSplit(mixed, { train: 'synthetic', test: 'real' }, 'suite');
    expect(s2r.train.every((s) => s.source === 'synthetic')).toBe(true);
    expect(s2r.test.every((s) => s.source === 'real')).toBe(true);
    expect([s2r.train.length, s2r.test.length]).toEqual([12, 6]);
    const r2s = sourceSplit(mixed, { train: 'real', test: 'synthetic' }, 'suite');
    expect(ids(r2s.train)).toEqual(ids(s2r.test));
  });

  it('names the side that matches no system and what the dataset holds', () => {
    expect(() => sourceSplit(fleet(5), { train: 'synthetic', test: 'real' }, 'x.suite.ts')).toThrow(
      "x.suite.ts: split.test { source: 'real' } matches no system of the dataset (it holds 5 synthetic, 0 real)",
    );
  });

  it('fills the unnamed side with the other source and describes the split', () => {
    expect(splitSources({ test: { source: 'real' } })).toEqual({
      train: 'synthetic',
      test: 'real',
    });
    expect(splitSources({ train: { source: 'real' } })).toEqual({
      train: 'real',
      test: 'synthetic',
    });
    expect(splitSources({ test: 0.3 })).toBeNull();
    expect(describeSplit({ train: { source: 'synthetic' }, test: { source: 'real' } })).toBe(
      'trained on synthetic, tested on real',
    );
    expect(describeSplit({ folds: 5 })).toBe('5-fold cross-validation');
    expect(describeSplit(undefined)).toBe('random split, 50 % tested');
  });
});

describe('sourceSplitProblem', () => {
  it('accepts a random split, folds, and a source split named on one or both sides', () => {
    for (const ok of [
      undefined,
      { test: 0.3 },
      { folds: 4 },
      { test: { source: 'real' } },
      { train: { source: 'real' }, test: { source: 'synthetic' } },
    ] as const)
      expect(sourceSplitProblem(ok as SplitSpec)).toBeNull();
  });

  it('says what is wrong with a bad source split', () => {
    const bad = (split: unknown) => sourceSplitProblem(split as SplitSpec);
    expect(bad({ train: 'synthetic' })).toMatch(/^split.train must be \{ source/);
    expect(bad({ test: { source: 'field' } })).toBe(
      `split.test.source must be 'synthetic' or 'real' (got "field")`,
    );
    expect(bad({ test: { source: 'real' }, folds: 3 })).toMatch(/folds cannot be combined/);
    expect(bad({ train: { source: 'synthetic' }, test: 0.5 })).toMatch(/not a share/);
    expect(bad({ train: { source: 'real' }, test: { source: 'real' } })).toBe(
      'split trains and tests on the same source (real); name two different sources',
    );
  });
});
