/**
 * Export rows to series: aggregates across columns (units per cell, missing cells skipped, a
 * row with no reading left missing) and extra columns (numbers and flags kept, anything else
 * dropped and located), on tables built in memory.
 */
import { describe, expect, it } from 'vitest';
import { validateMapping } from '../../../../src/data/import/mapping.ts';
import type { RawTable } from '../../../../src/data/import/read.ts';
import { ImportTally, RowCollector } from '../../../../src/data/import/transform.ts';

const FILE = '/x/m.json';
const cells = ['U_01', 'U_02', 'U_03'];

function table(header: string[], rows: unknown[][], kind: 'csv' | 'parquet' = 'csv'): RawTable {
  return { file: '/x/export.csv', kind, header, rows: rows.map((cells, i) => ({ line: i + 2, cells })), malformed: [] };
}

function collect(mapping: unknown, t: RawTable) {
  const tally = new ImportTally();
  const c = new RowCollector(validateMapping(mapping, FILE), tally);
  expect(c.headerProblems(t)).toEqual([]);
  c.add(t);
  return { series: c.finish(), tally };
}

const base = {
  timestamp: { column: 't', format: 'elapsed', origin: '2024-01-01T00:00:00Z' },
  system: { id: 'm' },
  metadata: { operational_mode: 'unknown' },
};

describe('aggregates across columns', () => {
  const t = table(
    ['t', ...cells],
    [
      ['0 days 00:00:00', '3301.5', '3299.0', '3300.2'],
      ['0 days 00:00:00.1', '3302.0', '', 'NaN'], // missing cells are skipped
      ['0 days 00:00:00.2', '', '', ''], // no reading at all: missing
      ['0 days 00:00:00.3', '9999', '3298.0', '3300.0'], // a sentinel cell is dropped, the others count
      ['0 days 00:00:00.4', '3300', 'x', '3301'], // a cell that is no number is dropped and located
    ],
  );
  const mapping = {
    ...base,
    columns: {
      cell_voltage_max_v: { max: cells, unit: 'mV', sentinel: 9999 },
      cell_voltage_min_v: { min: cells, unit: 'mV', sentinel: 9999 },
    },
    extra: { cell_voltage_mean_v: { mean: cells, scale: 0.001, sentinel: 9999 } },
  };

  it('takes max, min and mean per row of the cells that hold a reading, each converted first', () => {
    const { series } = collect(mapping, t);
    const s = series[0]!;
    expect([...s.timestamps].map((ms) => ms - Date.UTC(2024, 0, 1))).toEqual([0, 100, 200, 300, 400]);
    const c = s.columns;
    const mv = (a: Float64Array | undefined) => [...a!].map((v) => Math.round(v * 1e7) / 1e4);
    expect(mv(c.cell_voltage_max_v)).toEqual([3301.5, 3302, NaN, 3300, 3301]);
    expect(mv(c.cell_voltage_min_v)).toEqual([3299, 3302, NaN, 3298, 3300]);
    const mean = [...c['cell_voltage_mean_v']!];
    expect(mean[0]).toBeCloseTo((3301.5 + 3299.0 + 3300.2) / 3 / 1000, 12);
    expect(mean[1]).toBeCloseTo(3.302, 12);
    expect(mean[2]).toBeNaN();
    expect(mean[3]).toBeCloseTo(3.299, 12);
  });

  it('counts and locates every dropped cell under the output it fed', () => {
    const { tally } = collect(mapping, t);
    expect(tally.drops.get('sentinel')).toMatchObject({ count: 3, sensors: { cell_voltage_max_v: 1, cell_voltage_min_v: 1, cell_voltage_mean_v: 1 } });
    expect(tally.drops.get('unparsable_value')?.first).toEqual({ file: '/x/export.csv', line: 6, column: 3, message: 'cell_voltage_max_v: "x" is not a number' });
  });

  it('applies a negative scale per cell, so max stays the largest converted value', () => {
    const flipped = { ...base, columns: { current_a: { max: ['I1', 'I2'], scale: -1 } } };
    const { series } = collect(flipped, table(['t', 'I1', 'I2'], [['0', '5', '-3']]));
    expect([...series[0]!.columns.current_a!]).toEqual([3]);
  });

  it('names a missing aggregate column at line 1 with its mapping field', () => {
    const c = new RowCollector(validateMapping(mapping, FILE), new ImportTally());
    const problems = c.headerProblems(table(['t', 'U_01', 'U_03'], []));
    expect(problems.map((p) => p.message)).toEqual([
      'column "U_02" (columns.cell_voltage_max_v.max in m.json) is not in the header (did you mean "U_01"?) (header: t, U_01, U_03)',
      'column "U_02" (columns.cell_voltage_min_v.min in m.json) is not in the header (did you mean "U_01"?) (header: t, U_01, U_03)',
      'column "U_02" (extra.cell_voltage_mean_v.mean in m.json) is not in the header (did you mean "U_01"?) (header: t, U_01, U_03)',
    ]);
    expect(problems.every((p) => p.line === 1)).toBe(true);
  });
});

describe('extra columns', () => {
  const mapping = { ...base, columns: { current_a: 'I' }, extra: { string_current_1_a: 'I_S1', interpolated: 'interp' } };

  it('keeps numbers and reads true/false flags as 1/0; anything else is dropped with its line and column', () => {
    const t = table(
      ['t', 'I', 'I_S1', 'interp'],
      [
        ['0', '10', '5.5', 'False'],
        ['1', '10', '', 'True'],
        ['2', '10', 'tripped', 'maybe'],
      ],
    );
    const { series, tally } = collect(mapping, t);
    const c = series[0]!.columns;
    expect([...c['string_current_1_a']!]).toEqual([5.5, NaN, NaN]);
    expect([...c['interpolated']!]).toEqual([0, 1, NaN]);
    const d = tally.drops.get('unparsable_value')!;
    expect(d.count).toBe(2);
    expect(d.first).toEqual({ file: '/x/export.csv', line: 4, column: 3, message: 'string_current_1_a: "tripped" is not a number' });
    expect(d.sensors).toEqual({ string_current_1_a: 1, interpolated: 1 });
  });

  it('takes Parquet booleans and numbers as they come; a contract sensor takes no boolean', () => {
    const { series, tally } = collect(mapping, table(['t', 'I', 'I_S1', 'interp'], [[0.5, true, 3, true]], 'parquet'));
    expect(series[0]!.columns['interpolated']![0]).toBe(1);
    expect(series[0]!.columns.current_a![0]).toBeNaN();
    expect(tally.drops.get('unparsable_value')?.first?.message).toBe('row 2, column "I": current_a: "true" is not a number');
  });
});

describe('elapsed timestamps in rows', () => {
  it('drops a row whose time is no elapsed time, located at its line and the time column', () => {
    const t = table(['x', 't', 'I'], [['0', '0 days 00:00:00', '1'], ['1', '0 days 00:00:00.1', '2'], ['2', '0 days 00:00:0.2 ', '3'], ['3', '0.3', '4']]);
    const { series, tally } = collect({ ...base, columns: { current_a: 'I' } }, t);
    expect([...series[0]!.timestamps].map((ms) => ms - Date.UTC(2024, 0, 1))).toEqual([0, 100, 300]);
    expect(tally.drops.get('unparsable_timestamp')).toMatchObject({
      count: 1,
      first: { file: '/x/export.csv', line: 4, column: 2, message: '"0 days 00:00:0.2" is not an elapsed time (seconds, or a pandas Timedelta such as "0 days 00:00:00.1")' },
    });
  });
});

describe('a decimal-comma export', () => {
  it('reads "." as the thousands separator it is there, never as a decimal point', () => {
    const mapping = { ...base, delimiter: ';', decimal: ',', columns: { voltage_v: 'U' } };
    const t = table(
      ['t', 'U'],
      [['0', '1.234'], ['1', '1.234,5'], ['2', '812,25'], ['3', '-0,5'], ['4', '1234.7'], ['5', '1.23'], ['6', '12.34,5']],
    );
    const { series, tally } = collect(mapping, t);
    // 1.234 was read as 1.234 V: a value 1000 times too small, within the limits, exit 0.
    expect([...series[0]!.columns.voltage_v!]).toEqual([1234, 1234.5, 812.25, NaN, NaN, NaN, NaN]);
    expect(tally.drops.get('out_of_range')?.count).toBe(1); // -0.5 V
    expect(tally.drops.get('unparsable_value')).toMatchObject({
      count: 3,
      first: { file: '/x/export.csv', line: 6, column: 2, message: 'voltage_v: "1234.7" is not a number with decimal "," (and "." grouping thousands)' },
    });
  });
});

describe('the DST fall-back hour in local time (infer)', () => {
  const dst = {
    timestamp: { column: 't', format: 'YYYY-MM-DD HH:mm', timezone: 'Europe/Berlin' },
    system: { id: 'r' },
    columns: { voltage_v: 'U' },
    metadata: { operational_mode: 'unknown' },
  };
  /** Local wall times from 01:00 to 03:30 on 2025-10-26 every `step` minutes, 02:xx written twice. */
  function wallTimes(step: number): string[] {
    const out: string[] = [];
    for (let m = 60; m < 210; m += step) out.push(`2025-10-26 0${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`);
    const repeated = out.filter((t) => t.includes(' 02:'));
    return [...out.slice(0, out.indexOf(repeated[repeated.length - 1]!) + 1), ...repeated, ...out.slice(out.indexOf(repeated[repeated.length - 1]!) + 1)];
  }

  for (const [name, step, newestFirst] of [
    ['hourly', 60, false],
    ['every 30 min', 30, false],
    ['every 15 min', 15, false],
    ['hourly, newest first', 60, true],
    ['every 30 min, newest first', 30, true],
  ] as const) {
    it(`keeps every row of the repeated hour, ${name}`, () => {
      const times = wallTimes(step);
      const rows = times.map((t, i) => [t, String(700 + i)]);
      const { series, tally } = collect(dst, table(['t', 'U'], newestFirst ? rows.reverse() : rows));
      expect([...tally.drops.keys()]).toEqual([]);
      const s = series[0]!;
      expect(s.timestamps.length).toBe(times.length);
      // One step apart throughout (UTC), and the values in file order: nothing swapped.
      const steps = [...s.timestamps].slice(1).map((t, i) => t - s.timestamps[i]!);
      expect(new Set(steps)).toEqual(new Set([step * 60_000]));
      expect([...s.columns.voltage_v!]).toEqual(times.map((_, i) => 700 + i));
    });
  }

  it('keeps a row out of order inside the repeated hour, and an exact duplicate on its first meaning', () => {
    // Every 5 min from 02:25 CEST; 02:40 and 02:35 swapped, 02:45 written twice, then 03:00 CEST … 02:05 CET.
    const walls = ['02:25', '02:30', '02:40', '02:35', '02:45', '02:45', '02:50', '02:55', '02:00', '02:05'];
    const rows = walls.map((w, i) => [`2025-10-26 ${w}`, String(i === 5 ? 704 : 700 + i)]);
    const { series, tally } = collect(dst, table(['t', 'U'], rows));
    expect([...tally.drops.entries()].map(([k, d]) => [k, d.count])).toEqual([['duplicate', 1]]);
    expect([...series[0]!.timestamps].map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['00:25', '00:30', '00:35', '00:40', '00:45', '00:50', '00:55', '01:00', '01:05']);
  });
});
