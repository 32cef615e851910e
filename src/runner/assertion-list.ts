import type { AssertionSpec } from '../assert/types.ts';
import { HarnessError } from '../errors.ts';

/** The kinds the grader knows; anything else in expect's list was not built by a matcher. */
const KINDS: ReadonlySet<unknown> = new Set(['metric', 'beats', 'contract', 'law']);

/**
 * What a suite's `expect` returned, checked before anything runs. A suite whose `expect` body is
 * in braces without `return` returns undefined: read as "no assertions", it passed the gate
 * whatever its models scored. A list entry that no matcher built (`metric('roc_auc')` with no
 * `.toBeGreaterThan`, a stray undefined) was graded as an "unknown assertion kind" with no place.
 * Both are the suite's mistake: an E_SUITE error (exit 2) that says what to write instead.
 */
export function assertionList(returned: unknown): AssertionSpec[] {
  if (!Array.isArray(returned)) {
    const hint =
      returned === undefined
        ? ': a body in braces needs `return [ … ]`, or write `expect: ({ metric }) => [ … ]`'
        : '';
    throw new HarnessError(
      'E_SUITE',
      `expect() must return a list of assertions, got ${shown(returned)}${hint}`,
    );
  }
  returned.forEach((entry, i) => {
    const problem = entryProblem(entry);
    if (problem)
      throw new HarnessError(
        'E_SUITE',
        `expect() returned ${shown(entry)} as entry ${i + 1} of its list: ${problem}`,
      );
  });
  return returned as AssertionSpec[];
}

function entryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null)
    return 'each entry is an assertion built by metric(…) or model(…) and a matcher';
  const e = entry as { kind?: unknown };
  if (KINDS.has(e.kind)) return undefined;
  const call = metricCall(entry);
  if (e.kind === undefined && call)
    return `${call} has no matcher: end it with one, such as .toBeGreaterThan(0.7)`;
  if (e.kind === undefined && typeof (e as { toBeat?: unknown }).toBeat === 'function')
    return 'model(…) has no matcher: end it with one, such as .toBeat(…) or .toHonorContract()';
  return 'not an assertion (its kind is none of metric, beats, contract, law): build it with metric(…) or model(…) and a matcher';
}

/** `metric('pca', 'roc_auc')` for what metric(…) returned without a matcher, else undefined. */
function metricCall(v: object): string | undefined {
  const ref = (v as { ref?: { model?: unknown; metric?: unknown } }).ref;
  if (typeof ref !== 'object' || ref === null) return undefined;
  const args = [ref.model, ref.metric].filter((a) => typeof a === 'string').map((a) => `'${a}'`);
  return args.length > 0 ? `metric(${args.join(', ')})` : undefined;
}

/** A value as a message shows it: short, and never "[object Object]". */
function shown(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const call = metricCall(v);
    if (call) return call;
    if (typeof (v as { toBeat?: unknown }).toBeat === 'function') return 'model(…)';
  }
  try {
    const text = JSON.stringify(v);
    if (text === undefined) return String(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(v);
  }
}

/** The models (cases) an assertion names: its subject, and the model it is compared with. */
export function referencedModels(a: AssertionSpec): string[] {
  if (a.kind === 'beats') return [a.model, a.other];
  if (a.kind === 'law' || a.kind === 'contract') return [a.model];
  const c = a.comparison;
  return [
    a.subject.model,
    ...((c.op === 'gt' || c.op === 'lt') && typeof c.than === 'object' ? [c.than.model] : []),
  ];
}

/** A suite's assertions under `--model`: those graded, and those left out with the models that left them out. */
export interface ModelFiltered {
  readonly kept: AssertionSpec[];
  readonly leftOut: number;
  /** The suite's cases, named by left-out assertions, that `--model` did not run. */
  readonly models: string[];
}

/**
 * `--model` keeps the assertions whose every named case runs. An assertion that names a case of
 * the suite left out by the filter is left out (counted, and shown); one that names no case of
 * the suite at all (a typo) is kept, so that it errors as it does without the filter: before, it
 * was dropped too, and `--model` turned a broken suite green.
 */
export function filterByModels(
  specs: readonly AssertionSpec[],
  only: readonly string[],
  cases: readonly string[],
): ModelFiltered {
  const kept: AssertionSpec[] = [];
  const models = new Set<string>();
  let leftOut = 0;
  for (const a of specs) {
    const missing = referencedModels(a).filter((m) => !only.includes(m) && cases.includes(m));
    if (missing.length === 0) kept.push(a);
    else {
      leftOut++;
      for (const m of missing) models.add(m);
    }
  }
  return { kept, leftOut, models: [...models] };
}
