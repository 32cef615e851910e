import { describe, expect, it } from 'vitest';
import { runEndRenderer, withoutRunEnd, withRunErrors } from '../../../src/core/run-end.ts';
import type { Reporter } from '../../../src/runner/index.ts';
import type { RunResult } from '../../../src/runner/types.ts';
import { greenRun } from '../report/run-fixture.ts';

/** A reporter that records the exit code and errors of every run end it renders. */
function recorder(name: string, seen: string[], onEnd?: () => void): Reporter {
  return {
    onRunEnd({ result }) {
      seen.push(`${name}:${result.summary.exitCode}:${(result.errors ?? []).join('|')}`);
      onEnd?.();
    },
  };
}

describe('withRunErrors', () => {
  it('leaves a run without errors as it is, and makes any error exit 2 whatever the suites say', () => {
    const run = greenRun();
    expect(withRunErrors(run, [])).toBe(run);
    const errored = withRunErrors(run, ['reporter "junit" failed in onRunEnd: EISDIR']);
    expect(errored.summary.exitCode).toBe(2);
    expect(errored.errors).toEqual(['reporter "junit" failed in onRunEnd: EISDIR']);
    expect(run.summary.exitCode).toBe(0);
  });

  it('withoutRunEnd keeps every other hook', () => {
    const r: Reporter = { onInit() {}, onSuiteResult() {}, onRunEnd() {} };
    expect(Object.keys(withoutRunEnd(r))).toEqual(['onInit', 'onSuiteResult']);
  });
});

describe('runEndRenderer', () => {
  const run: RunResult = greenRun();

  it('every reporter renders the errors known before the run ends', async () => {
    const seen: string[] = [];
    const errors = ['an uncaught exception outside any plugin call: stray'];
    const end = runEndRenderer([recorder('plain', seen), recorder('junit', seen)], () => errors);
    const result = await end(run);
    expect(seen).toEqual([`plain:2:${errors[0]}`, `junit:2:${errors[0]}`]);
    expect(result.summary.exitCode).toBe(2);
  });

  it('an error that comes mid-way reaches the later reporters, and the earlier ones render again', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const reporters = [
      recorder('plain', seen),
      // Fails once, as a guarded reporter does (guardReporter calls it no more).
      recorder(
        'junit',
        seen,
        () => void (errors.length === 0 && errors.push('reporter "junit" failed')),
      ),
      recorder('json', seen),
    ];
    const end = runEndRenderer(reporters, () => errors);
    expect((await end(run)).summary.exitCode).toBe(2);
    expect(seen).toEqual([
      'plain:0:',
      'junit:0:',
      'json:2:reporter "junit" failed',
      'plain:2:reporter "junit" failed',
      'junit:2:reporter "junit" failed',
    ]);
  });

  it('called again, renders only for reporters that saw fewer errors than there are now', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const end = runEndRenderer([recorder('a', seen), recorder('b', seen)], () => errors);
    await end(run);
    expect(await end(run)).toBe(run);
    expect(seen).toEqual(['a:0:', 'b:0:']);
    errors.push('an unhandled rejection outside any plugin call: late');
    expect((await end(run)).summary.exitCode).toBe(2);
    expect(seen.slice(2)).toEqual([`a:2:${errors[0]}`, `b:2:${errors[0]}`]);
  });

  it('ends the run at most twice per reporter, however often errors keep coming', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const flood = () => void errors.push(`error ${errors.length}`);
    const end = runEndRenderer(
      [recorder('a', seen, flood), recorder('b', seen, flood)],
      () => errors,
    );
    const result = await end(run);
    expect(seen).toHaveLength(4);
    expect(seen.slice(2).every((s) => s.split(':')[1] === '2')).toBe(true);
    expect(result.summary.exitCode).toBe(2);
  });

  it('called again with `only`, renders only for the reporters it keeps', async () => {
    // After a later run has written the out dir, a file reporter must leave its file alone.
    const seen: string[] = [];
    const errors: string[] = [];
    const end = runEndRenderer([recorder('plain', seen), recorder('json', seen)], () => errors);
    await end(run);
    errors.push('late');
    expect((await end(run, (i) => i === 0)).summary.exitCode).toBe(2);
    expect(seen).toEqual(['plain:0:', 'json:0:', 'plain:2:late']);
  });
});
