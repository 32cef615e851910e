/**
 * Metric breakdowns by any column of a per-system table (failure_type, operational_mode, season,
 * scenario tag, lead-time bucket, source…), grouped with arquero. A multi-valued column
 * (`scenario_tags: string[]`) puts a system in each of its tags; an empty or missing value is the
 * stratum `(missing)` so that, for a single-valued column, the cells' `n` add up to the total.
 */
import * as aq from 'arquero';
import { HarnessError } from '../errors.ts';
import { evaluateCell, type CellComparison, type StratumCell } from './cell.ts';
import { prepareBinary } from './input.ts';

/** One system of the evaluated set, with its strata columns. */
export interface BreakdownRow {
  readonly system_id: string;
  /** 1 = anomaly, 0 = normal. */
  readonly y: number;
  readonly score: number;
  readonly [column: string]: string | number | readonly string[] | null | undefined;
}

/** Options of {@link breakdown}. */
export interface BreakdownOptions {
  /** Decision threshold for recall. */
  readonly threshold: number;
  /** Cells with fewer anomalies are marked `too_few`. Default 5. */
  readonly minPositives?: number;
  /** DeLong CI level. Default 0.95. */
  readonly level?: number;
  /**
   * `auto` (default): a stratum of anomalies only is ranked against all normals, a mixed one
   * within itself. Force one for every stratum of the column with `within` / `vs_all_normals`.
   */
  readonly comparison?: CellComparison | 'auto';
}

/** The stratum name of a missing or empty value. */
export const MISSING_STRATUM = '(missing)';

const INDEX = '__row';
const KEY = '__stratum';

/**
 * One cell per distinct value of `column`, sorted by stratum name. O(S·N log N) for S strata.
 */
export function breakdown(
  rows: readonly BreakdownRow[],
  column: string,
  options: BreakdownOptions,
): readonly StratumCell[] {
  const y = rows.map((r) => r.y);
  const scores = rows.map((r) => r.score);
  prepareBinary(y, scores, undefined, 'breakdown');
  if (rows.length > 0 && !rows.some((r) => column in r)) {
    throw new HarnessError('E_METRIC', `breakdown: no row has a column "${column}"`);
  }
  const values = rows.map((r) => {
    const v = r[column];
    if (Array.isArray(v)) return v.length > 0 ? v.map(String) : [MISSING_STRATUM];
    return [v === null || v === undefined || v === '' ? MISSING_STRATUM : String(v)];
  });
  // Group with arquero: unroll the multi-valued column, then collect row indices per stratum.
  const groups = aq
    .table({ [INDEX]: rows.map((_, i) => i), [KEY]: values })
    .unroll(KEY)
    .groupby(KEY)
    .rollup({ members: aq.op.array_agg(INDEX) })
    .orderby(KEY)
    .objects() as unknown as { [KEY]: string; members: number[] }[];
  const allNormals: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] === 0) allNormals.push(i);
  return groups.map((g) =>
    evaluateCell(g[KEY], {
      y,
      scores,
      members: g.members,
      comparison: options.comparison ?? 'auto',
      threshold: options.threshold,
      level: options.level ?? 0.95,
      minPositives: options.minPositives ?? 5,
      allNormals,
    }),
  );
}
