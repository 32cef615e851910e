/**
 * Raw export rows to clean per-system series: timestamps to UTC, units and sign to the
 * contract's, sentinels and out-of-range readings to missing, then per system the rows sorted
 * by time and duplicates dropped. Everything dropped is counted by reason, with the first place
 * it happened, so the import report can say what was lost and why.
 */
import path from 'node:path';
import type { Problem } from '../../errors.ts';
import { PHYSICAL_LIMITS, type Sensor } from '../schema.ts';
import { didYouMean } from '../suggest.ts';
import type { Mapping } from './mapping.ts';
import { locate, type RawTable } from './read.ts';
import { timestampParser } from './timestamps.ts';

/** Why something was dropped. Row reasons drop the whole row; value reasons blank one reading. */
export const DROP_REASONS = {
  malformed_row: 'row',
  missing_system_id: 'row',
  unparsable_timestamp: 'row',
  nonexistent_local_time: 'row',
  ambiguous_local_time: 'row',
  duplicate: 'row',
  conflicting_duplicate: 'row',
  sentinel: 'value',
  unparsable_value: 'value',
  out_of_range: 'value',
} as const;
export type DropReason = keyof typeof DROP_REASONS;

export interface DropEntry {
  readonly reason: DropReason;
  count: number;
  /** Where it first happened. */
  first?: Problem;
  /** Value reasons: count per sensor. */
  readonly sensors: Record<string, number>;
}

/** Counts of what was dropped and of what was fixed (rows sorted, ambiguous times resolved). */
export class ImportTally {
  readonly drops = new Map<DropReason, DropEntry>();
  rowsRead = 0;
  outOfOrder = 0;
  ambiguousResolved = 0;
  nonexistentShifted = 0;
  /** Export columns no mapping names, per file. */
  readonly ignoredColumns = new Map<string, readonly string[]>();

  drop(reason: DropReason, where: Problem | undefined, sensor?: string): void {
    let e = this.drops.get(reason);
    if (!e) {
      e = { reason, count: 0, sensors: {} };
      this.drops.set(reason, e);
    }
    e.count++;
    if (!e.first && where) e.first = where;
    if (sensor) e.sensors[sensor] = (e.sensors[sensor] ?? 0) + 1;
  }
}

/** One system's rows as read, in file order (several files append to the same system). */
interface Pending {
  readonly ts: number[];
  readonly where: { file: number; line: number }[];
  readonly values: Map<Sensor, number[]>;
  last: number | undefined;
}

/** The series of one system key (the export's id, or the file's name), sorted and deduplicated. */
export interface CleanSeries {
  readonly key: string;
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Partial<Record<Sensor, Float64Array>>>;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reads rows from tables into per-system pending series. Header problems (a mapped column missing) go to `problems`. */
export class RowCollector {
  private readonly pending = new Map<string, Pending>();
  private readonly files: string[] = [];
  private readonly sensors: Sensor[];
  private readonly parseTime;

  constructor(
    private readonly mapping: Mapping,
    readonly tally: ImportTally,
  ) {
    this.sensors = Object.keys(mapping.columns) as Sensor[];
    this.parseTime = timestampParser({ ...mapping.timestamp, decimal: mapping.decimal });
  }

  /** Checks the header against the mapping; returns problems (the table is then not read). */
  headerProblems(table: RawTable): Problem[] {
    const m = this.mapping;
    const out: Problem[] = [];
    const need: [string, string][] = [[m.timestamp.column, 'timestamp.column']];
    if (m.system.column) need.push([m.system.column, 'system.column']);
    for (const s of this.sensors) need.push([m.columns[s]!.from, `columns.${s}.from`]);
    for (const [col, field] of need) {
      if (!table.header.includes(col)) {
        out.push(locate(table, 1, 0, `column ${JSON.stringify(col)} (${field} in ${path.basename(m.file)}) is not in the header${didYouMean(col, table.header)} (header: ${table.header.join(', ')})`));
      }
    }
    return out;
  }

  add(table: RawTable): void {
    const m = this.mapping;
    const t = this.tally;
    const fileIndex = this.files.push(table.file) - 1;
    const col = (name: string): number => table.header.indexOf(name);
    const tsCol = col(m.timestamp.column);
    const sysCol = m.system.column ? col(m.system.column) : -1;
    const sensorCols = this.sensors.map((s) => ({ sensor: s, index: col(m.columns[s]!.from), spec: m.columns[s]! }));
    const used = new Set([m.timestamp.column, m.system.column, ...sensorCols.map((c) => c.spec.from)]);
    t.ignoredColumns.set(table.file, table.header.filter((h) => !used.has(h)));
    for (const p of table.malformed) t.drop('malformed_row', p);
    t.rowsRead += table.rows.length + table.malformed.length;
    const fixedKey = m.system.id ?? fileKey(table.file);
    const flip = m.currentSign === 'charge_positive';

    for (const row of table.rows) {
      let key = fixedKey;
      if (sysCol >= 0) {
        const v = row.cells[sysCol];
        key = v === null || v === undefined ? '' : String(v).trim();
        if (key === '') {
          t.drop('missing_system_id', locate(table, row.line, sysCol + 1, `empty system id in column ${JSON.stringify(m.system.column)}`));
          continue;
        }
      }
      let p = this.pending.get(key);
      const parsed = this.parseTime(row.cells[tsCol], p?.last);
      if (!parsed.ok) {
        t.drop(parsed.reason, locate(table, row.line, tsCol + 1, parsed.detail));
        continue;
      }
      if (parsed.ambiguous) t.ambiguousResolved++;
      if (parsed.shifted) t.nonexistentShifted++;
      if (!p) {
        p = { ts: [], where: [], values: new Map(this.sensors.map((s) => [s, []])), last: undefined };
        this.pending.set(key, p);
      }
      if (p.last !== undefined && parsed.ms < p.last) t.outOfOrder++;
      p.last = parsed.ms;
      p.ts.push(parsed.ms);
      p.where.push({ file: fileIndex, line: row.line });
      for (const { sensor, index, spec } of sensorCols) {
        const out = p.values.get(sensor)!;
        const cell = row.cells[index];
        let raw: number;
        if (cell === null || cell === undefined) raw = NaN;
        else if (typeof cell === 'number') raw = cell;
        else if (typeof cell === 'bigint') raw = Number(cell);
        else {
          const text = String(cell).trim();
          if (text === '' || /^(nan|null|na|n\/a|-)$/i.test(text)) raw = NaN;
          else {
            const norm = m.decimal === ',' ? text.replace(',', '.') : text;
            if (!NUMBER.test(norm)) {
              t.drop('unparsable_value', locate(table, row.line, index + 1, `${sensor}: ${JSON.stringify(text)} is not a number`), sensor);
              out.push(NaN);
              continue;
            }
            raw = Number(norm);
          }
        }
        if (raw !== raw) {
          out.push(NaN);
          continue;
        }
        if (spec.sentinels.includes(raw)) {
          t.drop('sentinel', locate(table, row.line, index + 1, `${sensor}: sentinel ${raw}`), sensor);
          out.push(NaN);
          continue;
        }
        let v = (raw * spec.scale + spec.offset) * spec.factor + spec.unitOffset;
        if (flip && sensor === 'current_a') v = -v;
        const limits = spec.range ? { min: spec.range[0], max: spec.range[1] } : PHYSICAL_LIMITS[sensor];
        if (!Number.isFinite(v) || (limits && (v < limits.min || v > limits.max))) {
          t.drop('out_of_range', locate(table, row.line, index + 1, `${sensor}: ${v} outside [${limits?.min}, ${limits?.max}]`), sensor);
          out.push(NaN);
          continue;
        }
        out.push(v);
      }
    }
  }

  /** Every system's rows sorted by time (stable), with repeated timestamps dropped (the first row in file order is kept). */
  finish(): CleanSeries[] {
    const out: CleanSeries[] = [];
    for (const [key, p] of this.pending) {
      const n = p.ts.length;
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.ts[a]! - p.ts[b]! || a - b);
      const keep: number[] = [];
      for (const i of order) {
        const prev = keep[keep.length - 1];
        if (prev !== undefined && p.ts[prev] === p.ts[i]) {
          const same = this.sensors.every((s) => {
            const a = p.values.get(s)![prev]!;
            const b = p.values.get(s)![i]!;
            return a === b || (a !== a && b !== b);
          });
          const w = p.where[i]!;
          const file = this.files[w.file]!;
          const wp = p.where[prev]!;
          const msg = `${same ? 'duplicate' : 'conflicting duplicate'} of the row on line ${wp.line}${wp.file !== w.file ? ` of ${this.files[wp.file]}` : ''} (system ${key})`;
          this.tally.drop(same ? 'duplicate' : 'conflicting_duplicate', { file, line: w.line, column: 0, message: msg });
          continue;
        }
        keep.push(i);
      }
      const columns: Partial<Record<Sensor, Float64Array>> = {};
      for (const s of this.sensors) {
        const vals = p.values.get(s)!;
        columns[s] = Float64Array.from(keep, (i) => vals[i]!);
      }
      out.push({ key, timestamps: Float64Array.from(keep, (i) => p.ts[i]!), columns });
    }
    return out;
  }
}

/** A file's system key when the mapping names no system column: its name without extension. */
function fileKey(file: string): string {
  return path.basename(file).replace(/\.[^.]*$/, '');
}
