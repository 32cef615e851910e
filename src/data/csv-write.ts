/**
 * Writers for the contract's CSV files. Output is deterministic (fixed decimals, `\n` line
 * endings, a final newline) so that generated data is reproducible byte for byte.
 */
import { LABELS_OPTIONAL, LABELS_REQUIRED, METADATA_OPTIONAL, METADATA_REQUIRED, SENSORS, SENSOR_DECIMALS } from './schema.ts';
import type { LabelRow, MetadataRow } from './types.ts';

const DAY_MS = 86_400_000;
/** The instants a four-digit ISO 8601 year can write: 0000-01-01 up to 10000-01-01. */
const FIRST_MS = Date.parse('0000-01-01T00:00:00Z');
const END_MS = Date.UTC(10000, 0, 1);
/** '00'…'99', so a time of day is three lookups instead of three padStart calls. */
const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

let cachedDay = NaN;
let cachedDate = '';

/**
 * Epoch milliseconds as the contract writes a timestamp: `2026-01-01T00:00:00Z`, with `.sss`
 * only when the instant is not on a whole second. The date part is cached per day because a
 * series writes thousands of timestamps from the same day.
 */
export function formatTimestamp(ms: number): string {
  // Outside years 0000–9999 toISOString writes `+056971-…` or `-000001-…`, which no reader of
  // the contract takes: refuse it here rather than write a file validate rejects later.
  if (!(ms >= FIRST_MS && ms < END_MS)) throw new RangeError(`cannot format timestamp ${ms}: the contract writes years 0000–9999`);
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const whole = Math.floor(rest / 1000);
  rest -= whole * 1000;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const time = `${cachedDate}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}`;
  if (rest === 0) return `${time}Z`;
  const milli = Math.round(rest);
  // A fraction under half a millisecond rounds to a whole second; write it as one.
  if (milli === 0) return `${time}Z`;
  if (milli === 1000) return formatTimestamp(Math.floor(ms / 1000) * 1000 + 1000);
  return `${time}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

const POW10 = [1, 10, 100, 1000, 10000];
const ZERO_FIXED = ['0', '0.0', '0.00', '0.000', '0.0000'];

/**
 * `round(|v| × 10^decimals)` with the sign of v, rounded exactly as toFixed rounds (by the
 * exact binary value), or NaN when the fast path cannot be sure: decimals > 4, |scaled| ≥ 1e9,
 * or a scaled value so close to a rounding tie that the float error of the scaling (under
 * 1e-7 below 1e9) could pick the wrong side. Callers then fall back to toFixed.
 */
function scaledRound(v: number, decimals: number): number {
  const scale = POW10[decimals];
  if (scale === undefined) return NaN;
  const scaled = v * scale;
  const abs = scaled < 0 ? -scaled : scaled;
  if (!(abs < 1e9)) return NaN;
  const floor = Math.floor(abs);
  const frac = abs - floor;
  if (frac > 0.499999 && frac < 0.500001) return NaN;
  const r = frac < 0.5 ? floor : floor + 1;
  return scaled < 0 ? -r : r;
}

/**
 * `v` with exactly `decimals` digits after the point, as `v.toFixed(decimals)` writes it,
 * except that a value rounding to zero is written `0.00`, never `-0.00`.
 */
export function formatFixed(v: number, decimals: number): string {
  const r = scaledRound(v, decimals);
  if (r !== r) return fixedSlow(v, decimals);
  if (r === 0) return ZERO_FIXED[decimals] as string;
  const scale = POW10[decimals] as number;
  const abs = r < 0 ? -r : r;
  const ip = Math.floor(abs / scale);
  const out = decimals === 0 ? `${abs}` : `${ip}.${String(abs - ip * scale).padStart(decimals, '0')}`;
  return r < 0 ? `-${out}` : out;
}

/**
 * The number a series CSV reader gets back for `v` written with `decimals` fixed decimals (as
 * {@link formatFixed} writes it): the Parquet writer stores this, so a fleet reads the same,
 * bit for bit, from either layout. A value rounding to zero is +0, as `0.00` reads.
 */
export function valueAsWritten(v: number, decimals: number): number {
  const r = scaledRound(v, decimals);
  if (r !== r) return Number(fixedSlow(v, decimals));
  return r === 0 ? 0 : r / (POW10[decimals] as number);
}

/**
 * An ASCII byte buffer for the series writer: writing digits straight into bytes avoids one
 * small string per value, which is most of the cost of a 78k-value file.
 */
class AsciiWriter {
  buf = new Uint8Array(1 << 16);
  pos = 0;

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes a string known to be ASCII. */
  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Same text as formatFixed(v, decimals). */
  fixed(v: number, decimals: number): void {
    const r = scaledRound(v, decimals);
    if (r !== r) return this.ascii(fixedSlow(v, decimals));
    if (r === 0) return this.ascii(ZERO_FIXED[decimals] as string);
    this.ensure(24);
    const buf = this.buf;
    let abs = r;
    if (r < 0) {
      buf[this.pos++] = 45;
      abs = -r;
    }
    const scale = POW10[decimals] as number;
    const ip = Math.floor(abs / scale);
    let fp = abs - ip * scale;
    let digits = 1;
    for (let t = ip; t >= 10; t = Math.floor(t / 10)) digits++;
    let at = this.pos + digits;
    for (let t = ip, k = 0; k < digits; k++) {
      const q = Math.floor(t / 10);
      buf[--at] = 48 + (t - q * 10);
      t = q;
    }
    this.pos += digits;
    if (decimals > 0) {
      buf[this.pos] = 46;
      for (let k = decimals; k >= 1; k--) {
        const q = Math.floor(fp / 10);
        buf[this.pos + k] = 48 + (fp - q * 10);
        fp = q;
      }
      this.pos += decimals + 1;
    }
  }

  toString(): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos).toString('latin1');
  }
}

function fixedSlow(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return s.charCodeAt(0) === 45 && Number(s) === 0 ? s.slice(1) : s;
}

/** Quotes a field (RFC 4180) when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * One system's series as the contract's CSV: `timestamp,<sensors>`, one row per timestamp.
 * Columns are ordered by `sensorOrder` when given, else default sensors in SENSORS order and
 * then any others in insertion order. Default sensors are written with SENSOR_DECIMALS fixed
 * decimals; other columns with the shortest text that reads back as the same number. NaN is an
 * empty field. Every column must be as long as `timestamps`. Rows listed in `repeatRows` are
 * written twice, verbatim (a logger's repeated row: the loader drops the exact repeat).
 */
export function formatSeriesCsv(
  timestamps: Float64Array,
  columns: Readonly<Record<string, Float64Array>>,
  sensorOrder?: readonly string[],
  repeatRows: readonly number[] = [],
): string {
  const names = sensorOrder
    ? sensorOrder.filter((n) => columns[n] !== undefined)
    : [
        ...SENSORS.filter((s) => columns[s] !== undefined),
        ...Object.keys(columns).filter((k) => !(SENSORS as readonly string[]).includes(k)),
      ];
  const n = timestamps.length;
  const cols: Float64Array[] = [];
  const decimals: number[] = [];
  for (const name of names) {
    const col = columns[name];
    if (!col) continue;
    if (col.length !== n) {
      throw new RangeError(`column ${name} has ${col.length} values for ${n} timestamps`);
    }
    cols.push(col);
    decimals.push((SENSOR_DECIMALS as Readonly<Record<string, number>>)[name] ?? -1);
  }
  const header = `${['timestamp', ...names].map(csvField).join(',')}\n`;
  const w = new AsciiWriter();
  w.ensure(n * (21 + cols.length * 10));
  const k = cols.length;
  let nextRepeat = 0;
  for (let i = 0; i < n; i++) {
    const rowStart = w.pos;
    w.ascii(formatTimestamp(timestamps[i] as number));
    for (let j = 0; j < k; j++) {
      w.byte(44);
      const v = (cols[j] as Float64Array)[i] as number;
      if (v !== v) continue;
      if (v === Infinity || v === -Infinity) {
        throw new RangeError(`column ${names[j]} row ${i} is ${v}; only finite numbers or NaN can be written`);
      }
      const d = decimals[j] as number;
      if (d < 0) w.ascii(String(v));
      else w.fixed(v, d);
    }
    w.byte(10);
    while (nextRepeat < repeatRows.length && (repeatRows[nextRepeat] as number) < i) nextRepeat++;
    if (repeatRows[nextRepeat] === i) {
      const len = w.pos - rowStart;
      w.ensure(len);
      w.buf.copyWithin(w.pos, rowStart, rowStart + len);
      w.pos += len;
    }
  }
  return header + w.toString();
}

/** Required columns, then the optional ones at least one row has a value for, in contract order. */
function presentColumns<R>(rows: readonly R[], required: readonly string[], optional: readonly string[]): string[] {
  const has = (c: string): boolean =>
    rows.some((r) => {
      const v = (r as Record<string, unknown>)[c];
      return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
    });
  return [...required, ...optional.filter(has)];
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return csvField(v.join(';'));
  return csvField(String(v));
}

function formatTable<R>(rows: readonly R[], columns: readonly string[]): string {
  const out = [columns.join(',')];
  for (const r of rows) out.push(columns.map((c) => cell((r as Record<string, unknown>)[c])).join(','));
  return `${out.join('\n')}\n`;
}

/** `metadata.csv`: required columns plus any optional column a row uses; `scenario_tags` joined by `;`. */
export function formatMetadataCsv(rows: readonly MetadataRow[]): string {
  return formatTable(rows, presentColumns(rows, METADATA_REQUIRED, METADATA_OPTIONAL));
}

/** `labels.csv`: required columns plus any optional column a row uses; a null lead time is empty. */
export function formatLabelsCsv(rows: readonly LabelRow[]): string {
  return formatTable(rows, presentColumns(rows, LABELS_REQUIRED, LABELS_OPTIONAL));
}
