/**
 * The vitest tests of one suite, planned before anything runs (vitest collects tests before it
 * runs them), each with what fails it once the run is there. Together they fail whenever
 * `harness run` would exit non-zero: a crashed model, a failed assertion or baseline gate, a
 * suite that could not run, an error of the run itself.
 */
import { existsSync } from 'node:fs';
import type { AssertionResult, AssertionSpec } from '../assert/types.ts';
import type { HarnessRun } from '../core/index.ts';
import { baselinePath, filterByModels, scoresCaseNames, type SuiteSpec } from '../runner/index.ts';
import type { SuiteResult } from '../runner/types.ts';
import { assertionTitle } from './title.ts';

/** One vitest test of a suite. */
export interface PlannedTest {
  readonly title: string;
  /** True when `models` left it out: it is a skipped test, never a passed one. */
  readonly leftOut: boolean;
  /** Why the run fails this test, in the harness's words; undefined when it holds. */
  readonly verdict: (run: HarnessRun) => string | undefined;
}

/** What {@link planSuite} plans from: the suite, as describeSuite runs it. */
export interface SuitePlanInput {
  readonly spec: SuiteSpec;
  /** The suite's file (absolute), or '' without one. */
  readonly file: string;
  readonly modelNames: readonly string[];
  /** The suite's assertions (`assertionSpecsOf`), in the order they are graded. */
  readonly specs: readonly AssertionSpec[];
  /** The `models` option, if any. */
  readonly models?: readonly string[] | undefined;
}

/**
 * The suite's tests, in junit.xml's order: the suite runs, every model scores every system, one
 * per assertion (those `models` leaves out are skipped, named with why), the baseline gate when
 * the suite has one, a failing "checks something" when it checks nothing, and the run's own
 * errors. Results are matched to assertions as the runner numbers them: after `models` filters
 * them (an AssertionResult's `id` is its index among those kept).
 */
export function planSuite(input: SuitePlanInput): PlannedTest[] {
  const { spec, specs, models: only } = input;
  const cases = [...input.modelNames, ...scoresCaseNames(spec)];
  const ofSuite = (check: (s: SuiteResult) => string | undefined) => (run: HarnessRun) => {
    const s = run.result.suites[0];
    if (!s) return `suite "${spec.name}" did not run`;
    if (s.error !== undefined) return `suite "${spec.name}" could not run: ${s.error}`;
    return check(s);
  };
  const tests: PlannedTest[] = [
    { title: 'suite runs', leftOut: false, verdict: ofSuite(() => undefined) },
    {
      title: 'every model scores every system',
      leftOut: false,
      verdict: ofSuite((s) => {
        const errored = s.cases.flatMap((c) =>
          c.state === 'errored'
            ? [`${c.model}${c.version === null ? '' : ` v${c.version}`}: ${c.error}`]
            : [],
        );
        return errored.length > 0 ? errored.join('\n') : undefined;
      }),
    },
  ];
  const kept = only ? filterByModels(specs, only, cases).kept : specs;
  let id = 0;
  for (const a of specs) {
    const title = assertionTitle(a);
    if (kept[id] !== a) {
      const names = filterByModels([a], only ?? [], cases).models;
      tests.push({
        title: `${title} (left out by models: it names ${names.join(', ')})`,
        leftOut: true,
        verdict: () => undefined,
      });
      continue;
    }
    tests.push({ title, leftOut: false, verdict: ofSuite(assertionVerdict(id, title)) });
    id++;
  }
  const gated = spec.baseline !== undefined || existsSync(baselinePath(input.file, spec.name));
  if (gated)
    tests.push({
      title: 'baseline gate holds',
      leftOut: false,
      verdict: ofSuite((s) => {
        const b = s.baseline;
        if (!b) return undefined;
        const failed = [
          ...(b.status === 'stale' ? [b.message] : []),
          ...b.gates.filter((g) => g.state === 'failed').map((g) => g.message),
        ];
        return failed.length > 0 ? failed.join('\n') : undefined;
      }),
    });
  // `harness run` only warns; here the suite has no report to be there for, and a describe
  // with nothing to fail was green whatever its models scored.
  if (specs.length === 0 && !gated)
    tests.push({
      title: 'the suite checks something',
      leftOut: false,
      verdict: () =>
        `suite "${spec.name}" checks nothing: no assertion and no baseline, so it passes whatever its models score`,
    });
  const others = [...tests];
  tests.push({
    title: 'the run completes without harness errors',
    leftOut: false,
    verdict: (run) => {
      const errors = run.result.errors ?? [];
      if (errors.length > 0) return errors.join('\n');
      // A verdict the tests above do not explain (a new kind of failure, say) still fails here:
      // vitest must never pass what `harness run` fails.
      if (run.exitCode !== 0 && others.every((t) => t.leftOut || t.verdict(run) === undefined))
        return `harness run would exit ${run.exitCode}, and no other test of suite "${spec.name}" says why: ${JSON.stringify(run.result.summary)}`;
      return undefined;
    },
  });
  return tests;
}

function assertionVerdict(id: number, title: string): (s: SuiteResult) => string | undefined {
  return (s) => {
    const a = s.assertions.find((x) => x.id === id);
    if (!a) return `assertion "${title}" has no result (the run graded ${s.assertions.length})`;
    const graded = assertionTitle(a.spec);
    if (graded !== title) return `the result for "${title}" is that of "${graded}": not matched`;
    return a.state === 'passed' ? undefined : failureMessage(a);
  };
}

/** What a failed or errored assertion says in vitest's output: the sentence, then measured and expected values. */
export function failureMessage(a: AssertionResult): string {
  const actual =
    a.actual === null || typeof a.actual === 'number'
      ? String(a.actual ?? 'undefined')
      : JSON.stringify(a.actual);
  const where = a.location ? ` (${a.location.file}:${a.location.line}:${a.location.column})` : '';
  return `${a.state === 'errored' ? 'could not be graded: ' : ''}${a.message}${where}\n  measured: ${actual}\n  expected: ${a.expected}`;
}
