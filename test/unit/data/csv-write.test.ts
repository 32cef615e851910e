import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, formatFixed, formatLabelsCsv, formatMetadataCsv, formatSeriesCsv, formatTimestamp } from '../../../src/data/csv-write.ts';
import { parseTimestampAt } from '../../../src/data/series-scan.ts';

describe('formatTimestamp', () => {
  it('writes whole seconds without millis and others with .sss', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z');
    expect(formatTimestamp(Date.UTC(2026, 1, 28, 23, 59, 59, 7))).toBe('2026-02-28T23:59:59.007Z');
    expect(formatTimestamp(Date.UTC(2024, 1, 29, 12, 0, 5, 120))).toBe('2024-02-29T12:00:05.120Z');
  });

  it('agrees with toISOString and reads back through the scanner', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        const s = formatTimestamp(ms);
        const iso = new Date(ms).toISOString();
        expect(s).toBe(ms % 1000 === 0 ? iso.replace('.000Z', 'Z') : iso);
        expect(parseTimestampAt(s, 0, s.length)).toBe(ms);
      }),
    );
  });

  it('refuses an instant past the year 9999 or before 0000 rather than write an extended year', () => {
    expect(formatTimestamp(Date.UTC(9999, 11, 31, 23, 59, 59))).toBe('9999-12-31T23:59:59Z');
    expect(() => formatTimestamp(1_735_689_600_000 * 1000)).toThrow(/years 0000–9999/); // ms read as s: +056971-…
    expect(() => formatTimestamp(Date.UTC(10000, 0, 1))).toThrow(RangeError);
    expect(() => formatTimestamp(Date.parse('0000-01-01T00:00:00Z') - 1)).toThrow(RangeError);
  });
});

describe('formatFixed', () => {
  it('rounds exactly like toFixed (except no negative zero)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 4 }), (v, d) => {
        const expected = v.toFixed(d);
        const want = Number(expected) === 0 ? expected.replace('-', '') : expected;
        expect(formatFixed(v, d)).toBe(want);
      }),
      { numRuns: 20_000 },
    );
  });

  it('handles ties and tiny values the way toFixed does', () => {
    for (const [v, d] of [[1.005, 2], [1.045, 2], [2.5, 0], [-2.5, 0], [0.125, 2], [1e-9, 2], [-0.001, 2], [3.35845, 4]] as const) {
      const t = v.toFixed(d);
      expect(formatFixed(v, d)).toBe(Number(t) === 0 ? t.replace('-', '') : t);
    }
    expect(formatFixed(-0.001, 2)).toBe('0.00');
  });
});

describe('formatSeriesCsv', () => {
  it('orders default sensors first, writes NaN as empty, fixed decimals, \\n endings', () => {
    const t = new Float64Array([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 5)]);
    const csv = formatSeriesCsv(t, {
      extra_x: new Float64Array([0.1, 2]),
      soc_pct: new Float64Array([50, NaN]),
      voltage_v: new Float64Array([800.126, 799]),
      cell_voltage_max_v: new Float64Array([3.35, 3.3]),
    });
    expect(csv).toBe(
      'timestamp,voltage_v,soc_pct,cell_voltage_max_v,extra_x\n' +
        '2026-01-01T00:00:00Z,800.13,50.00,3.3500,0.1\n' +
        '2026-01-01T00:05:00Z,799.00,,3.3000,2\n',
    );
  });

  it('writes the same text as a per-value toFixed reference (byte writer vs formatFixed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(NaN), fc.double({ min: -2e6, max: 2e6, noNaN: true })), { minLength: 1, maxLength: 40 }),
        (values) => {
          const t = new Float64Array(values.map((_, i) => Date.UTC(2026, 0, 1) + i * 1000));
          const col = new Float64Array(values);
          const csv = formatSeriesCsv(t, { soc_pct: col, cell_voltage_min_v: col, insulation_resistance_kohm: col });
          const want = values.map((v, i) => {
            const cells = [2, 4, 1].map((d) => (Number.isNaN(v) ? '' : formatFixed(v, d)));
            return [formatTimestamp(t[i] as number), ...cells].join(',');
          });
          expect(csv).toBe(`timestamp,soc_pct,cell_voltage_min_v,insulation_resistance_kohm\n${want.join('\n')}\n`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a column of the wrong length', () => {
    expect(() => formatSeriesCsv(new Float64Array(2), { soc_pct: new Float64Array(3) })).toThrow(/soc_pct has 3 values for 2/);
  });
});

describe('metadata and labels', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
  });

  it('writes required columns plus the optional ones some row has', () => {
    const csv = formatMetadataCsv([
      { system_id: 'a', source: 'synthetic', operational_mode: 'arbitrage', season: 'winter', scenario_tags: ['subtle', 'spike'] },
      { system_id: 'b', source: 'synthetic', operational_mode: 'backup', season: 'summer', capacity_kwh: 250, scenario_tags: [] },
    ]);
    expect(csv).toBe(
      'system_id,source,operational_mode,season,capacity_kwh,scenario_tags\n' +
        'a,synthetic,arbitrage,winter,,subtle;spike\n' +
        'b,synthetic,backup,summer,250,\n',
    );
    const labels = formatLabelsCsv([
      { system_id: 'a', label: 'normal', failure_type: 'none', lead_time_days: null, source: 'real', label_version: 2, notes: 'looks, fine' },
    ]);
    expect(labels).toBe('system_id,label,failure_type,lead_time_days,source,label_version,notes\na,normal,none,,real,2,"looks, fine"\n');
  });
});
