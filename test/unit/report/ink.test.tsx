import { EventEmitter } from 'node:events';
import chalk, { type ColorSupportLevel } from 'chalk';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpectApi, gradeAssertions, type GradedCase } from '../../../src/assert/index.ts';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { App } from '../../../src/report/ink/App.tsx';
import { inkReporter } from '../../../src/report/ink/index.ts';
import { liveLines, metricsTable, progressBar } from '../../../src/report/ink/layout.ts';
import { InkStore, type ModelProgress } from '../../../src/report/ink/store.ts';
import type {
  CaseResult,
  CollectedSuite,
  RunResult,
  SuiteResult,
} from '../../../src/runner/types.ts';

// NO_COLOR is read when chalk is imported; set the level directly so frames are plain text.
let level: ColorSupportLevel;
beforeAll(() => {
  level = chalk.level;
  chalk.level = 0;
});
afterAll(() => {
  chalk.level = level;
});

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUITE = 'fleet-smoke';
const N = 60;
const next = rng(7);
const y = Float64Array.from({ length: N }, (_, i) => (i % 5 < 2 ? 1 : 0));
const mode = Array.from({ length: N }, (_, i) => ['charge', 'discharge', 'idle'][i % 3]!);
const systemIds = Array.from({ length: N }, (_, i) => `sys-${String(i).padStart(4, '0')}`);

function scoredCase(model: string, scores: Float64Array): CaseResult {
  const summary = evaluateScores({
    y,
    scores,
    threshold: 0.5,
    strata: { operational_mode: mode },
    systemIds,
  });
  return {
    state: 'scored',
    suite: SUITE,
    model,
    version: '1',
    options: {},
    seed: `bess:${SUITE}:${model}`,
    summary,
    systemIds,
    y,
    scores,
    timings: { fitMs: 120, scoreMs: 880 },
  };
}

/** A separating model, a random one, and one that crashed. */
const cases: CaseResult[] = [
  scoredCase(
    'zscore',
    Float64Array.from(y, (v) => 0.35 * v + 0.65 * next()),
  ),
  scoredCase(
    'random',
    Float64Array.from(y, () => next()),
  ),
  {
    state: 'errored',
    suite: SUITE,
    model: 'crashy',
    version: '1',
    options: {},
    seed: `bess:${SUITE}:crashy`,
    error: 'score(sys-0003): boom on purpose',
  },
];

const { metric } = createExpectApi();
const graded: Record<string, GradedCase> = {};
for (const c of cases)
  graded[c.model] =
    c.state === 'scored'
      ? { state: 'scored', summary: c.summary, y: c.y, scores: c.scores, systemIds: c.systemIds }
      : { state: 'errored', error: c.error };
const assertions = gradeAssertions(
  [
    metric('zscore', 'roc_auc').toBeGreaterThan(0.6),
    metric('random', 'roc_auc').toBeGreaterThan(0.95),
  ],
  graded,
);

const suite: SuiteResult = {
  name: SUITE,
  file: '/proj/suites/fleet-smoke.suite.ts',
  dataset: {
    kind: 'scenario',
    name: 'smoke',
    dataDir: '/proj/data',
    hash: 'h',
    systems: 2 * N,
    train: N,
    test: N,
    generated: false,
    dataHash: 'd'.repeat(64),
    dataSource: 'synthetic',
    labelVersion: 1,
    labelsHash: 'l'.repeat(64),
    testFraction: 0.5,
    splitSeed: 's',
  },
  threshold: 'fixed 0.5',
  cases,
  assertions,
  durationMs: 1234,
};

const run: RunResult = {
  harnessVersion: '0.1.0',
  startedAt: '2025-01-01T00:00:00.000Z',
  seed: 'bess',
  suites: [suite],
  summary: {
    suites: 1,
    cases: { scored: 2, errored: 1 },
    assertions: { passed: 1, failed: 1, errored: 0 },
    gates: { passed: 0, failed: 0 },
    exitCode: 2,
    durationMs: 2500,
  },
};

const collected = [
  { file: suite.file, modelNames: ['zscore', 'random', 'crashy'], spec: { name: SUITE } },
] as unknown as CollectedSuite[];

/** React commits a store update in a microtask; let it (and Ink's render) run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Feeds the store what the runner's hooks would, up to the end of the suite. */
async function playSuite(
  store: InkStore,
  frame: () => string | undefined,
): Promise<{ midRun: string }> {
  store.collected(collected);
  await tick();
  for (const m of ['zscore', 'random', 'crashy']) store.caseStart(SUITE, m, 10);
  store.caseProgress(SUITE, 'zscore', 3, 10);
  store.caseProgress(SUITE, 'random', 3, 10);
  await tick();
  const midRun = frame() ?? '';
  for (const c of cases) {
    store.caseResult(c);
    await tick();
  }
  store.suiteResult(suite);
  await tick();
  return { midRun };
}

describe('ink App', () => {
  it('shows progress bars mid-run, then the finished suite once and the summary', async () => {
    const store = new InkStore();
    const { lastFrame, frames, unmount } = render(<App store={store} />);
    const { midRun } = await playSuite(store, lastFrame);

    expect(midRun).toContain('harness run · 1 suite');
    expect(midRun).toContain(`❯ ${SUITE}`);
    expect(midRun).toMatch(/› zscore +█+░+ 3\/10/);
    expect(midRun).toMatch(/› random +█+░+ 3\/10/);
    expect(midRun).toContain('Suites 0/1');
    expect(midRun).not.toContain('roc_auc');

    const framesMidRun = frames.length;
    store.runEnd(run);
    await tick();
    expect(frames.length).toBeGreaterThan(framesMidRun);
    // The app exits once the summary is shown; under CI=true Ink's unmount then writes one more
    // (empty, in ink-testing-library's debug mode) frame, so read the last non-blank one.
    const last = frames.filter((f) => f.trim() !== '').at(-1) ?? '';
    expect(last).toBe(lastFrame()?.trim() === '' ? last : lastFrame());
    const auc = (m: string) =>
      (
        cases.find((c) => c.model === m && c.state === 'scored') as Extract<
          CaseResult,
          { state: 'scored' }
        >
      ).summary.metrics['roc_auc']!;
    // Case lines, assertions, the table and the summary.
    expect(last).toContain(
      `${SUITE}  /proj/suites/fleet-smoke.suite.ts · scenario smoke (120 systems: 60 train / 60 test)`,
    );
    expect(last).toMatch(/● zscore +roc_auc \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    expect(last).toContain('✗ crashy  errored: score(sys-0003): boom on purpose');
    expect(last).toContain(`✓ zscore roc_auc ${auc('zscore').toFixed(3)} > 0.6`);
    expect(last).toContain(`✗ expected random roc_auc > 0.95, got ${auc('random').toFixed(3)}`);
    expect(last).toMatch(/model +roc_auc +CI +ap +recall +@ threshold +time/);
    expect(last).toMatch(
      /zscore +\d\.\d{3} +\[\d\.\d{3}, \d\.\d{3}\] +\d\.\d{3} +\d\.\d{3} +0\.500 +1\.0 s/,
    );
    expect(last).toMatch(/crashy +errored/);
    expect(last).toMatch(/weakest strata: zscore operational_mode=\w+ \d\.\d{2}/);
    expect(last).toContain(
      'ERROR  Assertions 1 passed, 1 failed · Cases 2 scored, 1 errored · Suites 1 · 2.5 s',
    );
    // The live area is gone, and the summary is the bottom line.
    expect(last).not.toContain('3/10');
    expect(last.trimEnd().split('\n').at(-1)).toContain('Assertions 1 passed');
    // <Static> printed the finished suite once, not once per re-render.
    expect(last.split(`${SUITE}  `).length - 1).toBe(1);
    expect(last.split('harness run · 1 suite').length - 1).toBe(1);
    unmount();
  });

  it('says which suite is loading before its first model starts, and shows a fold after the first', async () => {
    const store = new InkStore();
    const { lastFrame, unmount } = render(<App store={store} />);
    store.collected(collected);
    await tick();
    expect(lastFrame()).toContain(`❯ ${SUITE} loading data…`);
    store.caseStart(SUITE, 'zscore', 10);
    store.caseProgress(SUITE, 'zscore', 10, 10);
    store.caseStart(SUITE, 'zscore', 8);
    store.caseProgress(SUITE, 'zscore', 4, 8);
    await tick();
    expect(lastFrame()).toMatch(/zscore +█+░+ 4\/8 fold 2/);
    unmount();
  });
});

/** A stand-in for process.stdout that keeps every write. */
function fakeStdout(): { stdout: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stdout = Object.assign(new EventEmitter(), {
    columns: 100,
    rows: 40,
    isTTY: false,
    write: (s: string) => {
      writes.push(s);
      return true;
    },
  }) as unknown as NodeJS.WriteStream;
  return { stdout, writes };
}

describe('inkReporter', () => {
  it('writes each finished suite once and ends with the complete last frame', async () => {
    const { stdout, writes } = fakeStdout();
    const r = inkReporter({ stdout });
    await r.onSuiteCollected!({ suites: collected });
    for (const m of ['zscore', 'random', 'crashy'])
      await r.onCaseStart!({ suite: SUITE, model: m, total: 10 });
    await r.onCaseProgress!({ suite: SUITE, model: 'zscore', done: 3, total: 10 });
    for (const c of cases) await r.onCaseResult!({ result: c });
    await r.onSuiteResult!({ result: suite });
    await r.onRunEnd!({ result: run });
    const out = writes.join('');
    expect(out.split(`${SUITE}  `).length - 1).toBe(1);
    expect(out).toContain('✓ zscore roc_auc');
    expect(out).toContain('ERROR  Assertions 1 passed, 1 failed');
  });

  it('rendered again after the app exited (a later reporter failed), it writes the errors and the ERROR summary below its frame', async () => {
    const { stdout, writes } = fakeStdout();
    const r = inkReporter({ stdout });
    await r.onSuiteCollected!({ suites: collected });
    await r.onSuiteResult!({ result: suite });
    const green = { ...run, errors: [], summary: { ...run.summary, exitCode: 0 as const } };
    await r.onRunEnd!({ result: green });
    const before = writes.length;
    const errors = ['reporter "junit" failed in onRunEnd: EISDIR'];
    await r.onRunEnd!({ result: { ...run, errors, summary: { ...run.summary, exitCode: 2 } } });
    const after = writes.slice(before).join('');
    expect(after).toContain(`✗ harness error: ${errors[0]}`);
    expect(after).toMatch(/\nERROR {2}Assertions /);
  });

  it('fails the run when the app cannot render, instead of going quiet', async () => {
    const { stdout } = fakeStdout();
    const r = inkReporter({ stdout });
    await r.onSuiteCollected!({ suites: collected });
    const broken = { ...suite, cases: undefined } as unknown as SuiteResult;
    await r.onSuiteResult!({ result: broken });
    await new Promise<void>((resolve) => setImmediate(resolve));
    await expect(r.onRunEnd!({ result: run })).rejects.toThrow();
  });
});

describe('layout', () => {
  it('progress bars fill in proportion and fit the width given', () => {
    expect(progressBar(3, 10, 10)).toBe('███░░░░░░░');
    expect(progressBar(0, 0, 4)).toBe('████');
    expect(progressBar(12, 10, 4)).toBe('████');
  });

  it('the table drops the time, then the CI column, then cuts model names on a narrow terminal', () => {
    const wide = metricsTable(cases, 120);
    expect(wide[0]).toMatch(/CI.*time/);
    const mid = metricsTable(cases, 62);
    expect(mid[0]).toContain('CI');
    expect(mid[0]).not.toContain('time');
    const narrow = metricsTable(cases, 40);
    expect(narrow[0]).not.toContain('CI');
    for (const line of narrow)
      expect(line.length).toBeLessThanOrEqual(Math.max(40, 2 + 6 + 2 + 7 + 2 + 5 + 2 + 6 + 2 + 11));
  });
});

describe('the live area', () => {
  const model = (i: number, over: Partial<ModelProgress> = {}): ModelProgress => ({
    model: `m${i}`,
    done: 3,
    total: 10,
    fold: 1,
    state: 'running',
    ...over,
  });
  const view = (models: readonly ModelProgress[], rows: number | undefined) =>
    liveLines({
      running: { name: SUITE, models },
      next: undefined,
      suitesDone: 0,
      suitesTotal: 2,
      columns: 80,
      rows,
    });

  it("stays below the terminal's height: an errored model shows its message's first line", () => {
    // With the top margin, a live area of `rows` rows made Ink clear the screen and scrollback.
    const error = Array.from({ length: 21 }, (_, i) => `line ${i + 1}`).join('\n');
    const lines = view([model(0, { state: 'errored', error }), model(1), model(2)], 24);
    expect(lines.join('\n')).toContain('✗ m0 errored: line 1 …');
    expect(lines.join('\n')).not.toContain('line 2');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('counts the models past the height on one line', () => {
    const many = Array.from({ length: 30 }, (_, i) => model(i));
    const lines = view(many, 12);
    expect(1 + lines.length).toBeLessThan(12);
    expect(lines).toContain('  … 24 more models');
    expect(lines.at(-1)).toBe('Suites 0/2');
    expect(view(many, 40)).toHaveLength(1 + 30 + 2);
    expect(view(many, undefined)).toHaveLength(1 + 30 + 2);
    expect(1 + view(many, 3).length).toBeLessThan(3);
  });
});

describe('text from the run', () => {
  it('reaches the frames without its escapes and control characters', async () => {
    const nasty = 'score(sys-0003): bad \u001b[31mred\u001b[0m \u0000nul \u0007bell\rback';
    const noisy = cases.map((c) =>
      c.state === 'errored' ? { ...c, model: 'crashy\u001b[1m', error: nasty } : c,
    );
    const store = new InkStore();
    const { frames, unmount } = render(<App store={store} />);
    store.collected(collected);
    for (const c of noisy) store.caseStart(SUITE, c.model, 10);
    await tick();
    for (const c of noisy) {
      store.caseResult(c);
      await tick();
    }
    store.suiteResult({ ...suite, cases: noisy, error: 'suite \u0007error' });
    await tick();
    store.runEnd({ ...run, errors: ['a plugin failed \u001b[2Jloudly'] });
    await tick();
    const all = frames.join('');
    expect(all).toContain('errored: score(sys-0003): bad red nul bell');
    expect(all).toContain('a plugin failed loudly');
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    unmount();
  });
});
