/**
 * `harness import` as a user runs it, on exports of several shapes that the tests make:
 * semicolon + decimal comma + Berlin local time across the DST change + mV / 0.1 °C integers +
 * the 511 sentinel + three racks in one file; ISO-with-offset comma files, one per system;
 * Parquet written with hyparquet-writer. Then merging, labels, windows and every bad input.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../src/index.ts';
import { berlinExport, shortCircuitExport, type BerlinExport } from '../helpers/real-export.ts';
import { hashTree, makeProject, runHarness, tempDir } from '../helpers/run-harness.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let berlin: BerlinExport;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('bess-import-'));
  berlin = berlinExport();
  await writeFile(path.join(dir, 'site9.csv'), berlin.text);
  await writeFile(path.join(dir, 'site9.mapping.json'), berlin.mapping);
});
afterAll(() => cleanup());

const run = (...args: string[]) => runHarness(args, { cwd: dir });
const csvRows = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(','));

/** A comma export with ISO timestamps and +02:00 offsets (microseconds, jitter), one file per bank. */
function isoExport(bank: string, opts: { rows?: number } = {}): string {
  const lines = ['time,pack_v,pack_a,soc,cell_max_v,cell_min_v,t_max,t_min,riso_kohm'];
  const n = opts.rows ?? 200;
  for (let i = 0; i < n; i++) {
    const t = Date.UTC(2025, 6, 1, 0, 0, 0) + i * 10_000 + (i % 3) * 120; // 10 s ± jitter
    const local =
      new Date(t + 2 * 3_600_000)
        .toISOString()
        .replace('Z', '')
        .replace(/\.(\d{3})$/, '.$1456') + '+02:00';
    const clamp = i % 50 === 7; // full-scale 5.0 V clamp
    lines.push(
      [
        local,
        (760 + (i % 7)).toFixed(1),
        (i % 11) - 5,
        50 + (i % 5),
        clamp ? '5.000' : '3.312',
        '3.301',
        26 + (i % 3),
        24,
        3000,
      ].join(','),
    );
  }
  // an unparsable timestamp, a conflicting duplicate and rows out of order
  lines.splice(5, 0, 'yesterday,760,0,50,3.312,3.301,26,24,3000');
  if (n > 40) {
    lines.push(lines[20]!.replace(/,3000$/, ',2999'));
    [lines[30], lines[31]] = [lines[31]!, lines[30]!];
  }
  return `${lines.join('\n')}\n`;
}
const isoMapping = {
  timestamp: { column: 'time', format: 'iso' },
  system: { prefix: 'lfp' },
  columns: {
    voltage_v: 'pack_v',
    current_a: 'pack_a',
    soc_pct: 'soc',
    cell_voltage_max_v: { from: 'cell_max_v', sentinel: 5.0 },
    cell_voltage_min_v: 'cell_min_v',
    temp_cell_max_c: 't_max',
    temp_cell_min_c: 't_min',
    insulation_resistance_kohm: 'riso_kohm',
  },
  metadata: {
    operational_mode: 'frequency_regulation',
    season: 'summer',
    systems: { 'lfp-bank-B': { operational_mode: 'peak_shaving' } },
  },
};

describe('harness import', { timeout: 120_000 }, () => {
  it('imports a semicolon, decimal-comma, Berlin-local-time export of three racks (DST, mV, 0.1 °C, sentinel 511)', async () => {
    const r = await run('import', 'site9.csv', '--mapping', 'site9.mapping.json', '--data', 'data');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 3 systems \(1,728 rows\) from 1 file \(1,734 rows read\)/);
    expect(r.stdout).toMatch(/rows +duplicate +6 /);
    expect(r.stdout).toMatch(
      new RegExp(
        `values +sentinel +${berlin.sentinels} .*\\[temp_ambient_c ${berlin.sentinels}\\]`,
      ),
    );
    expect(r.stdout).toMatch(/first: site9\.csv:2:8: temp_ambient_c: sentinel 511/);
    expect(r.stdout).toContain('72 ambiguous local time(s) resolved');
    expect(r.stdout).toContain('ignored columns of site9.csv: Status');
    expect(r.stdout).toContain('no labels written');

    expect((await readdir(path.join(dir, 'data/real/raw'))).sort()).toEqual(
      berlin.ids.map((id) => `${id}.csv`),
    );
    const meta = await readFile(path.join(dir, 'data/real/metadata.csv'), 'utf8');
    expect(meta).toBe(
      `system_id,source,operational_mode,season,chemistry\n${berlin.ids.map((id) => `${id},real,arbitrage,autumn,LFP`).join('\n')}\n`,
    );

    const rows = await csvRows(path.join(dir, 'data/real/raw/site9-Rack-1.csv'));
    expect(rows[0]).toEqual([
      'timestamp',
      'voltage_v',
      'current_a',
      'soc_pct',
      'temp_cell_max_c',
      'temp_cell_min_c',
      'temp_ambient_c',
      'cell_voltage_max_v',
      'cell_voltage_min_v',
      'insulation_resistance_kohm',
    ]);
    // 26.10.2025 00:00:00 CEST = 2025-10-25T22:00Z; 250 × 0.1 °C; 3310 mV; 2,50 MΩ; ambient 511 → empty
    expect(rows[1]).toEqual([
      '2025-10-25T22:00:00Z',
      '768.00',
      '0.00',
      '55.00',
      '25.00',
      '23.80',
      '',
      '3.3100',
      '3.2960',
      '2500.0',
    ]);
    // charge-positive export: the contract's current is the negated value
    const exportRow2 = berlin.text.split('\r\n')[4]!.split(';');
    expect(Number(rows[2]![2])).toBeCloseTo(-Number(exportRow2[3]!.replace(',', '.')), 2);
    // every 5-minute sample is there once, through the repeated 02:00–03:00 hour
    const ts = rows.slice(1).map((r) => Date.parse(r[0]!));
    expect(ts).toHaveLength(berlin.samplesPerRack);
    expect(ts.every((t, i) => i === 0 || t - ts[i - 1]! === 300_000)).toBe(true);
    expect(ts.at(-1)).toBe(berlin.lastMs);

    const v = await run('validate', '--data', 'data');
    expect(v.stdout).toContain('3 real system(s) not labelled yet): valid');
    expect(v.code).toBe(0);
  });

  it('imports ISO-with-offset comma files, one system per file, and merges with the real systems already there', async () => {
    await writeFile(path.join(dir, 'bank-A.csv'), isoExport('A'));
    await writeFile(path.join(dir, 'bank-B.csv'), isoExport('B'));
    await writeFile(path.join(dir, 'iso.mapping.json'), JSON.stringify(isoMapping));
    const r = await run('import', 'bank-*.csv', '--mapping', 'iso.mapping.json', '--data', 'data');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 2 systems \(400 rows\) from 2 files/);
    expect(r.stdout).toMatch(/rows +unparsable_timestamp +2 /);
    expect(r.stdout).toMatch(/first: bank-A\.csv:6:1: "yesterday" is not an ISO 8601 timestamp/);
    expect(r.stdout).toMatch(/rows +conflicting_duplicate +2 /);
    expect(r.stdout).toMatch(/values +sentinel +8 .*cell_voltage_max_v 8/);
    expect(r.stdout).toContain('0 existing real system(s) replaced, 3 kept');
    const rows = await csvRows(path.join(dir, 'data/real/raw/lfp-bank-A.csv'));
    expect(rows[1]![0]).toBe('2025-07-01T00:00:00.000Z'.replace('.000Z', 'Z'));
    expect(rows[2]![0]).toBe('2025-07-01T00:00:10.120Z');
    expect(
      rows
        .slice(1)
        .map((r) => r[0]!)
        .every((t, i, a) => i === 0 || t > a[i - 1]!),
    ).toBe(true);
    expect(rows[8]![6]).toBe(''); // the 5.0 V clamp of sample 7 is missing
    expect(rows[9]![6]).toBe('3.3120');
    const meta = await readFile(path.join(dir, 'data/real/metadata.csv'), 'utf8');
    expect(meta.trim().split('\n').slice(1)).toEqual([
      ...berlin.ids.map((id) => `${id},real,arbitrage,autumn,LFP`),
      'lfp-bank-A,real,frequency_regulation,summer,',
      'lfp-bank-B,real,peak_shaving,summer,',
    ]);
    // importing the same export again replaces those systems and keeps the others
    const again = await run(
      'import',
      'site9.csv',
      '--mapping',
      'site9.mapping.json',
      '--data',
      'data',
    );
    // the same series again replace nothing (their labels still hold): no --replace needed
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      '0 existing real system(s) replaced, 3 written again unchanged, 2 kept',
    );
    expect((await readdir(path.join(dir, 'data/real/raw'))).length).toBe(5);
    expect((await run('validate', '--data', 'data')).code).toBe(0);
  });

  it('imports a Parquet file through the same mapping', async () => {
    const n = 120;
    const t0 = Date.UTC(2025, 0, 10);
    const racks = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'r1' : 'r2'));
    const buf = parquetWriteBuffer({
      columnData: [
        {
          name: 'ts_ms',
          data: Array.from({ length: n }, (_, i) => t0 + Math.floor(i / 2) * 60_000),
          type: 'DOUBLE',
        },
        { name: 'rack', data: racks, type: 'STRING' },
        {
          name: 'cell_max_mv',
          data: Array.from({ length: n }, (_, i) => (i === 9 ? 65535 : 3300 + (i % 10))),
          type: 'INT32',
        },
        {
          name: 'temp_dc',
          data: Array.from({ length: n }, (_, i) => (i === 4 ? null : 215 + (i % 4))),
          type: 'INT32',
          nullable: true,
        },
      ],
    });
    await writeFile(path.join(dir, 'site7.parquet'), new Uint8Array(buf));
    await writeFile(
      path.join(dir, 'pq.mapping.json'),
      JSON.stringify({
        timestamp: { column: 'ts_ms', format: 'epoch_ms' },
        system: { column: 'rack', prefix: 'site7' },
        columns: {
          cell_voltage_max_v: { from: 'cell_max_mv', unit: 'mV', sentinel: 65535 },
          temp_cell_max_c: { from: 'temp_dc', unit: '0.1C' },
        },
        metadata: { operational_mode: 'backup' },
      }),
    );
    const r = await run('import', 'site7.parquet', '--mapping', 'pq.mapping.json', '--data', 'pq');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 2 systems \(120 rows\)/);
    expect(r.stdout).toMatch(
      /first: site7\.parquet: row 10, column "cell_max_mv": cell_voltage_max_v: sentinel 65535/,
    );
    const rows = await csvRows(path.join(dir, 'pq/real/raw/site7-r1.csv'));
    expect(rows[0]).toEqual(['timestamp', 'temp_cell_max_c', 'cell_voltage_max_v']);
    expect(rows[1]).toEqual(['2025-01-10T00:00:00Z', '21.50', '3.3000']);
    expect(rows[3]![1]).toBe(''); // null in Parquet
    expect(await readFile(path.join(dir, 'pq/real/metadata.csv'), 'utf8')).toContain(
      'site7-r1,real,backup,winter',
    );
  });

  it('splits each system into windows of window_days', async () => {
    const m = JSON.parse(berlin.mapping) as Record<string, Record<string, unknown>>;
    m['system'] = { ...m['system'], window_days: 1 };
    await writeFile(path.join(dir, 'win.mapping.json'), JSON.stringify(m));
    const r = await run('import', 'site9.csv', '--mapping', 'win.mapping.json', '--data', 'win');
    expect(r.code).toBe(0);
    const files = (await readdir(path.join(dir, 'win/real/raw'))).sort();
    expect(files).toEqual(berlin.ids.flatMap((id) => [`${id}-w000.csv`, `${id}-w001.csv`]));
    expect((await csvRows(path.join(dir, 'win/real/raw/site9-Rack-2-w001.csv'))).length - 1).toBe(
      288,
    );
    // Each window names its rack, so a split keeps the rack's windows together.
    const meta = await csvRows(path.join(dir, 'win/real/metadata.csv'));
    const parent = meta[0]!.indexOf('parent_system_id');
    expect(parent).toBeGreaterThan(0);
    const row = meta.find((r) => r[0] === 'site9-Rack-2-w001')!;
    expect(row[parent]).toBe('site9-Rack-2');
  });

  it('merges a labels CSV into real/labels.csv, keeping the other real rows and the synthetic folder, and rejects labels of unknown systems', async () => {
    const header = 'system_id,label,failure_type,lead_time_days,source,label_version';
    await mkdir(path.join(dir, 'lab/synthetic'), { recursive: true });
    await mkdir(path.join(dir, 'lab/real'), { recursive: true });
    const synthetic = `${header}\nsyn-1,normal,none,,synthetic,1\n`;
    await writeFile(path.join(dir, 'lab/synthetic/labels.csv'), synthetic);
    await writeFile(
      path.join(dir, 'lab/real/labels.csv'),
      `${header}\n${berlin.ids[0]},normal,none,,real,2\n${berlin.ids[2]},normal,none,,real,1\n`,
    );
    await writeFile(
      path.join(dir, 'real-labels.csv'),
      `${header}\n${berlin.ids[2]},anomaly,cooling_failure,3,real,1\n`,
    );
    const importLabels = () =>
      run(
        'import',
        'site9.csv',
        '--mapping',
        'site9.mapping.json',
        '--data',
        'lab',
        '--labels',
        'real-labels.csv',
      );
    const r = await importLabels();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '1 label row(s) merged into real/labels.csv (1 new or changed, recorded in real/labels.history.csv)',
    );
    // The replaced row's version goes up (the app's form holding version 1 gets a conflict), and
    // the change is in the history, as a save in the label app would be.
    const merged = `${header}\n${berlin.ids[0]},normal,none,,real,2\n${berlin.ids[2]},anomaly,cooling_failure,3,real,2\n`;
    expect(await readFile(path.join(dir, 'lab/real/labels.csv'), 'utf8')).toBe(merged);
    const history = (await readFile(path.join(dir, 'lab/real/labels.history.csv'), 'utf8')).split(
      '\n',
    );
    expect(history[0]).toBe('changed_at,labeler,source,system_id,before,after');
    expect(history).toHaveLength(3); // header, one line, and the final newline
    expect(history[1]).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[^,]+Z,harness import,real,${berlin.ids[2]},"\\{.*""label"":""normal"".*""label_version"":1.*\\}","\\{.*""label"":""anomaly"".*""label_version"":2.*\\}"$`,
      ),
    );
    // The same labels again: nothing changes, nothing is added to the history.
    const again = await importLabels();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(0 new or changed');
    expect(await readFile(path.join(dir, 'lab/real/labels.csv'), 'utf8')).toBe(merged);
    expect(
      (await readFile(path.join(dir, 'lab/real/labels.history.csv'), 'utf8')).split('\n'),
    ).toEqual(history);
    expect(await readFile(path.join(dir, 'lab/synthetic/labels.csv'), 'utf8')).toBe(synthetic);
    await expect(readFile(path.join(dir, 'lab/labels.csv'), 'utf8')).rejects.toThrow(/ENOENT/);
    await writeFile(
      path.join(dir, 'ghost-labels.csv'),
      'system_id,label,failure_type,lead_time_days,source,label_version\nghost,normal,none,,real,1\n',
    );
    const before = await hashTree(path.join(dir, 'lab'));
    const bad = await run(
      'import',
      'bank-A.csv',
      '--mapping',
      'iso.mapping.json',
      '--data',
      'lab',
      '--labels',
      'ghost-labels.csv',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ghost-labels\.csv:2:0: system ghost is not a real system/);
    expect(await hashTree(path.join(dir, 'lab'))).toEqual(before);
  });
});

describe(
  'harness import: bad mappings and files exit 2 and write nothing',
  { timeout: 120_000 },
  () => {
    const expectNothingWritten = async (data: string) => {
      await expect(readdir(path.join(dir, data))).rejects.toThrow();
    };

    it('a wrong mapping field, named with its file and path', async () => {
      await writeFile(
        path.join(dir, 'bad.mapping.json'),
        JSON.stringify({
          ...isoMapping,
          columns: { ...isoMapping.columns, temp_cell_max_c: { from: 't_max', unit: 'dC' } },
        }),
      );
      const r = await run(
        'import',
        'bank-A.csv',
        '--mapping',
        'bad.mapping.json',
        '--data',
        'bad1',
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /bad\.mapping\.json: columns\.temp_cell_max_c\.unit: "dC" is not a unit of temperature/,
      );
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
      await expectNothingWritten('bad1');
    });

    it('a mapped column missing from the header, located at line 1', async () => {
      await writeFile(
        path.join(dir, 'typo.mapping.json'),
        JSON.stringify({ ...isoMapping, columns: { ...isoMapping.columns, soc_pct: 'SoC' } }),
      );
      const r = await run(
        'import',
        'bank-A.csv',
        '--mapping',
        'typo.mapping.json',
        '--data',
        'bad2',
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /bank-A\.csv:1:0: column "SoC" \(columns\.soc_pct\.from in typo\.mapping\.json\) is not in the header \(did you mean "soc"\?\)/,
      );
      await expectNothingWritten('bad2');
    });

    it('a mapped column twice in the header, located at the second, and nothing written', async () => {
      // Two `soc` columns (an export that appends a recomputed copy): reading the first silently
      // would import whichever the exporter put first.
      const [head, ...rows] = isoExport('D', { rows: 20 }).split('\n');
      const twice = [`${head},soc`, ...rows.map((r) => (r === '' ? r : `${r},99`))].join('\n');
      await writeFile(path.join(dir, 'twice.csv'), twice);
      const r = await run(
        'import',
        'twice.csv',
        '--mapping',
        'iso.mapping.json',
        '--data',
        'bad-twice',
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /twice\.csv:1:10: column "soc" \(columns\.soc_pct\.from in iso\.mapping\.json\) is in the header twice, columns 4 and 10/,
      );
      await expectNothingWritten('bad-twice');
    });

    it('a CSV syntax error, located; a ragged row is dropped and reported', async () => {
      await writeFile(
        path.join(dir, 'quote.csv'),
        `${isoExport('Q', { rows: 5 })}"2025-07-01T00:10:00+02:00,1\n`,
      );
      const r = await run('import', 'quote.csv', '--mapping', 'iso.mapping.json', '--data', 'bad3');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/quote\.csv:8:0: not valid CSV/);
      await expectNothingWritten('bad3');
      await writeFile(
        path.join(dir, 'ragged.csv'),
        `${isoExport('R', { rows: 5 })}2025-07-01T00:10:00+02:00,1\n`,
      );
      const ok = await run(
        'import',
        'ragged.csv',
        '--mapping',
        'iso.mapping.json',
        '--data',
        'ragged',
      );
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(
        /rows +malformed_row +1 .*\n.*ragged\.csv:8:3: row has 2 fields but the header has 9/,
      );
    });

    it('a wrong unit or an empty column: exit 2 at the column with the unit that fits; implausible values warn', async () => {
      const rows = ['ts,U,SOC,T,Vmax'];
      for (let h = 0; h < 24; h++)
        rows.push(`${1_735_689_600 + h * 3600},${760 + h},0.${50 + h},,${3300 + h}`);
      await writeFile(path.join(dir, 'units.csv'), `${rows.join('\n')}\n`);
      const mapping = (columns: object, format = 'epoch_s') =>
        JSON.stringify({
          timestamp: { column: 'ts', format },
          system: { id: 'u1' },
          columns,
          metadata: { operational_mode: 'arbitrage' },
        });
      await writeFile(
        path.join(dir, 'units.mapping.json'),
        mapping({
          voltage_v: 'U',
          soc_pct: 'SOC',
          temp_cell_max_c: 'T',
          cell_voltage_max_v: 'Vmax',
        }),
      );
      const r = await run(
        'import',
        'units.csv',
        '--mapping',
        'units.mapping.json',
        '--data',
        'bad-units',
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /units\.csv:1:4: columns\.temp_cell_max_c: column "T" has no reading in any row \(every cell empty\)/,
      );
      expect(r.stderr).toMatch(
        /units\.csv:2:5: columns\.cell_voltage_max_v: 24 of 24 readings of column "Vmax" are outside \[0, 10\] V \(written as 3300…3323 in unit "V"\): they look like unit "mV"/,
      );
      expect(r.stderr).toMatch(
        /units\.csv:1:3: also suspicious: columns\.soc_pct .*set "unit": "fraction"/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      await expectNothingWritten('bad-units');

      await writeFile(
        path.join(dir, 'units2.mapping.json'),
        mapping({
          voltage_v: 'U',
          soc_pct: 'SOC',
          cell_voltage_max_v: { from: 'Vmax', unit: 'mV' },
        }),
      );
      const ok = await run(
        'import',
        'units.csv',
        '--mapping',
        'units2.mapping.json',
        '--data',
        'ok-units',
        '--dry-run',
      );
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(
        /warning: columns\.soc_pct \(column "SOC"\): SOC is never above 1 % \(0\.5…0\.73 %\)/,
      );

      // Seconds read as milliseconds: 1970, every row dropped with the epoch hint.
      await writeFile(
        path.join(dir, 'units3.mapping.json'),
        mapping({ voltage_v: 'U' }, 'epoch_ms'),
      );
      const ms = await run(
        'import',
        'units.csv',
        '--mapping',
        'units3.mapping.json',
        '--data',
        'bad-units',
      );
      expect(ms.code).toBe(2);
      expect(ms.stderr).toMatch(
        /units\.csv:2:1: unparsable_timestamp \(24×\): "1735689600" as epoch_ms is 1970-01-21T02:08:09\.600Z, outside 2000–2099: the values look like seconds, set timestamp\.format to "epoch_s"/,
      );
      await expectNothingWritten('bad-units');
    });

    it('a file whose every row is dropped, a format that fits nothing, a Parquet file that is not one, a missing file', async () => {
      await writeFile(
        path.join(dir, 'wrongfmt.mapping.json'),
        JSON.stringify({ ...isoMapping, timestamp: { column: 'time', format: 'epoch_s' } }),
      );
      const r = await run(
        'import',
        'bank-A.csv',
        '--mapping',
        'wrongfmt.mapping.json',
        '--data',
        'bad4',
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/nothing to import: every one of the 202 rows was dropped/);
      expect(r.stderr).toMatch(/bank-A\.csv:2:1: unparsable_timestamp \(202×\)/);
      await expectNothingWritten('bad4');
      await writeFile(path.join(dir, 'fake.parquet'), 'not parquet at all');
      const p = await run(
        'import',
        'fake.parquet',
        '--mapping',
        'iso.mapping.json',
        '--data',
        'bad5',
      );
      expect(p.code).toBe(2);
      expect(p.stderr).toMatch(/fake\.parquet: not a readable Parquet file/);
      const m = await run('import', 'nope.csv', '--mapping', 'iso.mapping.json', '--data', 'bad6');
      expect(m.code).toBe(2);
      expect(m.stderr).toContain('nope.csv: file not found');
      const semi = await run(
        'import',
        'bank-A.csv',
        '--mapping',
        'site9.mapping.json',
        '--data',
        'bad7',
      );
      expect(semi.code).toBe(2);
      expect(semi.stderr).toContain('the file looks comma-separated');
      await expectNothingWritten('bad5');
    });
  },
);

/** A ΔV detector that also insists on the extra columns: it fails its case when the loader did not carry them. */
const SHORT_SUITE = `import { defineModel, defineSuite } from 'bess-harness';

const dv = defineModel({
  name: 'dv',
  version: '1',
  score(s) {
    const flag = s.sensors['interpolated'];
    const mean = s.sensors['cell_voltage_mean_v'];
    if (!flag || !mean) throw new Error('no extra columns in ' + Object.keys(s.sensors).join(','));
    const hi = s.sensors.cell_voltage_max_v!;
    const lo = s.sensors.cell_voltage_min_v!;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < hi.length; i++) {
      const d = hi[i]! - lo[i]!;
      if (flag[i] === 0 && d === d && mean[i]! <= hi[i]! && mean[i]! >= lo[i]!) {
        sum += d;
        n++;
      }
    }
    return sum / n;
  },
});

export default defineSuite({
  name: 'short-circuit',
  dataset: { source: 'real' },
  // One module, before and after its short: its windows are split one by one (the default keeps a
  // rack's windows on one side, which leaves nothing to train on with a single rack).
  split: { test: 0.5, seed: 3, groupWindows: false },
  models: [dv, 'zscore'],
  expect: ({ metric }) => [metric('dv', 'roc_auc').toBeGreaterThan(0.9)],
});
`;

describe(
  'the 12-cell short-circuit export (relative timestamps, one column per cell)',
  { timeout: 180_000 },
  () => {
    const e = shortCircuitExport();
    let project: { dir: string; cleanup: () => Promise<void> };
    beforeAll(async () => {
      // 30 s windows of the module; those after the short in cell 1 are the anomalies.
      const labels = ['system_id,label,failure_type,lead_time_days,source,label_version'];
      for (let w = 0; w < 60; w++) {
        const id = `module12-w${String(w).padStart(3, '0')}`;
        labels.push(
          w * 30 >= e.shortAt
            ? `${id},anomaly,internal_short,0,real,1`
            : `${id},normal,none,,real,1`,
        );
      }
      project = await makeProject({
        'harness.config.ts': 'export default { workers: 1 };\n',
        'suites/short.suite.ts': SHORT_SUITE,
        'exports/module.csv': e.text,
        'module.mapping.json': e.mapping,
        'labels.csv': `${labels.join('\n')}\n`,
      });
    });
    afterAll(() => project.cleanup());
    const inProject = (...args: string[]) => runHarness(args, { cwd: project.dir });

    it('imports with a mapping of a few lines: elapsed times, max/min across U_01..U_12 in mV, extras, unknown mode, no stub window', async () => {
      const r = await inProject(
        'import',
        'exports/module.csv',
        '--mapping',
        'module.mapping.json',
        '--labels',
        'labels.csv',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`imported 60 systems (${e.rows.toLocaleString('en-US')} rows)`);
      expect(r.stdout).toContain(
        'windows: 1 short last window(s) merged into the window before (2 rows; system.trailing)',
      );
      expect(r.stdout).toContain('ignored columns of exports/module.csv: (unnamed)');
      const raw = path.join(project.dir, 'data/real/raw');
      const files = (await readdir(raw)).sort();
      expect(files[0]).toBe('module12-w000.csv');
      expect(files[files.length - 1]).toBe('module12-w059.csv');

      // Every imported row against the export's own cells, recomputed here from its text.
      const exportRows = e.text
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const imported = (await Promise.all(files.map((f) => csvRows(path.join(raw, f))))).flatMap(
        (rows) => rows.slice(1),
      );
      expect(imported).toHaveLength(e.rows);
      const header = (await csvRows(path.join(raw, files[0]!)))[0]!;
      expect(header).toEqual([
        'timestamp',
        'current_a',
        'cell_voltage_max_v',
        'cell_voltage_min_v',
        'cell_voltage_mean_v',
        'interpolated',
      ]);
      const origin = Date.UTC(2024, 0, 1);
      let flagged = 0;
      imported.forEach((row, i) => {
        const src = exportRows[i]!;
        expect(Date.parse(row[0]!) - origin).toBe(i * 100);
        const cells = src
          .slice(3, 15)
          .filter((c) => c !== '')
          .map(Number);
        if (cells.length === 0) {
          expect(row.slice(2, 5)).toEqual(['', '', '']);
        } else {
          expect(Number(row[2])).toBeCloseTo(Math.max(...cells) / 1000, 6);
          expect(Number(row[3])).toBeCloseTo(Math.min(...cells) / 1000, 6);
          expect(Number(row[4])).toBeCloseTo(
            cells.reduce((a, b) => a + b, 0) / cells.length / 1000,
            9,
          );
        }
        expect(row[5]).toBe(src[15] === 'True' ? '1' : '0');
        if (row[5] === '1') flagged++;
      });
      expect(e.allCellsMissing.length).toBeGreaterThan(0);
      expect(flagged).toBe(e.interpolated);
      const meta = await readFile(path.join(project.dir, 'data/real/metadata.csv'), 'utf8');
      expect(meta.split('\n')[1]).toBe('module12-w000,real,unknown,winter,NMC,module12');
    });

    it('validates, and a run gives the plugin the extra columns and breaks results down by an unknown operational mode', async () => {
      const v = await inProject('validate');
      expect(v.stderr).toBe('');
      expect(v.code).toBe(0);
      const harness = await createHarness({
        cwd: project.dir,
        overrides: { runsDir: path.join(project.dir, 'runs') },
      });
      const { result, exitCode } = await harness.run({}, { reporters: [], record: false });
      const cases = result.suites[0]!.cases;
      expect(cases.map((c) => [c.model, c.state === 'errored' ? c.error : c.state])).toEqual([
        ['dv', 'scored'],
        ['zscore', 'scored'],
      ]);
      expect(exitCode).toBe(0);
      const dv = cases[0]!;
      if (dv.state !== 'scored') throw new Error('dv not scored');
      expect(dv.summary.breakdown['operational_mode']?.map((c) => c.stratum)).toEqual(['unknown']);
    });
  },
);
