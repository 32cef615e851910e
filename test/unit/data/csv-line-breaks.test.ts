/**
 * Line breaks in labels, metadata and scores files as exports write them: CRLF (RFC 4180, Excel),
 * LF, CR alone (old Mac exports), and a mix (files concatenated from two tools). Every problem
 * must name the line an editor shows, and the byte path and the exact path (csv-parse) must read
 * the same rows whichever way a file's lines end.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvExact } from '../../../src/data/csv-read.ts';
import { labelRowAt, readLabelColumns } from '../../../src/data/label-columns.ts';
import { readLocatedLabels } from '../../../src/data/load-labels.ts';
import { readScoresFile } from '../../../src/data/load-scores.ts';
import { HarnessError, type Problem } from '../../../src/errors.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'csv-line-breaks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function file(text: string, name = 'labels.csv'): string {
  const dir = path.join(tmp, String(n++));
  const p = path.join(dir, name);
  mkdirSync(dir);
  writeFileSync(p, text);
  return p;
}

async function problemsOf(read: () => Promise<unknown>): Promise<readonly Omit<Problem, 'file'>[]> {
  try {
    await read();
  } catch (err) {
    if (err instanceof HarnessError) return err.problems.map(({ line, column, message }) => ({ line, column, message }));
    throw err;
  }
  return [];
}

const HEADER = 'system_id,label,failure_type,lead_time_days,source,label_version,notes';
const normal = (id: string, notes = ''): string => `${id},normal,none,,synthetic,1,${notes}`;
const BAD_SOURCE = 's9,normal,none,,synthetc,1,';

describe('line numbers of a labels file whatever its line breaks', () => {
  it('CRLF with a quoted note over two lines: a later problem is on the line an editor shows', async () => {
    // line 1 header, 2–3 the quoted note, 4 a normal row, 5 the bad source
    const text = [HEADER, normal('s1', '"checked on site,\r\nsee ""ticket 7"""'), normal('s2'), BAD_SOURCE, ''].join('\r\n');
    const p = file(text);
    const expected = [{ line: 5, column: 5, message: expect.stringMatching(/^unknown source "synthetc"/) }];
    expect(await problemsOf(() => readLocatedLabels(p))).toEqual(expected);
    expect(await problemsOf(() => readLabelColumns(p))).toEqual(expected);
  });

  it('CRLF with a quoted note over two lines: each row keeps the line it starts on', async () => {
    const text = [HEADER, normal('s1', '"a,\r\nb"'), normal('s2'), ''].join('\r\n');
    const rows = await readLocatedLabels(file(text));
    expect(rows.map((r) => [r.row.system_id, r.line, r.row.notes])).toEqual([
      ['s1', 2, 'a,\r\nb'],
      ['s2', 4, undefined],
    ]);
  });

  it('CR alone with a quoted note over two lines: lines as an editor counts them', async () => {
    const text = [HEADER, normal('s1', '"a\rb"'), '', normal('s2'), BAD_SOURCE, ''].join('\r');
    expect(await problemsOf(() => readLocatedLabels(file(text)))).toEqual([
      { line: 6, column: 5, message: expect.stringMatching(/^unknown source "synthetc"/) },
    ]);
  });

  it('LF lines then CRLF lines: every row read, no CR left in a field, problems on their own line', async () => {
    const rows = [HEADER, normal('s1'), normal('s2'), normal('s3'), BAD_SOURCE, normal('s4')];
    const text = `${rows.slice(0, 3).join('\n')}\n${rows.slice(3).join('\r\n')}\r\n`;
    expect(await problemsOf(() => readLocatedLabels(file(text)))).toEqual([
      { line: 5, column: 5, message: expect.stringMatching(/^unknown source "synthetc"/) },
    ]);
    const clean = text.replace(BAD_SOURCE, normal('s9'));
    const read = await readLocatedLabels(file(clean));
    expect(read.map((r) => [r.row.system_id, r.line, r.row.notes])).toEqual([
      ['s1', 2, undefined],
      ['s2', 3, undefined],
      ['s3', 4, undefined],
      ['s9', 5, undefined],
      ['s4', 6, undefined],
    ]);
  });

  it('CRLF lines then LF lines: the byte path and the exact path read the same rows', async () => {
    const rows = [HEADER, normal('s1'), normal('s2'), normal('s3'), normal('s4')];
    const text = `${rows.slice(0, 2).join('\r\n')}\r\n${rows.slice(2).join('\n')}\n`;
    const p = file(text);
    const exact = (await readLocatedLabels(p)).map((r) => [r.row, r.line]);
    const columns = await readLabelColumns(p);
    const fast = Array.from({ length: columns.n }, (_, i) => [labelRowAt(columns, i), columns.lines[i]]);
    expect(exact).toEqual(fast);
    expect(exact.map(([, line]) => line)).toEqual([2, 3, 4, 5]);
    // And with a problem, which sends the columnar reader to the exact path: located, not merged.
    const bad = file(`${text}${BAD_SOURCE}\n`);
    const expected = [{ line: 6, column: 5, message: expect.stringMatching(/^unknown source "synthetc"/) }];
    expect(await problemsOf(() => readLocatedLabels(bad))).toEqual(expected);
    expect(await problemsOf(() => readLabelColumns(bad))).toEqual(expected);
  });

  it('a quote that is never closed after a quoted CRLF note: located at the line the quote opens on', async () => {
    const text = [HEADER, normal('s1', '"a\r\nb"'), normal('s2'), normal('s3', '"never closed'), normal('s4'), ''].join('\r\n');
    expect(await problemsOf(() => readLocatedLabels(file(text)))).toEqual([
      { line: 5, column: 0, message: 'not valid CSV: a quoted field that starts on this line is never closed' },
    ]);
  });
});

describe('a CSV syntax error', () => {
  it('a quote inside an unquoted field after a quoted CRLF note: its own line, in the location and the message', async () => {
    const text = [HEADER, normal('s1', '"a\r\nb"'), normal('s2'), 's3,nor"mal,none,,synthetic,1,', ''].join('\r\n');
    expect(await problemsOf(() => readLocatedLabels(file(text)))).toEqual([
      { line: 5, column: 2, message: 'not valid CSV: Invalid Opening Quote: a quote is found on field 1 at line 5, value is "nor"' },
    ]);
  });


  it('is the only problem: the header it stopped before is not also reported missing', async () => {
    const p = file('system_id,score\ns1,0.5\ns2,"0.7\ns3,0.1\n', 'scores.csv');
    expect(await problemsOf(() => readScoresFile(p))).toEqual([
      { line: 3, column: 0, message: 'not valid CSV: a quoted field that starts on this line is never closed' },
    ]);
  });
});

describe('parseCsvExact on generated text with every kind of line break', () => {
  const lineBreak = fc.constantFrom('\n', '\r\n', '\r');
  /** A field: plain, or quoted with commas, doubled quotes and line breaks of any kind inside. */
  const field = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', '1', ' ', '.'), maxLength: 3 }),
    fc
      .array(fc.oneof(fc.constantFrom('a', ',', '""', ' '), lineBreak), { maxLength: 4 })
      .map((parts) => `"${parts.join('')}"`),
  );
  const row = fc.array(field, { minLength: 1, maxLength: 3 }).map((f) => f.join(','));

  it('puts every record on the line it starts on, counting CRLF, LF and CR alone as one break each', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(row, fc.constant('')), lineBreak), { minLength: 1, maxLength: 8 }), (lines) => {
        let text = '';
        const expected: { line: number; fields: number }[] = [];
        for (const [r, br] of lines) {
          // A row starts after every break before it (a CR then an LF being one CRLF).
          const line = 1 + (text.match(/\r\n|\r|\n/g) ?? []).length;
          if (r !== '') expected.push({ line, fields: r.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).length });
          text += r + br;
        }
        const problems: Problem[] = [];
        const table = parseCsvExact(text, 'x.csv', (p) => problems.push(p));
        expect(table.complete).toBe(true);
        const [head, ...rest] = expected;
        const width = head?.fields ?? 0;
        expect(table.header.length).toBe(width);
        expect(table.records.map((r) => r.line)).toEqual(rest.filter((e) => e.fields === width).map((e) => e.line));
        expect(problems.map((p) => p.line)).toEqual(rest.filter((e) => e.fields !== width).map((e) => e.line));
      }),
      { numRuns: 500, seed: 20261203 },
    );
  });

  it('never throws on any text of quotes, delimiters and line breaks: a table, or one syntax error on a line of the text', () => {
    // `harness import` passes an export's own delimiter, a tab or two characters among them.
    const delimiters = [',', ';', '\t', '||'];
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', ';', '\t', '|', '"', '\r', '\n', ' ', '\uFEFF'), maxLength: 30 }), fc.constantFrom(...delimiters), (text, delimiter) => {
        const problems: Problem[] = [];
        const table = parseCsvExact(text, 'x.csv', (p) => problems.push(p), { delimiter });
        if (!table.complete) expect(problems).toHaveLength(1);
        const lines = (text.match(/\r\n|\r|\n/g) ?? []).length + 1;
        for (const p of problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 3000, seed: 20261203 },
    );
  });

  it('locates a misplaced quote where csv-parse does when lines end in LF (the one case its count is right)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' '), maxLength: 30 }), (text) => {
        let expected: { line: number; column: number } | undefined;
        try {
          parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true });
        } catch (err) {
          const e = err as CsvError & { lines: number; column: number };
          if (e.code !== 'CSV_QUOTE_NOT_CLOSED') expected = { line: e.lines, column: e.column + 1 };
        }
        const problems: Problem[] = [];
        parseCsvExact(text, 'x.csv', (p) => problems.push(p));
        if (expected) expect(problems.map(({ line, column }) => ({ line, column }))).toEqual([expected]);
      }),
      { numRuns: 3000, seed: 20261203 },
    );
  });
});
