import { describe, expect, it } from 'vitest';
import { optionsHash, stableJson } from '../../src/stable-json.ts';

describe('stableJson and optionsHash', () => {
  it('spell the same options alike whatever the key order, at every depth', () => {
    const a = { sensor: 'temp', window: { days: 7, step: 'hourly' }, weights: [1, 2] };
    const b = { weights: [1, 2], window: { step: 'hourly', days: 7 }, sensor: 'temp' };
    expect(stableJson(a)).toBe(stableJson(b));
    expect(stableJson(a)).toBe(
      '{"sensor":"temp","weights":[1,2],"window":{"days":7,"step":"hourly"}}',
    );
    expect(optionsHash(a)).toBe(optionsHash(b));
    expect(optionsHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('drop undefined values and functions, and hash no options as {}', () => {
    expect(stableJson({ a: 1, b: undefined, f: () => 1 })).toBe('{"a":1}');
    expect(stableJson([1, undefined])).toBe('[1,null]');
    expect(optionsHash(undefined)).toBe(optionsHash({}));
    expect(optionsHash({ a: 1 })).not.toBe(optionsHash({ a: 2 }));
  });
});

describe('stableJson: different options never spell alike', () => {
  it.each([
    ['NaN and null', { k: NaN }, { k: null }],
    ['Infinity and null', { k: Infinity }, { k: null }],
    ['Infinity and -Infinity', { k: Infinity }, { k: -Infinity }],
    ['NaN and Infinity in an array', [NaN], [Infinity]],
    ['-0 and 0', { k: -0 }, { k: 0 }],
    ['two Sets', { s: new Set(['a']) }, { s: new Set(['b']) }],
    ['a Set and an empty object', { s: new Set(['a']) }, { s: {} }],
    ['two Maps', { m: new Map([['a', 1]]) }, { m: new Map([['a', 2]]) }],
    ['two Dates', { d: new Date(0) }, { d: new Date(1) }],
    ['two RegExps', { r: /a/ }, { r: /b/i }],
    ['a RegExp and its source as a string', { r: /a/ }, { r: '/a/' }],
    ['two typed arrays', { w: Float64Array.of(1) }, { w: Float64Array.of(2) }],
    ['a typed array and an array', { w: Float64Array.of(1) }, { w: [1] }],
    ['NaN and the string "NaN"', { k: NaN }, { k: 'NaN' }],
  ])('%s', (_, a, b) => {
    expect(stableJson(a)).not.toBe(stableJson(b));
    expect(optionsHash(a)).not.toBe(optionsHash(b));
  });

  it('still spells equal Sets and Maps alike whatever their order, and plain options as JSON', () => {
    expect(stableJson(new Set([1, 2]))).toBe(stableJson(new Set([2, 1])));
    expect(
      stableJson(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(
      stableJson(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    );
    // Options a baseline hashed before keep their hash: plain JSON values are spelled as JSON.
    expect(stableJson({ b: [1, 'x', null, true], a: { c: 1.5 } })).toBe(
      '{"a":{"c":1.5},"b":[1,"x",null,true]}',
    );
  });

  it('spells a bigint and an object met inside itself instead of throwing', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(stableJson({ n: 10n })).toBe('{"n":10n}');
    expect(stableJson(loop)).toBe('{"a":1,"self":Circular}');
  });
});
