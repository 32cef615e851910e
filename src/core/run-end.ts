/**
 * The end of a run as the reporters render it. Some errors make a run exit 2 without being part
 * of any suite: a reporter that failed, an exception thrown from a timer in this process. The
 * reports must say so, or a CI that reads only junit.xml or results.json sees a green run the
 * CLI failed. So the harness, not the runner, calls `onRunEnd`, with the errors known by then;
 * an error that comes later (the junit reporter fails after plain printed PASS) makes the
 * reporters that rendered the run without it render it again.
 */
import type { Reporter } from '../runner/index.ts';
import type { RunResult } from '../runner/types.ts';

/** `run` with `errors` as its run-level errors: any makes its exit code 2. */
export function withRunErrors(run: RunResult, errors: readonly string[]): RunResult {
  if (errors.length === 0) return run;
  return { ...run, errors: [...errors], summary: { ...run.summary, exitCode: 2 } };
}

/** `reporter` without its `onRunEnd`: what the runner is given, so that only the harness ends the run. */
export function withoutRunEnd(reporter: Reporter): Reporter {
  const { onRunEnd: _end, ...hooks } = reporter;
  return hooks;
}

/**
 * Renders the end of the run: `render(run)` calls each reporter's `onRunEnd` with `run` and the
 * errors `errorsNow()` returns at that moment, and resolves to the run as last rendered. Called
 * again (after the run was recorded, say), it renders again only for the reporters that saw
 * fewer errors than there are now, and of those only the ones `only` keeps (by index), when
 * given. Each reporter ends the run at most twice: an error that keeps coming (a timer throwing
 * every few milliseconds) cannot keep the run from ending, and the second rendering already
 * has an error, so it says exit 2.
 */
export function runEndRenderer(
  reporters: readonly Reporter[],
  errorsNow: () => readonly string[],
): (run: RunResult, only?: (index: number) => boolean) => Promise<RunResult> {
  const seen = reporters.map(() => -1);
  const calls = reporters.map(() => 0);
  return async (run, only = () => true) => {
    for (let changed = true; changed;) {
      changed = false;
      for (const [i, reporter] of reporters.entries()) {
        const errors = errorsNow();
        if (seen[i] === errors.length || calls[i]! >= 2 || !only(i)) continue;
        seen[i] = errors.length;
        calls[i]! += 1;
        changed = true;
        await reporter.onRunEnd?.({ result: withRunErrors(run, errors) });
      }
    }
    return withRunErrors(run, errorsNow());
  };
}
