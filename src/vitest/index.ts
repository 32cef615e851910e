/**
 * `bess-harness/vitest`: a suite inside your own vitest run, for a CI that already runs vitest.
 *
 * ```ts
 * // test/harness.test.ts
 * import { describeSuite } from 'bess-harness/vitest';
 * import smoke from '../suites/smoke.suite.ts';
 * describeSuite(smoke, { file: 'suites/smoke.suite.ts' }); // a suite, or a file's list of suites
 * ```
 *
 * One vitest `describe` per suite and one test per assertion, named as the assertion reads,
 * beside the tests junit.xml has: `suite runs`, `every model scores every system`, `baseline
 * gate holds` (a suite with a baseline) and `the run completes without harness errors`. The
 * suite runs once (in `beforeAll`); a failed assertion fails its test with the measured value
 * and what was expected, an assertion that could not be graded (a model that crashed) fails
 * with why, and a suite that could not run fails every test with its error. Whatever makes
 * `harness run` exit non-zero fails at least one test (see plan.ts). The run writes no report
 * and is not recorded: the out dir keeps the last `harness run`'s reports.
 */
import path from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { createHarness, type HarnessOptions, type HarnessRun } from '../core/index.ts';
import { assertionSpecsOf, modelEntryName, type SuiteSpec } from '../runner/index.ts';
import { planSuite, type PlannedTest } from './plan.ts';

export { failureMessage } from './plan.ts';
export { assertionTitle } from './title.ts';

/** Options of {@link describeSuite}. */
export interface DescribeSuiteOptions {
  /**
   * The suite's file, relative to the working directory or absolute: its models then run in
   * worker threads (made again from the file, with the watchdog), as in `harness run`. Without
   * it they run in vitest's own thread.
   */
  readonly file?: string;
  /** How to make the harness (the project's config is loaded from the working directory by default). */
  readonly harness?: HarnessOptions;
  /**
   * Only these models, as `harness run --model`: assertions about the suite's other models are
   * skipped tests, named with why. A model the suite does not have, or a filter that leaves
   * every assertion out (and no baseline), fails the suite's tests with the CLI's error.
   */
  readonly models?: readonly string[];
  /** Time the whole suite may take in `beforeAll`, in ms. Default 10 minutes. */
  readonly timeout?: number;
  /** Read and write the harness's score cache. Default true. */
  readonly cache?: boolean;
}

/**
 * One vitest test per assertion of `suite`, and the suite's own tests; see the module comment. A suite file's default
 * export may be a list of suites: each gets its own `describe`.
 */
export function describeSuite(
  suite: SuiteSpec | readonly SuiteSpec[],
  options: DescribeSuiteOptions = {},
): void {
  if (Array.isArray(suite)) {
    for (const one of suite as readonly SuiteSpec[]) describeOne(one, options);
  } else describeOne(suite as SuiteSpec, options);
}

function describeOne(suite: SuiteSpec, options: DescribeSuiteOptions): void {
  const modelNames = (suite.models ?? []).map(modelEntryName);
  const only = options.models;
  const file = options.file === undefined ? '' : path.resolve(options.file);
  // The tests are known before anything runs: `expect` only builds assertion specs.
  let tests: PlannedTest[];
  try {
    const specs = assertionSpecsOf(suite, modelNames);
    tests = planSuite({ spec: suite, file, modelNames, specs, models: only });
  } catch (err) {
    describe(suite.name, () => it('expect() builds the assertions', () => Promise.reject(err)));
    return;
  }
  describe(suite.name, () => {
    let run: Promise<HarnessRun>;
    beforeAll(async () => {
      run = (async () => {
        const harness = await createHarness(options.harness);
        // No reporter and no record: the out dir keeps the last `harness run`'s reports.
        return harness.runCollected([{ file, spec: suite, modelNames }], {
          record: false,
          track: false,
          reporters: [],
          cache: options.cache !== false,
          ...(only ? { models: only } : {}),
        });
      })();
      await run.catch(() => undefined); // each test reports the failure
    }, options.timeout ?? 600_000);
    for (const test of tests) {
      if (test.leftOut) {
        it.skip(test.title, () => undefined);
        continue;
      }
      it(test.title, async () => {
        const message = test.verdict(await run);
        if (message !== undefined) throw new Error(message);
      });
    }
  });
}
