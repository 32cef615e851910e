/**
 * Small valid data folders written with the harness's own writers, for tests to read back
 * or to break one thing at a time.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatLabelsCsv, formatMetadataCsv, formatSeriesCsv } from '../../../src/data/csv-write.ts';
import { SENSORS, type Source } from '../../../src/data/schema.ts';
import type { LabelRow, MetadataRow } from '../../../src/data/types.ts';

const created: string[] = [];

/** A fresh temp folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bess-data-'));
  created.push(dir);
  return dir;
}

/**
 * Removes the folders made by {@link tempDir}. Called after every test of every file by
 * test/helpers/setup-file.ts: vitest runs files without isolation (vitest.config.ts), so an
 * afterEach here would belong to the first file that imports this module only, and its
 * workers are killed, not exited, so an exit handler never runs (about 20 folders were left per run).
 */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export const T0 = Date.UTC(2026, 0, 1);

/** A deterministic series of `n` rows every 5 minutes with every default sensor. */
export function makeSeries(n: number, seed = 1): { timestamps: Float64Array; columns: Record<string, Float64Array> } {
  const timestamps = new Float64Array(n);
  const columns: Record<string, Float64Array> = {};
  for (const s of SENSORS) columns[s] = new Float64Array(n);
  const base: Record<string, number> = {
    voltage_v: 800, current_a: 0, soc_pct: 50, temp_cell_max_c: 30, temp_cell_min_c: 25,
    temp_ambient_c: 20, cell_voltage_max_v: 3.35, cell_voltage_min_v: 3.31, insulation_resistance_kohm: 5000,
  };
  for (let i = 0; i < n; i++) {
    timestamps[i] = T0 + i * 300_000;
    for (const s of SENSORS) {
      const col = columns[s] as Float64Array;
      col[i] = (base[s] ?? 0) + Math.sin(i * 0.37 + seed) * (s === 'soc_pct' ? 20 : s.startsWith('cell') ? 0.01 : 3);
    }
  }
  return { timestamps, columns };
}

export function metaRow(id: string, source: Source, extra: Partial<MetadataRow> = {}): MetadataRow {
  return { system_id: id, source, operational_mode: 'arbitrage', season: 'summer', scenario_tags: [], ...extra };
}

export function labelRow(id: string, source: Source, i: number): LabelRow {
  return i % 2 === 0
    ? { system_id: id, label: 'normal', failure_type: 'none', lead_time_days: null, source, label_version: 1 }
    : { system_id: id, label: 'anomaly', failure_type: 'thermal_runaway', lead_time_days: 12.5, source, label_version: 1 };
}

export const ids = (source: Source, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${source === 'synthetic' ? 'syn' : 'real'}-${String(i).padStart(3, '0')}`);

/** Writes `<dir>/<source>/{raw/,metadata.csv,labels.csv}` for each source. */
export async function writeDataDir(dir: string, counts: Partial<Record<Source, number>>, rows = 12): Promise<void> {
  for (const source of ['synthetic', 'real'] as const) {
    const labels: LabelRow[] = [];
    const n = counts[source];
    if (n === undefined) continue;
    const sdir = path.join(dir, source);
    await mkdir(path.join(sdir, 'raw'), { recursive: true });
    const list = ids(source, n);
    await writeFile(path.join(sdir, 'metadata.csv'), formatMetadataCsv(list.map((id) => metaRow(id, source))));
    for (const [i, id] of list.entries()) {
      const s = makeSeries(rows, i);
      await writeFile(path.join(sdir, 'raw', `${id}.csv`), formatSeriesCsv(s.timestamps, s.columns));
      labels.push(labelRow(id, source, i));
    }
    await writeFile(path.join(sdir, 'labels.csv'), formatLabelsCsv(labels));
  }
}

/** Writes a flat folder `<dir>/{raw/,metadata.csv,labels.csv}` of one source. */
export async function writeFlatDir(dir: string, n: number, source: Source = 'synthetic', rows = 12): Promise<void> {
  await mkdir(path.join(dir, 'raw'), { recursive: true });
  const list = ids(source, n);
  await writeFile(path.join(dir, 'metadata.csv'), formatMetadataCsv(list.map((id) => metaRow(id, source))));
  for (const [i, id] of list.entries()) {
    const s = makeSeries(rows, i);
    await writeFile(path.join(dir, 'raw', `${id}.csv`), formatSeriesCsv(s.timestamps, s.columns));
  }
  await writeFile(path.join(dir, 'labels.csv'), formatLabelsCsv(list.map((id, i) => labelRow(id, source, i))));
}

/** Rewrites 1-based line `line` of a text file. */
export async function editLine(file: string, line: number, edit: (text: string) => string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines[line - 1] = edit(lines[line - 1] ?? '');
  await writeFile(file, lines.join('\n'));
}

/** Sets the 1-based `column` of 1-based `line` of a CSV file (no quoted fields). */
export function editCell(file: string, line: number, column: number, value: string): Promise<void> {
  return editLine(file, line, (t) => {
    const f = t.split(',');
    f[column - 1] = value;
    return f.join(',');
  });
}
