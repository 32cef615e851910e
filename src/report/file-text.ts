/**
 * Text helpers shared by the reporters that write files (junit, markdown): plain text only,
 * never terminal colours, and names of assertions that stay the same from run to run.
 */
import path from 'node:path';
import { expectedText, given, refLabel } from '../assert/index.ts';
import type { AssertionResult } from '../assert/types.ts';
import type { JsonCell } from '../metrics/index.ts';
import type { CaseResult } from '../runner/types.ts';
import { fmt } from './format.ts';

export { stripAnsi } from './clean-text.ts';

/** `file` relative to the working directory when it lies below it, else as given. */
export function relPath(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

/**
 * A name for an assertion that does not change between runs: the spec rendered without any
 * measured number (`delta-v roc_auc > 0.5`, `zscore recall[failure_type=*] in [0.4, 0.6]`,
 * `zscore beats random on roc_auc (DeLong, alpha 0.05)`). The message, which has the numbers,
 * changes every time the data does, so CI servers could not track a test's history by it.
 */
export function assertionName(a: AssertionResult): string {
  const spec = a.spec;
  if (spec.kind === 'metric') {
    const ref = spec.subject;
    const label = spec.each ? refLabel(ref, '*') : refLabel(ref);
    return `${label} ${expectedText(spec.comparison)}`;
  }
  if (spec.kind === 'beats') {
    return `${spec.model} beats ${spec.other} on ${spec.on}${spec.test === 'delong' ? ` (DeLong, alpha ${given(spec.alpha)})` : ''}`;
  }
  // Kinds added later (e.g. metamorphic laws) still get a name without numbers.
  const other = spec as {
    readonly kind?: unknown;
    readonly model?: unknown;
    readonly law?: unknown;
  };
  if (typeof other.model === 'string' && typeof other.law === 'string')
    return `${other.model} obeys ${other.law}`;
  return `assertion #${a.id}`;
}

/** Names of a suite's assertions, made unique (` (2)`, ` (3)`, … on repeats) in suite order. */
export function assertionNames(assertions: readonly AssertionResult[]): string[] {
  const seen = new Map<string, number>();
  return assertions.map((a) => {
    const name = assertionName(a);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

/** `file:line:column` of an assertion's suite line, relative to the working directory. */
export function locationText(a: AssertionResult): string | undefined {
  return a.location
    ? `${relPath(a.location.file)}:${a.location.line}:${a.location.column}`
    : undefined;
}

/** `actual` as text: a number with 3 decimals, `undefined`, or `stratum=value` pairs. */
export function actualText(actual: AssertionResult['actual']): string {
  if (actual === null) return 'undefined';
  if (typeof actual === 'number') return fmt(actual);
  return Object.entries(actual)
    .map(([k, v]) => `${k}=${v === null ? 'undefined' : fmt(v)}`)
    .join(', ');
}

/** One scored case as a line of plain text: roc_auc [CI], AP, recall @ threshold, n. */
export function caseText(c: CaseResult): string {
  if (c.state === 'errored') return `${c.model}  errored: ${c.error}`;
  const m = c.summary.metrics;
  const ci = c.summary.ci['roc_auc'];
  const ciText = ci ? ` [${fmt(ci.low)}, ${fmt(ci.high)}]` : '';
  return (
    `${c.model}  roc_auc ${fmt(m['roc_auc'])}${ciText}  ap ${fmt(m['average_precision'])}  ` +
    `recall ${fmt(m['recall'])} @ ${fmt(m['threshold'])}  n ${c.summary.n} (${c.summary.positives} anomalies)`
  );
}

/** A breakdown cell of one model, for the weakest-strata lists. */
export interface WeakStratum {
  readonly model: string;
  readonly column: string;
  readonly cell: JsonCell;
  readonly auc: number;
}

/** The `k` lowest-AUC strata with enough anomalies across the suite's scored models (the `random` baseline left out). */
export function weakestStrata(cases: readonly CaseResult[], k: number): WeakStratum[] {
  const out: WeakStratum[] = [];
  for (const c of cases) {
    if (c.state !== 'scored' || c.model === 'random') continue;
    for (const [column, cells] of Object.entries(c.summary.breakdown)) {
      for (const cell of cells) {
        const auc = cell.metrics.roc_auc;
        if (auc !== null && !cell.too_few) out.push({ model: c.model, column, cell, auc });
      }
    }
  }
  return out.sort((a, b) => a.auc - b.auc).slice(0, k);
}
