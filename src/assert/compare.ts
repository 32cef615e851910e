/**
 * Applying one comparison to one reading, with the sentence that explains the verdict. Pure: the
 * references have been read already (see read.ts), so this is where the semantics live.
 */
import { bareReason, given, measured, measuredAgainst } from './format.ts';
import type { Reading } from './read.ts';
import type { Comparison, MetricRef } from './types.ts';

/** The verdict on one value. */
export interface Verdict {
  readonly state: 'passed' | 'failed' | 'errored';
  readonly message: string;
  readonly actual: number | null;
  /** Failed because a value it reads is undefined: nothing was measured (`fails(…)` must not pass it). */
  readonly unmeasured?: true;
}

/**
 * `close` allows this much beyond the tolerance: 0.8 − 0.7 is 0.10000000000000009 in floating
 * point, and `toBeCloseTo(0.7, 0.1)` on a measured 0.8 should pass, as the suite author means.
 */
const CLOSE_SLACK = 1e-12;

/** Why a comparison cannot be graded at all (a non-finite bound, lo > hi), or undefined when it is well-formed. */
export function comparisonProblem(c: Comparison): string | undefined {
  const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  switch (c.op) {
    case 'gt':
    case 'lt': {
      const name = c.op === 'gt' ? 'toBeGreaterThan' : 'toBeLessThan';
      if (typeof c.than === 'number')
        return finite(c.than) ? undefined : `${name} needs a finite number, got ${String(c.than)}`;
      return isRef(c.than)
        ? undefined
        : `${name} needs a finite number or a metric(…), got ${shown(c.than)}`;
    }
    case 'close':
      if (!finite(c.to)) return `toBeCloseTo needs a finite target, got ${shown(c.to)}`;
      return finite(c.tolerance) && c.tolerance >= 0
        ? undefined
        : `toBeCloseTo needs a finite tolerance >= 0, got ${shown(c.tolerance)}`;
    case 'within':
      if (!finite(c.lo) || !finite(c.hi))
        return `toBeWithin needs finite bounds, got [${shown(c.lo)}, ${shown(c.hi)}]`;
      return c.lo <= c.hi
        ? undefined
        : `toBeWithin needs lo <= hi, got [${given(c.lo)}, ${given(c.hi)}]`;
    case 'covers':
      return finite(c.value) ? undefined : `toCover needs a finite value, got ${shown(c.value)}`;
    case 'undefined':
      return undefined;
  }
}

/** A bound as the suite gave it: a string quoted, so `'0.7'` does not read as the number 0.7. */
function shown(x: unknown): string {
  return typeof x === 'string' ? `the string ${JSON.stringify(x)}` : String(x);
}

/** A metric reference as metric(…) builds it (a JS suite can pass anything). */
function isRef(x: unknown): x is MetricRef {
  const r = x as Partial<MetricRef> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.model === 'string' &&
    typeof r.metric === 'string'
  );
}

function undefinedVerdict(r: Reading): Verdict {
  return {
    state: 'failed',
    message: `${r.label} is undefined: ${bareReason(r.reason)}`,
    actual: null,
    unmeasured: true,
  };
}

/**
 * Judge `r` against `c`. For `gt`/`lt` against another metric, `than` is that metric's reading.
 * An undefined value fails (it cannot meet a bound) except for `undefined`, which wants it.
 */
export function judge(r: Reading, c: Comparison, than?: Reading): Verdict {
  if (c.op === 'undefined') {
    return r.value === null
      ? {
          state: 'passed',
          message: `${r.label} is undefined, as expected: ${bareReason(r.reason)}`,
          actual: null,
        }
      : {
          state: 'failed',
          message: `expected ${r.label} to be undefined, got ${measured(r.value)}`,
          actual: r.value,
        };
  }
  if (c.op === 'covers') return judgeCovers(r, c.value);
  const v = r.value;
  if (v === null) return undefinedVerdict(r);
  switch (c.op) {
    case 'gt':
    case 'lt': {
      const sign = c.op === 'gt' ? '>' : '<';
      let bound: number;
      let boundText: string;
      let shown: string;
      if (typeof c.than === 'number') {
        bound = c.than;
        boundText = given(bound);
        shown = measuredAgainst(v, bound);
      } else {
        if (than === undefined)
          return {
            state: 'errored',
            message: `internal: ${r.label} ${sign} ${c.than.model} ${c.than.metric} was graded without reading it`,
            actual: v,
          };
        if (than.value === null)
          return {
            state: 'failed',
            message: `cannot compare ${r.label} ${sign} ${than.label}: ${than.label} is undefined: ${bareReason(than.reason)}`,
            actual: v,
            unmeasured: true,
          };
        bound = than.value;
        shown = measuredAgainst(v, bound);
        boundText = `${than.label} ${measuredAgainst(bound, v)}`;
      }
      const ok = c.op === 'gt' ? v > bound : v < bound;
      return ok
        ? { state: 'passed', message: `${r.label} ${shown} ${sign} ${boundText}`, actual: v }
        : {
            state: 'failed',
            message: `expected ${r.label} ${sign} ${boundText}, got ${shown}`,
            actual: v,
          };
    }
    case 'close': {
      const off = Math.abs(v - c.to);
      const range = `${given(c.to)} ± ${given(c.tolerance)}`;
      return off <= c.tolerance + CLOSE_SLACK
        ? { state: 'passed', message: `${r.label} ${measured(v)} is within ${range}`, actual: v }
        : {
            state: 'failed',
            message: `expected ${r.label} within ${range}, got ${measured(v)} (off by ${measured(off)})`,
            actual: v,
          };
    }
    case 'within': {
      const range = `[${given(c.lo)}, ${given(c.hi)}]`;
      const shown = measuredAgainst(v, v < c.lo ? c.lo : c.hi);
      return v >= c.lo && v <= c.hi
        ? { state: 'passed', message: `${r.label} ${shown} is in ${range}`, actual: v }
        : { state: 'failed', message: `expected ${r.label} in ${range}, got ${shown}`, actual: v };
    }
  }
}

function judgeCovers(r: Reading, value: number): Verdict {
  if (r.ci === undefined)
    return {
      state: 'errored',
      message: `toCover needs a confidence interval, and ${r.label} has none (CIs exist for roc_auc)`,
      actual: r.value,
    };
  // No interval measured: the check failed on nothing, and fails(…) must not pass it.
  if (r.ci === null)
    return {
      state: 'failed',
      message: `${r.label} has no confidence interval here: ${bareReason(r.ciReason)}`,
      actual: r.value,
      unmeasured: true,
    };
  const { low, high, level } = r.ci;
  const interval = `${given(level * 100)}% CI [${measuredAgainst(low, value)}, ${measuredAgainst(high, value)}]`;
  return low <= value && value <= high
    ? {
        state: 'passed',
        message: `${r.label} ${measured(r.value)} ${interval} covers ${given(value)}`,
        actual: r.value,
      }
    : {
        state: 'failed',
        message: `expected ${r.label} CI to cover ${given(value)}, got ${measured(r.value)} ${interval}`,
        actual: r.value,
      };
}
