/**
 * Clean series to contract systems: ids made safe and prefixed (`site9-rack3`), and optionally
 * one system per window of `window_days` (`site9-rack3-w000`, `-w001`, …). A stub (the last
 * window, when it is short) is merged into the window before it, dropped, or kept (`trailing`).
 */
import { HarnessError } from '../../errors.ts';
import { SYSTEM_ID_PATTERN, type Sensor } from '../schema.ts';
import type { Mapping } from './mapping.ts';
import type { CleanSeries } from './transform.ts';

export interface ImportedSystem {
  readonly systemId: string;
  /** The export's own id (or file name) it came from. */
  readonly sourceKey: string;
  /**
   * The system's id before any window suffix (`site9-rack3` for `site9-rack3-w012`): a window's
   * parent_system_id. Carried rather than re-parsed from systemId, whose suffix grows past 3 digits.
   */
  readonly baseId: string;
  /** Window index, when split into windows. */
  readonly window?: number;
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Partial<Record<Sensor, Float64Array>>> & Readonly<Record<string, Float64Array>>;
}

/** What became of short windows: rows merged into the window before, rows dropped. */
export interface StubTally {
  merged: number;
  dropped: number;
  mergedRows: number;
  droppedRows: number;
}

const DAY = 86_400_000;

/** A safe id from an export's id: runs of other characters become `-`, leading ones are dropped, joined to the prefix with `-`. */
export function safeSystemId(key: string, prefix?: string): string {
  const body = key.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '');
  const joined = prefix ? (body === '' ? prefix : `${prefix}${/[-_.]$/.test(prefix) ? '' : '-'}${body}`) : body;
  return joined.slice(0, 128);
}

export function splitSystems(series: readonly CleanSeries[], mapping: Mapping, stubs: StubTally = { merged: 0, dropped: 0, mergedRows: 0, droppedRows: 0 }): ImportedSystem[] {
  const out: ImportedSystem[] = [];
  const owner = new Map<string, string>();
  for (const s of series) {
    const base = safeSystemId(s.key, mapping.system.prefix);
    if (!SYSTEM_ID_PATTERN.test(base)) {
      throw new HarnessError('E_IMPORT', `system ${JSON.stringify(s.key)} gives no usable id (${JSON.stringify(base)}): ids must match ${SYSTEM_ID_PATTERN.source}; set system.prefix in the mapping`);
    }
    const parts = mapping.system.windowDays ? windows(s, mapping.system, stubs) : [{ window: undefined, timestamps: s.timestamps, columns: s.columns }];
    for (const part of parts) {
      const suffix = part.window === undefined ? '' : `-w${String(part.window).padStart(3, '0')}`;
      const systemId = `${base.slice(0, 128 - suffix.length)}${suffix}`;
      const prev = owner.get(systemId);
      if (prev !== undefined && prev !== s.key) {
        throw new HarnessError('E_IMPORT', `systems ${JSON.stringify(prev)} and ${JSON.stringify(s.key)} of the export both become the id ${systemId}; rename one in the export or import them with different system.prefix`);
      }
      owner.set(systemId, s.key);
      out.push({ systemId, sourceKey: s.key, baseId: base, ...(part.window !== undefined ? { window: part.window } : {}), timestamps: part.timestamps, columns: part.columns });
    }
  }
  return out;
}

type Window = { window: number; timestamps: Float64Array; columns: Record<string, Float64Array> };

/**
 * Consecutive windows of `windowDays` from the first timestamp; empty windows are skipped,
 * indices keep counting. The last window is a stub when it has fewer than `minRows` rows or,
 * without `minRows`, when it spans less than half a window (its last timestamp is less than
 * half a window past its start): a file that ends a few samples into a new day would otherwise
 * make a 1-row system. A stub is merged into the window before it (`merge`, default) when that
 * window is the one right before it in time, dropped (`drop`) or kept (`keep`). A series shorter than one stub stays one window whatever `trailing`
 * says: dropping it would import nothing. With `minRows`, any other window with fewer rows (cut
 * short by a gap) is dropped too under `drop` and `merge` (merging it would glue across the gap).
 */
function windows(s: CleanSeries, opts: Mapping['system'], stubs: StubTally): Window[] {
  const out: Window[] = [];
  const n = s.timestamps.length;
  if (n === 0) return out;
  const t0 = s.timestamps[0]!;
  // Whole milliseconds: a fractional day (30 s is 0.000347222 days) must not shift boundaries by a rounding error.
  const width = Math.max(1, Math.round(opts.windowDays! * DAY));
  const bounds: { window: number; start: number; end: number }[] = [];
  let start = 0;
  while (start < n) {
    const w = Math.floor((s.timestamps[start]! - t0) / width);
    let end = start;
    while (end < n && Math.floor((s.timestamps[end]! - t0) / width) === w) end++;
    bounds.push({ window: w, start, end });
    start = end;
  }
  if (opts.trailing !== 'keep' && bounds.length > 1) {
    const last = bounds[bounds.length - 1]!;
    const rows = last.end - last.start;
    const short = opts.minRows !== undefined ? rows < opts.minRows : s.timestamps[last.end - 1]! - (t0 + last.window * width) < width / 2;
    // Merged only into the window right before it: one before a gap would span the gap (a
    // day's window holding rows from five days later). After a gap, `merge` leaves it as any
    // window a gap cut short (kept, or dropped below under min_rows).
    const adjacent = bounds[bounds.length - 2]!.window === last.window - 1;
    if (short && (opts.trailing === 'drop' || adjacent)) {
      bounds.pop();
      if (opts.trailing === 'merge') {
        bounds[bounds.length - 1]!.end = last.end;
        stubs.merged++;
        stubs.mergedRows += rows;
      } else {
        stubs.dropped++;
        stubs.droppedRows += rows;
      }
    }
    if (opts.minRows !== undefined) {
      for (let i = bounds.length - 1; i >= 0 && bounds.length > 1; i--) {
        const b = bounds[i]!;
        if (b.end - b.start < opts.minRows) {
          bounds.splice(i, 1);
          stubs.dropped++;
          stubs.droppedRows += b.end - b.start;
        }
      }
    }
  }
  for (const b of bounds) {
    const columns: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(s.columns)) columns[k] = v.slice(b.start, b.end);
    out.push({ window: b.window, timestamps: s.timestamps.slice(b.start, b.end), columns });
  }
  return out;
}
