/**
 * How assertion messages print numbers and metric names. Measured values get 3 decimals; values
 * the suite wrote (thresholds, tolerances) print as written, so `> 0.9` reads like the suite.
 */
import type { Comparison, MetricRef } from './types.ts';

/** A value the suite wrote: as written, minus floating-point noise (0.1 + 0.2 → 0.3). */
export function given(x: number): string {
  // A JS suite can pass a string or null where a number belongs; print it, the grader errors it.
  if (typeof x !== 'number') return JSON.stringify(x) ?? String(x);
  return String(Number(x.toPrecision(12)));
}

/** A measured value with 3 decimals; `undefined` for null. */
export function measured(x: number | null): string {
  return x === null ? 'undefined' : x.toFixed(3);
}

/**
 * A measured value printed so it does not look equal to `other` when it is not: 0.8996 against a
 * threshold of 0.9 would print as `0.900` with 3 decimals, which reads as a bogus failure.
 */
export function measuredAgainst(x: number, other: number): string {
  for (let digits = 3; digits < 10; digits++) {
    const s = x.toFixed(digits);
    if (x === other || Number(s) !== Number(other.toFixed(digits))) return s;
  }
  return String(x);
}

/**
 * A p-value with its relation sign: `= 0.210`, `= 0.0003`, `= 6.0e-16`. Printed with enough
 * digits not to look equal to `alpha` when it is not (0.0496 against 0.05 is not `0.050`).
 */
export function pValue(p: number, alpha?: number): string {
  if (p === 0) return '= 0';
  if (p < 0.0001) return `= ${p.toExponential(1)}`;
  const first = p < 0.001 ? 4 : 3;
  if (alpha === undefined) return `= ${p.toFixed(first)}`;
  for (let digits = first; digits < 10; digits++) {
    if (p === alpha || Number(p.toFixed(digits)) !== Number(alpha.toFixed(digits)))
      return `= ${p.toFixed(digits)}`;
  }
  return `= ${String(p)}`;
}

/** `zscore roc_auc`, `pca recall[failure_type=short]`, `zscore roc_auc CI low`. */
export function refLabel(ref: MetricRef, stratum: string | undefined = ref.stratum): string {
  const where = ref.by !== undefined && stratum !== undefined ? `[${ref.by}=${stratum}]` : '';
  return `${ref.model} ${ref.metric}${where}${ref.ci !== undefined ? ` CI ${ref.ci}` : ''}`;
}

/** An undefined metric's reason without the `ROC AUC is undefined:` prefix the metrics add, since our message says it already. */
export function bareReason(reason: string | undefined): string {
  if (reason === undefined) return 'no reason given';
  return reason.replace(/^[^:]*\bis undefined:\s*/, '');
}

/** The short `expected` string of a comparison; `thanText` is how a MetricRef threshold prints. */
export function expectedText(c: Comparison, thanText?: string): string {
  switch (c.op) {
    case 'gt':
      return `> ${thanLabel(c.than, thanText)}`;
    case 'lt':
      return `< ${thanLabel(c.than, thanText)}`;
    case 'close':
      return `${given(c.to)} ± ${given(c.tolerance)}`;
    case 'within':
      return `in [${given(c.lo)}, ${given(c.hi)}]`;
    case 'covers':
      return `CI covers ${given(c.value)}`;
    case 'undefined':
      return 'undefined';
  }
}

/** A gt/lt bound: a number as given, a metric by its label; anything else a JS suite passed, as given. */
function thanLabel(than: number | MetricRef, thanText: string | undefined): string {
  if (typeof than !== 'object' || than === null) return given(than as number);
  return thanText ?? refLabel(than);
}

/** The comparison as the predicate of a sentence: `> 0.5`, `within 0.5 ± 0.1`, `is undefined`. */
export function predicateText(c: Comparison): string {
  switch (c.op) {
    case 'close':
      return `within ${expectedText(c)}`;
    case 'covers':
      return `has a CI covering ${given(c.value)}`;
    case 'undefined':
      return 'is undefined';
    default:
      return expectedText(c);
  }
}
