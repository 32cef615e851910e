import { describe, expect, it } from 'vitest';
import { caseLine } from '../../../src/report/plain.ts';
import type { CaseResult } from '../../../src/runner/types.ts';
import { scoredCase } from '../assert/cases.ts';

describe('plain reporter: cached cases', () => {
  it('marks a case whose scores came from the cache, and only such a case', () => {
    const g = scoredCase([1, 1, 0, 0, 0], [0.9, 0.8, 0.1, 0.2, 0.3]);
    const c: CaseResult = {
      state: 'scored',
      suite: 's',
      model: 'm',
      version: '1',
      options: {},
      seed: 'seed:s:m',
      summary: g.summary,
      systemIds: g.systemIds,
      y: g.y,
      scores: g.scores,
      timings: { fitMs: 0, scoreMs: 0 },
    };
    expect(caseLine({ ...c, cached: true }, 1)).toContain('(cached)');
    expect(caseLine(c, 1)).not.toContain('(cached)');
  });
});
