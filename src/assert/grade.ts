/**
 * Grading: assertion specs + every model's case → one result per spec. A failed or ungradable
 * assertion is data (`failed` / `errored`), never a throw, so one bad line in a suite does not
 * hide the verdicts of the others.
 */
import type { JsonCell } from '../metrics/index.ts';
import { gradeBeats } from './beats.ts';
import { comparisonProblem, judge, type Verdict } from './compare.ts';
import { expectedText, given, measured, predicateText, refLabel } from './format.ts';
import {
  errored,
  readCell,
  readRef,
  resolveCase,
  resolveColumn,
  type Outcome,
  type Reading,
} from './read.ts';
import type { ContractReport } from '../check/types.ts';
import { gradeContract } from './contract.ts';
import {
  applyExpectedFailure,
  expectedOfLaw,
  type Graded,
  gradeLaw,
  lawMeasureKey,
} from './laws.ts';
import type {
  AssertionResult,
  AssertionSpec,
  Comparison,
  GradedCase,
  LawOutcome,
  MetricRef,
  StratumOutcome,
} from './types.ts';

type MetricSpec = Extract<AssertionSpec, { kind: 'metric' }>;
type Cases = Readonly<Record<string, GradedCase>>;
/** Contract reports (or why none could be made), indexed like the specs; unset for other kinds. */
export type ContractOutcomes = readonly (ContractReport | { readonly error: string } | undefined)[];
/**
 * Law measurements by model, then by {@link lawMeasureKey} (the law and the options it is
 * measured with; the runner measures only the laws a suite asks for).
 */
export type LawOutcomes = Readonly<Record<string, Readonly<Record<string, LawOutcome>>>>;

/**
 * Grade every assertion of a suite against the models' cases (keyed by model name).
 * Result `id`s are the specs' indices.
 */
export function gradeAssertions(
  specs: readonly AssertionSpec[],
  cases: Cases,
  laws: LawOutcomes = {},
  contracts: ContractOutcomes = [],
): AssertionResult[] {
  return specs.map((spec, id) => {
    let graded: Graded;
    try {
      const verdict: Graded = spec.problem
        ? { state: 'errored', message: spec.problem, actual: null, expected: expectedOf(spec) }
        : spec.kind === 'law'
          ? gradeLaw(spec, laws[spec.model]?.[lawMeasureKey(spec.law, spec.options)])
          : spec.kind === 'contract'
            ? gradeContract(spec, contracts[id])
            : gradeOne(spec, cases);
      graded = applyExpectedFailure(verdict, spec.expectedFailure);
    } catch (err) {
      // A metric that throws (e.g. NaN scores slipped past the runner) errors this assertion only.
      graded = {
        state: 'errored',
        message: `could not grade: ${err instanceof Error ? err.message : String(err)}`,
        actual: null,
        expected: safeExpectedOf(spec),
      };
    }
    const { unmeasured: _unmeasured, ...result } = graded;
    return { id, ...result, ...(spec.location ? { location: spec.location } : {}), spec };
  });
}

/** The expected text of a spec that already threw once: a spec malformed enough to throw here too gets none. */
function safeExpectedOf(spec: AssertionSpec): string {
  try {
    return expectedOf(spec);
  } catch {
    return '';
  }
}

function expectedOf(spec: AssertionSpec): string {
  if (spec.kind === 'law') return expectedOfLaw(spec);
  if (spec.kind === 'contract') return 'contract holds';
  if (spec.kind === 'beats')
    return spec.test === 'delong'
      ? `> ${spec.other} (p < ${given(spec.alpha)})`
      : `> ${spec.other}`;
  return expectedText(spec.comparison);
}

function gradeOne(
  spec: Exclude<AssertionSpec, { kind: 'law' | 'contract' }>,
  cases: Cases,
): Graded {
  if (spec.kind === 'beats') return gradeBeats(spec, cases);
  if (spec.kind !== 'metric') {
    const kind = (spec as { kind?: unknown }).kind;
    return {
      state: 'errored',
      message: `unknown assertion kind "${String(kind)}"; build assertions with metric(…) or model(…)`,
      actual: null,
      expected: '',
    };
  }
  return spec.each ? gradeEach(spec, cases) : gradeMetric(spec, cases);
}

function fromVerdict(v: Verdict, expected: string): Graded {
  return {
    state: v.state,
    message: v.message,
    actual: v.actual,
    expected,
    ...(v.unmeasured ? { unmeasured: true as const } : {}),
  };
}

function erroredResult(message: string, expected: string): Graded {
  return { state: 'errored', message, actual: null, expected };
}

const REF_KEYS: readonly string[] = ['model', 'metric', 'by', 'stratum', 'ci'];

/** Why metric(…)'s options are unusable: a key it does not know (a typo such as `bye:`), or a `ci` that is no side. */
function refProblem(ref: MetricRef): string | undefined {
  const bad = Object.keys(ref).filter((k) => !REF_KEYS.includes(k));
  if (bad.length > 0)
    return `${refLabel(ref)}: unknown option ${bad.map((k) => `"${k}"`).join(', ')} of metric(…) (options: by, stratum, ci)`;
  if (ref.ci !== undefined && ref.ci !== 'low' && ref.ci !== 'high')
    return `${refLabel(ref)}: ci must be 'low' or 'high', got ${JSON.stringify(ref.ci)}`;
  return undefined;
}

/** Checks shared by the plain and `.each` forms: the comparison is well-formed and fits the ref. */
function specProblem(subject: MetricRef, c: Comparison): string | undefined {
  const refs = [
    subject,
    ...((c.op === 'gt' || c.op === 'lt') && typeof c.than === 'object' && c.than !== null
      ? [c.than]
      : []),
  ];
  for (const ref of refs) {
    const bad = refProblem(ref);
    if (bad !== undefined) return bad;
  }
  const problem = comparisonProblem(c);
  if (problem !== undefined) return `${refLabel(subject)}: ${problem}`;
  if (c.op === 'covers' && subject.ci !== undefined)
    return `${refLabel(subject)}: toCover reads the metric's CI itself; drop ci: '${subject.ci}'`;
  return undefined;
}

function gradeMetric(spec: MetricSpec, cases: Cases): Graded {
  const { subject, comparison: c } = spec;
  const problem = specProblem(subject, c);
  if (problem !== undefined) return erroredResult(problem, expectedText(c));
  const r = readRef(subject, cases);
  if (!r.ok) return erroredResult(r.message, expectedText(c));
  if ((c.op === 'gt' || c.op === 'lt') && typeof c.than !== 'number') {
    const than = readRef(c.than, cases);
    if (!than.ok) return erroredResult(than.message, expectedText(c));
    const thanText = `${than.value.label} (${measured(than.value.value)})`;
    return fromVerdict(judge(r.value, c, than.value), expectedText(c, thanText));
  }
  return fromVerdict(judge(r.value, c), expectedText(c));
}

/**
 * How the threshold of an `.each` comparison is read per stratum: a number or a single metric
 * reads once; a metric on the same `by` column without a stratum reads stratum by stratum, so
 * `metric('pca', 'recall', { by }).each.toBeGreaterThan(metric('random', 'recall', { by }))`
 * compares each failure type with the same failure type.
 */
type ThanReader = (stratum: string) => Outcome<Reading> | undefined;

function thanReader(subject: MetricRef, c: Comparison, cases: Cases): Outcome<ThanReader> {
  if ((c.op !== 'gt' && c.op !== 'lt') || typeof c.than === 'number')
    return { ok: true, value: () => undefined };
  const than = c.than;
  if (than.by === undefined || than.stratum !== undefined || than.by !== subject.by) {
    const once = readRef(than, cases);
    if (!once.ok) return once;
    return { ok: true, value: () => once };
  }
  const other = resolveCase(than.model, cases);
  if (!other.ok) return other;
  const column = resolveColumn(other.value.summary, than.model, than.by);
  if (!column.ok) return column;
  const cells = new Map(column.value.map((cell) => [cell.stratum, cell] as const));
  return {
    ok: true,
    value: (stratum) => {
      const cell = cells.get(stratum);
      return cell === undefined
        ? errored(
            `no stratum "${stratum}" in ${than.by} for ${than.model}, so ${refLabel(subject, stratum)} has nothing to compare with`,
          )
        : readCell(cell, than);
    },
  };
}

function gradeEach(spec: MetricSpec, cases: Cases): Graded {
  const { subject, comparison: c } = spec;
  const expected = `${expectedText(c)} in every stratum of ${subject.by ?? '?'}`;
  if (subject.by === undefined) {
    return erroredResult(
      `${refLabel(subject)}: .each checks every stratum of a breakdown column, and none was given; use metric('${subject.model}', '${subject.metric}', { by: 'failure_type' }).each`,
      expected,
    );
  }
  if (subject.stratum !== undefined) {
    return erroredResult(
      `${refLabel(subject)}: .each checks every stratum of ${subject.by}, so stratum: '${subject.stratum}' contradicts it; drop one of the two`,
      expected,
    );
  }
  const problem = specProblem(subject, c);
  if (problem !== undefined) return erroredResult(problem, expected);
  const kase = resolveCase(subject.model, cases);
  if (!kase.ok) return erroredResult(kase.message, expected);
  const column = resolveColumn(kase.value.summary, subject.model, subject.by);
  if (!column.ok) return erroredResult(column.message, expected);
  const readThan = thanReader(subject, c, cases);
  if (!readThan.ok) return erroredResult(readThan.message, expected);

  // Read every cell before skipping any, so a typo in the metric name is an error even when
  // every stratum would be skipped.
  const readings: { cell: JsonCell; reading: Reading }[] = [];
  for (const cell of column.value) {
    const r = readCell(cell, subject);
    if (!r.ok) return erroredResult(r.message, expected);
    readings.push({ cell, reading: r.value });
  }
  const actual: Record<string, number | null> = {};
  const strata: StratumOutcome[] = [];
  const unmeasured = new Set<string>();
  const base = measuredOn(subject.metric);
  for (const { cell, reading } of readings) {
    actual[cell.stratum] = reading.value;
    if (base.tooFew(cell)) {
      strata.push({
        stratum: cell.stratum,
        state: 'skipped',
        actual: reading.value,
        reason: `too few ${base.noun} (${base.count(cell)})`,
      });
      continue;
    }
    const than = readThan.value(cell.stratum);
    if (than !== undefined && !than.ok)
      return { ...erroredResult(than.message, expected), actual, strata };
    const v = judge(reading, c, than?.value);
    if (v.state === 'errored') return { ...erroredResult(v.message, expected), actual, strata };
    if (v.unmeasured) unmeasured.add(cell.stratum);
    strata.push({ stratum: cell.stratum, state: v.state, actual: v.actual, reason: v.message });
  }
  const counts = new Map(column.value.map((cell) => [cell.stratum, base.count(cell)] as const));
  const summary = summarizeEach(subject, c, strata, { noun: base.noun, counts });
  // Nothing measured: no stratum checked, or every one that failed failed on an undefined value.
  const failed = strata.filter((s) => s.state === 'failed');
  const measuredNothing =
    summary.state === 'failed' &&
    (failed.length === 0 || failed.every((s) => unmeasured.has(s.stratum)));
  return {
    ...summary,
    actual,
    expected,
    strata,
    ...(measuredNothing ? { unmeasured: true as const } : {}),
  };
}

/**
 * Metrics measured on a stratum's normals, not its anomalies: a stratum has too few of them
 * only when it has no normal at all (any normal time is measured; the metric's CI says how
 * little). Skipped by their anomaly count, `.each` on the false-alarm rate by operational mode
 * skipped every mode (a normal-only stratum has 0 anomalies) and passed on normals alarming 30
 * times a month. Breakdown cells carry only the first today; fpr and specificity are listed so
 * that a cell carrying them is read the same way.
 */
const NORMAL_METRICS: ReadonlySet<string> = new Set([
  'false_alarms_per_system_month',
  'fpr',
  'specificity',
]);

/** What a stratum needs enough of for a metric, and whether a cell has it. */
interface MeasuredOn {
  readonly noun: 'anomalies' | 'normals';
  readonly count: (cell: JsonCell) => number;
  readonly tooFew: (cell: JsonCell) => boolean;
}

function measuredOn(metric: string): MeasuredOn {
  return NORMAL_METRICS.has(metric)
    ? { noun: 'normals', count: (cell) => cell.negatives, tooFew: (cell) => cell.negatives === 0 }
    : { noun: 'anomalies', count: (cell) => cell.positives, tooFew: (cell) => cell.too_few };
}

/** Strata counted in the unit their metric is measured on. */
interface StrataCounts {
  readonly noun: MeasuredOn['noun'];
  readonly counts: ReadonlyMap<string, number>;
}

/** `short 0.812, fade 0.900`, or with `counted`: `leak (3 anomalies), none (0 anomalies)`. */
function listStrata(strata: readonly StratumOutcome[], counted?: StrataCounts): string {
  return strata
    .map((s) =>
      counted
        ? `${s.stratum} (${counted.counts.get(s.stratum) ?? '?'} ${counted.noun})`
        : `${s.stratum} ${measured(s.actual)}`,
    )
    .join(', ');
}

/** The sentence for an `.each` assertion, from its per-stratum outcomes. */
function summarizeEach(
  subject: MetricRef,
  c: Comparison,
  strata: readonly StratumOutcome[],
  counted: StrataCounts,
): { state: 'passed' | 'failed'; message: string } {
  const by = subject.by!;
  const what = `${refLabel(subject)} ${predicateText(c)}`;
  const passed = strata.filter((s) => s.state === 'passed');
  const failed = strata.filter((s) => s.state === 'failed');
  const skipped = strata.filter((s) => s.state === 'skipped');
  const noun = counted.noun;
  const skippedNote =
    skipped.length > 0 ? `skipped for too few ${noun}: ${listStrata(skipped, counted)}` : '';
  if (passed.length + failed.length === 0) {
    const why =
      strata.length === 0
        ? `${by} has no strata in this test split`
        : noun === 'normals'
          ? `no stratum has a normal system (${listStrata(skipped, counted)})`
          : `every stratum has fewer anomalies than the suite's minPositives (${listStrata(skipped, counted)})`;
    const remedy =
      noun === 'normals'
        ? 'evaluate on normal systems'
        : 'lower minPositives or evaluate on more anomalous systems';
    return {
      state: 'failed',
      message: `no stratum of ${by} has enough ${noun} to check ${what}: ${why}; ${remedy}`,
    };
  }
  if (failed.length === 0) {
    return {
      state: 'passed',
      message: `${what} in every checked stratum of ${by}: ${listStrata(passed)}${skippedNote ? ` (${skippedNote})` : ''}`,
    };
  }
  const others = [passed.length > 0 ? `passed: ${listStrata(passed)}` : '', skippedNote]
    .filter((s) => s !== '')
    .join('; ');
  // Values only: each stratum's full sentence is in `strata` for reporters that list them.
  return {
    state: 'failed',
    message: `expected ${what} in every stratum of ${by}; failed in ${failed.length} of ${passed.length + failed.length} checked: ${listStrata(failed)}${others ? ` (${others})` : ''}`,
  };
}
