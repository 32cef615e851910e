/**
 * Whole-column checks after import: a column left empty or mostly out of range is a located
 * error naming the unit that fits; readings in range that no BESS reports are a warning.
 */
import { describe, expect, it } from 'vitest';
import { validateMapping } from '../../../../src/data/import/mapping.ts';
import type { RawTable } from '../../../../src/data/import/read.ts';
import { checkReadings } from '../../../../src/data/import/readings.ts';
import { ImportTally, RowCollector } from '../../../../src/data/import/transform.ts';

const FILE = '/x/m.json';

function check(columns: Record<string, unknown>, header: string[], rows: unknown[][]) {
  const t: RawTable = { file: '/x/export.csv', kind: 'csv', header: ['t', ...header], rows: rows.map((cells, i) => ({ line: i + 2, cells: [`2025-01-01T0${i}:00:00Z`, ...cells] })), malformed: [] };
  const mapping = validateMapping({ timestamp: { column: 't' }, system: { id: 's' }, columns, metadata: { operational_mode: 'unknown' } }, FILE);
  const tally = new ImportTally();
  const c = new RowCollector(mapping, tally);
  expect(c.headerProblems(t)).toEqual([]);
  c.add(t);
  const found = checkReadings(mapping, tally, c.finish());
  return { problems: found.problems.map((p) => `${p.line}:${p.column}: ${p.message}`), warnings: found.warnings.map((w) => w.message) };
}

describe('checkReadings', () => {
  it('refuses a column with no reading, at its header cell', () => {
    const r = check({ voltage_v: 'U', temp_cell_max_c: 'T', temp_ambient_c: { from: 'A', sentinel: 511 } }, ['U', 'T', 'A'], [
      ['760', '', '511'],
      ['761', '', '511'],
    ]);
    expect(r.problems).toEqual([
      '1:3: columns.temp_cell_max_c: column "T" has no reading in any row (every cell empty): map the column that holds it, or remove columns.temp_cell_max_c',
      '1:4: columns.temp_ambient_c: column "A" has no reading in any row (2 sentinel value(s)): map the column that holds it, or remove columns.temp_ambient_c',
    ]);
  });

  it('refuses a column mostly out of range and names the unit that fits', () => {
    const rows = [['3300'], ['3310'], ['3.31']];
    const r = check({ cell_voltage_max_v: 'Vmax' }, ['Vmax'], rows);
    expect(r.problems).toEqual([
      '2:2: columns.cell_voltage_max_v: 2 of 3 readings of column "Vmax" are outside [0, 10] V (written as 3.31…3310 in unit "V"): they look like unit "mV": set "unit": "mV"',
    ]);
    // Half or fewer out of range: the spikes are dropped and counted, the import goes on.
    expect(check({ cell_voltage_max_v: 'Vmax' }, ['Vmax'], [['3300'], ['3.31']]).problems).toEqual([]);
  });

  it('warns of readings in range that no BESS reports, with the likely unit', () => {
    expect(check({ soc_pct: 'SOC' }, ['SOC'], [['0.5'], ['0.55']]).warnings).toEqual([
      'columns.soc_pct (column "SOC"): SOC is never above 1 % (0.5…0.55 %), a fraction 0–1 read as percent: they look like unit "fraction": set "unit": "fraction"',
    ]);
    expect(check({ cell_voltage_min_v: { from: 'Vc', unit: 'mV' } }, ['Vc'], [['3.31'], ['3.32']]).warnings).toEqual([
      'columns.cell_voltage_min_v (column "Vc"): median 0.00332 V, outside the 0.5…5 V of any BESS: they look like unit "V": set "unit": "V"',
    ]);
    expect(check({ temp_cell_max_c: 'T' }, ['T'], [['251'], ['262']]).warnings).toEqual([
      'columns.temp_cell_max_c (column "T"): median 262 C, outside the -50…150 C of any BESS: they look like unit "0.1C": set "unit": "0.1C"',
    ]);
    expect(check({ soc_pct: 'SOC', cell_voltage_max_v: 'V', temp_cell_max_c: 'T' }, ['SOC', 'V', 'T'], [['0.5', '3.3', '25'], ['12', '3.4', '26']])).toEqual({ problems: [], warnings: [] });
  });

  it('checks each system too: one site in mV among sites in V is refused at its first cell, a system with no reading of a column is a warning', () => {
    const mapping = validateMapping({ timestamp: { column: 't' }, system: { column: 'id' }, columns: { cell_voltage_max_v: 'V', temp_ambient_c: 'A' }, metadata: { operational_mode: 'unknown' } }, FILE);
    const rows = (id: string, v: string, a: string, n: number, first: number) =>
      Array.from({ length: n }, (_, i) => ({ line: first + i, cells: [`2025-01-01T${String(i).padStart(2, '0')}:00:00Z`, id, v, a] }));
    const run = (table: RawTable[]) => {
      const tally = new ImportTally();
      const c = new RowCollector(mapping, tally);
      for (const t of table) c.add(t);
      const found = checkReadings(mapping, tally, c.finish());
      return { problems: found.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`), warnings: found.warnings.map((w) => w.message) };
    };
    const site = (file: string, id: string, v: string, a: string): RawTable => ({ file, kind: 'csv', header: ['t', 'id', 'V', 'A'], rows: rows(id, v, a, 4, 2), malformed: [] });
    // 3 of 4 sites in V, one in mV: 25 % of the readings out of range, under the whole-column bar.
    const r = run([site('/x/a.csv', 'a', '3.31', '20'), site('/x/b.csv', 'b', '3.32', '21'), site('/x/c.csv', 'c', '3312', '22'), site('/x/d.csv', 'd', '3.33', '')]);
    expect(r.problems).toEqual([
      '/x/c.csv:2:3: columns.cell_voltage_max_v: system c alone: 4 of 4 readings of column "V" are outside [0, 10] V (written as 3312…3312 in unit "V"): they look like unit "mV": set "unit": "mV"; the other systems\' readings fit, so import its files with a mapping of their own',
    ]);
    expect(r.warnings).toEqual(['columns.temp_ambient_c (column "A"): no reading in 1 of 4 systems (d): their series will have none']);
    expect(run([site('/x/a.csv', 'a', '3.31', '20'), site('/x/b.csv', 'b', '3.32', '21')])).toEqual({ problems: [], warnings: [] });
  });
});
