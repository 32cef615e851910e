/**
 * Real-looking BMS exports made by the tests (no real data is shipped): the shapes of
 * domain.md §4 — semicolon-separated with decimal commas, local time in Europe/Berlin across
 * the autumn DST change (02:00–03:00 happens twice), cell voltages in mV and cell temperatures
 * in 0.1 °C integers, ambient temperature with the 511 "invalid probe" sentinel, charge-positive
 * current, duplicate and out-of-order rows, and one file holding three racks. And the simulated
 * 12-cell short-circuit module of field-stats.md: relative timestamps, one column per cell.
 */
import { mulberry32 } from './seeded.ts';

/** Local wall-clock text `DD.MM.YYYY HH:mm:ss` of a UTC instant in Europe/Berlin (CET/CEST). */
export function berlinText(utcMs: number): string {
  const dtf = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p: Record<string, string> = {};
  for (const part of dtf.formatToParts(new Date(utcMs))) p[part.type] = part.value;
  return `${p['day']}.${p['month']}.${p['year']} ${p['hour']}:${p['minute']}:${p['second']}`;
}

export interface BerlinExport {
  /** The file's text. */
  readonly text: string;
  /** The mapping that imports it, as JSON text. */
  readonly mapping: string;
  /** Rack names in the file and the ids they become. */
  readonly racks: readonly string[];
  readonly ids: readonly string[];
  /** Data rows written, and how many of them are exact duplicates. */
  readonly rows: number;
  readonly duplicates: number;
  /** Ambient readings written as the sentinel 511. */
  readonly sentinels: number;
  /** Samples per rack (distinct instants). */
  readonly samplesPerRack: number;
  /** First and last UTC instant of every rack. */
  readonly firstMs: number;
  readonly lastMs: number;
}

const comma = (v: number, d: number): string => v.toFixed(d).replace('.', ',');

/**
 * Three racks (`Rack 1`…`Rack 3`), 5-minute samples from 2025-10-25T22:00Z over `hours` hours,
 * so the Berlin fall-back at 2025-10-26T01:00Z (03:00 CEST → 02:00 CET) is inside. Rack 3 runs
 * hotter with a growing cell spread (the one to label anomalous).
 */
export function berlinExport(opts: { hours?: number } = {}): BerlinExport {
  const hours = opts.hours ?? 48;
  const start = Date.UTC(2025, 9, 25, 22, 0, 0);
  const step = 5 * 60_000;
  const n = (hours * 3_600_000) / step;
  const racks = ['Rack 1', 'Rack 2', 'Rack 3'];
  const header =
    'Zeitstempel;Anlage;U_DC [V];I_DC [A];SOC [%];T_Zelle_max [0.1°C];T_Zelle_min [0.1°C];T_Umgebung [°C];U_Zelle_max [mV];U_Zelle_min [mV];R_Iso [MOhm];Status';
  const lines: string[] = [header];
  let sentinels = 0;
  for (let i = 0; i < n; i++) {
    const t = start + i * step;
    racks.forEach((rack, r) => {
      const phase = Math.sin((2 * Math.PI * i) / 288);
      const dischargeA = 80 * phase; // contract sign: + = discharge
      const hot = r === 2 ? (i / n) * 60 : 0;
      const tmax = Math.round(250 + 20 * phase * phase + hot + r * 3);
      const tmin = tmax - 12 - r;
      const ambientSentinel = (i * 7 + r) % 97 === 0;
      if (ambientSentinel) sentinels++;
      const ambient = ambientSentinel ? 511 : Math.round(15 + 5 * phase);
      const vmax = Math.round(3310 + 8 * phase + (r === 2 ? (i / n) * 40 : 0));
      const vmin = Math.round(3296 + 8 * phase - r);
      lines.push(
        [
          berlinText(t),
          rack,
          comma(768 + 12 * phase, 1),
          comma(-dischargeA, 2), // charge positive in the export
          comma(55 + 30 * phase, 1),
          String(tmax),
          String(tmin),
          String(ambient),
          String(vmax),
          String(vmin),
          comma(2.5 + 0.2 * r, 2),
          'OK',
        ].join(';'),
      );
    });
  }
  // Duplicates (an exporter that writes a block twice) and out-of-order rows.
  const dupes = lines.slice(10, 16);
  lines.splice(40, 0, ...dupes);
  const a = lines[100]!;
  lines[100] = lines[103]!;
  lines[103] = a;
  const mapping = {
    delimiter: ';',
    decimal: ',',
    timestamp: { column: 'Zeitstempel', format: 'DD.MM.YYYY HH:mm:ss', timezone: 'Europe/Berlin' },
    system: { column: 'Anlage', prefix: 'site9' },
    current_sign: 'charge_positive',
    columns: {
      voltage_v: 'U_DC [V]',
      current_a: 'I_DC [A]',
      soc_pct: 'SOC [%]',
      temp_cell_max_c: { from: 'T_Zelle_max [0.1°C]', unit: '0.1C' },
      temp_cell_min_c: { from: 'T_Zelle_min [0.1°C]', unit: '0.1C' },
      temp_ambient_c: { from: 'T_Umgebung [°C]', sentinel: 511 },
      cell_voltage_max_v: { from: 'U_Zelle_max [mV]', unit: 'mV' },
      cell_voltage_min_v: { from: 'U_Zelle_min [mV]', unit: 'mV' },
      insulation_resistance_kohm: { from: 'R_Iso [MOhm]', unit: 'MOhm' },
    },
    metadata: { operational_mode: 'arbitrage', chemistry: 'LFP' },
  };
  return {
    text: `${lines.join('\r\n')}\r\n`,
    mapping: JSON.stringify(mapping, null, 2),
    racks,
    ids: ['site9-Rack-1', 'site9-Rack-2', 'site9-Rack-3'],
    rows: lines.length - 1,
    duplicates: dupes.length,
    sentinels,
    samplesPerRack: n,
    firstMs: start,
    lastMs: start + (n - 1) * step,
  };
}

export interface ShortCircuitExport {
  /** The file's text (pandas `to_csv` shape: an unnamed index column first). */
  readonly text: string;
  /** The mapping that imports it, as JSON text. */
  readonly mapping: string;
  /** Data rows, at 10 Hz from t = 0. */
  readonly rows: number;
  /** Seconds from the start at which cell 1 starts to short. */
  readonly shortAt: number;
  /** 0-based data rows whose every cell voltage is empty. */
  readonly allCellsMissing: readonly number[];
  /** Rows flagged `interpolated` = True. */
  readonly interpolated: number;
}

/** pandas Timedelta text of `tenths` × 0.1 s as `str(pd.Timedelta)` writes it, fraction trimmed: `0 days 00:00:00.1`. */
export function timedeltaText(tenths: number): string {
  const s = Math.floor(tenths / 10);
  const frac = tenths % 10;
  const days = Math.floor(s / 86_400);
  const hh = String(Math.floor((s % 86_400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${days} days ${hh}:${mm}:${ss}${frac ? `.${frac}` : ''}`;
}

/**
 * Built like the simulated 12-cell module of field-stats.md: NMC cells at 10 Hz with 1 mV
 * measurement noise (healthy ΔV ≈ 3 mV), an internal short in cell 1 from t = 900 s that pulls
 * it down by 1.5 mV growing to 4 mV, relative timestamps (`0 days 00:00:00.1`), one column per
 * cell in mV (`U_01`…`U_12`), the module current, and an `interpolated` flag (True/False).
 * Some cells are empty, one row has no cell voltage at all, and the file ends two samples past
 * 30 minutes (a stub of a 30 s window). Noise from a seeded generator: the same bytes every run.
 */
export function shortCircuitExport(
  opts: { seconds?: number; seed?: number } = {},
): ShortCircuitExport {
  const seconds = opts.seconds ?? 1800;
  const rows = seconds * 10 + 2;
  const shortAt = seconds / 2;
  const rnd = mulberry32(opts.seed ?? 12);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const cells = Array.from({ length: 12 }, (_, k) => `U_${String(k + 1).padStart(2, '0')}`);
  const lines = [['', 'time', 'I', ...cells, 'interpolated'].join(',')];
  const allCellsMissing = [Math.floor(rows / 3)];
  let interpolated = 0;
  for (let i = 0; i < rows; i++) {
    const t = i / 10;
    const soc = 0.6 - (2.5 * t) / 3600 / 5; // 5 Ah cells at 2.5 A
    const ocvMv = 3400 + 800 * soc - 2.5 * 20; // OCV minus I·R (20 mΩ)
    const drop = t >= shortAt ? 1.5 + (2.5 * (t - shortAt)) / (seconds - shortAt) : 0;
    const u = cells.map((_, k) => {
      const v = ocvMv - (k === 0 ? drop : 0) + gauss();
      if (allCellsMissing.includes(i) || (i % 997 === 5 && k === 4)) return '';
      return v.toFixed(1);
    });
    const flag = i % 50 === 49;
    if (flag) interpolated++;
    lines.push(
      [
        String(i),
        timedeltaText(i),
        (2.5 + 0.01 * gauss()).toFixed(3),
        ...u,
        flag ? 'True' : 'False',
      ].join(','),
    );
  }
  const mapping = {
    timestamp: { column: 'time', format: 'elapsed', origin: '2024-01-01T00:00:00Z' },
    system: { id: 'module12', window_days: 30 / 86_400 },
    columns: {
      current_a: 'I',
      cell_voltage_max_v: { max: cells, unit: 'mV' },
      cell_voltage_min_v: { min: cells, unit: 'mV' },
    },
    extra: { cell_voltage_mean_v: { mean: cells, scale: 0.001 }, interpolated: 'interpolated' },
    metadata: { operational_mode: 'unknown', chemistry: 'NMC' },
  };
  return {
    text: `${lines.join('\n')}\n`,
    mapping: JSON.stringify(mapping, null, 2),
    rows,
    shortAt,
    allCellsMissing,
    interpolated,
  };
}

/** A minimal export: `ts,U` with hourly rows of one day from 2025-01-01, voltage `v0` upward. */
export function hourlyExport(v0: number): string {
  const t0 = Date.parse('2025-01-01');
  const rows = Array.from(
    { length: 24 },
    (_, i) => `${new Date(t0 + i * 3_600_000).toISOString()},${v0 + i}`,
  );
  return `ts,U\n${rows.join('\n')}\n`;
}

/** The import mapping of {@link hourlyExport}'s files, as system `id`. */
export const voltageMapping = (id: string): string =>
  JSON.stringify({
    timestamp: { column: 'ts' },
    system: { id },
    columns: { voltage_v: 'U' },
    metadata: { operational_mode: 'arbitrage' },
  });
