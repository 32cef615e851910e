import { describe, expect, it } from 'vitest';
import {
  keyProblem,
  MAX_KEY_LENGTH,
  posixNormpath,
  sanitizeKeyPart,
  withHashSuffix,
} from '../../../../src/track/mlflow/keys.ts';

describe('posixNormpath', () => {
  // Expected values are Python's posixpath.normpath on the same input.
  it.each([
    ['', '.'],
    ['a', 'a'],
    ['a/b', 'a/b'],
    ['a//b', 'a/b'],
    ['a/./b', 'a/b'],
    ['a/b/', 'a/b'],
    ['a/../b', 'b'],
    ['../a', '../a'],
    ['..a', '..a'],
    ['/a', '/a'],
    ['//a', '//a'],
    ['///a', '/a'],
    ['.', '.'],
    ['a/..', '.'],
    ['../../a/..', '../..'],
  ])('%j → %j', (input, expected) => {
    expect(posixNormpath(input)).toBe(expected);
  });
});

describe('keyProblem (the server rules)', () => {
  it.each([
    'roc_auc',
    'roc_auc.failure_type.thermal_runaway',
    'lead_time.7-30d',
    'a b',
    'a/b',
    'x:y',
    'température.été',
    'a..b',
  ])('accepts %j', (key) => {
    expect(keyProblem(key)).toBeNull();
  });

  it.each([
    ['', /resolve to "\."/],
    ['a//b', /resolve to "a\/b"/],
    ['a/./b', /resolve to "a\/b"/],
    ['a/', /resolve to "a"/],
    ['/a', /resolve/],
    ['..a', /resolve/],
    ['.', /resolve/],
    ['a+b', /may only contain/],
    ['a[0,7)', /may only contain/],
    ['a\u001b[31m', /may only contain/],
    ['x'.repeat(MAX_KEY_LENGTH + 1), /251 characters long/],
  ])('rejects %j', (key, why) => {
    expect(keyProblem(key)).toMatch(why);
  });

  it('counts code points, as Python does', () => {
    expect(keyProblem('é'.repeat(MAX_KEY_LENGTH))).toBeNull();
    expect(keyProblem('😀'.repeat(MAX_KEY_LENGTH))).toMatch(/may only contain/); // an emoji is not a letter
  });
});

describe('sanitizeKeyPart', () => {
  it.each([
    ['thermal_runaway', 'thermal_runaway'],
    ['7-30d', '7-30d'],
    ['hot climate', 'hot climate'],
    ['été', 'été'],
    ['(missing)', 'missing'],
    ['[0,7)', '0_7'],
    ['a.b', 'a_b'],
    ['x/y z', 'x_y z'],
    ['a:b', 'a_b'],
    [' padded ', 'padded'],
    ['...', '_'],
    ['', '_'],
    ['we<ird> & "quoted"', 'we_ird_ _ _quoted'],
  ])('%j → %j', (raw, key) => {
    expect(sanitizeKeyPart(raw)).toBe(key);
    expect(keyProblem(sanitizeKeyPart(raw))).toBeNull();
  });
});

describe('withHashSuffix', () => {
  it('is deterministic, stays within the length limit and tells different origins apart', () => {
    const long = 'k'.repeat(400);
    const a = withHashSuffix(long, 'origin a');
    expect(a).toBe(withHashSuffix(long, 'origin a'));
    expect(a).not.toBe(withHashSuffix(long, 'origin b'));
    expect([...a]).toHaveLength(MAX_KEY_LENGTH);
    expect(a).toMatch(/^k+_[0-9a-f]{6}$/);
    expect(keyProblem(a)).toBeNull();
  });
});
