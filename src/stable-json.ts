/**
 * One way to turn options into a key. The score cache, the baselines and `harness runs` /
 * `harness compare` all compare model options, and two spellings of the same options (keys in
 * another order) must compare and hash alike everywhere.
 */
import { createHash } from 'node:crypto';

/** JSON with sorted object keys, so that `{a, b}` and `{b, a}` hash alike; functions and undefined drop out. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v))
    return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : stableJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && typeof x !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** 16 hex digits of the SHA-256 of the options' {@link stableJson} (no options hash as `{}`). */
export function optionsHash(options: unknown): string {
  return createHash('sha256')
    .update(stableJson(options ?? {}))
    .digest('hex')
    .slice(0, 16);
}
