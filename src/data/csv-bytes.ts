/**
 * The fast path of table reading (labels, metadata, scores): a CSV splitter over the raw bytes
 * of a file that builds no string per line and no row objects, only the bounds of every field
 * in one Int32Array. Like the series byte scanner (series-bytes.ts) it reads only what a clean
 * contract file holds and gives up (returns null) at the first thing it does not: a quote, a
 * ragged row, a stray CR, blank lines before the header. The caller then runs the exact path
 * (parseCsv + the table parser), which reads everything and locates every problem.
 */
import { isUtf8 } from 'node:buffer';
import { readRegularFile } from './read-file.ts';

/** A CSV file split into fields, by byte offsets. */
export interface ByteTable {
  readonly file: string;
  readonly buf: Buffer;
  readonly header: readonly string[];
  /** Data rows (blank lines skipped, as csv-parse does). */
  readonly rows: number;
  /**
   * Field bounds, `header.length + 1` a row: field j of row r is bytes
   * [bounds[k + j], bounds[k + j + 1] - 1) with k = r · (header.length + 1).
   */
  readonly bounds: Int32Array;
  /** The 1-based line of each row. */
  readonly lines: Int32Array;
}

/** The byte after a UTF-8 BOM, or 0. */
export function afterBom(buf: Uint8Array): number {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

/**
 * The header line from `pos`: its ASCII text without the line break, and where the next line
 * starts. Null when there is no line break, or the header has a quote or a non-ASCII byte.
 */
export function headerLine(buf: Uint8Array, pos: number): { readonly text: string; readonly next: number; readonly crlf: boolean } | null {
  const eol = buf.indexOf(10, pos);
  if (eol < 0) return null;
  const crlf = eol > pos && buf[eol - 1] === 13;
  const stop = crlf ? eol - 1 : eol;
  for (let i = pos; i < stop; i++) {
    const c = buf[i] as number;
    if (c === 34 || c === 13 || c > 127) return null;
  }
  return { text: Buffer.from(buf.buffer, buf.byteOffset + pos, stop - pos).toString('latin1'), next: eol + 1, crlf };
}

/** Splits a CSV file's bytes, or returns null when it needs the exact path (see the module comment). */
export function splitCsvBytes(buf: Buffer, file: string): ByteTable | null {
  const head = headerLine(buf, afterBom(buf));
  if (head === null || head.text === '') return null;
  const header = head.text.split(',');
  const ncol = header.length;
  const stride = ncol + 1;
  const len = buf.length;
  // Rows are about as long as the first one: size the arrays from it, grow if needed.
  const firstEol = buf.indexOf(10, head.next);
  let cap = Math.ceil((len - head.next) / Math.max(1, (firstEol < 0 ? len : firstEol + 1) - head.next)) + 16;
  let bounds = new Int32Array(cap * stride);
  let lines = new Int32Array(cap);
  let rows = 0;
  let line = 2;
  let pos = head.next;
  // A quote anywhere sends the file to the exact path; so does a CR in a file whose header ends
  // in LF alone. Both are found by the engine's byte search, and the loops below look only for
  // commas and line ends.
  if (buf.indexOf(34, pos) >= 0) return null;
  if (!head.crlf) {
    if (buf.indexOf(13, pos) >= 0) return null;
    while (pos < len) {
      if (buf[pos] === 10) {
        pos++;
        line++;
        continue;
      }
      if (rows === cap) {
        cap *= 2;
        bounds = grown(bounds, cap * stride);
        lines = grown(lines, cap);
      }
      const k = rows * stride;
      bounds[k] = pos;
      let eol = buf.indexOf(10, pos);
      if (eol < 0) eol = len;
      let j = 0;
      for (let i = pos; i < eol; i++) {
        if (buf[i] === 44) {
          if (++j >= ncol) return null; // too many fields
          bounds[k + j] = i + 1;
        }
      }
      if (j !== ncol - 1) return null; // too few fields
      bounds[k + ncol] = eol + 1;
      lines[rows++] = line++;
      pos = eol + 1;
    }
    return { file, buf, header, rows, bounds: bounds.subarray(0, rows * stride), lines: lines.subarray(0, rows) };
  }
  while (pos < len) {
    let c = buf[pos] as number;
    if (c === 10 || c === 13) {
      // A blank line: skipped, as csv-parse does.
      if (c === 13 && (!head.crlf || buf[pos + 1] !== 10)) return null;
      pos += c === 13 ? 2 : 1;
      line++;
      continue;
    }
    if (rows === cap) {
      cap *= 2;
      bounds = grown(bounds, cap * stride);
      lines = grown(lines, cap);
    }
    const k = rows * stride;
    bounds[k] = pos;
    let j = 0;
    let i = pos;
    for (;;) {
      c = i < len ? (buf[i] as number) : 10;
      if (c === 44) {
        if (++j >= ncol) return null; // too many fields
        bounds[k + j] = i + 1;
      } else if (c === 10 || c === 13) {
        break;
      }
      i++;
    }
    if (j !== ncol - 1) return null; // too few fields
    bounds[k + ncol] = i + 1;
    if (c === 13) {
      if (!head.crlf || buf[i + 1] !== 10) return null;
      i++;
    }
    lines[rows++] = line++;
    pos = i + 1;
  }
  return { file, buf, header, rows, bounds: bounds.subarray(0, rows * stride), lines: lines.subarray(0, rows) };
}

/** A copy of `a` with room for `n` entries. */
function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** Reads a file's bytes (a HarnessError naming the path when it cannot) and splits them, null as {@link splitCsvBytes}. */
export async function readByteTable(file: string): Promise<{ readonly bytes: Buffer; readonly table: ByteTable | null }> {
  const bytes = await readRegularFile(file);
  // A file that is not UTF-8 goes to the exact path, whose decoding refuses it (utf8Text).
  return { bytes, table: isUtf8(bytes) ? splitCsvBytes(bytes, file) : null };
}

/**
 * Strings of a low-cardinality field (an enum, a chemistry, a tag list), decoded once per
 * distinct byte sequence: a million rows of `normal` cost one string, not a million. Past
 * `limit` distinct values it decodes every field (a free-text column is not worth caching).
 */
export class FieldStrings {
  private readonly byHash = new Map<number, string>();
  constructor(
    private readonly buf: Buffer,
    private readonly limit = 4096,
  ) {}

  /** The UTF-8 text of bytes [a, b). */
  get(a: number, b: number): string {
    const buf = this.buf;
    let h = 0x811c9dc5;
    let ascii = true;
    for (let i = a; i < b; i++) {
      const c = buf[i] as number;
      if (c > 127) ascii = false;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (!ascii) return buf.toString('utf8', a, b);
    const hit = this.byHash.get(h);
    if (hit !== undefined && hit.length === b - a) {
      let same = true;
      for (let i = 0; i < hit.length; i++) {
        if (hit.charCodeAt(i) !== buf[a + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    const s = buf.toString('latin1', a, b);
    if (hit === undefined && this.byHash.size < this.limit) this.byHash.set(h, s);
    return s;
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal in bytes [a, b) (`[+-]digits[.digits]`, at most 15 digits), parsed exactly as
 * Number() would (an integer mantissa over an exact power of ten is one correctly rounded
 * division); undefined for anything else (empty, an exponent, a long mantissa, not a number),
 * which the caller reads through the text path.
 */
export function plainDecimalAt(buf: Uint8Array, a: number, b: number): number | undefined {
  let i = a;
  let c = buf[i] as number;
  const neg = c === 45;
  if (neg || c === 43) i++;
  let mant = 0;
  let digits = 0;
  let dot = -1;
  for (; i < b; i++) {
    c = buf[i] as number;
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = i;
    else return undefined;
  }
  if (digits === 0 || digits > 15) return undefined;
  const frac = dot < 0 ? 0 : b - 1 - dot;
  const v = frac > 0 ? mant / (POW10[frac] as number) : mant;
  return neg ? -v : v;
}

/** True when bytes [a, b) are a safe system id (SYSTEM_ID_PATTERN: `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`). */
export function isSafeIdAt(buf: Uint8Array, a: number, b: number): boolean {
  if (b <= a || b - a > 128) return false;
  for (let i = a; i < b; i++) {
    const c = buf[i] as number;
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && (i === a || (c !== 95 && c !== 46 && c !== 45))) return false;
  }
  return true;
}

/** The values of an enum as bytes, for {@link enumCodeAt}. */
export function enumBytes(values: readonly string[]): readonly Uint8Array[] {
  return values.map((v) => Buffer.from(v, 'utf8'));
}

/** Index of the enum value spelled by bytes [a, b), or -1: no string is built. */
export function enumCodeAt(buf: Uint8Array, a: number, b: number, values: readonly Uint8Array[]): number {
  const len = b - a;
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as Uint8Array;
    if (v.length !== len) continue;
    let i = 0;
    while (i < len && v[i] === buf[a + i]) i++;
    if (i === len) return k;
  }
  return -1;
}
