import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSeriesCsv } from '../../../src/data/csv-write.ts';
import { HarnessError, formatProblem } from '../../../src/errors.ts';
import { deriveFeature, loadTimeseries } from '../../../src/data/load-timeseries.ts';
import { SENSORS, SENSOR_DECIMALS } from '../../../src/data/schema.ts';
import { T0, makeSeries, tempDir } from './fixture.ts';

const round = (v: number, d: number): number => (Number.isNaN(v) ? NaN : Number(v.toFixed(d)) + 0);

async function writeRaw(dir: string, id: string, csv: string): Promise<string> {
  const file = path.join(dir, 'synthetic', 'raw', `${id}.csv`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, csv);
  return file;
}

async function loadError(p: Promise<unknown>): Promise<HarnessError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  return err as HarnessError;
}

describe('loadTimeseries', () => {
  it('reads back what formatSeriesCsv wrote: NaN gaps, missing rows, rounded values, exact timestamps', async () => {
    const dir = await tempDir();
    const full = makeSeries(500, 3);
    // Drop rows 100–199 (a telemetry gap) and blank some readings.
    const keep = Array.from({ length: 500 }, (_, i) => i).filter((i) => i < 100 || i >= 200);
    const timestamps = new Float64Array(keep.map((i) => (full.timestamps[i] as number) + (i === 7 ? 250 : 0)));
    const columns: Record<string, Float64Array> = {};
    for (const s of SENSORS) {
      columns[s] = new Float64Array(keep.map((i) => (i % 17 === 0 && s === 'soc_pct') || (i % 23 === 0 && s === 'temp_cell_max_c') ? NaN : (full.columns[s] as Float64Array)[i] as number));
    }
    await writeRaw(dir, 'sys-1', formatSeriesCsv(timestamps, columns));
    const series = await loadTimeseries('sys-1', { dataDir: dir, derive: ['cell_delta_v_mv', 'temp_spread_c'] });
    expect(series.source).toBe('synthetic');
    expect(Array.from(series.timestamps)).toEqual(Array.from(timestamps));
    for (const s of SENSORS) {
      const got = Array.from(series.sensors[s] ?? []);
      const want = Array.from(columns[s] as Float64Array, (v) => round(v, SENSOR_DECIMALS[s]));
      expect(got, s).toEqual(want);
    }
    expect(Number.isNaN(series.sensors.soc_pct?.[0])).toBe(true);
    const dv = series.sensors.cell_delta_v_mv as Float64Array;
    const hi = series.sensors.cell_voltage_max_v as Float64Array;
    const lo = series.sensors.cell_voltage_min_v as Float64Array;
    expect(dv[5]).toBeCloseTo(((hi[5] as number) - (lo[5] as number)) * 1000, 9);
    expect(dv[5]).toBeCloseTo(40, 0);
    const spread = series.sensors.temp_spread_c as Float64Array;
    expect(spread[1]).toBeCloseTo(5, 6);
    expect(Number.isNaN(spread[0])).toBe(true); // row 0: temp_cell_max_c blanked (0 % 23 === 0)
  });

  it('derives an all-NaN feature when an input sensor is absent', () => {
    const f = deriveFeature({ systemId: 'x', source: 'real', timestamps: new Float64Array(3), sensors: { temp_cell_max_c: new Float64Array(3) } }, 'temp_spread_c');
    expect(Array.from(f).every(Number.isNaN)).toBe(true);
  });

  it('accepts CRLF, a BOM, fractional seconds, exponents and absent sensors', async () => {
    const dir = await tempDir();
    await writeRaw(dir, 'crlf', '\uFEFFtimestamp,soc_pct\r\n2026-01-01T00:00:00.5Z,1e1\r\n2026-01-01T00:00:01.123456Z,-.5\r\n');
    const s = await loadTimeseries('crlf', { dataDir: dir });
    expect(Array.from(s.timestamps)).toEqual([T0 + 500, T0 + 1123.456]);
    expect(Array.from(s.sensors.soc_pct ?? [])).toEqual([10, -0.5]);
    expect(s.sensors.voltage_v).toBeUndefined();
  });

  it('rejects an unknown column as file:1:column and suggests the sensor', async () => {
    const dir = await tempDir();
    const file = await writeRaw(dir, 'typo', 'timestamp,soc_pct,tmep_cell_max_c\n2026-01-01T00:00:00Z,1,2\n');
    const err = await loadError(loadTimeseries('typo', { dataDir: dir }));
    expect(err.code).toBe('E_DATA');
    expect(err.problems.map((p) => formatProblem(p))).toEqual([
      `${file}:1:3: unknown column "tmep_cell_max_c" (did you mean "temp_cell_max_c"?): every column must be a known sensor (declare extra sensors in the config)`,
    ]);
  });

  it('accepts a column the config declares', async () => {
    const dir = await tempDir();
    await writeRaw(dir, 'extra', 'timestamp,coolant_flow_lpm\n2026-01-01T00:00:00Z,12.5\n');
    const s = await loadTimeseries('extra', { dataDir: dir, extraSensors: ['coolant_flow_lpm'] });
    expect(Array.from(s.sensors.coolant_flow_lpm ?? [])).toEqual([12.5]);
  });

  it('rejects a zone-less timestamp rather than reading it as local time', async () => {
    const dir = await tempDir();
    const file = await writeRaw(dir, 'local', 'timestamp,soc_pct\n2026-01-01 00:00:00,1\n');
    const err = await loadError(loadTimeseries('local', { dataDir: dir }));
    expect(formatProblem(err.problems[0]!)).toBe(`${file}:2:1: not an ISO 8601 UTC timestamp: "2026-01-01 00:00:00" (expected e.g. 2026-01-01T00:00:00Z)`);
  });

  it('rejects an unsafe id before touching the disk', async () => {
    const err = await loadError(loadTimeseries('../etc/passwd', { dataDir: '/definitely/not/here' }));
    expect(err.message).toMatch(/unsafe system id "\.\.\/etc\/passwd"/);
  });

  it('names the path of a missing series', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'synthetic', 'raw'), { recursive: true });
    const err = await loadError(loadTimeseries('nope', { dataDir: dir, source: 'synthetic' }));
    expect(err.message).toBe(`${path.join(dir, 'synthetic', 'raw', 'nope.csv')}: file not found`);
  });
});
