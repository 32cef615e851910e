import { describe, expect, it } from 'vitest';
import { defaultReporters, isCi } from '../../../src/report/default-reporter.ts';

describe('defaultReporters', () => {
  it('is ink on a terminal outside CI', () => {
    expect(defaultReporters({}, true)).toEqual(['ink']);
    expect(defaultReporters({ CI: '' }, true)).toEqual(['ink']);
    expect(defaultReporters({ CI: 'false' }, true)).toEqual(['ink']);
    expect(defaultReporters({ CI: '0' }, true)).toEqual(['ink']);
  });

  it('is plain in CI', () => {
    expect(defaultReporters({ CI: 'true' }, true)).toEqual(['plain']);
    expect(defaultReporters({ CI: '1' }, true)).toEqual(['plain']);
  });

  it('is plain when stdout is not a terminal', () => {
    expect(defaultReporters({}, false)).toEqual(['plain']);
    expect(defaultReporters({ CI: 'true' }, false)).toEqual(['plain']);
  });

  it('reads CI as set when non-empty and not false or 0', () => {
    expect(
      [undefined, '', 'false', '0', 'true', 'yes'].map((v) =>
        isCi(v === undefined ? {} : { CI: v }),
      ),
    ).toEqual([false, false, false, false, true, true]);
  });
});
