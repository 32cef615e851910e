/**
 * Raw export rows to clean per-system series: timestamps to UTC, units and sign to the
 * contract's, sentinels and out-of-range readings to missing, then per system the rows sorted
 * by time and duplicates dropped. Everything dropped is counted by reason, with the first place
 * it happened, so the import report can say what was lost and why.
 */
import path from 'node:path';
import { HarnessError, type Problem } from '../../errors.ts';
import { PHYSICAL_LIMITS, type Sensor } from '../schema.ts';
import { didYouMean } from '../suggest.ts';
import type { ColumnMapping, Mapping } from './mapping.ts';
import { isParquet, locate, type RawRow, type RawTable } from './read.ts';
import { timestampParser } from './timestamps.ts';
import { advance, AmbiguousRun, expectedStep, type SeriesClock } from './ambiguous-run.ts';

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

/** What one output column (a sensor or an extra) read across all files: for the checks of readings.ts. */
export interface ReadingStats {
  /** Where the column is: the header cell of its first source in the first file read. */
  readonly header: Problem;
  /** Cells that held a number (sentinels not counted). */
  numbers: number;
  /** Smallest and largest such number as written, before unit and scale. */
  rawMin: number;
  rawMax: number;
  outOfRange: number;
  firstOutOfRange?: Problem;
}

/** Counts of what was dropped and of what was fixed (rows sorted, ambiguous times resolved). */
export class ImportTally {
  readonly drops = new Map<DropReason, DropEntry>();
  /** Per output column name. */
  readonly readings = new Map<string, ReadingStats>();
  /**
   * The same per system key, then per output column: one site's file in another unit (mV where
   * the others write V) is a minority of the import, so only its own figures show it.
   */
  readonly systemReadings = new Map<string, Map<string, ReadingStats>>();
  rowsRead = 0;
  outOfOrder = 0;
  ambiguousResolved = 0;
  /** Of those, times with no unambiguous row of their system before or after them: taken as the earlier meaning. */
  ambiguousGuessed = 0;
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
interface Pending extends SeriesClock {
  readonly ts: number[];
  readonly where: { file: number; line: number }[];
  /** Per output column (a sensor, or an extra column). */
  readonly values: Map<string, number[]>;
  /** Rows read since the last unambiguous one that fall in an hour a DST change repeats (`infer`). */
  run: AmbiguousRun | undefined;
}

/** The series of one system key (the export's id, or the file's name), sorted and deduplicated. */
export interface CleanSeries {
  readonly key: string;
  readonly timestamps: Float64Array;
  /** Contract sensors, then the mapping's extra columns. */
  readonly columns: Readonly<Partial<Record<Sensor, Float64Array>>> & Readonly<Record<string, Float64Array>>;
}

/** One column of the written series and how to read it from an export row. */
interface Output {
  readonly name: string;
  readonly spec: ColumnMapping;
  /** Sensor limits for a sensor, none for an extra column (its `range` applies if given). */
  readonly limits?: { readonly min: number; readonly max: number };
  readonly flip: boolean;
  readonly extra: boolean;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A decimal-comma number with `.` grouping thousands, as Excel writes it in German: `1.234,5`, `12.345`. */
const GROUPED = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$/;

/**
 * A decimal-comma cell as `.`-decimal text for {@link NUMBER}. In such an export a `.` groups
 * thousands: `1.234,5` is 1234.5 and `1.234` is 1234 (read as 1.234 it was a value 1000 times too
 * small, imported with exit 0). A `.` anywhere else (`1234.7`, `0.5`) says the column is not
 * written the way the mapping says: the text is returned as is, with a `.` NUMBER cannot take.
 */
function decimalCommaText(text: string): string {
  if (GROUPED.test(text)) return text.replaceAll('.', '').replace(',', '.');
  return text.includes('.') ? `${text}.` : text.replace(',', '.');
}

/** Reads rows from tables into per-system pending series. Header problems (a mapped column missing) go to `problems`. */
export class RowCollector {
  private readonly pending = new Map<string, Pending>();
  private readonly files: string[] = [];
  /** The file each system key named after a file came from: two files of one name are two systems. */
  private readonly keyFiles = new Map<string, string>();
  private readonly outputs: Output[];
  private readonly parseTime;

  constructor(
    private readonly mapping: Mapping,
    readonly tally: ImportTally,
  ) {
    const flip = mapping.currentSign === 'charge_positive';
    this.outputs = [
      ...(Object.entries(mapping.columns) as [Sensor, ColumnMapping][]).map(([name, spec]) => {
        const limits = spec.range ? { min: spec.range[0], max: spec.range[1] } : PHYSICAL_LIMITS[name];
        return { name, spec, ...(limits ? { limits } : {}), flip: flip && name === 'current_a', extra: false };
      }),
      ...Object.entries(mapping.extra).map(([name, spec]) => ({ name, spec, ...(spec.range ? { limits: { min: spec.range[0], max: spec.range[1] } } : {}), flip: false, extra: true })),
    ];
    this.parseTime = timestampParser({ ...mapping.timestamp, decimal: mapping.decimal });
  }

  /** Checks the header against the mapping; returns problems (the table is then not read). */
  headerProblems(table: RawTable): Problem[] {
    const m = this.mapping;
    const out: Problem[] = [];
    const need: [string, string][] = [[m.timestamp.column, 'timestamp.column']];
    if (m.system.column) need.push([m.system.column, 'system.column']);
    for (const o of this.outputs) {
      const field = `${o.extra ? 'extra' : 'columns'}.${o.name}.${o.spec.combine ?? 'from'}`;
      for (const c of o.spec.sources) need.push([c, field]);
    }
    // Read as UTC, a naive pandas datetime shifted a local export by its zone's offset, exit 0.
    if (table.localTimeColumns?.includes(m.timestamp.column) && !m.timestamp.zone) {
      out.push({
        file: table.file,
        line: 0,
        column: 0,
        message: `column ${JSON.stringify(m.timestamp.column)} holds local times (a Parquet timestamp not adjusted to UTC, as pandas writes a naive datetime) and ${path.basename(m.file)} gives no timestamp.timezone: set it to the zone they were recorded in ("Europe/Berlin", or "UTC")`,
      });
    }
    for (const [col, field] of need) {
      const at = table.header.indexOf(col);
      if (at < 0) {
        out.push(locate(table, 1, 0, `column ${JSON.stringify(col)} (${field} in ${path.basename(m.file)}) is not in the header${didYouMean(col, table.header)} (header: ${table.header.join(', ')})`));
        continue;
      }
      // Two columns of one name: which one an export meant cannot be guessed, and reading the
      // first silently imported the other's values as nothing.
      const again = table.header.indexOf(col, at + 1);
      if (again >= 0) {
        out.push(locate(table, 1, again + 1, `column ${JSON.stringify(col)} (${field} in ${path.basename(m.file)}) is in the header twice, columns ${at + 1} and ${again + 1}: rename one in the export`));
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
    const outs = this.outputs.map((o) => ({ ...o, indices: o.spec.sources.map(col) }));
    const used = new Set([m.timestamp.column, m.system.column, ...this.outputs.flatMap((o) => o.spec.sources)]);
    t.ignoredColumns.set(table.file, table.header.filter((h) => !used.has(h)));
    for (const p of table.malformed) t.drop('malformed_row', p);
    t.rowsRead += table.rows.length + table.malformed.length;
    const fixedKey = m.system.id ?? fileKey(table.file);
    if (m.system.id === undefined && sysCol < 0) this.claimFileKey(fixedKey, table.file);
    for (const o of outs) {
      if (!t.readings.has(o.name)) t.readings.set(o.name, { header: locate(table, 1, o.indices[0]! + 1, ''), numbers: 0, rawMin: Infinity, rawMax: -Infinity, outOfRange: 0 });
    }

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
      const parsed = this.parseTime(row.cells[tsCol], p?.last, p ? expectedStep(p) : undefined);
      if (!parsed.ok) {
        t.drop(parsed.reason, locate(table, row.line, tsCol + 1, parsed.detail));
        continue;
      }
      if (parsed.ambiguous) t.ambiguousResolved++;
      if (parsed.shifted) t.nonexistentShifted++;
      if (!p) {
        p = { ts: [], where: [], values: new Map(this.outputs.map((o) => [o.name, []])), last: undefined, trend: 0, step: undefined, run: undefined };
        this.pending.set(key, p);
      }
      if (parsed.candidates) {
        p.run ??= new AmbiguousRun(p, parsed.ms);
        p.run.add(p.ts.length, parsed.candidates);
      } else if (p.run) this.settleRun(p, parsed.ms);
      if (advance(p, parsed.ms)) {
        t.outOfOrder++;
        if (p.run) p.run.outOfOrder++;
      }
      p.ts.push(parsed.ms);
      p.where.push({ file: fileIndex, line: row.line });
      for (const o of outs) {
        let acc = o.spec.combine === 'min' ? Infinity : o.spec.combine === 'max' ? -Infinity : 0;
        let count = 0;
        for (let k = 0; k < o.indices.length; k++) {
          const v = this.cellValue(table, row, o.indices[k]!, o, key);
          if (v !== v) continue;
          count++;
          if (o.spec.combine === 'min') acc = v < acc ? v : acc;
          else if (o.spec.combine === 'max') acc = v > acc ? v : acc;
          else acc += v;
        }
        // No reading in any of the cells: a missing value, as an empty field is.
        p.values.get(o.name)!.push(count === 0 ? NaN : o.spec.combine === 'mean' ? acc / count : acc);
      }
    }
  }

  /**
   * One cell in the output's unit, NaN when missing or dropped (sentinel, not a number, out of
   * range: counted and located). An extra column also reads true/false (a flag) as 1/0.
   */
  private cellValue(table: RawTable, row: RawRow, index: number, o: Output, key: string): number {
    const t = this.tally;
    const spec = o.spec;
    const cell = row.cells[index];
    let raw: number;
    if (cell === null || cell === undefined) return NaN;
    if (typeof cell === 'number') raw = cell;
    else if (typeof cell === 'bigint') raw = Number(cell);
    else if (typeof cell === 'boolean' && o.extra) raw = cell ? 1 : 0;
    else {
      const text = String(cell).trim();
      if (text === '' || /^(nan|null|na|n\/a|-)$/i.test(text)) return NaN;
      const norm = this.mapping.decimal === ',' ? decimalCommaText(text) : text;
      if (NUMBER.test(norm)) raw = Number(norm);
      else if (o.extra && /^(true|false)$/i.test(text)) raw = text.toLowerCase() === 'true' ? 1 : 0;
      else {
        const how = this.mapping.decimal === ',' ? ' with decimal "," (and "." grouping thousands)' : '';
        t.drop('unparsable_value', locate(table, row.line, index + 1, `${o.name}: ${JSON.stringify(text)} is not a number${how}`), o.name);
        return NaN;
      }
    }
    if (raw !== raw) return NaN;
    if (spec.sentinels.includes(raw)) {
      t.drop('sentinel', locate(table, row.line, index + 1, `${o.name}: sentinel ${raw}`), o.name);
      return NaN;
    }
    const seen = t.readings.get(o.name)!;
    const own = this.systemStats(key, o.name, seen.header);
    for (const st of [seen, own]) {
      st.numbers++;
      if (raw < st.rawMin) st.rawMin = raw;
      if (raw > st.rawMax) st.rawMax = raw;
    }
    let v = (raw * spec.scale + spec.offset) * spec.factor + spec.unitOffset;
    if (o.flip) v = -v;
    const limits = o.limits;
    if (!Number.isFinite(v) || (limits && (v < limits.min || v > limits.max))) {
      const where = locate(table, row.line, index + 1, `${o.name}: ${v} outside [${limits?.min}, ${limits?.max}]`);
      t.drop('out_of_range', where, o.name);
      for (const st of [seen, own]) {
        st.outOfRange++;
        st.firstOutOfRange ??= where;
      }
      return NaN;
    }
    return v;
  }

  /**
   * A system named after its file belongs to that file alone. Named by the base name, rack1.csv
   * of siteA/ and of siteB/ (or rack1.csv and rack1.parquet) became one system `rack1`, their
   * rows interleaved and half dropped as conflicting duplicates, exit 0.
   */
  private claimFileKey(key: string, file: string): void {
    const owner = this.keyFiles.get(key);
    if (owner !== undefined && path.resolve(owner) !== path.resolve(file)) {
      throw new HarnessError(
        'E_IMPORT',
        `${owner} and ${file} would both be the system ${JSON.stringify(key)} (a system without system.column or system.id is named after its file): rename one, or import them separately with different system.prefix`,
        [owner, file].map((f) => ({ file: f, line: 0, column: 0, message: `system ${JSON.stringify(key)}, named after the file` })),
      );
    }
    this.keyFiles.set(key, file);
  }

  /** The system's ambiguous rows so far, resolved again now that an unambiguous row at `nextMs` follows them. */
  private settleRun(p: Pending, nextMs: number): void {
    const run = p.run!;
    p.run = undefined;
    const moved = run.fromNext(nextMs);
    if (!moved) return;
    Object.assign(p, run.clockBefore());
    this.tally.outOfOrder -= run.outOfOrder;
    for (const { index, ms } of moved) {
      p.ts[index] = ms;
      if (advance(p, ms)) this.tally.outOfOrder++;
    }
  }

  private systemStats(key: string, name: string, header: Problem): ReadingStats {
    let bySystem = this.tally.systemReadings.get(key);
    if (!bySystem) this.tally.systemReadings.set(key, (bySystem = new Map()));
    let st = bySystem.get(name);
    if (!st) bySystem.set(name, (st = { header, numbers: 0, rawMin: Infinity, rawMax: -Infinity, outOfRange: 0 }));
    return st;
  }

  /** Every system's rows sorted by time (stable), with repeated timestamps dropped (the first row in file order is kept). */
  finish(): CleanSeries[] {
    const out: CleanSeries[] = [];
    for (const [key, p] of this.pending) {
      if (p.run?.unanchored) this.tally.ambiguousGuessed += p.run.size;
      p.run = undefined;
      const n = p.ts.length;
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.ts[a]! - p.ts[b]! || a - b);
      const keep: number[] = [];
      for (const i of order) {
        const prev = keep[keep.length - 1];
        if (prev !== undefined && p.ts[prev] === p.ts[i]) {
          const same = this.outputs.every(({ name }) => {
            const a = p.values.get(name)![prev]!;
            const b = p.values.get(name)![i]!;
            return a === b || (a !== a && b !== b);
          });
          const w = p.where[i]!;
          const file = this.files[w.file]!;
          const wp = p.where[prev]!;
          // A Parquet file has no lines: its rows are counted from 1, as its other problems say.
          const earlier = isParquet(this.files[wp.file]!) ? `row ${wp.line}` : `the row on line ${wp.line}`;
          const msg = `${same ? 'duplicate' : 'conflicting duplicate'} of ${earlier}${wp.file !== w.file ? ` of ${this.files[wp.file]}` : ''} (system ${key})`;
          const where = { file, kind: isParquet(file) ? ('parquet' as const) : ('csv' as const), header: [] };
          this.tally.drop(same ? 'duplicate' : 'conflicting_duplicate', locate(where, w.line, 0, msg));
          continue;
        }
        keep.push(i);
      }
      const columns: Record<string, Float64Array> = {};
      for (const { name } of this.outputs) {
        const vals = p.values.get(name)!;
        columns[name] = Float64Array.from(keep, (i) => vals[i]!);
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
