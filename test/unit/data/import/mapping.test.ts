import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMapping, validateMapping } from '../../../../src/data/import/mapping.ts';
import { HarnessError } from '../../../../src/errors.ts';

const FILE = '/x/site.mapping.json';
const good = {
  delimiter: ';',
  decimal: ',',
  timestamp: { column: 'Zeit', format: 'DD.MM.YYYY HH:mm:ss', timezone: 'Europe/Berlin' },
  system: { column: 'Rack', prefix: 'site9' },
  current_sign: 'charge_positive',
  columns: { voltage_v: 'U', cell_voltage_max_v: { from: 'Vmax', unit: 'mV' }, temp_cell_max_c: { from: 'T', unit: '0.1C', sentinel: [511, 5000], range: [-40, 120] } },
  metadata: { operational_mode: 'arbitrage' },
};

/** The problems (as `field: message`) of a mapping that differs from `good` by `patch`. */
function problems(raw: unknown): string[] {
  try {
    validateMapping(raw, FILE);
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    expect(err.code).toBe('E_MAPPING');
    for (const p of err.problems) expect(p.file).toBe(FILE);
    return err.problems.map((p) => p.message);
  }
  return [];
}
const patched = (patch: Record<string, unknown>) => ({ ...good, ...patch });

describe('validateMapping', () => {
  it('accepts a complete mapping and fills defaults', () => {
    const m = validateMapping(good, FILE);
    expect(m.columns.cell_voltage_max_v).toMatchObject({ from: 'Vmax', factor: 0.001, scale: 1, offset: 0, sentinels: [] });
    expect(m.columns.temp_cell_max_c).toMatchObject({ factor: 0.1, sentinels: [511, 5000], range: [-40, 120] });
    expect(m.columns.voltage_v).toMatchObject({ unit: 'V', factor: 1 });
    expect(m.timestamp).toMatchObject({ ambiguous: 'infer', nonexistent: 'drop' });
    expect(m.metadata.season).toBe('auto');
    const minimal = validateMapping({ timestamp: { column: 't' }, columns: { soc_pct: 'soc' }, metadata: { operational_mode: 'backup' } }, FILE);
    expect(minimal).toMatchObject({ delimiter: ',', decimal: '.', currentSign: 'discharge_positive', timestamp: { format: 'iso' } });
  });

  it('names every wrong field by its path, one problem each', () => {
    const cases: [unknown, string][] = [
      [patched({ delimtier: ';' }), 'delimtier: unknown field (did you mean "delimiter"?)'],
      [patched({ delimiter: ':' }), 'delimiter: must be one of'],
      [patched({ decimal: ';' }), 'decimal: must be one of ., ,'],
      [patched({ delimiter: ',', decimal: ',' }), 'decimal: a decimal comma needs another delimiter'],
      [patched({ timestamp: undefined }), 'timestamp: required'],
      [patched({ timestamp: 'Zeit' }), 'timestamp: must be an object'],
      [patched({ timestamp: { format: 'iso' } }), 'timestamp.column: required'],
      [patched({ timestamp: { column: 'Zeit', format: 'DD.MM.YY HH:mm' , timezone: 'UTC'} }), 'timestamp.format: "DD.MM.YY HH:mm": YYYY is missing'],
      [patched({ timestamp: { column: 'Zeit', format: 'YYYY-MM-DD HH:mm' } }), 'timestamp.timezone: required with the format'],
      [patched({ timestamp: { column: 'Zeit', timezone: 'Europe/Berln' } }), 'timestamp.timezone: unknown time zone "Europe/Berln"'],
      [patched({ timestamp: { column: 'Zeit', ambiguous: 'first' } }), 'timestamp.ambiguous: must be one of infer, earlier, later, drop'],
      [patched({ timestamp: { column: 'Zeit', nonexistent: 'skip' } }), 'timestamp.nonexistent: must be one of drop, shift'],
      [patched({ timestamp: { column: 'Zeit', zone: 'UTC' } }), 'timestamp.zone: unknown field'],
      [patched({ system: [] }), 'system: must be an object'],
      [patched({ system: { column: 'Rack', id: 'r1' } }), 'system: give either column'],
      [patched({ system: { id: '../etc' } }), 'system.id: "../etc" is not a safe system id'],
      [patched({ system: { prefix: 'site 9' } }), 'system.prefix: "site 9" must start'],
      [patched({ system: { window_days: 0 } }), 'system.window_days: must be > 0'],
      [patched({ system: { window_days: '7' } }), 'system.window_days: must be a number'],
      [patched({ current_sign: 'positive' }), 'current_sign: must be one of discharge_positive, charge_positive'],
      [patched({ columns: undefined }), 'columns: required'],
      [patched({ columns: {} }), 'columns: maps no sensor'],
      [patched({ columns: { voltage: 'U' } }), 'columns.voltage: unknown sensor (did you mean "voltage_v"?)'],
      [patched({ columns: { voltage_v: 3 } }), 'columns.voltage_v: must be an export column name'],
      [patched({ columns: { voltage_v: { unit: 'V' } } }), 'columns.voltage_v.from: required'],
      [patched({ columns: { voltage_v: { from: 'U', unit: '0.1C' } } }), 'columns.voltage_v.unit: "0.1C" is not a unit of voltage'],
      [patched({ columns: { temp_cell_max_c: { from: 'T', unit: 'dC' } } }), 'columns.temp_cell_max_c.unit: "dC" is not a unit of temperature'],
      [patched({ columns: { voltage_v: { from: 'U', scale: 0 } } }), 'columns.voltage_v.scale: must not be 0'],
      [patched({ columns: { voltage_v: { from: 'U', offset: 'x' } } }), 'columns.voltage_v.offset: must be a number'],
      [patched({ columns: { voltage_v: { from: 'U', sentinel: '511' } } }), 'columns.voltage_v.sentinel: must be a number or a list'],
      [patched({ columns: { voltage_v: { from: 'U', range: [5, 1] } } }), 'columns.voltage_v.range: must be [min, max]'],
      [patched({ columns: { voltage_v: { from: 'U', sentinal: 511 } } }), 'columns.voltage_v.sentinal: unknown field (did you mean "sentinel"?)'],
      [patched({ columns: { voltage_v: 'Zeit' } }), 'columns.voltage_v.from: "Zeit" is the timestamp column'],
      [patched({ columns: { voltage_v: 'Rack' } }), 'columns.voltage_v.from: "Rack" is the system column'],
      [patched({ columns: { voltage_v: 'U', soc_pct: 'U' } }), 'columns.soc_pct.from: "U" is already mapped to voltage_v'],
      [patched({ metadata: undefined }), 'metadata: required'],
      [patched({ metadata: 'arbitrage' }), 'metadata: must be an object'],
      [patched({ metadata: {} }), 'metadata.operational_mode: required'],
      [patched({ metadata: { operational_mode: 'arbitrag' } }), 'metadata.operational_mode: must be one of frequency_regulation'],
      [patched({ metadata: { operational_mode: 'backup', season: 'fall' } }), 'metadata.season: must be auto or one of'],
      [patched({ metadata: { operational_mode: 'backup', capacity_kwh: -1 } }), 'metadata.capacity_kwh: must be > 0'],
      [patched({ metadata: { operational_mode: 'backup', chemistry: 'LFP,NMC' } }), 'metadata.chemistry: must not hold a comma'],
      [patched({ metadata: { operational_mode: 'backup', systems: [] } }), 'metadata.systems: must be an object'],
      [patched({ metadata: { operational_mode: 'backup', systems: { r1: { mode: 'x' } } } }), 'metadata.systems.r1.mode: unknown field'],
      [patched({ metadata: { operational_mode: 'unknwn' } }), 'metadata.operational_mode: must be one of frequency_regulation, arbitrage, peak_shaving, solar_smoothing, backup, unknown, found "unknwn" (did you mean "unknown"?)'],
      [patched({ timestamp: { column: 'Zeit', format: 'elapsed' } }), 'timestamp.origin: required'],
      [patched({ timestamp: { column: 'Zeit', format: 'elapsed', origin: '2024-01-01 00:00' } }), 'timestamp.origin: "2024-01-01 00:00" must be an ISO 8601 instant with Z or an offset'],
      [patched({ timestamp: { column: 'Zeit', format: 'elapsed', origin: '2024-13-01T00:00:00Z' } }), 'timestamp.origin: "2024-13-01T00:00:00Z" must be an ISO 8601 instant'],
      [patched({ timestamp: { column: 'Zeit', format: 'iso', origin: '2024-01-01T00:00:00Z' } }), 'timestamp.origin: only with format "elapsed"'],
      [patched({ timestamp: { column: 'Zeit', format: 'elapsed', origin: '2024-01-01T00:00:00Z', timezone: 'UTC' } }), 'timestamp.timezone: not with format "elapsed"'],
      [patched({ system: { min_rows: 10 } }), 'system: min_rows and trailing need window_days'],
      [patched({ system: { window_days: 1, min_rows: 0.5 } }), 'system.min_rows: must be a whole number ≥ 1'],
      [patched({ system: { window_days: 1, trailing: 'append' } }), 'system.trailing: must be one of merge, drop, keep'],
      [patched({ columns: { cell_voltage_max_v: { max: [] } } }), 'columns.cell_voltage_max_v.max: must be a non-empty list of export column names'],
      [patched({ columns: { cell_voltage_max_v: { max: 'U_01' } } }), 'columns.cell_voltage_max_v.max: must be a non-empty list'],
      [patched({ columns: { cell_voltage_max_v: { max: ['U_01', 'U_01'] } } }), 'columns.cell_voltage_max_v.max: lists "U_01" twice'],
      [patched({ columns: { cell_voltage_max_v: { from: 'U', max: ['U_01'] } } }), 'columns.cell_voltage_max_v: give one of from, max, min, mean, found from and max'],
      [patched({ columns: { cell_voltage_max_v: { max: ['U_01', 'Zeit'] } } }), 'columns.cell_voltage_max_v.max: "Zeit" is the timestamp column'],
      [patched({ columns: { cell_voltage_max_v: { from: 'U', sum: ['U_01'] } } }), 'columns.cell_voltage_max_v.sum: unknown field'],
      [patched({ extra: [] }), 'extra: must be an object'],
      [patched({ extra: { 'String Current 1': 'I1' } }), 'extra.String Current 1: "String Current 1" must be a lowercase snake_case name'],
      [patched({ extra: { soc_pct: 'SOC' } }), 'extra.soc_pct: soc_pct is a contract sensor: map it under columns'],
      [patched({ extra: { cell_delta_v_mv: 'dV' } }), 'extra.cell_delta_v_mv: cell_delta_v_mv is reserved'],
      [patched({ extra: { flag: { from: 'F', unit: 'V' } } }), 'extra.flag.unit: unknown field'],
      [patched({ extra: { flag: 'U' } }), 'extra.flag.from: "U" is already mapped to voltage_v'],
      [patched({ columns: { string_current_1_a: 'I1' } }), 'columns.string_current_1_a: unknown sensor'],
    ];
    for (const [raw, expected] of cases) {
      const got = problems(raw);
      expect(got, JSON.stringify(raw)).toHaveLength(1);
      expect(got[0], JSON.stringify(raw)).toContain(expected);
    }
  });

  it('reads elapsed timestamps, aggregates across columns, extra columns, an unknown mode and trailing windows', () => {
    const cells = ['U_01', 'U_02', 'U_03'];
    const m = validateMapping(
      {
        timestamp: { column: 't', format: 'elapsed', origin: '2024-01-01T01:00:00+01:00' },
        system: { id: 'module', window_days: 1, min_rows: 100, trailing: 'drop' },
        columns: { cell_voltage_max_v: { max: cells, unit: 'mV' }, cell_voltage_min_v: { min: cells, unit: 'mV' } },
        extra: { string_current_1_a: 'I_S1', cell_voltage_mean_v: { mean: cells, scale: 0.001, range: [0, 5] } },
        metadata: { operational_mode: 'unknown' },
      },
      FILE,
    );
    expect(m.timestamp).toMatchObject({ format: 'elapsed', origin: Date.UTC(2024, 0, 1) });
    expect(m.system).toEqual({ id: 'module', windowDays: 1, minRows: 100, trailing: 'drop' });
    // max and min of the same cells share them; the unit converts every cell
    expect(m.columns.cell_voltage_max_v).toMatchObject({ combine: 'max', sources: cells, from: 'max(U_01, U_02, U_03)', factor: 0.001 });
    expect(m.columns.cell_voltage_min_v).toMatchObject({ combine: 'min', sources: cells, factor: 0.001 });
    expect(m.extra['string_current_1_a']).toMatchObject({ from: 'I_S1', sources: ['I_S1'], unit: '', factor: 1, scale: 1 });
    expect(m.extra['cell_voltage_mean_v']).toMatchObject({ combine: 'mean', scale: 0.001, range: [0, 5] });
    expect(m.metadata.operational_mode).toBe('unknown');
    // without window options, stubs are merged by default
    expect(validateMapping(good, FILE).system.trailing).toBe('merge');
  });

  it('reports all problems of a mapping at once', () => {
    expect(problems({ timestamp: {}, columns: { volts: 'U' }, metadata: { operational_mode: 'x' } })).toHaveLength(3);
    expect(problems([1, 2])).toEqual(['not an object']);
  });
});

describe('loadMapping', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mapping-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('locates a JSON syntax error by line and column', async () => {
    const f = path.join(dir, 'bad.json');
    await writeFile(f, '{\n  "delimiter": ";",\n  "decimal": ,\n}\n');
    const err = (await loadMapping(f).catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.problems[0]).toMatchObject({ file: f, line: 3 });
    expect(err.problems[0]!.column).toBeGreaterThan(0);
  });

  it('locates a mistake in a file with a byte order mark by the columns after the mark, as a JSON config', async () => {
    // JSON.parse read the text without the mark, the position was counted in the text with it:
    // one column to the left of the mistake (3:2 for 3:3).
    const at = async (name: string, text: string): Promise<string[]> => {
      const f = path.join(dir, name);
      await writeFile(f, text);
      const err = (await loadMapping(f).catch((e: unknown) => e)) as HarnessError;
      expect(err).toBeInstanceOf(HarnessError);
      return err.problems.map((p) => `${p.line}:${p.column}`);
    };
    for (const bom of ['', '\uFEFF']) {
      expect(await at('bad-key.json', `${bom}{\n  "delimiter": ";",\n  x\n}\n`), bom).toEqual(['3:3']);
      expect(await at('no-comma.json', `${bom}{\n  "delimiter": ";"\n  "decimal": "."\n}\n`), bom).toEqual(['3:3']);
      expect(await at('one-line.json', `${bom}{ "delimiter": ";", x }`), bom).toEqual(['1:21']);
      expect(await at('twice.json', `${bom}{"delimiter": ";", "delimiter": ","}`), bom).toEqual(['1:20']);
    }
  });

  it('refuses a key written twice in one object, located at the second: JSON.parse kept the last and the import went on', async () => {
    const f = path.join(dir, 'twice.json');
    const text = JSON.stringify({ ...good, columns: { voltage_v: 'U', ZZ: 'I' } }, null, 2)
      .replace('"ZZ"', '"voltage_v"')
      .replace('"metadata": {', '"metadata": { "chemistry": "LFP", "chemistry": "NMC",');
    await writeFile(f, text);
    const err = (await loadMapping(f).catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    const lines = text.split('\n');
    const second = lines.findIndex((l) => l.includes('"voltage_v": "I"'));
    const metadata = lines.findIndex((l) => l.includes('"metadata": {'));
    expect(err.problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      `${second + 1}:5: columns.voltage_v: duplicate key (first on line ${second}): JSON keeps only the last, so the first would be ignored`,
      `${metadata + 1}:${lines[metadata]!.lastIndexOf('"chemistry"') + 1}: metadata.chemistry: duplicate key (first on line ${metadata + 1}): JSON keeps only the last, so the first would be ignored`,
    ]);
    // The same keys in different objects, in an array, in a string value, are no duplicates.
    await writeFile(f, JSON.stringify({ ...good, extra: { u_copy: { max: ['A', 'B"x'] } }, description: '"voltage_v": 1, "voltage_v": 2' }));
    expect((await loadMapping(f)).extra.u_copy).toBeDefined();
  });

  it('reads a .ts default export, and names a missing file', async () => {
    const f = path.join(dir, 'm.mapping.ts');
    await writeFile(f, `export default ${JSON.stringify(good)};\n`);
    expect((await loadMapping(f)).columns.voltage_v?.from).toBe('U');
    const missing = (await loadMapping(path.join(dir, 'nope.json')).catch((e: unknown) => e)) as HarnessError;
    expect(missing.message).toContain('file not found');
  });
});
