/**
 * The fast path of series loading: a columnar scanner over the raw bytes of a file. It builds no
 * string per line or per cell and no row objects: numbers and timestamps are parsed from the
 * Buffer in place into one Float64Array per column.
 *
 * It reads only what a clean contract file holds (ASCII, a header of known sensors, rows of a
 * UTC timestamp and plain decimals, strictly increasing time) and gives up (returns null) at the
 * first thing it does not read: a quote, a ragged row, an exponent or a mantissa of more than 15
 * digits, a bad timestamp, an unknown column, a non-ASCII byte. The caller then runs the general
 * scanner (series-scan.ts) on the decoded text, which reads everything and locates every problem;
 * so both paths give the same columns, bit for bit, for any file the fast path accepts.
 */
import { afterBom, headerLine } from './csv-bytes.ts';
import { EXTRA_COLUMN_PATTERN, PHYSICAL_LIMITS, SENSORS } from './schema.ts';
import type { SeriesScan } from './series-scan.ts';
import { DAYS_IN_MONTH, daysFromCivil } from './series-scan.ts';

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Options of the byte scanner (a subset of ScanOptions: it reports nothing, it only accepts or gives up). */
export interface ByteScanOptions {
  readonly extraSensors?: readonly string[];
  /** Accept other columns named like EXTRA_COLUMN_PATTERN (real data; see ScanOptions). */
  readonly extraColumns?: boolean;
  /** Give up on a reading outside PHYSICAL_LIMITS (so that the general scanner reports it). */
  readonly checkLimits?: boolean;
}

/** How many files each path read in this process: the benchmark prints it. */
export const seriesPathCounts = { bytes: 0, text: 0 };

/**
 * Scans a raw series file from its bytes, or returns null when the file needs the general
 * scanner (anything but a clean contract file; see the module comment).
 */
export function scanSeriesBytes(bytes: Uint8Array, opts: ByteScanOptions = {}): SeriesScan | null {
  // A plain Uint8Array view: element reads on it stay monomorphic whatever the caller passed.
  const buf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const len = buf.length;
  const head = headerLine(buf, afterBom(buf));
  if (head === null) return null;
  const header = head.text.split(',');
  if (header[0] !== 'timestamp' || header.length < 2) return null;
  const columns = header.slice(1);
  const known = new Set<string>([...SENSORS, ...(opts.extraSensors ?? [])]);
  if (columns.some((c) => !known.has(c) && !(opts.extraColumns && EXTRA_COLUMN_PATTERN.test(c))) || new Set(columns).size !== columns.length) return null;
  const pos = head.next;
  const ncol = columns.length;

  const lo = new Float64Array(ncol).fill(-Infinity);
  const hi = new Float64Array(ncol).fill(Infinity);
  if (opts.checkLimits) {
    columns.forEach((c, j) => {
      const lim = PHYSICAL_LIMITS[c as keyof typeof PHYSICAL_LIMITS];
      if (lim) {
        lo[j] = lim.min;
        hi[j] = lim.max;
      }
    });
  }
  // One allocation, column-major: timestamps, then each column, `cap` slots each. The hot loop
  // then writes into a single typed array instead of looking a column up per cell. Rows are
  // about as long as the first one, so that sizes the columns (with a margin); a file with more
  // rows than that (many empty fields) is scanned again with its newlines counted.
  const firstEol = buf.indexOf(10, pos);
  let cap = Math.ceil(((len - pos) / Math.max(1, (firstEol < 0 ? len : firstEol + 1) - pos)) * 1.25) + 16;
  let flat = new Float64Array((ncol + 1) * cap);
  let n = scanRows(buf, pos, ncol, cap, flat, lo, hi);
  if (n === FULL) {
    cap = 1;
    for (let i = buf.indexOf(10, pos); i >= 0; i = buf.indexOf(10, i + 1)) cap++;
    flat = new Float64Array((ncol + 1) * cap);
    n = scanRows(buf, pos, ncol, cap, flat, lo, hi);
  }
  if (n <= 0) return null;
  return {
    columns,
    timestamps: flat.subarray(0, n),
    values: columns.map((_, j) => flat.subarray((j + 1) * cap, (j + 1) * cap + n)),
    rows: n,
  };
}

/** scanRows' answer when the file has more rows than `cap`. */
const FULL = -2;

/**
 * Parses the data rows from `pos` into `flat` (column-major, `cap` slots per column, timestamps
 * first). Returns the number of rows, FULL when there are more than `cap`, or -1 when the file
 * needs the general scanner.
 */
function scanRows(buf: Uint8Array, pos: number, ncol: number, cap: number, flat: Float64Array, lo: Float64Array, hi: Float64Array): number {
  const len = buf.length;
  let n = 0;
  let prevTs = -Infinity;
  // The date part of the previous timestamp: consecutive rows almost always share it.
  let dayKey = -1;
  let dayMs = 0;
  while (pos < len) {
    let c0 = buf[pos] as number;
    if (c0 === 10 || c0 === 13) {
      // A blank line: the general scanner skips it too, but only a final newline is common.
      const next = c0 === 13 && buf[pos + 1] === 10 ? pos + 2 : pos + 1;
      if (next >= len) break;
      return -1;
    }
    if (n >= cap) return FULL;
    // Timestamp: YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
    let i = pos;
    let comma = i + 20 < len && buf[i + 20] === 44 ? i + 20 : i;
    while (comma < len && (c0 = buf[comma] as number) !== 44 && c0 !== 10) comma++;
    if (comma >= len || c0 === 10) return -1;
    const tlen = comma - i;
    if (tlen < 20 || buf[comma - 1] !== 90 || buf[i + 4] !== 45 || buf[i + 7] !== 45 || buf[i + 10] !== 84 || buf[i + 13] !== 58 || buf[i + 16] !== 58) return -1;
    const y = d4(buf, i);
    const mo = d2(buf, i + 5);
    const d = d2(buf, i + 8);
    const h = d2(buf, i + 11);
    const mi = d2(buf, i + 14);
    const sec = d2(buf, i + 17);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return -1;
    const key = y * 10000 + mo * 100 + d;
    if (key !== dayKey) {
      const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      if (d > (mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo] as number))) return -1;
      dayKey = key;
      dayMs = daysFromCivil(y, mo, d) * 86_400_000;
    }
    let ms = 0;
    if (tlen > 20) {
      const nf = tlen - 21;
      if (buf[i + 19] !== 46 || nf < 1 || nf > 9) return -1;
      let f = 0;
      for (let k = i + 20; k < i + 20 + nf; k++) {
        const c = (buf[k] as number) - 48;
        if (c < 0 || c > 9) return -1;
        f = f * 10 + c;
      }
      ms = nf <= 3 ? f * (POW10[3 - nf] as number) : f / (POW10[nf - 3] as number);
    }
    const ts = dayMs + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
    if (!(ts > prevTs)) return -1;
    prevTs = ts;
    flat[n] = ts;
    // Values: exactly ncol fields, each empty (NaN) or a plain decimal of at most 15 digits.
    // Reading past the end reads as a newline, so the last row needs none.
    i = comma;
    let c = 44;
    for (let j = 0; j < ncol; j++) {
      if (c !== 44) return -1; // too few fields
      const start = ++i;
      c = i < len ? (buf[i] as number) : 10;
      let v = NaN;
      if (c !== 44 && c !== 10 && c !== 13) {
        const sign = c === 45 || c === 43 ? 1 : 0;
        if (sign === 1) c = ++i < len ? (buf[i] as number) : 10;
        let mant = 0;
        let dot = -1;
        for (;;) {
          const dgt = c - 48;
          if (dgt >= 0 && dgt <= 9) mant = mant * 10 + dgt;
          else if (c === 46 && dot < 0) dot = i;
          else break;
          c = ++i < len ? (buf[i] as number) : 10;
        }
        const digits = i - start - sign - (dot < 0 ? 0 : 1);
        if (digits === 0 || digits > 15) return -1;
        const frac = dot < 0 ? 0 : i - dot - 1;
        v = frac > 0 ? mant / (POW10[frac] as number) : mant;
        if (sign === 1 && buf[start] === 45) v = -v;
        if (v < (lo[j] as number) || v > (hi[j] as number)) return -1;
      }
      flat[(j + 1) * cap + n] = v;
    }
    // The row must end here: a newline, a CR LF, or the end of the file.
    if (c === 13) {
      if (i + 1 < len && buf[i + 1] !== 10) return -1;
      i++;
    } else if (c !== 10) return -1; // too many fields, or a byte no number has
    n++;
    pos = i + 1;
  }
  return n;
}

function d2(buf: Uint8Array, at: number): number {
  const a = (buf[at] as number) - 48;
  const b = (buf[at + 1] as number) - 48;
  return a < 0 || a > 9 || b < 0 || b > 9 ? -1 : a * 10 + b;
}

function d4(buf: Uint8Array, at: number): number {
  const a = d2(buf, at);
  const b = d2(buf, at + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}
