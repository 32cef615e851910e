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
    ];
    for (const [raw, expected] of cases) {
      const got = problems(raw);
      expect(got, JSON.stringify(raw)).toHaveLength(1);
      expect(got[0], JSON.stringify(raw)).toContain(expected);
    }
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

  it('reads a .ts default export, and names a missing file', async () => {
    const f = path.join(dir, 'm.mapping.ts');
    await writeFile(f, `export default ${JSON.stringify(good)};\n`);
    expect((await loadMapping(f)).columns.voltage_v?.from).toBe('U');
    const missing = (await loadMapping(path.join(dir, 'nope.json')).catch((e: unknown) => e)) as HarnessError;
    expect(missing.message).toContain('file not found');
  });
});
