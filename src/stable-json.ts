/**
 * One way to turn options into a key. The score cache, the baselines and `harness runs` /
 * `harness compare` all compare model options, and two spellings of the same options (keys in
 * another order) must compare and hash alike everywhere; two different options must not: the
 * score cache would serve one's scores for the other.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with sorted object keys, so that `{a, b}` and `{b, a}` hash alike; functions and undefined
 * drop out. What JSON cannot tell apart is spelled out, outside JSON's own syntax so that no
 * string can collide with it: `NaN`, `Infinity`, `-Infinity` and `-0` (JSON writes the first
 * three as null and the last as 0), `123n` for a bigint, `Set[…]` and `Map[[k,v],…]` (sorted:
 * order does not make two sets differ), `Date(…)`, `RegExp(…)` and `Float64Array[…]` (JSON writes
 * them as `{}`, a string or an object of indices), and `Circular` for an object met again inside itself (JSON would throw).
 */
export function stableJson(v: unknown): string {
  return stable(v, new Set());
}

function stable(v: unknown, open: Set<object>): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    if (Object.is(v, -0)) return '-0';
    return JSON.stringify(v);
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (open.has(v)) return 'Circular';
  open.add(v);
  try {
    if (Array.isArray(v))
      return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : stable(x, open))).join(',')}]`;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView))
      return `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<number | bigint>, (x) => stable(x, open)).join(',')}]`;
    if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'NaN' : v.toISOString()})`;
    if (v instanceof RegExp) return `RegExp(${JSON.stringify(String(v))})`;
    if (v instanceof Set)
      return `Set[${[...v]
        .map((x) => stable(x, open))
        .sort()
        .join(',')}]`;
    if (v instanceof Map)
      return `Map[${[...v]
        .map(([k, x]) => `[${stable(k, open)},${stable(x, open)}]`)
        .sort()
        .join(',')}]`;
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && typeof x !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stable(x, open)}`).join(',')}}`;
  } finally {
    open.delete(v);
  }
}

/** 16 hex digits of the SHA-256 of the options' {@link stableJson} (no options hash as `{}`). */
export function optionsHash(options: unknown): string {
  return createHash('sha256')
    .update(stableJson(options ?? {}))
    .digest('hex')
    .slice(0, 16);
}
