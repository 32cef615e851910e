/**
 * The one parser of raw series files, used by the loader (which throws on the first problems)
 * and by validation (which collects them all). A hand-written scanner over the file text:
 * no row objects, numbers parsed in place, one Float64Array per column.
 */
import type { Problem } from '../errors.ts';
import { raggedProblem, type ProblemSink } from './csv-read.ts';
import { EXTRA_COLUMN_PATTERN, PHYSICAL_LIMITS, SENSORS } from './schema.ts';
import { didYouMean } from './suggest.ts';

/** What a scan found: the columns after `timestamp` and their values, rows in file order. */
export interface SeriesScan {
  readonly columns: readonly string[];
  readonly timestamps: Float64Array;
  readonly values: readonly Float64Array[];
  /** Number of data rows kept (ragged rows are left out). */
  readonly rows: number;
}

export interface ScanOptions {
  /** Path named in problems. */
  readonly file: string;
  /** Sensors the config declares beyond SENSORS. */
  readonly extraSensors?: readonly string[];
  /** Accept any other column named like EXTRA_COLUMN_PATTERN (real data: sensors outside the contract that `harness import` kept). */
  readonly extraColumns?: boolean;
  /** Flag physically impossible readings (PHYSICAL_LIMITS): validation does, the loader does not. */
  readonly checkLimits?: boolean;
  /** Receives every problem. Return `false` to stop the scan (the loader stops after a few). */
  readonly report: (p: Problem) => boolean | void;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Set by parseNumberAt when the text was not a number (NaN alone means an empty field). */
let badNumber = false;

/**
 * The number in `s[a, b)`, NaN for an empty field. Plain decimals of at most 15 digits take the
 * fast path: an integer mantissa over an exact power of ten is one correctly rounded division,
 * so it equals Number(text) bit for bit. Anything else (exponents, long mantissas) goes through
 * a strict regex and Number(); text that is not a number sets `badNumber`.
 */
export function parseNumberAt(s: string, a: number, b: number): number {
  badNumber = false;
  if (a >= b) return NaN;
  let i = a;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
    } else if (c === 46 && frac < 0) {
      frac = i;
    } else {
      return parseNumberSlow(s, a, b);
    }
  }
  if (digits === 0 || digits > 15) return parseNumberSlow(s, a, b);
  const v = frac < 0 || frac === b - 1 ? mant : mant / (POW10[b - 1 - frac] as number);
  return neg ? -v : v;
}

function parseNumberSlow(s: string, a: number, b: number): number {
  const text = s.slice(a, b);
  if (NUMBER_RE.test(text)) {
    // "1e999" is Infinity to Number(): as much a non-number here as "Infinity" spelled out.
    const v = Number(text);
    if (Number.isFinite(v)) return v;
  }
  badNumber = true;
  return NaN;
}

/** True when `text` is written as a number but is too large for a 64-bit float ("1e999"): the message says so. */
export function overflowsFloat(text: string): boolean {
  return NUMBER_RE.test(text) && !Number.isFinite(Number(text));
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days per month (index 1–12), February without the leap day. */
export const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Epoch ms of a contract timestamp in `s[a, b)`: `YYYY-MM-DDTHH:MM:SS` with an optional
 * fraction of 1–9 digits and a final `Z` (TIMESTAMP_PATTERN), read at fixed positions without
 * building a Date. NaN for anything else, including a valid ISO string with an offset or no
 * zone: Date.parse would read a zone-less string as local time, so it is not a fallback here.
 */
export function parseTimestampAt(s: string, a: number, b: number): number {
  const len = b - a;
  if (len < 20 || s.charCodeAt(b - 1) !== 90 /* Z */) return NaN;
  if (
    s.charCodeAt(a + 4) !== 45 ||
    s.charCodeAt(a + 7) !== 45 ||
    s.charCodeAt(a + 10) !== 84 ||
    s.charCodeAt(a + 13) !== 58 ||
    s.charCodeAt(a + 16) !== 58
  ) {
    return NaN;
  }
  const y = digitsAt(s, a, 4);
  const mo = digitsAt(s, a + 5, 2);
  const d = digitsAt(s, a + 8, 2);
  const h = digitsAt(s, a + 11, 2);
  const mi = digitsAt(s, a + 14, 2);
  const sec = digitsAt(s, a + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo] as number))) return NaN;
  let ms = 0;
  if (len > 20) {
    const n = len - 21;
    if (s.charCodeAt(a + 19) !== 46 || n < 1 || n > 9) return NaN;
    const f = digitsAt(s, a + 20, n);
    if (f < 0) return NaN;
    ms = n <= 3 ? f * (POW10[3 - n] as number) : f / (POW10[n - 3] as number);
  }
  return daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/** A field's text for a message: quoted, shortened when long. */
function quote(s: string, a: number, b: number): string {
  const text = b - a > 40 ? `${s.slice(a, a + 40)}…` : s.slice(a, b);
  return JSON.stringify(text);
}

/** The problem of a file whose first line holds a CR alone (the file's lines end in one, most likely). */
export const CR_ONLY = 'a CR alone breaks the first line (classic Mac line breaks?): series files end their lines in LF or CRLF (convert the file, e.g. tr "\\r" "\\n")';

/** Stops the scan from inside helpers when `report` returns false. */
class StopScan extends Error {}

/**
 * Scans a raw series file. Every problem goes to `opts.report`: a header that does not start
 * with `timestamp`, an unknown, empty or duplicate column, a quoted field (the contract never
 * needs one), a ragged row, a number or timestamp that does not parse, a timestamp not after
 * the one before it, an empty file or one with a header and no rows, and (with `checkLimits`)
 * a reading outside PHYSICAL_LIMITS. Bad cells become NaN so that a scan always completes.
 */
export function scanSeries(text: string, opts: ScanOptions): SeriesScan {
  const emit: ProblemSink = (p) => {
    if (opts.report(p) === false) throw new StopScan();
  };
  const empty: SeriesScan = { columns: [], timestamps: new Float64Array(0), values: [], rows: 0 };
  try {
    return scan(text, opts, emit);
  } catch (err) {
    if (err instanceof StopScan) return empty;
    throw err;
  }
}

function scan(text: string, opts: ScanOptions, emit: ProblemSink): SeriesScan {
  const { file } = opts;
  const len = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Header: skip leading blank lines like csv-parse does.
  let line = 0;
  let headerText = '';
  while (pos < len || line === 0) {
    line++;
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = len;
    let stop = eol;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    headerText = text.slice(pos, stop);
    pos = eol + 1;
    if (headerText !== '' || pos >= len) break;
  }
  const headerLine = line;
  if (headerText === '') {
    emit({ file, line: 1, column: 0, message: 'file is empty: expected a header timestamp,<sensor>,...' });
    return { columns: [], timestamps: new Float64Array(0), values: [], rows: 0 };
  }
  if (headerText.includes('\r')) {
    // A CR inside the first LF-ended line: the file's lines end in a CR alone (a classic Mac
    // export), so "the header" is the whole file. Said once, not as a column per glued value.
    emit({ file, line: headerLine, column: 0, message: CR_ONLY });
    return { columns: [], timestamps: new Float64Array(0), values: [], rows: 0 };
  }
  const header = headerText.split(',');
  const known = new Set<string>([...SENSORS, ...(opts.extraSensors ?? [])]);
  const seen = new Map<string, number>();
  header.forEach((raw, i) => {
    const column = i + 1;
    const name = raw;
    if (name.includes('"')) {
      emit({ file, line: headerLine, column, message: `quoted column name ${JSON.stringify(name)}: series files use plain names` });
    } else if (i === 0) {
      if (name !== 'timestamp') {
        emit({ file, line: headerLine, column, message: `first column must be "timestamp", found ${JSON.stringify(name)}` });
      }
    } else if (seen.has(name)) {
      emit({ file, line: headerLine, column, message: `duplicate column "${name}" (first at column ${(seen.get(name) ?? 0) + 1})` });
    } else if (name === '') {
      emit({ file, line: headerLine, column, message: 'empty column name' });
    } else if (!known.has(name) && !(opts.extraColumns && EXTRA_COLUMN_PATTERN.test(name))) {
      emit({
        file,
        line: headerLine,
        column,
        message: opts.extraColumns
          ? `unknown column "${name}"${didYouMean(name, known)}: every column must be a known sensor or an extra column named in lowercase snake_case (such as string_current_1_a)`
          : `unknown column "${name}"${didYouMean(name, known)}: every column must be a known sensor (declare extra sensors in the config)`,
      });
    }
    if (!seen.has(name)) seen.set(name, i);
  });
  const columns = header.slice(1);
  const ncol = columns.length;
  const nfield = ncol + 1;
  // Capacity: one row per remaining line is an upper bound.
  let cap = 0;
  for (let i = text.indexOf('\n', pos); i >= 0; i = text.indexOf('\n', i + 1)) cap++;
  cap++;
  const timestamps = new Float64Array(cap);
  const values = columns.map(() => new Float64Array(cap));
  const limits = columns.map((c) => (opts.checkLimits ? PHYSICAL_LIMITS[c as keyof typeof PHYSICAL_LIMITS] : undefined));
  let n = 0;
  let prevTs = NaN;
  let prevLine = 0;
  let prevStart = 0;
  let prevStop = 0;
  // Non-blank lines after the header: a file whose rows were all refused has rows, just bad ones.
  let dataLines = 0;
  while (pos < len) {
    line++;
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = len;
    let stop = eol;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    const start = pos;
    pos = eol + 1;
    if (stop === start) continue;
    dataLines++;
    // Count fields first so that a ragged row is dropped whole.
    let fields = 1;
    let quoteAt = -1;
    for (let i = start; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === 44) fields++;
      else if (c === 34 && quoteAt < 0) quoteAt = fields;
    }
    if (quoteAt > 0) {
      emit({ file, line, column: quoteAt, message: 'quoted field: series files hold only timestamps and numbers' });
      continue;
    }
    if (fields !== nfield) {
      emit(raggedProblem(file, line, fields, nfield));
      continue;
    }
    let a = start;
    let b = text.indexOf(',', a);
    if (b < 0 || b > stop) b = stop;
    const ts = parseTimestampAt(text, a, b);
    if (ts !== ts) {
      emit({
        file,
        line,
        column: 1,
        message: `not an ISO 8601 UTC timestamp: ${quote(text, a, b)} (expected e.g. 2026-01-01T00:00:00Z)`,
      });
    } else {
      // A logger's repeated row (same timestamp, same values) carries nothing new: drop it.
      // The same timestamp with other values is ambiguous and stays an error.
      if (
        ts === prevTs &&
        stop - start === prevStop - prevStart &&
        text.slice(start, stop) === text.slice(prevStart, prevStop)
      )
        continue;
      if (ts <= prevTs) {
        emit({
          file,
          line,
          column: 1,
          message: `timestamp ${text.slice(a, b)} is not after the previous one (line ${prevLine}): timestamps must strictly increase`,
        });
      }
      prevTs = ts;
      prevLine = line;
      prevStart = start;
      prevStop = stop;
    }
    timestamps[n] = ts;
    for (let j = 0; j < ncol; j++) {
      a = b + 1;
      b = j === ncol - 1 ? stop : text.indexOf(',', a);
      const v = parseNumberAt(text, a, b);
      if (badNumber) {
        emit({
          file,
          line,
          column: j + 2,
          message: overflowsFloat(text.slice(a, b))
            ? `not a finite number: ${quote(text, a, b)} in column ${columns[j]} overflows a 64-bit float`
            : `not a number: ${quote(text, a, b)} in column ${columns[j]} (a missing reading is an empty field)`,
        });
      } else if (v === v) {
        const lim = limits[j];
        if (lim && (v < lim.min || v > lim.max)) {
          emit({
            file,
            line,
            column: j + 2,
            message: `${columns[j]} ${text.slice(a, b)} is physically impossible (outside ${lim.min}…${lim.max})`,
          });
        }
      }
      (values[j] as Float64Array)[n] = v;
    }
    n++;
  }
  if (dataLines === 0) {
    emit({ file, line: headerLine, column: 0, message: 'file has a header but no data rows' });
  }
  return {
    columns,
    timestamps: n === cap ? timestamps : timestamps.slice(0, n),
    values: values.map((v) => (n === cap ? v : v.slice(0, n))),
    rows: n,
  };
}

/** A whole field as a number: NaN when empty, undefined when it is not a number. */
export function parseNumberText(text: string): number | undefined {
  const v = parseNumberAt(text, 0, text.length);
  return badNumber ? undefined : v;
}
