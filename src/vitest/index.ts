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
 * One vitest `describe` per suite and one test per assertion, named as the assertion reads.
 * The suite runs once (in `beforeAll`); a failed assertion fails its test with the measured
 * value and what was expected, an assertion that could not be graded (a model that crashed)
 * fails with why, and a suite that could not run fails every test with its error.
 */
import path from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import type { AssertionResult } from '../assert/types.ts';
import { createHarness, type HarnessOptions, type HarnessRun } from '../core/index.ts';
import { assertionSpecsOf, modelEntryName, type SuiteSpec } from '../runner/index.ts';
import { assertionTitle } from './title.ts';

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
  /** Only these models; assertions about the others are left out. */
  readonly models?: readonly string[];
  /** Time the whole suite may take in `beforeAll`, in ms. Default 10 minutes. */
  readonly timeout?: number;
  /** Read and write the harness's score cache. Default true. */
  readonly cache?: boolean;
}

/**
 * One vitest test per assertion of `suite`; see the module comment. A suite file's default
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
  // The titles are known before anything runs: `expect` only builds assertion specs.
  let titles: string[];
  try {
    titles = assertionSpecsOf(suite, modelNames).map(assertionTitle);
  } catch (err) {
    describe(suite.name, () => it('expect() builds the assertions', () => Promise.reject(err)));
    return;
  }
  describe(suite.name, () => {
    let run: Promise<HarnessRun>;
    beforeAll(async () => {
      run = (async () => {
        const harness = await createHarness(options.harness);
        const file = options.file === undefined ? '' : path.resolve(options.file);
        return harness.runCollected([{ file, spec: suite, modelNames }], {
          record: false,
          reporters: [],
          cache: options.cache !== false,
          ...(only ? { models: only } : {}),
        });
      })();
      await run.catch(() => undefined); // each test reports the failure
    }, options.timeout ?? 600_000);
    titles.forEach((title, id) => {
      it(title, async () => {
        const result = (await run).result.suites[0];
        if (!result) throw new Error(`suite "${suite.name}" did not run`);
        if (result.error) throw new Error(`suite "${suite.name}" could not run: ${result.error}`);
        const a = result.assertions.find((x) => x.id === id);
        // With `models`, an assertion about a model left out is not graded: nothing to check.
        if (!a) return;
        if (a.state !== 'passed') throw new Error(failureMessage(a));
      });
    });
  });
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
