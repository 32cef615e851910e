import { describe, expect, it } from 'vitest';
import { checkSuite } from '../../../src/runner/collect.ts';

const suite = { name: 's', dataset: 'default', models: ['random'], expect: () => [] };

describe('checkSuite', () => {
  it('accepts every documented key', () => {
    const full = {
      ...suite,
      description: 'd',
      split: { test: 0.5, seed: 1, groupWindows: true },
      scores: { path: 'scores.csv' },
      threshold: { kind: 'train_fpr', fpr: 0.05 },
      breakdown: ['failure_type'],
      compareSources: false,
      alarms: true,
      minPositives: 5,
      contract: false,
      baseline: { tolerance: 0.02, alpha: 0.05, allowUnderpowered: false },
    };
    expect(checkSuite(full, 'x.suite.ts')).toBe(full);
  });

  it('a misspelt key is an error naming the file, the key and what was meant: never ignored', () => {
    const cases: [object, string][] = [
      [{ ...suite, expects: suite.expect }, 'unknown suite key `expects` (did you mean "expect"?)'],
      [{ ...suite, split: { tests: 0.2 } }, 'unknown split key `tests` (did you mean "test"?)'],
      [
        { ...suite, baseline: { tolerence: 0.5 } },
        'unknown baseline key `tolerence` (did you mean "tolerance"?)',
      ],
    ];
    for (const [spec, message] of cases)
      expect(() => checkSuite(spec, 'x.suite.ts')).toThrow(`x.suite.ts: suite "s": ${message}`);
  });
});
