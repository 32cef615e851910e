/**
 * IdColumn against a Map of strings: the same rows found, the same duplicates reported, whether
 * the ids come in increasing order (binary search, no hashing) or not (the hash index, built at
 * the first id out of order).
 */
import { describe, expect, it } from 'vitest';
import { IdColumn } from '../../../src/data/id-column.ts';
import { mulberry32 } from '../../helpers/seeded.ts';

/** A column of `ids` (with tags) laid out in one buffer, as a file's bytes would be. */
function columnOf(ids: readonly string[], tags: readonly number[]): { col: IdColumn; dups: number[] } {
  const buf = Buffer.from(ids.join(','), 'latin1');
  const col = new IdColumn(buf, ids.length);
  const dups: number[] = [];
  let a = 0;
  ids.forEach((id, i) => {
    dups.push(col.add(a, a + id.length, tags[i]!));
    a += id.length + 1;
  });
  return { col, dups };
}

/** What a Map keyed by tag and id says: each row's earlier twin (-1 for none), and where each key is. */
function reference(ids: readonly string[], tags: readonly number[]): { dups: number[]; rows: Map<string, number> } {
  const rows = new Map<string, number>();
  const dups = ids.map((id, i) => {
    const key = `${tags[i]}\u0000${id}`;
    const first = rows.get(key);
    if (first !== undefined) return first;
    rows.set(key, i);
    return -1;
  });
  return { dups, rows };
}

describe('IdColumn', () => {
  const r = mulberry32(3);
  const sorted = Array.from({ length: 500 }, (_, i) => `sys-${String(i * 3).padStart(5, '0')}`);
  const shuffled = [...sorted].sort(() => r() - 0.5);
  const withTwins = [...shuffled.slice(0, 400), ...shuffled.slice(0, 50)];

  it.each([
    ['increasing ids', sorted, sorted.map(() => 0)],
    ['shuffled ids', shuffled, shuffled.map(() => 0)],
    ['ids listed twice, once per tag', [...sorted, ...sorted], [...sorted.map(() => 0), ...sorted.map(() => 1)]],
    ['ids listed twice with one tag', withTwins, withTwins.map(() => 0)],
    ['increasing, then one out of order', [...sorted.slice(0, 300), 'sys-00000', ...sorted.slice(300)], Array(501).fill(0)],
  ] as const)('%s: finds and reports what a Map does', (_, ids, tags) => {
    const { col, dups } = columnOf(ids, tags);
    const ref = reference(ids, tags);
    expect(dups).toEqual(ref.dups);
    expect(col.increasing).toBe(ids === sorted);
    const probe = Buffer.from('sys-00003,sys-00004,nope', 'latin1');
    for (const [a, b] of [
      [0, 9],
      [10, 19],
      [20, 24],
    ] as const) {
      for (const tag of [0, 1]) {
        const key = `${tag}\u0000${probe.toString('latin1', a, b)}`;
        expect(col.find(probe, a, b, tag)).toBe(ref.rows.get(key) ?? -1);
      }
    }
    for (const [key, row] of ref.rows) {
      const [tag, id] = key.split('\u0000') as [string, string];
      const bytes = Buffer.from(id, 'latin1');
      expect(col.find(bytes, 0, bytes.length, Number(tag))).toBe(row);
      expect(col.at(row)).toBe(id);
    }
  });

  it('tries the guessed row first and falls back to a search', () => {
    const { col } = columnOf(shuffled, shuffled.map(() => 0));
    const { col: other } = columnOf(sorted, sorted.map(() => 0));
    for (let i = 0; i < sorted.length; i++) {
      const want = shuffled.indexOf(sorted[i]!);
      expect(col.findRowFrom(want, other, i, 0)).toBe(want);
      expect(col.findRowFrom((want + 1) % shuffled.length, other, i, 0)).toBe(want);
      expect(col.findRowFrom(want, other, i, 1)).toBe(-1);
    }
  });
});
