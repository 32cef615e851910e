import { describe, expect, it } from 'vitest';
import { intFlag, numberFlag, parseCommandArgs } from '../../../src/cli/args.ts';
import { HarnessError } from '../../../src/errors.ts';

const OPTIONS = {
  threshold: { type: 'string' },
  seed: { type: 'string', short: 's' },
  list: { type: 'boolean' },
} as const;
const parse = (argv: string[]) => parseCommandArgs('evaluate', argv, OPTIONS, 'usage', true);

describe('CLI arguments', () => {
  it('take a negative number as the value of a flag, in both spellings', () => {
    expect(parse(['--threshold', '-0.18']).values.threshold).toBe('-0.18');
    expect(parse(['--threshold=-0.18']).values.threshold).toBe('-0.18');
    expect(parse(['--threshold', '-.5', '-s', '-3']).values).toEqual({
      threshold: '-.5',
      seed: '-3',
    });
    expect(numberFlag('threshold', parse(['--threshold', '-1e-3']).values.threshold)).toBe(-0.001);
  });

  it('still refuse a flag where a value should be, and leave what follows -- alone', () => {
    expect(() => parse(['--threshold', '--list'])).toThrow(HarnessError);
    expect(() => parse(['--list', '-5'])).toThrow(/Unknown option '-5'/);
    expect(parse(['--', '--threshold', '-1']).positionals).toEqual(['--threshold', '-1']);
  });

  it('range-check whole numbers, naming the flag and its range', () => {
    expect(intFlag('systems', '200')).toBe(200);
    expect(() => intFlag('systems', '99999999999999999999')).toThrow(
      '--systems must be a whole number from 1 to 1,000,000 (got "99999999999999999999")',
    );
    expect(() => intFlag('systems', '-1')).toThrow(
      '--systems must be a whole number from 1 to 1,000,000 (got "-1")',
    );
    expect(() => intFlag('port', '70000', 0)).toThrow(
      '--port must be a whole number from 0 to 65,535',
    );
    expect(() => intFlag('workers', '1.5')).toThrow('--workers must be a whole number');
    expect(() => intFlag('limit', ' ')).toThrow('--limit must be a whole number');
    expect(intFlag('port', '0', 0)).toBe(0);
  });

  it('take numbers in decimal only, as a data file writes them: not 0x10, 0b1, Infinity or 1_000', () => {
    expect(numberFlag('threshold', '1.5e2')).toBe(150);
    expect(numberFlag('threshold', '-.5')).toBe(-0.5);
    for (const raw of ['0x10', '0b1', '0o7', 'Infinity', '1_000', '', '1e', '.'])
      expect(() => numberFlag('threshold', raw), raw).toThrow(
        `--threshold must be a decimal number (got "${raw}")`,
      );
    expect(() => intFlag('workers', '0x2')).toThrow('--workers must be a whole number');
    expect(intFlag('systems', '1e3')).toBe(1000);
  });
});
