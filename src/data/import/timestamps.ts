/**
 * Timestamps of real exports to epoch milliseconds (UTC): ISO 8601 with or without an offset,
 * patterns such as `YYYY-MM-DD HH:mm:ss` or `DD.MM.YYYY HH:mm:ss`, epoch seconds or
 * milliseconds, times elapsed since an origin (pandas Timedelta text or seconds); local times in an IANA zone (DST included, offsets from Intl.DateTimeFormat)
 * or a fixed offset; Parquet timestamps, UTC or local ({@link LocalDateTime}). A local time that a
 * DST change skips (nonexistent) or repeats (ambiguous) is resolved by the mapping's policy, or reported.
 */

/** How a local time maps to UTC in one zone. */
export interface Zone {
  readonly name: string;
  /** Offset from UTC in minutes at an instant (local = utc + offset). */
  offsetAt(utcMs: number): number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const FIXED = /^(?:UTC|GMT|Z)?([+-])(\d{2}):?(\d{2})$/;

/** A zone by name: `UTC`, a fixed offset (`+01:00`), or an IANA name (`Europe/Berlin`). Undefined for an unknown name. */
export function resolveZone(name: string): Zone | undefined {
  if (name === 'UTC' || name === 'Z' || name === 'GMT' || name === 'Etc/UTC') return { name, offsetAt: () => 0 };
  const fixed = FIXED.exec(name);
  if (fixed) {
    const minutes = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
    if (Math.abs(minutes) > 18 * 60) return undefined;
    return { name, offsetAt: () => minutes };
  }
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  // Offsets change on quarter-hour UTC boundaries in every zone that matters for telemetry,
  // so one Intl call per quarter hour is exact and keeps a long file fast.
  const cache = new Map<number, number>();
  const QUARTER = 15 * MINUTE;
  return {
    name,
    offsetAt(utcMs) {
      const bucket = Math.floor(utcMs / QUARTER);
      const hit = cache.get(bucket);
      if (hit !== undefined) return hit;
      const at = bucket * QUARTER;
      const parts: Record<string, number> = {};
      for (const p of dtf.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      const wall = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
      const offset = Math.round((wall - at) / MINUTE);
      if (cache.size > 100_000) cache.clear();
      cache.set(bucket, offset);
      return offset;
    },
  };
}

/** The UTC instants a local wall-clock time (given as if it were UTC) can mean in a zone: one, none (skipped by DST) or two (repeated). */
export function localCandidates(zone: Zone, wallMs: number): number[] {
  const offsets = new Set([zone.offsetAt(wallMs - DAY), zone.offsetAt(wallMs), zone.offsetAt(wallMs + DAY)]);
  const out: number[] = [];
  for (const o of offsets) {
    const t = wallMs - o * MINUTE;
    if (zone.offsetAt(t) === o && !out.includes(t)) out.push(t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * A Parquet timestamp not adjusted to UTC (logical type TIMESTAMP, isAdjustedToUTC=false: what
 * pandas writes for a naive datetime): wall-clock fields without a zone, held as the instant
 * that has those fields in UTC. Like ISO text without an offset it means an instant only in the
 * mapping's timestamp.timezone; read as UTC it shifted a Berlin export by two hours, exit 0.
 */
export class LocalDateTime {
  constructor(readonly wallMs: number) {}

  /** The wall time as ISO 8601 without an offset, for messages. */
  toString(): string {
    return Number.isFinite(this.wallMs) ? new Date(this.wallMs).toISOString().replace(/(?:\.000)?Z$/, '') : 'an invalid date';
  }

  /** As text in a message that quotes the cell (JSON.stringify), not `{"wallMs":…}`. */
  toJSON(): string {
    return this.toString();
  }
}

export type AmbiguousPolicy = 'infer' | 'earlier' | 'later' | 'drop';
export type NonexistentPolicy = 'drop' | 'shift';

export interface TimestampSpec {
  /** `iso`, `epoch_s`, `epoch_ms`, `elapsed` (since `origin`), or a pattern of YYYY MM DD HH mm [ss] (fractional seconds are always accepted after ss). */
  readonly format: string;
  /** Zone of local times: required by patterns, used by ISO values without an offset. */
  readonly zone?: Zone;
  readonly ambiguous: AmbiguousPolicy;
  readonly nonexistent: NonexistentPolicy;
  /** Decimal separator of epoch values written as text. */
  readonly decimal: '.' | ',';
  /** `elapsed`: the instant (epoch ms) a time of 0 stands for. */
  readonly origin?: number;
}

/**
 * pandas Timedelta text as `str(pd.Timedelta)` writes it: `0 days 00:00:00.1`, `1 days 02:03:04.5`,
 * `-1 days +23:59:59` (a negative duration is minus whole days plus a positive time of day);
 * also `1 day`, and the time alone (`00:00:00.1`, `-00:00:01`).
 */
const TIMEDELTA = /^(?:([+-]?\d+) days?(?: |$))?(?:([+-])?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Milliseconds of a pandas Timedelta text, or undefined when it is not one. */
export function parseTimedelta(text: string): number | undefined {
  const m = TIMEDELTA.exec(text);
  if (!m || (m[1] === undefined && m[3] === undefined)) return undefined;
  const [, days, sign, h, mi, sec, frac] = m;
  if (h !== undefined && (+mi! > 59 || +sec! > 59)) return undefined;
  const time = h === undefined ? 0 : ((+h * 60 + +mi!) * 60 + +sec!) * 1000 + (frac ? Number(`0.${frac}`) * 1000 : 0);
  return (days === undefined ? 0 : Number(days) * DAY) + (sign === '-' ? -time : time);
}

export type ParsedTime =
  | {
      readonly ok: true;
      readonly ms: number;
      readonly ambiguous?: boolean;
      /** Under `infer`: both meanings of the repeated local time, earlier first, for a caller that can look at later rows too. */
      readonly candidates?: readonly number[];
      readonly shifted?: boolean;
    }
  | { readonly ok: false; readonly reason: 'unparsable_timestamp' | 'nonexistent_local_time' | 'ambiguous_local_time'; readonly detail: string };

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const TOKENS = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;

/** Problems of a pattern format (for mapping validation), or an empty list. */
export function patternProblems(format: string): string[] {
  if (format === 'iso' || format === 'epoch_s' || format === 'epoch_ms' || format === 'elapsed') return [];
  const problems: string[] = [];
  for (const t of TOKENS) {
    const n = format.split(t).length - 1;
    if (n > 1) problems.push(`${t} appears ${n} times`);
    if (n === 0 && t !== 'ss') problems.push(`${t} is missing`);
  }
  return problems;
}

interface Pattern {
  readonly re: RegExp;
  readonly order: readonly (typeof TOKENS)[number][];
}

function compilePattern(format: string): Pattern {
  const order: (typeof TOKENS)[number][] = [];
  let re = '';
  for (let i = 0; i < format.length; ) {
    const tok = TOKENS.find((t) => format.startsWith(t, i));
    if (tok) {
      order.push(tok);
      re += tok === 'YYYY' ? '(\\d{4})' : tok === 'mm' || tok === 'ss' ? '(\\d{2})' : '(\\d{1,2})';
      i += tok.length;
    } else {
      re += format[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return { re: new RegExp(`^${re}(?:[.,](\\d{1,9}))?$`), order };
}

/**
 * The instants an imported timestamp may hold: from 2000 up to (not including) 2100. Far wider
 * than any BESS fleet's telemetry, yet it catches a unit mistake, which otherwise imports with
 * exit 0: epoch seconds read as milliseconds land in January 1970, milliseconds read as seconds
 * in the year 56971 (past what the contract's four-digit years can write). A clock left unset
 * (1970, 2000-01-01 is inside) is caught too. Rows outside are dropped as unparsable_timestamp.
 */
export const PLAUSIBLE_FROM_MS = Date.UTC(2000, 0, 1);
export const PLAUSIBLE_UNTIL_MS = Date.UTC(2100, 0, 1);
const plausible = (ms: number): boolean => ms >= PLAUSIBLE_FROM_MS && ms < PLAUSIBLE_UNTIL_MS;

/** An instant for a message: ISO 8601 while Date can write it with four digits, else its year. */
function describeInstant(ms: number): string {
  if (Math.abs(ms) < 8.64e15) {
    const iso = new Date(ms).toISOString();
    if (/^\d{4}-/.test(iso)) return iso;
  }
  return `the year ${Math.floor(1970 + ms / 31_556_952_000)}`;
}

/** Why an instant outside {@link PLAUSIBLE_FROM_MS}…{@link PLAUSIBLE_UNTIL_MS} is refused, with the likely fix. */
function implausible(spec: TimestampSpec, value: unknown, ms: number): string {
  const head = `${JSON.stringify(typeof value === 'bigint' ? String(value) : value)} as ${spec.format} is ${describeInstant(ms)}, outside 2000–2099`;
  if (spec.format === 'epoch_s' && plausible(ms / 1000)) return `${head}: the values look like milliseconds, set timestamp.format to "epoch_ms"`;
  if (spec.format === 'epoch_ms' && plausible(ms * 1000)) return `${head}: the values look like seconds, set timestamp.format to "epoch_s"`;
  if (spec.format === 'elapsed') return `${head}: is timestamp.origin right, and are the values seconds?`;
  return `${head}: is the ${spec.format.startsWith('epoch_') ? 'unit (epoch_s or epoch_ms)' : 'year'} right, or the logger's clock unset?`;
}

/**
 * Of the meanings of a repeated local time, the one nearest where the series is expected next:
 * the previous row plus the system's last time step (minus, in a newest-first file; the same
 * with rows read backwards from a later row, transform.ts); on a tie, the one past the previous
 * row in that direction. Nearest the previous row alone lost a row at hourly sampling (the
 * second 02:00 is as near the first as that row itself) and tied at 30 min; the step keeps a row
 * out of order inside the hour (02:40, 02:35) and an exact duplicate on their first meaning.
 */
export function nearestMeaning(candidates: readonly number[], previousMs: number, stepMs: number | undefined): number {
  const target = previousMs + (stepMs ?? 0);
  const ahead = (t: number): boolean => ((stepMs ?? 0) < 0 ? t < previousMs : t > previousMs);
  return candidates.reduce((best, t) => {
    const d = Math.abs(t - target) - Math.abs(best - target);
    return d < 0 || (d === 0 && ahead(t) && !ahead(best)) ? t : best;
  });
}

/**
 * A cell to UTC milliseconds. `previousMs` (the same system's previous row, file order) and
 * `stepMs` (its expected time step, negative when its rows run newest first) resolve ambiguous
 * local times under `infer`.
 */
export type TimeParser = (value: unknown, previousMs: number | undefined, stepMs?: number) => ParsedTime;

/**
 * A {@link TimeParser} for a mapping's timestamp spec. An instant outside 2000–2099 is refused (see {@link PLAUSIBLE_FROM_MS}).
 */
export function timestampParser(spec: TimestampSpec): TimeParser {
  const parse = cellParser(spec);
  return (value, previousMs, stepMs) => {
    const r = parse(value, previousMs, stepMs);
    if (!r.ok || plausible(r.ms)) return r;
    return { ok: false, reason: 'unparsable_timestamp', detail: implausible(spec, value, r.ms) };
  };
}

function cellParser(spec: TimestampSpec): TimeParser {
  const pattern = spec.format === 'iso' || spec.format === 'elapsed' || spec.format.startsWith('epoch_') ? undefined : compilePattern(spec.format);
  const bad = (detail: string): ParsedTime => ({ ok: false, reason: 'unparsable_timestamp', detail });

  /** A wall-clock time (its fields as a UTC instant's) in the mapping's zone. */
  const fromWall = (wall: number, text: string, previousMs: number | undefined, stepMs: number | undefined): ParsedTime => {
    const zone = spec.zone;
    if (!zone) return bad(`${JSON.stringify(text)} has no UTC offset and the mapping gives no timestamp.timezone`);
    const c = localCandidates(zone, wall);
    if (c.length === 1) return { ok: true, ms: c[0]! };
    if (c.length === 0) {
      if (spec.nonexistent === 'shift') return { ok: true, ms: wall - zone.offsetAt(wall - DAY) * MINUTE, shifted: true };
      return { ok: false, reason: 'nonexistent_local_time', detail: `${JSON.stringify(text)} does not exist in ${zone.name} (skipped by a DST change)` };
    }
    const [early, late] = [c[0]!, c[c.length - 1]!];
    switch (spec.ambiguous) {
      case 'earlier':
        return { ok: true, ms: early, ambiguous: true };
      case 'later':
        return { ok: true, ms: late, ambiguous: true };
      case 'drop':
        return { ok: false, reason: 'ambiguous_local_time', detail: `${JSON.stringify(text)} occurs twice in ${zone.name} (a DST change repeats it)` };
      case 'infer':
        // With no row before it, the earlier meaning for now: the caller, which sees the rows
        // after it too, resolves it from the next unambiguous row (transform.ts).
        return { ok: true, ms: previousMs === undefined ? early : nearestMeaning(c, previousMs, stepMs), ambiguous: true, candidates: c };
    }
  };

  const fracMs = (frac: string | undefined): number => (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  const fromFields = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, text: string, previousMs: number | undefined, stepMs: number | undefined): ParsedTime => {
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return bad(`${JSON.stringify(text)} is not a valid date and time`);
    const wall = Date.UTC(y, mo - 1, d, h, mi, s) + ms;
    if (new Date(wall).getUTCDate() !== d) return bad(`${JSON.stringify(text)} is not a valid date`);
    return fromWall(wall, text, previousMs, stepMs);
  };

  return (value, previousMs, stepMs) => {
    if (value === null || value === undefined || value === '') return bad('empty timestamp');
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isFinite(ms) ? { ok: true, ms } : bad('invalid date');
    }
    if (value instanceof LocalDateTime) {
      if (!Number.isFinite(value.wallMs)) return bad('invalid date');
      if (!spec.zone) return bad(`${JSON.stringify(String(value))} is a local time (a Parquet timestamp not adjusted to UTC) and the mapping gives no timestamp.timezone`);
      return fromWall(value.wallMs, String(value), previousMs, stepMs);
    }
    if (spec.format === 'elapsed') {
      // Seconds as a number (a Parquet float, or text such as `0.1`), or pandas Timedelta text.
      const origin = spec.origin ?? 0;
      if (typeof value === 'number' || typeof value === 'bigint') {
        const n = Number(value);
        return Number.isFinite(n) ? { ok: true, ms: origin + Math.round(n * 1000) } : bad(`${String(value)} is not a number of seconds`);
      }
      if (typeof value !== 'string') return bad(`${String(value)} is not an elapsed time`);
      const text = value.trim();
      const seconds = NUMBER.test(text) ? Number(text) : spec.decimal === ',' && NUMBER.test(text.replace(',', '.')) ? Number(text.replace(',', '.')) : NaN;
      if (Number.isFinite(seconds)) return { ok: true, ms: origin + Math.round(seconds * 1000) };
      const ms = parseTimedelta(text);
      if (ms === undefined) return bad(`${JSON.stringify(text)} is not an elapsed time (seconds, or a pandas Timedelta such as "0 days 00:00:00.1")`);
      return { ok: true, ms: origin + Math.round(ms) };
    }
    if (spec.format === 'epoch_s' || spec.format === 'epoch_ms') {
      const text = typeof value === 'string' ? value.trim() : '';
      const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : text === '' ? NaN : Number(spec.decimal === ',' ? text.replace(',', '.') : text);
      if (!Number.isFinite(n)) return bad(`${JSON.stringify(value)} is not an epoch number`);
      return { ok: true, ms: spec.format === 'epoch_s' ? Math.round(n * 1000) : Math.round(n) };
    }
    if (typeof value !== 'string') return bad(`${String(value)} is not a ${spec.format} timestamp`);
    const text = value.trim();
    if (!pattern) {
      const m = ISO.exec(text);
      if (!m) return bad(`${JSON.stringify(text)} is not an ISO 8601 timestamp`);
      const [, y, mo, d, h, mi, s, frac, off] = m;
      if (off === undefined) return fromFields(+y!, +mo!, +d!, +h!, +mi!, +(s ?? 0), fracMs(frac), text, previousMs, stepMs);
      const wall = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0)) + fracMs(frac);
      if (+mo! < 1 || +mo! > 12 || +h! > 23 || +mi! > 59 || +(s ?? 0) > 59 || new Date(wall).getUTCDate() !== +d!) return bad(`${JSON.stringify(text)} is not a valid date and time`);
      if (off === 'Z' || off === 'z') return { ok: true, ms: wall };
      const digits = off.slice(1).replace(':', '');
      const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
      return { ok: true, ms: wall - (off[0] === '-' ? -1 : 1) * minutes * MINUTE };
    }
    const m = pattern.re.exec(text);
    if (!m) return bad(`${JSON.stringify(text)} does not match the format ${spec.format}`);
    const got: Record<string, number> = { ss: 0 };
    pattern.order.forEach((tok, i) => (got[tok] = Number(m[i + 1])));
    return fromFields(got['YYYY']!, got['MM']!, got['DD']!, got['HH']!, got['mm']!, got['ss']!, fracMs(m[pattern.order.length + 1]), text, previousMs, stepMs);
  };
}
