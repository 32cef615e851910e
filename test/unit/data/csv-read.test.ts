import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/errors.ts';
import { parseCsv, parseCsvExact, splitPlainCsv } from '../../../src/data/csv-read.ts';

/** A field of a plain CSV: anything but a quote, a line break or the delimiter (spaces kept). */
const field = fc.string({ unit: fc.constantFrom('a', 'b', '1', '.', '-', ' ', ';', 'é', '_'), maxLength: 4 });
/** Lines of 1 to 4 fields (so some rows are ragged), some empty. */
const lines = fc.array(fc.oneof(fc.constant(''), fc.array(field, { minLength: 1, maxLength: 4 }).map((f) => f.join(','))), { maxLength: 12 });

function parsed(parse: typeof parseCsv, text: string) {
  const problems: Problem[] = [];
  const table = parse(text, 'x.csv', (p) => problems.push(p));
  return { table, problems };
}

describe('parseCsv on plain text (no quote, no CR)', () => {
  it('reads what csv-parse reads: header, records and their lines, row count, ragged rows located', () => {
    fc.assert(
      fc.property(lines, fc.boolean(), fc.boolean(), (ls, bom, trailingNewline) => {
        const text = `${bom ? '\uFEFF' : ''}${ls.join('\n')}${trailingNewline ? '\n' : ''}`;
        expect(splitPlainCsv(text, 'x.csv', () => {}, ',')).not.toBeNull();
        expect(parsed(parseCsv, text)).toEqual(parsed(parseCsvExact, text));
      }),
      { numRuns: 500, seed: 20261203 },
    );
  });

  it('leaves text with a quote or a CR to csv-parse', () => {
    expect(splitPlainCsv('a,b\n"1,2",3\n', 'x.csv', () => {}, ',')).toBeNull();
    expect(splitPlainCsv('a,b\r\n1,2\r\n', 'x.csv', () => {}, ',')).toBeNull();
    expect(parsed(parseCsv, 'a,b\n"1,2",3\n').table.records).toEqual([{ line: 2, fields: ['1,2', '3'] }]);
  });

  it('reports a ragged row at its line and leaves it out', () => {
    const { table, problems } = parsed(parseCsv, 'a,b,c\n1,2,3\n\n4,5\n6,7,8\n');
    expect(table.records.map((r) => r.line)).toEqual([2, 5]);
    expect(table.rowCount).toBe(3);
    expect(problems).toEqual([{ file: 'x.csv', line: 4, column: 3, message: 'row has 2 fields but the header has 3' }]);
  });
});
