import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src/metrics/index.ts';
import random, { randomScore } from '../../../plugins/random/index.ts';
import { labelsOf, scoreContext } from '../../helpers/in-memory-dataset.ts';
import { sharedFleet } from './fleet.ts';

describe('random plugin', () => {
  const { fleet } = sharedFleet();
  const scoreAll = async (seed: string, order: readonly number[]): Promise<Map<string, number>> => {
    const model = random();
    const out = new Map<string, number>();
    for (const i of order) {
      const s = fleet.systems[i]!;
      out.set(
        s.record.systemId,
        await model.score(s.series(), scoreContext(seed, s.record.metadata)),
      );
    }
    return out;
  };

  it('is a plain plugin: name, version, no fit', () => {
    const model = random();
    expect(model).toMatchObject({ name: 'random', version: '1', options: {} });
    expect(model.fit).toBeUndefined();
  });

  it('gives each system the same score whatever the order and the instance', async () => {
    const forward = fleet.systems.map((_, i) => i);
    const a = await scoreAll('s1', forward);
    const b = await scoreAll('s1', [...forward].reverse());
    const subset = await scoreAll('s1', [7, 3, 11]);
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
    for (const [id, v] of subset) expect(v).toBe(a.get(id));
    for (const v of a.values()) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('depends on the seed', async () => {
    const order = fleet.systems.map((_, i) => i);
    const a = await scoreAll('s1', order);
    const b = await scoreAll('s2', order);
    const same = [...a.keys()].filter((id) => a.get(id) === b.get(id));
    expect(same).toEqual([]);
    // The pair is joined unambiguously.
    expect(randomScore('a:b', 'c')).not.toBe(randomScore('a', 'b:c'));
  });

  it('has an AUC near 0.5 on a generated fleet', async () => {
    const y = labelsOf(fleet.systems);
    const order = fleet.systems.map((_, i) => i);
    const aucs: number[] = [];
    for (let k = 0; k < 20; k++) {
      const scores = await scoreAll(`seed-${k}`, order);
      const auc = rocAuc(
        y,
        fleet.systems.map((s) => scores.get(s.record.systemId)!),
      ).value;
      expect(auc).not.toBeNull();
      expect(auc!).toBeGreaterThan(0.2);
      expect(auc!).toBeLessThan(0.8);
      aucs.push(auc!);
    }
    const mean = aucs.reduce((s, x) => s + x, 0) / aucs.length;
    expect(mean).toBeGreaterThan(0.43);
    expect(mean).toBeLessThan(0.57);
  });
});
