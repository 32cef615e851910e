/** @jsxRuntime automatic @jsxImportSource react */
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { SuiteReport } from '../../../src/report/ink/SuiteReport.tsx';
import { suiteBlock } from '../../../src/report/plain.ts';
import type { CaseResult, SuiteResult } from '../../../src/runner/types.ts';

/** A sim-to-real suite's result: 40 synthetic training systems, 10 real healthy test systems, 2 flagged. */
function suite(splitSources?: {
  train: 'synthetic' | 'real';
  test: 'synthetic' | 'real';
}): SuiteResult {
  const y = new Float64Array(10);
  const scores = Float64Array.from({ length: 10 }, (_, i) => i);
  const summary = evaluateScores({ y, scores, threshold: { kind: 'fixed', value: 8 } });
  const c: CaseResult = {
    state: 'scored',
    suite: 's2r',
    model: 'zscore',
    version: '1',
    options: {},
    seed: 'x',
    summary,
    systemIds: Array.from({ length: 10 }, (_, i) => `r${i}`),
    y,
    scores,
    timings: { fitMs: 1, scoreMs: 1 },
  };
  return {
    name: 's2r',
    file: 'suites/s2r.suite.ts',
    threshold: '5 % FPR on the training normals',
    dataset: {
      kind: 'source',
      name: 'all',
      dataDir: '/p/data',
      hash: 'h',
      systems: 50,
      train: 40,
      test: 10,
      generated: false,
      dataHash: 'd',
      dataSource: 'all',
      labelVersion: 1,
      labelsHash: 'l',
      splitSeed: 's',
      ...(splitSources ? { splitSources, split: 'trained on synthetic, tested on real' } : {}),
    },
    cases: [c],
    assertions: [],
    durationMs: 5,
  };
}

describe('a sim-to-real suite in the terminal reporters', () => {
  beforeAll(() => {
    chalk.level = 0;
  });
  const expected = [
    'source all (50 systems: trained on synthetic (40), tested on real (10))',
    // 2 of 10 normals flagged: Wilson 95 % [0.057, 0.510].
    'false alarms on real normals: fpr 0.200 [0.057, 0.510] (2 of 10) · roc_auc undefined:',
  ];

  it('plain: says which way the split went and the false-alarm rate with its CI', () => {
    const text = suiteBlock(suite({ train: 'synthetic', test: 'real' }), 3);
    for (const e of expected) expect(text).toContain(e);
  });

  it('ink: the same header and line', () => {
    const { lastFrame, unmount } = render(
      <SuiteReport suite={suite({ train: 'synthetic', test: 'real' })} columns={200} weakest={3} />,
    );
    const frame = lastFrame() ?? '';
    for (const e of expected) expect(frame).toContain(e);
    unmount();
  });

  it('a random split shows neither', () => {
    const text = suiteBlock(suite(), 3);
    expect(text).toContain('40 train / 10 test');
    expect(text).not.toContain('false alarms');
  });
});
