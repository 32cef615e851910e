import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAlarmsFile, readSeriesSpan } from '../../../src/data/index.ts';
import { CR_ONLY } from '../../../src/data/series-scan.ts';
import { HarnessError } from '../../../src/errors.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alarms-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HarnessError) return e.problems.map((x) => `${x.line}:${x.column}: ${x.message}`);
    throw e;
  }
  throw new Error('expected a HarnessError');
}

describe('readAlarmsFile', () => {
  it('reads alarms in file order, ties and an empty score allowed', async () => {
    const f = path.join(dir, 'ok.csv');
    await writeFile(f, 'alarm_at,system_id,score\n2026-01-02T00:00:00Z,S1,0.5\n2026-01-01T00:00:00.5Z,S1,\n2026-01-01T00:00:00.5Z,S1,1e-3\n');
    expect(await readAlarmsFile(f)).toEqual([
      { systemId: 'S1', atMs: Date.UTC(2026, 0, 2), line: 2, score: 0.5 },
      { systemId: 'S1', atMs: Date.UTC(2026, 0, 1) + 500, line: 3 },
      { systemId: 'S1', atMs: Date.UTC(2026, 0, 1) + 500, line: 4, score: 0.001 },
    ]);
  });

  it('locates every problem', async () => {
    const f = path.join(dir, 'bad.csv');
    await writeFile(f, 'system_id,alarm_at,score,source\n../x,2026-01-01T00:00:00Z,1,real\nS1,2026-01-01T00:00:00+01:00,NaN,reel\n,2026-13-01T00:00:00Z,1,synthetic\n');
    expect(await problemsOf(readAlarmsFile(f))).toEqual([
      '2:1: unsafe system id "../x": ids name files, so they must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$',
      '3:2: alarm_at is not an ISO 8601 UTC timestamp: "2026-01-01T00:00:00+01:00" (expected e.g. 2026-01-01T00:00:00Z or 2026-01-01T00:00:00+00:00)',
      '3:3: score is not a finite number: "NaN"',
      '3:4: unknown source "reel" (did you mean "real"?) (expected one of synthetic, real)',
      '4:1: empty system_id',
      '4:2: alarm_at is not an ISO 8601 UTC timestamp: "2026-13-01T00:00:00Z" (expected e.g. 2026-01-01T00:00:00Z or 2026-01-01T00:00:00+00:00)',
    ]);
    await writeFile(f, 'system_id,alarm\nS1,2026-01-01T00:00:00Z\n');
    expect((await problemsOf(readAlarmsFile(f)))[0]).toMatch(/^1:2: unknown column "alarm"/);
  });

  it('puts missing columns at column 1 of the header, not 0: columns are 1-based', async () => {
    const f = path.join(dir, 'noheader.csv');
    await writeFile(f, 'x\n1\n');
    expect(await problemsOf(readAlarmsFile(f))).toEqual([
      '1:1: unknown column "x"',
      '1:1: missing required columns system_id, alarm_at (header: x)',
    ]);
  });

  it('reads an alarm_at written with the offset +00:00 (pandas\' UTC) as UTC, and no other offset', async () => {
    const f = path.join(dir, 'offset.csv');
    await writeFile(f, 'system_id,alarm_at\nS1,2026-01-01T00:00:00+00:00\nS1,2026-01-01T00:00:00.25+00:00\n');
    expect(await readAlarmsFile(f)).toEqual([
      { systemId: 'S1', atMs: Date.UTC(2026, 0, 1), line: 2 },
      { systemId: 'S1', atMs: Date.UTC(2026, 0, 1) + 250, line: 3 },
    ]);
    await writeFile(f, 'system_id,alarm_at\nS1,2026-01-01T00:00:00-00:00\nS1,2026-01-01 00:00:00+00:00\nS1,+00:00\n');
    expect((await problemsOf(readAlarmsFile(f))).map((p) => p.split(' (expected')[0])).toEqual([
      '2:2: alarm_at is not an ISO 8601 UTC timestamp: "2026-01-01T00:00:00-00:00"',
      '3:2: alarm_at is not an ISO 8601 UTC timestamp: "2026-01-01 00:00:00+00:00"',
      '4:2: alarm_at is not an ISO 8601 UTC timestamp: "+00:00"',
    ]);
  });
});

describe('readSeriesSpan', () => {
  it('reads the first and last timestamp, gaps and a trailing newline or not', async () => {
    const f = path.join(dir, 'S1.csv');
    await writeFile(f, 'timestamp,voltage_v\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,\n2026-01-05T00:00:00Z,2');
    expect(await readSeriesSpan(f)).toEqual({ first: Date.UTC(2026, 0, 1), last: Date.UTC(2026, 0, 5) });
    expect(await readSeriesSpan(path.join(dir, 'none.csv'))).toBeUndefined();
  });

  it('locates a bad last timestamp and refuses a file without rows', async () => {
    const f = path.join(dir, 'S2.csv');
    await writeFile(f, 'timestamp,voltage_v\n2026-01-01T00:00:00Z,1\nlater,2\n');
    expect(await problemsOf(readSeriesSpan(f))).toEqual(['3:1: not an ISO 8601 UTC timestamp: "later"']);
    await writeFile(f, 'timestamp,voltage_v\n');
    expect(await problemsOf(readSeriesSpan(f))).toEqual(['1:1: a header and no rows']);
    await writeFile(f, '\r\ntimestamp,voltage_v\r\n\r\n\r\n');
    expect(await problemsOf(readSeriesSpan(f))).toEqual(['2:1: a header and no rows']);
  });

  it('refuses a last row that is not after the first: the span would be zero or negative', async () => {
    const f = path.join(dir, 'S5.csv');
    await writeFile(f, 'timestamp,voltage_v\n2026-01-05T00:00:00Z,1\n2026-01-03T00:00:00Z,2\n2026-01-01T00:00:00Z,3\n');
    expect(await problemsOf(readSeriesSpan(f))).toEqual([
      "4:1: the last row's timestamp 2026-01-01T00:00:00Z is not after the first row's 2026-01-05T00:00:00Z (line 2): timestamps must strictly increase",
    ]);
    // One row is a span of zero, and that is no error.
    await writeFile(f, 'timestamp,voltage_v\n2026-01-05T00:00:00Z,1\n');
    expect(await readSeriesSpan(f)).toEqual({ first: Date.UTC(2026, 0, 5), last: Date.UTC(2026, 0, 5) });
  });

  it('skips blank lines before the header and before the first row, as the series loader does', async () => {
    const f = path.join(dir, 'S3.csv');
    await writeFile(f, '\ntimestamp,voltage_v\n\n2026-01-01T00:00:00Z,1\n2026-01-03T00:00:00Z,2\n\n');
    expect(await readSeriesSpan(f)).toEqual({ first: Date.UTC(2026, 0, 1), last: Date.UTC(2026, 0, 3) });
    await writeFile(f, '\uFEFF\r\ntimestamp,voltage_v\r\n\r\n2026-01-01T00:00:00Z,1\r\n2026-01-03T00:00:00Z,2\r\n');
    expect(await readSeriesSpan(f)).toEqual({ first: Date.UTC(2026, 0, 1), last: Date.UTC(2026, 0, 3) });
    await writeFile(f, 'timestamp,voltage_v\n\n\nsoon,1\n2026-01-03T00:00:00Z,2\n');
    expect(await problemsOf(readSeriesSpan(f))).toEqual(['4:1: not an ISO 8601 UTC timestamp: "soon"']);
  });

  it('says a CR-only file is one, as the series loader does, not that it has no rows', async () => {
    const f = path.join(dir, 'S4.csv');
    await writeFile(f, 'timestamp,voltage_v\r2026-01-01T00:00:00Z,1\r2026-01-03T00:00:00Z,2\r');
    expect(await problemsOf(readSeriesSpan(f))).toEqual([`1:0: ${CR_ONLY}`]);
  });
});
