import { describe, expect, it } from 'vitest';
import type { SystemRecord } from '../../../src/data/types.ts';
import { stratifiedFolds, stratifiedSplit } from '../../../src/runner/split.ts';

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
