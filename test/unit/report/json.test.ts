import { describe, expect, it } from 'vitest';
import { toJson } from '../../../src/report/json.ts';
import { buildRun } from './run-fixture.ts';

describe('results.json', () => {
  it('gives every case, scored or errored, the seed its model was given', () => {
    const cases = toJson(buildRun()).suites[0]!.cases;
    expect(cases.map((c) => [c.model, c.state, c.seed])).toEqual([
      ['good', 'scored', 'report-fixture:detectors:good'],
      ['random', 'scored', 'report-fixture:detectors:random'],
      ['crashy', 'errored', 'report-fixture:detectors:crashy'],
    ]);
  });
});
