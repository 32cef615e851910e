import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatSeriesCsv } from '../../../src/data/csv-write.ts';
import { validateData } from '../../../src/data/validate.ts';
import { formatProblem } from '../../../src/errors.ts';
import { editCell, editLine, makeSeries, T0, tempDir, writeDataDir, writeFlatDir } from './fixture.ts';

// A valid data dir: synthetic syn-000..002 and real real-000..001, 12 rows each.
// synthetic/labels.csv lines 2–4: syn-000 normal, syn-001 anomaly, syn-002 normal;
// real/labels.csv lines 2–3: real-000 normal, real-001 anomaly.
// Columns: raw 1 timestamp, 2 voltage_v, 3 current_a, 4 soc_pct, 5 temp_cell_max_c, 6 temp_cell_min_c …;
// labels 1 system_id, 2 label, 3 failure_type, 4 lead_time_days, 5 source, 6 label_version;
// metadata 1 system_id, 2 source, 3 operational_mode, 4 season.
let dir = '';
const f = (rel: string): string => path.join(dir, rel);
const RAW = 'synthetic/raw/syn-000.csv';
const LABELS = 'synthetic/labels.csv';
const REAL_LABELS = 'real/labels.csv';
const HEADER_ONLY_LABELS = 'system_id,label,failure_type,lead_time_days,source,label_version\n';
const META = 'synthetic/metadata.csv';

async function check(opts?: Parameters<typeof validateData>[1]): Promise<string[]> {
  const r = await validateData(dir, opts);
  return r.problems.map((p) => formatProblem(p, (file) => path.relative(dir, file)));
}

beforeEach(async () => {
  dir = await tempDir();
  await writeDataDir(dir, { synthetic: 3, real: 2 });
});

describe('validateData: a valid folder', () => {
  it('finds nothing in a data dir and counts what it read', async () => {
    const r = await validateData(dir);
    expect(r).toEqual({ problems: [], suppressed: [], filesChecked: 9, systems: 5, unlabelledReal: 0 });
  });

  it('finds nothing when real/ holds only header rows (a fresh clone): no real systems', async () => {
    await rm(f('real'), { recursive: true });
    await writeDataDir(dir, { synthetic: 3, real: 0 });
    expect(await readFile(f('real/metadata.csv'), 'utf8')).toBe('system_id,source,operational_mode,season\n');
    await writeFile(f(REAL_LABELS), HEADER_ONLY_LABELS);
    expect(await validateData(dir)).toEqual({ problems: [], suppressed: [], filesChecked: 7, systems: 3, unlabelledReal: 0 });
  });

  it('finds nothing in a flat folder', async () => {
    const flat = await tempDir();
    await writeFlatDir(flat, 3);
    expect(await validateData(flat)).toEqual({ problems: [], suppressed: [], filesChecked: 5, systems: 3, unlabelledReal: 0 });
  });

  it('reports a missing data folder as one problem', async () => {
    const r = await validateData(path.join(dir, 'missing'));
    expect(r.problems).toEqual([{ file: path.join(dir, 'missing'), line: 1, column: 0, message: expect.stringMatching(/data folder not found/) }]);
  });
});

describe('validateData: raw series', () => {
  it('a cell that is not a number', async () => {
    await editCell(f(RAW), 3, 4, 'abc');
    expect(await check()).toEqual([`${RAW}:3:4: not a number: "abc" in column soc_pct (a missing reading is an empty field)`]);
  });

  it('a timestamp without Z', async () => {
    await editCell(f(RAW), 4, 1, '2026-01-01T00:10:00');
    expect(await check()).toEqual([`${RAW}:4:1: not an ISO 8601 UTC timestamp: "2026-01-01T00:10:00" (expected e.g. 2026-01-01T00:00:00Z)`]);
  });

  it('an impossible date', async () => {
    await editCell(f(RAW), 2, 1, '2026-02-30T00:00:00Z');
    expect(await check()).toEqual([`${RAW}:2:1: not an ISO 8601 UTC timestamp: "2026-02-30T00:00:00Z" (expected e.g. 2026-01-01T00:00:00Z)`]);
  });

  it('timestamps that do not strictly increase name the line', async () => {
    await editCell(f(RAW), 5, 1, '2026-01-01T00:05:00Z');
    expect(await check()).toEqual([`${RAW}:5:1: timestamp 2026-01-01T00:05:00Z is not after the previous one (line 4): timestamps must strictly increase`]);
  });

  it('a ragged row', async () => {
    await editLine(f(RAW), 6, (t) => `${t},1`);
    await editLine(f(RAW), 8, (t) => t.split(',').slice(0, 3).join(','));
    expect(await check()).toEqual([`${RAW}:6:11: row has 11 fields but the header has 10`, `${RAW}:8:4: row has 3 fields but the header has 10`]);
  });

  it('unknown and duplicate columns', async () => {
    await editCell(f(RAW), 1, 5, 'tmep_cell_max_c');
    await editCell(f(RAW), 1, 4, 'current_a');
    expect(await check()).toEqual([
      `${RAW}:1:4: duplicate column "current_a" (first at column 3)`,
      `${RAW}:1:5: unknown column "tmep_cell_max_c" (did you mean "temp_cell_max_c"?): every column must be a known sensor (declare extra sensors in the config)`,
    ]);
  });

  it('extra snake_case columns and an unknown mode pass in real data only', async () => {
    const REAL_RAW = 'real/raw/real-000.csv';
    await editCell(f(REAL_RAW), 1, 5, 'string_current_1_a');
    await editCell(f(REAL_RAW), 1, 6, 'String Current 2');
    await editCell(f('real/metadata.csv'), 2, 3, 'unknown');
    await editCell(f(RAW), 1, 5, 'string_current_1_a');
    await editCell(f(META), 2, 3, 'unknown');
    expect(await check()).toEqual([
      `${REAL_RAW}:1:6: unknown column "String Current 2": every column must be a known sensor or an extra column named in lowercase snake_case (such as string_current_1_a)`,
      `${META}:2:3: unknown operational_mode "unknown" (expected one of frequency_regulation, arbitrage, peak_shaving, solar_smoothing, backup)`,
      `${RAW}:1:5: unknown column "string_current_1_a": every column must be a known sensor (declare extra sensors in the config)`,
    ]);
  });

  it('a first column that is not timestamp', async () => {
    await editCell(f(RAW), 1, 1, 'time');
    expect(await check()).toEqual([`${RAW}:1:1: first column must be "timestamp", found "time"`]);
  });

  it('a physically impossible reading, and a plausible one left alone', async () => {
    await editCell(f(RAW), 3, 4, '140');
    await editCell(f(RAW), 4, 4, '104.5');
    await editCell(f(RAW), 5, 8, '-3.3');
    expect(await check()).toEqual([
      `${RAW}:3:4: soc_pct 140 is physically impossible (outside -5…105)`,
      `${RAW}:5:8: cell_voltage_max_v -3.3 is physically impossible (outside 0…10)`,
    ]);
  });

  it('a header with no rows, and an empty file', async () => {
    const header = (await readFile(f(RAW), 'utf8')).split('\n')[0];
    await writeFile(f(RAW), `${header}\n`);
    await writeFile(f('synthetic/raw/syn-001.csv'), '');
    expect(await check()).toEqual([
      `${RAW}:1:0: file has a header but no data rows`,
      'synthetic/raw/syn-001.csv:1:0: file is empty: expected a header timestamp,<sensor>,...',
    ]);
  });

  it('an unsafe id in a raw file name (also an orphan)', async () => {
    const s = makeSeries(3);
    await writeFile(f('synthetic/raw/bad id.csv'), formatSeriesCsv(s.timestamps, s.columns));
    expect(await check()).toEqual([
      'synthetic/raw/bad id.csv:1:0: unsafe system id "bad id" in the file name: ids must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$',
      'synthetic/raw/bad id.csv:1:0: orphan series: system bad id is not listed in the metadata',
    ]);
  });

  it('caps problems per file and counts the rest', async () => {
    for (let line = 2; line <= 13; line++) await editCell(f(RAW), line, 4, 'x');
    await editCell(f(LABELS), 2, 6, '0');
    const r = await validateData(dir, { maxPerFile: 5 });
    const raw = r.problems.filter((p) => p.file === f(RAW));
    expect(raw.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(r.suppressed).toEqual([{ file: f(RAW), count: 7 }]);
    expect(r.problems.some((p) => p.file === f(LABELS))).toBe(true);
  });

  it('sorts problems by file, then line, then column', async () => {
    await editCell(f('synthetic/raw/syn-002.csv'), 3, 2, 'q');
    await editCell(f(RAW), 9, 3, 'q');
    await editCell(f(RAW), 9, 2, 'q');
    await editCell(f(RAW), 2, 7, 'q');
    await editCell(f(LABELS), 4, 6, '-1');
    const got = (await check()).map((s) => s.split(': ')[0]);
    expect(got).toEqual([LABELS + ':4:6', `${RAW}:2:7`, `${RAW}:9:2`, `${RAW}:9:3`, 'synthetic/raw/syn-002.csv:3:2']);
  });

  it('accepts sensors the config declares', async () => {
    await editCell(f(RAW), 1, 5, 'coolant_flow_lpm');
    expect(await check({ extraSensors: ['coolant_flow_lpm'] })).toEqual([]);
  });
});

describe('validateData: labels', () => {
  const cases: [string, number, number, string, string][] = [
    ['unknown label', 3, 2, 'anomally', `${LABELS}:3:2: unknown label "anomally" (did you mean "anomaly"?) (expected one of normal, anomaly)`],
    ['unknown failure type', 3, 3, 'fire', `${LABELS}:3:3: unknown failure_type "fire" (expected one of thermal_runaway, internal_short, cell_imbalance, capacity_fade, cooling_failure, insulation_fault, none)`],
    ['normal with a failure type', 2, 3, 'thermal_runaway', `${LABELS}:2:3: a normal system has failure_type none, found "thermal_runaway"`],
    ['normal with a lead time', 2, 4, '3', `${LABELS}:2:4: a normal system has an empty lead_time_days, found 3`],
    ['anomaly without a failure type', 3, 3, 'none', `${LABELS}:3:3: an anomaly needs a failure type, found none`],
    ['anomaly without a lead time', 3, 4, '', `${LABELS}:3:4: an anomaly needs a lead_time_days (days from the last sample to the failure)`],
    ['negative lead time', 3, 4, '-1', `${LABELS}:3:4: lead_time_days -1 out of range: expected a number of days from 0 to 3650 (ten years)`],
    ['lead time not a number', 3, 4, 'soon', `${LABELS}:3:4: lead_time_days is not a number: "soon"`],
    ['label_version zero', 2, 6, '0', `${LABELS}:2:6: label_version must be a positive integer, found "0"`],
    ['label_version fractional', 2, 6, '1.5', `${LABELS}:2:6: label_version must be a positive integer, found "1.5"`],
  ];
  for (const [name, line, col, value, expected] of cases) {
    it(name, async () => {
      await editCell(f(LABELS), line, col, value);
      expect(await check()).toEqual([expected]);
    });
  }

  it('a failure_at after the series that disagrees with lead_time_days by more than a day', async () => {
    // syn-001: an anomaly with lead_time_days 12.5; its series' last sample is T0 + 55 min.
    const last = T0 + 11 * 300_000;
    const withFailureAt = async (days: number): Promise<string[]> => {
      await writeDataDir(dir, { synthetic: 3, real: 2 });
      await editLine(f(LABELS), 1, (t) => `${t},failure_at`);
      for (let line = 2; line <= 4; line++)
        await editLine(f(LABELS), line, (t) => `${t},${line === 3 ? new Date(last + days * 86_400_000).toISOString() : ''}`);
      return check();
    };
    expect(await withFailureAt(12.5)).toEqual([]);
    expect(await withFailureAt(13.4)).toEqual([]); // a lead time rounded to the day agrees
    expect(await withFailureAt(24.8)).toEqual([
      `${LABELS}:3:7: failure_at 2026-01-25T20:07:00.000Z is 24.8 days after the last sample of syn-001 (2026-01-01T00:55:00.000Z), but lead_time_days says 12.5: lead_time_days is the time from the last sample to the failure (the two may differ by at most 1 day)`,
    ]);
    // A failure the telemetry recorded (failure_at inside the series) is no lead time's to describe.
    expect(await withFailureAt(-30 / 1440)).toEqual([]);
    // One before the first sample (T0) is a date typed wrong: a year early here.
    expect(await withFailureAt(-365 - 55 / 1440)).toEqual([
      `${LABELS}:3:7: failure_at 2025-01-01T00:00:00.000Z is 365.0 days before the first sample of syn-001 (2026-01-01T00:00:00.000Z): a failure is labelled during its series or after it (is the year or month right?)`,
    ]);
  });

  it('confidence outside 0–1', async () => {
    await editLine(f(LABELS), 1, (t) => `${t},confidence`);
    for (let line = 2; line <= 4; line++) await editLine(f(LABELS), line, (t) => `${t},${line === 4 ? '1.5' : '0.9'}`);
    expect(await check()).toEqual([`${LABELS}:4:7: confidence 1.5 out of range: expected a confidence between 0 and 1`]);
  });

  it('an unknown source (the metadata row is then unlabelled)', async () => {
    await editCell(f(LABELS), 2, 5, 'fake');
    expect(await check()).toEqual([
      `${LABELS}:2:5: unknown source "fake" (expected one of synthetic, real)`,
      `${META}:2:0: system syn-000 (synthetic) has metadata but no label in ${f(LABELS)}`,
    ]);
  });

  it('an unsafe system id', async () => {
    await editCell(f(LABELS), 2, 1, '../syn-000');
    expect(await check()).toContain(`${LABELS}:2:1: unsafe system id "../syn-000": ids name files, so they must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`);
  });

  it('a duplicate within a source, but not across sources', async () => {
    await editCell(f(LABELS), 3, 1, 'syn-000');
    const got = await check();
    expect(got).toContain(`${LABELS}:3:1: duplicate label for system syn-000 (source synthetic); first on line 2`);
    await writeDataDir(dir, { synthetic: 3, real: 2 });
    await editCell(f(REAL_LABELS), 2, 1, 'syn-000');
    expect((await check()).filter((s) => s.includes('duplicate'))).toEqual([]);
  });

  it('an unknown and a missing column', async () => {
    await editCell(f(LABELS), 1, 6, 'labl_version');
    expect(await check()).toEqual([
      `${LABELS}:1:0: missing required column label_version (header: system_id,label,failure_type,lead_time_days,source,labl_version)`,
      `${LABELS}:1:6: unknown column "labl_version" (did you mean "label_version"?)`,
    ]);
  });

  it('a duplicate column', async () => {
    await editLine(f(LABELS), 1, (t) => `${t},label`);
    for (let line = 2; line <= 4; line++) await editLine(f(LABELS), line, (t) => `${t},x`);
    expect(await check()).toEqual([`${LABELS}:1:7: duplicate column "label" (first at column 2)`]);
  });

  it('a header with no rows is valid: no labels (every synthetic system is then unlabelled)', async () => {
    await writeFile(f(LABELS), HEADER_ONLY_LABELS);
    expect(await check()).toEqual([
      `${META}:2:0: system syn-000 (synthetic) has metadata but no label in ${f(LABELS)}`,
      `${META}:3:0: system syn-001 (synthetic) has metadata but no label in ${f(LABELS)}`,
      `${META}:4:0: system syn-002 (synthetic) has metadata but no label in ${f(LABELS)}`,
    ]);
    await writeFile(f(REAL_LABELS), HEADER_ONLY_LABELS);
    expect((await validateData(dir)).unlabelledReal).toBe(2);
  });

  it('an empty labels file (no header) is an error', async () => {
    await writeFile(f(REAL_LABELS), '');
    expect(await check()).toEqual([`${REAL_LABELS}:1:0: file is empty: expected a header row`]);
  });

  it("a row of the other source in a source folder's labels file", async () => {
    await editCell(f(REAL_LABELS), 3, 5, 'synthetic');
    expect(await check()).toEqual([
      `${REAL_LABELS}:3:5: source synthetic in the real labels file: every row of this file must be real (synthetic labels go in synthetic/labels.csv)`,
    ]);
  });

  it('a legacy labels.csv at the top of a data dir, with what to do', async () => {
    await writeFile(f('labels.csv'), HEADER_ONLY_LABELS);
    const got = await check();
    expect(got).toEqual([expect.stringMatching(/^labels\.csv:1:0: labels now live in each source folder, and this file is no longer read/)]);
    expect(got[0]).toContain(`Move its real rows (source real) to ${f(REAL_LABELS)}`);
    expect(got[0]).toContain('synthetic rows are regenerated by `harness generate`');
  });

  it('a CSV syntax error', async () => {
    await editCell(f(LABELS), 4, 1, '"syn-002');
    expect(await check()).toEqual([`${LABELS}:4:0: not valid CSV: a quoted field that starts on this line is never closed`]);
    await writeDataDir(dir, { synthetic: 3, real: 2 });
    await editCell(f(LABELS), 3, 2, 'anom"aly');
    expect(await check()).toEqual([
      `${LABELS}:3:2: not valid CSV: Invalid Opening Quote: a quote is found on field 1 at line 3, value is "anom"`,
    ]);
  });

  it('a missing labels file', async () => {
    await rm(f(LABELS));
    expect(await check()).toEqual([`${LABELS}:1:0: labels file not found`]);
  });
});

describe('validateData: metadata', () => {
  const cases: [string, number, number, string, string][] = [
    ['unknown operational mode', 2, 3, 'arbitrag', `${META}:2:3: unknown operational_mode "arbitrag" (did you mean "arbitrage"?) (expected one of frequency_regulation, arbitrage, peak_shaving, solar_smoothing, backup)`],
    ['unknown season', 3, 4, 'monsoon', `${META}:3:4: unknown season "monsoon" (expected one of winter, spring, summer, autumn)`],
    ['a source that is not the folder', 2, 2, 'real', `${META}:2:2: source real in the synthetic folder: every row of this file must be synthetic`],
  ];
  for (const [name, line, col, value, expected] of cases) {
    it(name, async () => {
      await editCell(f(META), line, col, value);
      expect(await check()).toEqual([expected]);
    });
  }

  it('an unknown scenario tag', async () => {
    await editLine(f(META), 1, (t) => `${t},scenario_tags`);
    for (let line = 2; line <= 4; line++) await editLine(f(META), line, (t) => `${t},${line === 3 ? 'subtle;spikey' : 'subtle'}`);
    expect(await check()).toEqual([`${META}:3:5: unknown scenario tag "spikey" (did you mean "spike"?) (expected noisy_normal, subtle, sensor_dropout, stuck_sensor, spike, timestamp_gap, timestamp_jitter, soc_recalibration, string_trip, repeated_rows, idle_day)`]);
  });

  it('a missing required column', async () => {
    await writeFile(f(META), 'system_id,source,operational_mode\nsyn-000,synthetic,arbitrage\nsyn-001,synthetic,arbitrage\nsyn-002,synthetic,arbitrage\n');
    expect(await check()).toEqual([`${META}:1:0: missing required column season (header: system_id,source,operational_mode)`]);
  });

  it('an unsafe system id', async () => {
    await editCell(f(META), 2, 1, '../x');
    const got = await check();
    expect(got).toContain(`${META}:2:1: unsafe system id "../x": ids name files, so they must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`);
    expect(got).toContain(`${LABELS}:2:0: system syn-000 (synthetic) has a label but no metadata`);
  });

  it('a duplicate system', async () => {
    await editCell(f(META), 3, 1, 'syn-000');
    expect(await check()).toEqual([
      `${LABELS}:3:0: system syn-001 (synthetic) has a label but no metadata`,
      `${META}:3:1: duplicate system syn-000; first on line 2`,
      'synthetic/raw/syn-001.csv:1:0: orphan series: system syn-001 is not listed in the metadata',
    ]);
  });

  it('a missing metadata file', async () => {
    await rm(f(META));
    const got = await check();
    expect(got).toContain(`${META}:1:0: metadata file not found`);
    // Without metadata, raw files are not called orphans one by one.
    expect(got.filter((s) => s.includes('orphan'))).toEqual([]);
  });
});

describe('validateData: cross-checks', () => {
  it('a label without metadata', async () => {
    await editLine(f(LABELS), 5, () => 'ghost,normal,none,,synthetic,1\n');
    expect(await check()).toEqual([`${LABELS}:5:0: system ghost (synthetic) has a label but no metadata`]);
  });

  it('metadata without a label', async () => {
    await editLine(f(LABELS), 4, () => '');
    expect(await check()).toEqual([`${META}:4:0: system syn-002 (synthetic) has metadata but no label in ${f(LABELS)}`]);
  });

  it('metadata without a raw file', async () => {
    await rm(f('real/raw/real-001.csv'));
    expect(await check()).toEqual([`real/metadata.csv:3:0: system real-001 (real) has no raw file ${f('real/raw/real-001.csv')}`]);
  });

  it('a raw file without metadata (orphan)', async () => {
    const s = makeSeries(3);
    await writeFile(f('real/raw/real-999.csv'), formatSeriesCsv(s.timestamps, s.columns));
    expect(await check()).toEqual(['real/raw/real-999.csv:1:0: orphan series: system real-999 is not listed in the metadata']);
  });

  it('a file in raw/ that is no series, an uppercase .CSV included, is named (it was skipped without a word)', async () => {
    const copy = await readFile(f(RAW));
    await writeFile(f('synthetic/raw/extra-sys.CSV'), copy);
    await writeFile(f('synthetic/raw/notes.txt'), 'a note\n');
    // What Spark and pyarrow leave out of a dataset folder, the loaders do too.
    await writeFile(f('synthetic/raw/_SUCCESS'), '');
    await writeFile(f('synthetic/raw/.DS_Store'), '');
    expect(await check()).toEqual([
      'synthetic/raw/extra-sys.CSV:1:0: not a series file: series are <id>.csv or system_id=<id>/ (the extension is case-sensitive: rename it extra-sys.csv)',
      'synthetic/raw/notes.txt:1:0: not a series file: series are <id>.csv or system_id=<id>/ (the loaders read nothing else here: move it out, or start its name with _ or . to keep it)',
    ]);
  });

  it('a series whose extension differs in case: "no raw file" names the file beside it', async () => {
    await rename(f(RAW), f('synthetic/raw/syn-000.CSV'));
    expect(await check()).toEqual([
      `${META}:2:0: system syn-000 (synthetic) has no raw file ${f(RAW)} (raw/ holds syn-000.CSV: the extension is case-sensitive)`,
      'synthetic/raw/syn-000.CSV:1:0: not a series file: series are <id>.csv or system_id=<id>/ (the extension is case-sensitive: rename it syn-000.csv)',
    ]);
  });

  it('a missing raw folder is one problem, not one per system', async () => {
    await rm(f('real/raw'), { recursive: true });
    expect(await check()).toEqual(['real/raw:1:0: raw folder not found: every system needs raw/<system_id>.csv']);
  });

  it('cross-checks a flat folder too', async () => {
    dir = await tempDir();
    await writeFlatDir(dir, 2);
    await rm(f('raw/syn-001.csv'));
    const s = makeSeries(3);
    await writeFile(f('raw/extra.csv'), formatSeriesCsv(s.timestamps, s.columns));
    expect(await check()).toEqual([
      `metadata.csv:3:0: system syn-001 (synthetic) has no raw file ${f('raw/syn-001.csv')}`,
      'raw/extra.csv:1:0: orphan series: system extra is not listed in the metadata',
    ]);
  });
});
