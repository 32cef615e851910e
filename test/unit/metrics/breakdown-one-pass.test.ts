/**
 * The one-pass breakdowns (strata coded once, members grouped by a counting sort in score order,
 * each cell merged from sorted scores) against (1) the numbers of the arquero, row-object
 * implementation they replaced, kept in test/fixtures/evaluate/one-pass-expected.json (made by
 * make-one-pass-expected.ts on that implementation), and (2) a plain reference: each stratum's
 * members found by filtering, its cell computed by the general, sorting path of evaluateCell.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEAD_TIME_BUCKETS } from '../../../src/data/schema.ts';
import {
  breakdownCoded,
  codeStrata,
  groupStrata,
  MISSING_STRATUM,
} from '../../../src/metrics/breakdown.ts';
import { evaluateCell, type StratumCell } from '../../../src/metrics/cell.ts';
import { isUndefinedMetric } from '../../../src/metrics/types.ts';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { onePassInput } from '../../fixtures/evaluate/one-pass-input.ts';
import { expectClose } from './close.ts';

/** Cells with the CI bounds of `vs_all_normals` cells taken out, and those bounds. */
function splitCiBounds(cells: readonly StratumCell[]): [unknown[], number[]] {
  const bounds: number[] = [];
  const rest = cells.map((c) => {
    const ci = c.ci.roc_auc;
    if (c.comparison !== 'vs_all_normals' || isUndefinedMetric(ci)) return c;
    bounds.push(ci.low, ci.high);
    return { ...c, ci: { roc_auc: { ...ci, low: 0, high: 0 } } };
  });
  return [rest, bounds];
}

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/evaluate');

describe('one-pass breakdowns', () => {
  it('give the numbers of the implementation they replaced, to the bit', () => {
    const expected: unknown = JSON.parse(
      readFileSync(path.join(fixtures, 'one-pass-expected.json'), 'utf8'),
    );
    const input = onePassInput();
    const got = evaluateScores({
      ...input,
      threshold: 0.6,
      leadTimeBuckets: LEAD_TIME_BUCKETS,
      minPositives: 5,
    });
    expect(JSON.parse(JSON.stringify(got))).toEqual(expected);
  });

  it('equal a cell per stratum found by filtering and computed by sorting', () => {
    const { y, scores, strata } = onePassInput(3000, 23);
    const allNormals = y.flatMap((v, i) => (v === 0 ? [i] : []));
    for (const [column, values] of Object.entries(strata)) {
      for (const comparison of ['auto', 'within', 'vs_all_normals'] as const) {
        const got = breakdownCoded(y, scores, codeStrata(values), { threshold: 0.5, comparison });
        // The reference: every stratum's rows, in row order, a row once per listed value.
        const names = [
          ...new Set(
            values.flatMap((v) =>
              Array.isArray(v) ? (v.length ? v : [MISSING_STRATUM]) : [v ?? MISSING_STRATUM],
            ),
          ),
        ].sort();
        const want = names.map((name) => {
          const members = values.flatMap((v, i) => {
            const list = Array.isArray(v)
              ? v.length
                ? v
                : [MISSING_STRATUM]
              : [v ?? MISSING_STRATUM];
            return list.filter((x) => x === name).map(() => i);
          });
          return evaluateCell(name, {
            y,
            scores,
            members,
            comparison,
            threshold: 0.5,
            level: 0.95,
            minPositives: 5,
            allNormals,
          });
        });
        // A cell ranked against all normals sums its V01 variance by groups (placement-groups.ts):
        // its CI bounds may differ in the last bits, everything else is equal to the bit.
        const [gotCells, gotBounds] = splitCiBounds(got);
        const [wantCells, wantBounds] = splitCiBounds(want);
        expect(gotCells, `${column}, ${comparison}`).toEqual(wantCells);
        expectClose(gotBounds, wantBounds, 1e-12);
      }
    }
  });

  it('group a row once per listed value, and a row without one in (missing)', () => {
    const coded = codeStrata([['b', 'a', 'b'], [], null, 'a', '']);
    const groups = groupStrata(coded, 5).map((g) => [g.name, Array.from(g.members)]);
    expect(groups).toEqual([
      ['(missing)', [1, 2, 4]],
      ['a', [0, 3]],
      ['b', [0, 0]],
    ]);
    // With an order, members are positions in it.
    const inOrder = groupStrata(coded, 5, [4, 3, 2, 1, 0]).map((g) => [
      g.name,
      Array.from(g.members),
    ]);
    expect(inOrder).toEqual([
      ['(missing)', [0, 2, 3]],
      ['a', [1, 4]],
      ['b', [4, 4]],
    ]);
  });
});
