import { describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_MS, progressPoster } from '../../../src/runner/progress-poster.ts';

describe('progressPoster: a worker progress thinned out per model', () => {
  it('passes the first count, then one per interval per model, and always the last', () => {
    let clock = 0;
    const sent: [string, number][] = [];
    const on = progressPoster(
      (m, d) => sent.push([m, d]),
      () => clock,
    );
    on('a', 1, 5); // first: sent
    on('a', 2, 5); // same instant: dropped
    on('b', 1, 5); // another model: its own interval
    clock += PROGRESS_EVERY_MS - 1;
    on('a', 3, 5); // too soon: dropped
    clock += 1;
    on('a', 4, 5); // an interval later: sent
    on('a', 5, 5); // the last: sent however soon
    on('b', 5, 5);
    expect(sent).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 4],
      ['a', 5],
      ['b', 5],
    ]);
  });
});
