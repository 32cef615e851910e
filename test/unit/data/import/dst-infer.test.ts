/**
 * `timestamp.ambiguous: infer` where the rows before a repeated local hour cannot tell its
 * meaning: a series that starts inside it, or a gap across it. Both took the earlier meaning (an
 * hour off, exit 0, reported as resolved); the row after the hour now decides. Europe/Berlin,
 * 2024-10-27: 02:00–02:59 is 00:00Z–00:59Z (CEST), then again 01:00Z–01:59Z (CET).
 */
import { describe, expect, it } from 'vitest';
import { validateMapping } from '../../../../src/data/import/mapping.ts';
import type { RawTable } from '../../../../src/data/import/read.ts';
import { ImportTally, RowCollector } from '../../../../src/data/import/transform.ts';

const mapping = validateMapping(
  {
    timestamp: { column: 'ts', format: 'YYYY-MM-DD HH:mm', timezone: 'Europe/Berlin' },
    system: { id: 'r' },
    columns: { voltage_v: 'V' },
    metadata: { operational_mode: 'unknown' },
  },
  '/x/m.json',
);

/** Local wall times (HH:mm on 2024-10-27) as an export's rows, in the order given. */
function table(wall: readonly string[]): RawTable {
  const rows = wall.map((hm, i) => ({ line: i + 2, cells: [`2024-10-27 ${hm}`, String(700 + i)] }));
  return { file: '/x/r.csv', kind: 'csv', header: ['ts', 'V'], rows, malformed: [] };
}

/** The stored instants (HH:mmZ, the day before marked with -) in file order, and the tally. */
function importWall(wall: readonly string[]) {
  const tally = new ImportTally();
  const c = new RowCollector(mapping, tally);
  c.add(table(wall));
  const s = c.finish()[0]!;
  // Back to file order through the values (700 + row index).
  const byRow = new Map([...s.columns.voltage_v!].map((v, i) => [v - 700, s.timestamps[i]!]));
  const hm = (ms: number) => `${new Date(ms).getUTCDate() === 26 ? '-' : ''}${new Date(ms).toISOString().slice(11, 16)}Z`;
  return { utc: wall.map((_, i) => hm(byRow.get(i)!)), tally };
}

const every5 = (from: number, to: number, h: number) => Array.from({ length: (to - from) / 5 + 1 }, (_, i) => `0${h}:${String(from + i * 5).padStart(2, '0')}`);

describe('infer across the repeated hour, from the row after it', () => {
  it('a series that starts inside the second occurrence', () => {
    const { utc, tally } = importWall([...every5(0, 55, 2), '03:00', '03:05']);
    expect(utc).toEqual([...every5(0, 55, 1).map((t) => `${t}Z`), '02:00Z', '02:05Z']);
    expect(tally.ambiguousResolved).toBe(12);
    expect(tally.ambiguousGuessed).toBe(0);
    expect(tally.outOfOrder).toBe(0);
  });

  it('a newest-first series that starts inside the second occurrence and runs through both', () => {
    const wall = [...every5(0, 30, 2).reverse(), ...every5(0, 55, 2).reverse(), '01:55'];
    const { utc } = importWall(wall);
    expect(utc).toEqual([...every5(0, 30, 1).reverse().map((t) => `${t}Z`), ...every5(0, 55, 0).reverse().map((t) => `${t}Z`), '-23:55Z']);
  });

  it('a gap from before the hour into its second occurrence', () => {
    const { utc } = importWall(['00:50', '00:55', '01:00', ...every5(30, 55, 2), '03:00']);
    expect(utc).toEqual(['-22:50Z', '-22:55Z', '-23:00Z', ...every5(30, 55, 1).map((t) => `${t}Z`), '02:00Z']);
  });

  it('keeps the first occurrence when the gap comes after it', () => {
    const { utc } = importWall(['01:50', '01:55', ...every5(0, 55, 2), '05:00']);
    expect(utc).toEqual(['-23:50Z', '-23:55Z', ...every5(0, 55, 0).map((t) => `${t}Z`), '04:00Z']);
  });

  it('counts the times no unambiguous row anchors as guessed', () => {
    const { utc, tally } = importWall(every5(0, 10, 2));
    expect(utc).toEqual(['00:00Z', '00:05Z', '00:10Z']);
    expect(tally.ambiguousGuessed).toBe(3);
  });
});
