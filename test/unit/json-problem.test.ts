/**
 * jsonProblem locates a JSON syntax error at its line and column, with a one-line message,
 * also for V8's messages that name no offset (they were put at 1:0, with V8's snippet of the
 * file, newlines and all, as the message).
 */
import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../../src/errors.ts';
import { jsonErrorOffset } from '../../src/json-error-offset.ts';

function problem(text: string) {
  try {
    JSON.parse(text);
  } catch (err) {
    return jsonProblem('c.json', text, err);
  }
  throw new Error(`valid JSON: ${text}`);
}

describe('jsonProblem: errors V8 gives no offset for', () => {
  it.each([
    ['{\n  "reporters": [\'plain\']\n}', 2, 17, "Unexpected token '''"],
    ['{\n  "x": }\n', 2, 8, "Unexpected token '}'"],
    ['{"a":tru}', 1, 9, "Unexpected token '}'"],
    ['tru', 1, 4, 'Unexpected end of JSON input'],
    ['[1,]', 1, 4, "Unexpected token ']'"],
    ['[[[[{"a":[1,{"b":nul}]}]]]]', 1, 21, "Unexpected token '}'"],
  ])('%j is at %i:%i: %s', (text, line, column, message) => {
    expect(problem(text)).toEqual({
      file: 'c.json',
      line,
      column,
      message: `not valid JSON: ${message}`,
    });
  });

  it('an error at the end of the text is at the end of its last line, not past its newlines', () => {
    expect(problem('{\n  "a": [1, 2\n\n')).toMatchObject({ line: 2, column: 13 });
  });

  it("V8's snippet, cut at both ends, is left out of the message", () => {
    const text = `{\n  "suites": ["suites/**/*.suite.ts"],\n  "reporters": ['plain']\n}\n`;
    expect(problem(text)).toEqual({
      file: 'c.json',
      line: 3,
      column: 17,
      message: "not valid JSON: Unexpected token '''",
    });
  });

  it('an empty file is at line 1, column 0', () => {
    expect(problem('  \n')).toMatchObject({ line: 1, column: 0 });
  });
});

describe('jsonErrorOffset', () => {
  // Where V8 names the offset, the scan finds the same one.
  it.each([
    '{"a":1,}',
    '[1 2]',
    '{"a" 1}',
    '"abc',
    '{"a":"b\nc"}',
    '{"a":1} x',
    '-',
    '01',
    '1.',
    '1e+',
    '"\\q"',
    '"\\u12G4"',
    '{,}',
    '{"a":{"b":[true,false,null,-0.5e3,"\\u00e9"]}}}',
  ])('%j: the offset V8 gives', (text) => {
    let v8 = -2;
    try {
      JSON.parse(text);
    } catch (err) {
      v8 = Number(/at position (\d+)/.exec((err as Error).message)![1]);
    }
    expect(jsonErrorOffset(text)).toBe(v8);
  });

  it('valid JSON is -1, however deeply nested', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonErrorOffset(deep)).toBe(-1);
    expect(jsonErrorOffset(' {"a": [1, -2.5E+3, "x\\"y", {}, [], true, false, null]} ')).toBe(-1);
  });
});
