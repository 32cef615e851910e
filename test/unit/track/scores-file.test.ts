import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { formatScoresCsv, parseScoresCsv } from '../../../src/track/scores-file.ts';

describe('scores/<suite>/<model>.csv', () => {
  it('reads back exactly the numbers it wrote', () => {
    const scores = Float64Array.from([0.1 + 0.2, 1e-300, -0, -2.5e21, 1 / 3, 0]);
    const s = {
      systemIds: ['a', 'b.1', 'c_2', 'd-3', 'E', 'f'],
      y: Float64Array.from([1, 0, 0, 1, 0, 1]),
      scores,
    };
    const text = formatScoresCsv(s);
    expect(text.split('\n')[0]).toBe('system_id,label,score');
    expect(text.split('\n')[1]).toBe('a,anomaly,0.30000000000000004');
    expect(text.endsWith('\n')).toBe(true);
    const back = parseScoresCsv(text, 'x.csv');
    expect(back.systemIds).toEqual(s.systemIds);
    expect(Array.from(back.y)).toEqual([1, 0, 0, 1, 0, 1]);
    expect(Array.from(back.scores)).toEqual(
      Array.from(scores).map((v) => (Object.is(v, -0) ? 0 : v)),
    );
  });

  it('refuses to write a score that is not finite', () => {
    expect(() =>
      formatScoresCsv({
        systemIds: ['a'],
        y: Float64Array.from([1]),
        scores: Float64Array.from([NaN]),
      }),
    ).toThrow(/score of a is NaN/);
  });

  it('names the line of a damaged file', () => {
    const bad = (text: string) => {
      try {
        parseScoresCsv(text, 'run/scores/s/m.csv');
      } catch (err) {
        if (err instanceof HarnessError) return err.problems.map((p) => `${p.line}: ${p.message}`);
      }
      throw new Error('expected a HarnessError');
    };
    expect(bad('system_id,score\na,1\n')).toEqual([
      '1: expected the header "system_id,label,score", found "system_id,score"',
    ]);
    expect(bad('system_id,label,score\na,anomaly,1\nb,maybe,2\n')).toEqual([
      '3: expected system_id,anomaly|normal,<finite score>, found "b,maybe,2"',
    ]);
    expect(bad('system_id,label,score\na,normal,\n')).toEqual([
      '2: expected system_id,anomaly|normal,<finite score>, found "a,normal,"',
    ]);
    // Cut inside its last row: `0.81` cut to `0.8` still parses as a score never given.
    expect(bad('system_id,label,score\na,anomaly,0.81\nb,normal,0.8')).toEqual([
      '3: the last line "b,normal,0.8" has no newline: the file ends inside a row',
    ]);
  });
});
