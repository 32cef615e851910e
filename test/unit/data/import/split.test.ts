/** Windows of window_days and what becomes of a short last window (`trailing`, `min_rows`). */
import { describe, expect, it } from 'vitest';
import { validateMapping } from '../../../../src/data/import/mapping.ts';
import { splitSystems, type StubTally } from '../../../../src/data/import/split.ts';
import type { CleanSeries } from '../../../../src/data/import/transform.ts';

const HOUR = 3_600_000;
const t0 = Date.UTC(2025, 0, 1);

/** One series sampled hourly at the given hours after t0; its one column counts the rows. */
function series(hours: number[]): CleanSeries {
  return { key: 'rack', timestamps: Float64Array.from(hours, (h) => t0 + h * HOUR), columns: { soc_pct: Float64Array.from(hours, (_, i) => i) } };
}
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

function split(hours: number[], system: Record<string, unknown>) {
  const mapping = validateMapping({ timestamp: { column: 't' }, system: { id: 'rack', ...system }, columns: { soc_pct: 's' }, metadata: { operational_mode: 'unknown' } }, '/x/m.json');
  const stubs: StubTally = { merged: 0, dropped: 0, mergedRows: 0, droppedRows: 0 };
  const systems = splitSystems([series(hours)], mapping, stubs);
  return { ids: systems.map((s) => `${s.systemId}:${s.timestamps.length}`), systems, stubs };
}

describe('trailing windows', () => {
  // two days of hourly samples and one more at 48 h: the export's last row starts a third day
  const twoDaysAndOne = range(0, 49);

  it('merges a last window shorter than half a window into the one before, by default', () => {
    const { ids, systems, stubs } = split(twoDaysAndOne, { window_days: 1 });
    expect(ids).toEqual(['rack-w000:24', 'rack-w001:25']);
    expect(systems[1]!.columns.soc_pct![24]).toBe(48); // the stub's row, in order, at the end
    expect(stubs).toEqual({ merged: 1, dropped: 0, mergedRows: 1, droppedRows: 0 });
  });

  it('keeps a last window that spans half a window or more', () => {
    expect(split(range(0, 61), { window_days: 1 }).ids).toEqual(['rack-w000:24', 'rack-w001:24', 'rack-w002:13']);
    expect(split(range(0, 60), { window_days: 1 }).ids).toEqual(['rack-w000:24', 'rack-w001:36']); // 11 h: merged
  });

  it('drops the stub with trailing: drop, or keeps it with trailing: keep', () => {
    expect(split(twoDaysAndOne, { window_days: 1, trailing: 'drop' })).toMatchObject({ ids: ['rack-w000:24', 'rack-w001:24'], stubs: { dropped: 1, droppedRows: 1 } });
    expect(split(twoDaysAndOne, { window_days: 1, trailing: 'keep' }).ids).toEqual(['rack-w000:24', 'rack-w001:24', 'rack-w002:1']);
  });

  it('with min_rows, judges the last window by its rows, and drops other short windows (cut by a gap)', () => {
    // 20 h of a third day is more than half a window, but fewer rows than min_rows
    expect(split(range(0, 68), { window_days: 1, min_rows: 22 }).ids).toEqual(['rack-w000:24', 'rack-w001:44']);
    const gap = [...range(0, 24), 30, 31, ...range(48, 72)]; // day 2 holds two rows
    expect(split(gap, { window_days: 1, min_rows: 10, trailing: 'drop' })).toMatchObject({ ids: ['rack-w000:24', 'rack-w002:24'], stubs: { dropped: 1, droppedRows: 2 } });
  });

  it('merges a stub only into the window right before it: after a gap, merge keeps it (min_rows drops it), drop drops it', () => {
    // 24 h on day 0, then 3 h on day 5: merging would make w000 span five days
    const gap = [...range(0, 24), ...range(120, 123)];
    expect(split(gap, { window_days: 1 })).toMatchObject({ ids: ['rack-w000:24', 'rack-w005:3'], stubs: { merged: 0, dropped: 0 } });
    expect(split(gap, { window_days: 1 }).systems[0]!.timestamps.at(-1)).toBe(t0 + 23 * HOUR);
    expect(split(gap, { window_days: 1, min_rows: 10 })).toMatchObject({ ids: ['rack-w000:24'], stubs: { merged: 0, dropped: 1, droppedRows: 3 } });
    expect(split(gap, { window_days: 1, trailing: 'drop' })).toMatchObject({ ids: ['rack-w000:24'], stubs: { dropped: 1, droppedRows: 3 } });
  });

  it('keeps a series shorter than a stub as one window: dropping it would import nothing', () => {
    expect(split(range(0, 3), { window_days: 1, trailing: 'drop' }).ids).toEqual(['rack-w000:3']);
  });

  it('cuts fractional-day windows on whole milliseconds (30 s at 10 Hz: 300 rows each)', () => {
    const mapping = validateMapping({ timestamp: { column: 't' }, system: { id: 'm', window_days: 30 / 86_400 }, columns: { soc_pct: 's' }, metadata: { operational_mode: 'unknown' } }, '/x/m.json');
    const ts = Float64Array.from(range(0, 1200), (i) => t0 + i * 100);
    const systems = splitSystems([{ key: 'm', timestamps: ts, columns: { soc_pct: new Float64Array(1200) } }], mapping);
    expect(systems.map((s) => s.timestamps.length)).toEqual([300, 300, 300, 300]);
  });
});
