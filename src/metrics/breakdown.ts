/**
 * Metric breakdowns by any column of a per-system table (failure_type, operational_mode, season,
 * scenario tag, lead-time bucket, source…), grouped in one pass over coded strata. A multi-valued column
 * (`scenario_tags: string[]`) puts a system in each of its tags; an empty or missing value is the
 * stratum `(missing)` so that, for a single-valued column, the cells' `n` add up to the total.
 */
import { HarnessError } from '../errors.ts';
import { evaluateCell, type CellComparison, type StratumCell } from './cell.ts';
import { rankSet, type RankedSet } from './ranked-set.ts';
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
  /** The evaluated set ranked once ({@link rankSet}), when the caller makes several breakdowns and has checked y and scores. */
  readonly ranked?: RankedSet;
}

/** The stratum name of a missing or empty value. */
export const MISSING_STRATUM = '(missing)';

/**
 * A strata column coded once: stratum names, and each row's codes into them (-1 = missing).
 * Single-valued: `codes[i]` is row i's. Multi-valued (scenario tags): row i's codes are
 * `codes[start[i] … start[i + 1])`, none meaning missing.
 */
export interface CodedStrata {
  readonly names: readonly string[];
  readonly codes: Int32Array;
  readonly start?: Int32Array;
}

/** Codes a column of values (one, several or none per row), as {@link breakdown}'s rows hold them. */
export function codeStrata(
  values: ArrayLike<string | number | readonly string[] | null | undefined>,
): CodedStrata {
  const names: string[] = [];
  const codeOf = new Map<string, number>();
  const code = (v: string): number => {
    let c = codeOf.get(v);
    if (c === undefined) {
      c = names.push(v) - 1;
      codeOf.set(v, c);
    }
    return c;
  };
  const start = new Int32Array(values.length + 1);
  const codes: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Array.isArray(v)) for (const x of v) codes.push(code(String(x)));
    else if (v !== null && v !== undefined && v !== '') codes.push(code(String(v)));
    start[i + 1] = codes.length;
  }
  return { names, codes: Int32Array.from(codes), start };
}

/**
 * Members of each stratum by a counting sort over the codes: strata sorted by name, each with
 * its rows ascending (a row twice when it lists a value twice), or, with `order`, with the
 * positions in `order` of its rows, ascending. A row without a value is in `(missing)`.
 */
export function groupStrata(
  strata: CodedStrata,
  n: number,
  order?: ArrayLike<number>,
): { readonly name: string; readonly members: Int32Array }[] {
  const { names, codes, start } = strata;
  // Slot per name, `(missing)` shared with rows that have no value.
  const slotNames = [...new Set([...names, MISSING_STRATUM])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const slotOf = new Map(slotNames.map((name, k) => [name, k]));
  const slot = Int32Array.from(names, (name) => slotOf.get(name)!);
  const missing = slotOf.get(MISSING_STRATUM)!;
  const m = slotNames.length;
  // Counted in row order (sequential reads), then filled in position order: one read at random
  // through `order` per row, each membership written straight to its slot's place, positions
  // ascending within each slot (a row twice when it lists a value twice).
  const count = new Int32Array(m + 1);
  let members: Int32Array;
  if (start === undefined) {
    const slotAt = m < 256 ? new Uint8Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      const sl = c >= 0 ? slot[c]! : missing;
      slotAt[i] = sl;
      count[sl + 1]!++;
    }
    for (let sl = 0; sl < m; sl++) count[sl + 1]! += count[sl]!;
    members = new Int32Array(n);
    const fill = count.slice(0, m);
    if (order) for (let p = 0; p < n; p++) members[fill[slotAt[order[p]!]!]!++] = p;
    else for (let p = 0; p < n; p++) members[fill[slotAt[p]!]!++] = p;
  } else {
    for (let i = 0; i < n; i++) {
      const a = start[i]!;
      const b = start[i + 1]!;
      if (a === b) count[missing + 1]!++;
      for (let k = a; k < b; k++) {
        const c = codes[k]!;
        count[(c >= 0 ? slot[c]! : missing) + 1]!++;
      }
    }
    for (let sl = 0; sl < m; sl++) count[sl + 1]! += count[sl]!;
    members = new Int32Array(count[m]!);
    const fill = count.slice(0, m);
    for (let p = 0; p < n; p++) {
      const i = order ? order[p]! : p;
      const a = start[i]!;
      const b = start[i + 1]!;
      if (a === b) members[fill[missing]!++] = p;
      for (let k = a; k < b; k++) {
        const c = codes[k]!;
        members[fill[c >= 0 ? slot[c]! : missing]!++] = p;
      }
    }
  }
  const out: { name: string; members: Int32Array }[] = [];
  slotNames.forEach((name, s) => {
    if (count[s + 1]! > count[s]!)
      out.push({ name, members: members.subarray(count[s]!, count[s + 1]!) });
  });
  return out;
}

/**
 * One cell per stratum of a coded column, sorted by stratum name. O(S·N log N) for S strata.
 */
export function breakdownCoded(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  strata: CodedStrata,
  options: BreakdownOptions,
): readonly StratumCell[] {
  // A caller with a ranked set has checked y and scores already (evaluateScores).
  if (!options.ranked) prepareBinary(y, scores, undefined, 'breakdown');
  // Cells are computed on the set in score order (their metrics do not depend on the order):
  // members are positions, read as a stream, and each cell merges sorted scores instead of sorting.
  const ranked = options.ranked ?? rankSet(y, scores);
  return groupStrata(strata, y.length, ranked.order).map((g) =>
    evaluateCell(g.name, {
      y: ranked.y,
      scores: ranked.scores,
      members: g.members,
      comparison: options.comparison ?? 'auto',
      threshold: options.threshold,
      level: options.level ?? 0.95,
      minPositives: options.minPositives ?? 5,
      allNormals: ranked.normalPositions,
      ranked,
    }),
  );
}

/**
 * One cell per distinct value of `column`, sorted by stratum name. O(S·N log N) for S strata.
 */
export function breakdown(
  rows: readonly BreakdownRow[],
  column: string,
  options: BreakdownOptions,
): readonly StratumCell[] {
  if (rows.length > 0 && !rows.some((r) => column in r)) {
    throw new HarnessError('E_METRIC', `breakdown: no row has a column "${column}"`);
  }
  return breakdownCoded(
    rows.map((r) => r.y),
    rows.map((r) => r.score),
    codeStrata(rows.map((r) => r[column])),
    options,
  );
}
