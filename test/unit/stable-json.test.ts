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
