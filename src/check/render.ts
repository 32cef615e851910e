/**
 * Renders a fleet as text a person can read in a terminal: one block per system with its label,
 * metadata, timestamps and a one-line summary per sensor ("soc_pct: all NaN (3 samples)",
 * "temp_cell_max_c: constant 25"). Pure.
 */
import { type EdgeFleet, strictlyIncreasing } from '../arbitraries/index.ts';
import { SENSORS } from '../data/index.ts';
import type { SystemSeries } from '../data/types.ts';

/** A number as short as it can be read: 25, 3.301, 1e+12, 5e-324, -0. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (Object.is(v, -0)) return '-0';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential().replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(7)));
}

/** A duration in ms as 5m, 1h, 3d 4h, 250ms. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return sign + parts.slice(0, 2).join(' ');
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Values no sensor reports: a reading at ±1e9 or beyond, or a nonzero magnitude below 1e-300. */
function isExtreme(v: number): boolean {
  const a = Math.abs(v);
  return a >= 1e9 || (a !== 0 && a < 1e-300);
}

/** One line describing a column: all NaN, constant, its values when few, else its range. */
export function describeColumn(col: Float64Array): string {
  const n = col.length;
  let nan = 0;
  let min = Infinity;
  let max = -Infinity;
  const extremes = new Set<string>();
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (v !== v) {
      nan++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (isExtreme(v)) extremes.add(formatNumber(v));
  }
  if (n === 0) return 'empty (0 samples)';
  if (nan === n) return `all NaN (${plural(n, 'sample')})`;
  const nanNote = nan > 0 ? `, ${nan} NaN` : '';
  if (min === max)
    return `constant ${formatNumber(min)}${nan > 0 ? ` (${plural(n - nan, 'sample')}${nanNote})` : ''}`;
  if (n <= 6) return `[${Array.from(col, formatNumber).join(', ')}]`;
  const ext = extremes.size > 0 ? `, extreme values ${[...extremes].join(', ')}` : '';
  return `${formatNumber(min)} … ${formatNumber(max)} (${plural(n, 'sample')}${nanNote}${ext})`;
}

/** The timestamps of a series in one line: first … last, step, longest gap, and any disorder. */
export function describeTimestamps(t: Float64Array): string {
  const n = t.length;
  if (n === 0) return 'none';
  const order = strictlyIncreasing(t)
    ? ''
    : ' — NOT strictly increasing (the loader would reject this file)';
  if (n <= 4) return `${Array.from(t, iso).join(', ')}${order}`;
  const steps = new Map<number, number>();
  let longest = -Infinity;
  for (let i = 1; i < n; i++) {
    const d = (t[i] as number) - (t[i - 1] as number);
    steps.set(d, (steps.get(d) ?? 0) + 1);
    if (d > longest) longest = d;
  }
  const step = [...steps.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const gap = longest > step ? `, longest gap ${formatDuration(longest)}` : '';
  return `${iso(t[0] as number)} … ${iso(t[n - 1] as number)} (${plural(n, 'sample')}, step ${formatDuration(step)}${gap})${order}`;
}

/** The sensor lines of a series: one per present column, then the absent default sensors in one line. */
export function describeSeries(series: SystemSeries, indent = '  '): string[] {
  const lines = [`${indent}timestamps: ${describeTimestamps(series.timestamps)}`];
  const present = Object.entries(series.sensors).filter(
    (e): e is [string, Float64Array] => e[1] !== undefined,
  );
  for (const [name, col] of present) lines.push(`${indent}${name}: ${describeColumn(col)}`);
  const absent = SENSORS.filter((s) => series.sensors[s] === undefined);
  if (absent.length > 0)
    lines.push(
      `${indent}absent: ${absent.length === SENSORS.length ? 'every sensor' : absent.join(', ')}`,
    );
  return lines;
}

/** A fleet as text: a header line, then one block per system. */
export function renderFleet(fleet: EdgeFleet): string {
  const normals = fleet.systems.filter((s) => s.label.label === 'normal').length;
  const lines = [
    `${plural(fleet.systems.length, 'system')} (${normals} normal, ${fleet.systems.length - normals} anomaly)`,
  ];
  for (const s of fleet.systems) {
    const label =
      s.label.label === 'normal'
        ? 'normal'
        : `anomaly ${s.label.failure_type}, lead ${s.label.lead_time_days} d`;
    lines.push(
      `${s.series.systemId}  ${label}  (${s.metadata.operational_mode}, ${s.metadata.season})`,
    );
    lines.push(...describeSeries(s.series));
  }
  return lines.join('\n');
}
