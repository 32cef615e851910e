/**
 * Clean series to contract systems: ids made safe and prefixed (`site9-rack3`), and optionally
 * one system per window of `window_days` (`site9-rack3-w000`, `-w001`, …).
 */
import { HarnessError } from '../../errors.ts';
import { SYSTEM_ID_PATTERN, type Sensor } from '../schema.ts';
import type { Mapping } from './mapping.ts';
import type { CleanSeries } from './transform.ts';

export interface ImportedSystem {
  readonly systemId: string;
  /** The export's own id (or file name) it came from. */
  readonly sourceKey: string;
  /** Window index, when split into windows. */
  readonly window?: number;
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Partial<Record<Sensor, Float64Array>>>;
}

const DAY = 86_400_000;

/** A safe id from an export's id: runs of other characters become `-`, leading ones are dropped, joined to the prefix with `-`. */
export function safeSystemId(key: string, prefix?: string): string {
  const body = key.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '');
  const joined = prefix ? (body === '' ? prefix : `${prefix}${/[-_.]$/.test(prefix) ? '' : '-'}${body}`) : body;
  return joined.slice(0, 128);
}

export function splitSystems(series: readonly CleanSeries[], mapping: Mapping): ImportedSystem[] {
  const out: ImportedSystem[] = [];
  const owner = new Map<string, string>();
  for (const s of series) {
    const base = safeSystemId(s.key, mapping.system.prefix);
    if (!SYSTEM_ID_PATTERN.test(base)) {
      throw new HarnessError('E_IMPORT', `system ${JSON.stringify(s.key)} gives no usable id (${JSON.stringify(base)}): ids must match ${SYSTEM_ID_PATTERN.source}; set system.prefix in the mapping`);
    }
    const parts = mapping.system.windowDays ? windows(s, mapping.system.windowDays) : [{ window: undefined, timestamps: s.timestamps, columns: s.columns }];
    for (const part of parts) {
      const suffix = part.window === undefined ? '' : `-w${String(part.window).padStart(3, '0')}`;
      const systemId = `${base.slice(0, 128 - suffix.length)}${suffix}`;
      const prev = owner.get(systemId);
      if (prev !== undefined && prev !== s.key) {
        throw new HarnessError('E_IMPORT', `systems ${JSON.stringify(prev)} and ${JSON.stringify(s.key)} of the export both become the id ${systemId}; rename one in the export or import them with different system.prefix`);
      }
      owner.set(systemId, s.key);
      out.push({ systemId, sourceKey: s.key, ...(part.window !== undefined ? { window: part.window } : {}), timestamps: part.timestamps, columns: part.columns });
    }
  }
  return out;
}

/** Consecutive windows of `days` from the first timestamp; empty windows are skipped, indices keep counting. */
function windows(s: CleanSeries, days: number): { window: number; timestamps: Float64Array; columns: Partial<Record<Sensor, Float64Array>> }[] {
  const out: { window: number; timestamps: Float64Array; columns: Partial<Record<Sensor, Float64Array>> }[] = [];
  const n = s.timestamps.length;
  if (n === 0) return out;
  const t0 = s.timestamps[0]!;
  const width = days * DAY;
  let start = 0;
  while (start < n) {
    const w = Math.floor((s.timestamps[start]! - t0) / width);
    let end = start;
    while (end < n && Math.floor((s.timestamps[end]! - t0) / width) === w) end++;
    const columns: Partial<Record<Sensor, Float64Array>> = {};
    for (const [k, v] of Object.entries(s.columns) as [Sensor, Float64Array][]) columns[k] = v.slice(start, end);
    out.push({ window: w, timestamps: s.timestamps.slice(start, end), columns });
    start = end;
  }
  return out;
}
