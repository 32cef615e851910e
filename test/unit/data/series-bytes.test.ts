import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSeriesCsv } from '../../../src/data/csv-write.ts';
import { SENSORS } from '../../../src/data/schema.ts';
import { scanSeriesBytes } from '../../../src/data/series-bytes.ts';
import { scanSeries, type SeriesScan } from '../../../src/data/series-scan.ts';
import { makeSeries } from './fixture.ts';

const textScan = (text: string, checkLimits = false): { scan: SeriesScan; problems: number } => {
  let problems = 0;
  const scan = scanSeries(text, { file: 'f.csv', checkLimits, report: () => void problems++ });
  return { scan, problems };
};

/** Same columns, same rows, same bits (NaN and −0 included). */
function expectSameScan(a: SeriesScan, b: SeriesScan): void {
  expect(a.columns).toEqual(b.columns);
  expect(a.rows).toBe(b.rows);
  expect(Array.from(a.timestamps)).toEqual(Array.from(b.timestamps));
  a.values.forEach((col, j) => {
    const other = b.values[j] as Float64Array;
    expect(col.length).toBe(other.length);
    for (let i = 0; i < col.length; i++) expect(Object.is(col[i], other[i])).toBe(true);
  });
}

describe('scanSeriesBytes (the fast path)', () => {
  it('reads a written series exactly as the general scanner does, gaps and CR LF included', () => {
    const { timestamps, columns } = makeSeries(300, 5);
    (columns['soc_pct'] as Float64Array)[17] = NaN;
    (columns['current_a'] as Float64Array)[3] = -0.004;
    timestamps[9] = (timestamps[9] as number) + 250;
    const text = formatSeriesCsv(timestamps, columns);
    for (const t of [text, text.replace(/\n/g, '\r\n'), text.replace(/\n$/, ''), `\uFEFF${text}`]) {
      const fast = scanSeriesBytes(Buffer.from(t, 'utf8'));
      expect(fast).not.toBeNull();
      expectSameScan(fast as SeriesScan, textScan(t).scan);
    }
  });

  it('reads every row of a file whose first row is much longer than the rest (columns sized from it, then recounted)', () => {
    const { timestamps, columns } = makeSeries(400, 5);
    // Row 0 full; every later row keeps one reading: about a third of row 0's length.
    for (const [name, col] of Object.entries(columns)) if (name !== 'soc_pct') (col as Float64Array).fill(NaN, 1);
    const text = formatSeriesCsv(timestamps, columns);
    const fast = scanSeriesBytes(Buffer.from(text));
    expect(fast).not.toBeNull();
    expect(fast!.rows).toBe(400);
    expectSameScan(fast as SeriesScan, textScan(text).scan);
  });

  it('gives the same bits as Number() for any plain decimal it accepts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 1, maxLength: 30 }), (cells) => {
        const lines = cells.map(([m, d, empty], i) => `2026-01-01T00:${String(i).padStart(2, '0')}:00Z,${empty ? '' : (m / 10 ** d).toFixed(d)}`);
        const text = `timestamp,voltage_v\n${lines.join('\n')}\n`;
        const fast = scanSeriesBytes(Buffer.from(text));
        expect(fast).not.toBeNull();
        expectSameScan(fast as SeriesScan, textScan(text).scan);
      }),
    );
  });

  it('gives up (null) on whatever the general scanner must locate', () => {
    const head = 'timestamp,voltage_v,soc_pct\n';
    const bad = [
      '',
      head,
      `${head}2026-01-01T00:00:00Z,1,2,3\n`, // ragged
      `${head}2026-01-01T00:00:00Z,1\n`, // ragged
      `${head}2026-01-01T00:00:00Z,"1",2\n`, // quoted
      `${head}2026-01-01T00:00:00Z,1e3,2\n`, // exponent
      `${head}2026-01-01T00:00:00Z,1234567890.1234567,2\n`, // 17 digits
      `${head}2026-01-01T00:00:00Z,abc,2\n`,
      `${head}2026-01-01T00:00:00+01:00,1,2\n`,
      `${head}2026-02-30T00:00:00Z,1,2\n`,
      `${head}2026-01-01T00:00:00Z,1,2\n2026-01-01T00:00:00Z,1,2\n`, // not increasing
      `${head}2026-01-01T00:00:00Z,1,2\n\n2026-01-01T00:05:00Z,1,2\n`, // blank line inside
      'timestamp,voltage,soc_pct\n2026-01-01T00:00:00Z,1,2\n', // unknown column
      'time,voltage_v\n2026-01-01T00:00:00Z,1\n',
      `${head}2026-01-01T00:00:00Z,1,2é\n`,
    ];
    for (const text of bad) expect(scanSeriesBytes(Buffer.from(text)), JSON.stringify(text)).toBeNull();
    expect(scanSeriesBytes(Buffer.from(`${head}2026-01-01T00:00:00Z,-5,2\n`), { checkLimits: true })).toBeNull();
    expect(scanSeriesBytes(Buffer.from(`${head}2026-01-01T00:00:00Z,-5,2\n`))).not.toBeNull();
  });

  it('reads every sensor column of the contract and declared extra sensors', () => {
    const text = `timestamp,${SENSORS.join(',')},my_extra\n2026-01-01T00:00:00.5Z,${SENSORS.map(() => '1.5').join(',')},\n`;
    expect(scanSeriesBytes(Buffer.from(text))).toBeNull();
    const fast = scanSeriesBytes(Buffer.from(text), { extraSensors: ['my_extra'] });
    expect(fast?.timestamps[0]).toBe(Date.UTC(2026, 0, 1) + 500);
    expect(Number.isNaN(fast?.values[SENSORS.length]?.[0])).toBe(true);
  });
});
