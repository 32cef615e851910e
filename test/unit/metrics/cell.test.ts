/**
 * A stratum without anomalies is answered from the class counts alone (no compared set is
 * gathered): its cell must say what the metrics say on the real compared set.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCell } from '../../../src/metrics/cell.ts';
import { delongAuc } from '../../../src/metrics/delong.ts';
import { averagePrecision, rocAuc } from '../../../src/metrics/ranking.ts';

describe('evaluateCell of a stratum without anomalies', () => {
  it('vs_all_normals in a set without normals: the reasons of an empty compared set', () => {
    const cell = evaluateCell('none', {
      y: [1, 1],
      scores: [0.2, 0.3],
      members: [],
      comparison: 'vs_all_normals',
      threshold: 0.5,
      level: 0.95,
      minPositives: 5,
      allNormals: [],
    });
    expect(cell.metrics.roc_auc).toEqual(rocAuc([], []));
    expect(cell.metrics.average_precision).toEqual(averagePrecision([], []));
    expect(cell.ci.roc_auc).toEqual(delongAuc([], []));
  });

  const y = [0, 1, 0, 0, 1, 0, 0];
  const scores = [0.1, 0.9, 0.4, 0.3, 0.2, 0.8, 0.5];
  const allNormals = [0, 2, 3, 5, 6];
  const members = [0, 3, 6];

  for (const [comparison, compared] of [
    ['within', members],
    ['vs_all_normals', allNormals],
  ] as const) {
    it(`${comparison}: the undefined metrics and reasons of the compared set`, () => {
      const cell = evaluateCell('none', {
        y,
        scores,
        members,
        comparison,
        threshold: 0.5,
        level: 0.95,
        minPositives: 5,
        allNormals,
      });
      const ys = compared.map((j) => y[j]!);
      const ss = compared.map((j) => scores[j]!);
      expect(cell.comparedNegatives).toBe(compared.length);
      expect(cell.positives).toBe(0);
      expect(cell.negatives).toBe(3);
      expect(cell.metrics.roc_auc).toEqual(rocAuc(ys, ss));
      expect(cell.metrics.average_precision).toEqual(averagePrecision(ys, ss));
      expect(cell.ci.roc_auc).toEqual(delongAuc(ys, ss));
      expect(cell.metrics.roc_auc.value).toBeNull();
      expect(cell.ci.roc_auc).toMatchObject({
        reason: expect.stringContaining(`${compared.length} normals`),
      });
    });
  }
});
