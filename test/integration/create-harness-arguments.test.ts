/**
 * What code gives createHarness and a harness's run is checked as the config file is: `{
 * workers: 0 }` made a pool that never scored (the process exited 13 without a word), and a
 * filter given as a string or with a misspelt key ran every suite and passed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, HarnessError } from '../../src/index.ts';
import { makeProject } from '../helpers/run-harness.ts';

const DATASET = `{ scenario: { name: 'tiny', systems: 12, days: 2, interval: '30m', anomalyRate: 0.5, seed: 't' } }`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1, history: false };\n',
    'suites/smoke.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'smoke', dataset: ${DATASET}, models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)] });
`,
  });
});
afterAll(() => project.cleanup());

/** The HarnessError message `promise` rejects with (fails the test if it resolves or throws anything else). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => expect.unreachable('accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  return (err as HarnessError).message;
}

describe('createHarness overrides follow the config file rules', () => {
  it.each([
    [{ workers: 0 }, 'overrides.workers: must be a whole number of worker threads from 1 to 256'],
    [{ workers: '2' }, 'overrides.workers: must be a whole number'],
    [{ workers: 1.5 }, 'overrides.workers: must be a whole number'],
    [{ workers: 257 }, 'overrides.workers: must be a whole number'],
    [{ timeoutMs: '100' }, 'overrides.timeoutMs: must be a whole number of milliseconds'],
    [{ timeoutMs: -1 }, 'overrides.timeoutMs: must be a whole number of milliseconds'],
    [{ history: 'no' }, 'overrides.history: must be true'],
    [{ outDir: '' }, 'overrides.outDir: must be a non-empty string'],
    [{ worker: 2 }, 'overrides.worker: unknown field (known: timeoutMs, workers, history, outDir'],
    [{ constructor: 2 }, 'overrides.constructor: unknown field'],
  ])('%j', async (overrides, message) => {
    expect(
      await refusal(createHarness({ cwd: project.dir, overrides: overrides as never })),
    ).toContain(`createHarness: ${message}`);
  });

  it('a misspelt option is named, and a valid override is taken (folders made absolute)', async () => {
    expect(
      await refusal(createHarness({ cwd: project.dir, override: { workers: 2 } } as never)),
    ).toBe('createHarness: unknown option override (known: cwd, config, overrides, env)');
    const harness = await createHarness({
      cwd: project.dir,
      overrides: { workers: 2, timeoutMs: undefined, outDir: 'out' },
    });
    expect(harness.config.workers).toBe(2);
    expect(harness.config.timeoutMs).toBe(60_000);
    expect(harness.config.outDir).toBe(path.resolve('out'));
  });

  it('a config given as it is with workers: 0 is refused too', async () => {
    const { config } = await createHarness({ cwd: project.dir });
    expect(await refusal(createHarness({ config: { ...config, workers: 0 } }))).toContain(
      'createHarness: config.workers: must be a whole number',
    );
  });
});

describe('a run filter from code', () => {
  it.each([
    ['smoke', "harness.run: the filter must be an object such as { words: ['smoke'] }"],
    [
      { suite: ['smoke'] },
      'harness.run: the filter: unknown option suite (known: words, suites, models)',
    ],
    [{ words: 'smoke' }, 'harness.run: filter.words must be a list of names'],
    [{ words: [''] }, 'harness.run: filter.words[0] is empty'],
    [{ models: [3] }, 'harness.run: filter.models[0] must be a name'],
  ])('run(%j) is refused', async (filter, message) => {
    const harness = await createHarness({ cwd: project.dir });
    expect(await refusal(harness.run(filter as never, { reporters: [] }))).toContain(message);
  });

  it('collect and run options are checked as well; a right filter runs', async () => {
    const harness = await createHarness({ cwd: project.dir });
    expect(await refusal(harness.collect({ suite: ['smoke'] } as never))).toContain(
      'harness.collect: the filter: unknown option suite',
    );
    expect(await refusal(harness.run({}, { reporter: ['plain'] } as never))).toContain(
      'harness.run: the options: unknown option reporter',
    );
    const run = await harness.run({ suites: ['smoke'] }, { reporters: [] });
    expect(run.exitCode).toBe(0);
    expect(run.result.suites.map((s) => s.name)).toEqual(['smoke']);
  }, 60_000);
});
