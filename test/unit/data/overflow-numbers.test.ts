/**
 * A number too large for a 64-bit float ("1e999") is Infinity to Number(): in a lead time, a
 * capacity or a sensor reading it must be refused and located, as "Infinity" spelled out is,
 * never read as Infinity (a lead time of Infinity fell silently into the "(missing)" bucket).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelColumns } from '../../../src/data/label-columns.ts';
import { readLocatedLabels } from '../../../src/data/load-labels.ts';
import { readLocatedMetadata } from '../../../src/data/load-metadata.ts';
import { loadTimeseries } from '../../../src/data/load-timeseries.ts';
import { readMetadataColumns } from '../../../src/data/metadata-columns.ts';
import { HarnessError } from '../../../src/errors.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'overflow-numbers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = path.join(tmp, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function problemsOf(read: () => Promise<unknown>): Promise<string[]> {
  try {
    await read();
  } catch (err) {
    if (err instanceof HarnessError) return err.problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('a number that overflows a 64-bit float', () => {
  it('as a lead time: refused at its line and column by both label readers', async () => {
    const file = write(
      'labels.csv',
      'system_id,label,failure_type,lead_time_days,source,label_version\nS1,anomaly,thermal_runaway,5,synthetic,1\nS2,anomaly,thermal_runaway,1e999,synthetic,1\n',
    );
    const expected = ['3:4: lead_time_days is not a finite number: "1e999" overflows a 64-bit float'];
    expect(await problemsOf(() => readLocatedLabels(file))).toEqual(expected);
    expect(await problemsOf(() => readLabelColumns(file))).toEqual(expected);
  });

  it('as a capacity: refused at its line and column by both metadata readers', async () => {
    const file = write('metadata.csv', 'system_id,source,operational_mode,season,capacity_kwh\nS1,synthetic,backup,winter,-2e400\nS2,synthetic,backup,winter,1E+309\n');
    const expected = [
      '2:5: capacity_kwh is not a finite number: "-2e400" overflows a 64-bit float',
      '3:5: capacity_kwh is not a finite number: "1E+309" overflows a 64-bit float',
    ];
    expect(await problemsOf(() => readLocatedMetadata(file))).toEqual(expected);
    expect(await problemsOf(() => readMetadataColumns(file))).toEqual(expected);
  });

  it('as a sensor reading: refused at its line and column, not loaded as Infinity', async () => {
    write('data/synthetic/raw/S1.csv', 'timestamp,voltage_v,soc_pct\n2026-01-01T00:00:00Z,700,50\n2026-01-01T01:00:00Z,1e999,51\n');
    expect(await problemsOf(() => loadTimeseries('S1', { dataDir: path.join(tmp, 'data') }))).toEqual([
      '3:2: not a finite number: "1e999" in column voltage_v overflows a 64-bit float',
    ]);
  });
});
