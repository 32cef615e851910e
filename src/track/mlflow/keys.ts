import { createHash } from 'node:crypto';

/**
 * Metric, param and tag keys as the MLflow server checks them (mlflow/utils/validation.py:
 * validate_param_and_metric_name, path_not_unique, MAX_ENTITY_KEY_LENGTH), and a sanitizer that
 * turns any name (a stratum, an option) into a key part the server accepts. Keys are checked here
 * so that a bad name fails one key with a clear reason instead of a whole log-batch with a 400.
 */

/** MAX_ENTITY_KEY_LENGTH, in characters (code points, as Python counts). */
export const MAX_KEY_LENGTH = 250;

/** The server's `^[/\w.\- :]*$` on POSIX; Python's `\w` is Unicode letters, digits and `_`. */
const SERVER_KEY = /^[/\p{L}\p{N}_.\- :]*$/u;

/** Why the server would reject `key`, or null when it accepts it. */
export function keyProblem(key: string): string | null {
  const length = [...key].length;
  if (length > MAX_KEY_LENGTH) return `is ${length} characters long (at most ${MAX_KEY_LENGTH})`;
  if (!SERVER_KEY.test(key)) return 'may only contain letters, digits, _ - . space / and :';
  const norm = posixNormpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    return `is read as a file path by some stores and would resolve to ${JSON.stringify(norm)}`;
  }
  return null;
}

/** Python's posixpath.normpath, which the server compares keys with. */
export function posixNormpath(p: string): string {
  if (p === '') return '.';
  let slashes = p.startsWith('/') ? 1 : 0;
  // POSIX leaves exactly two leading slashes alone; three or more collapse to one.
  if (slashes && p.startsWith('//') && !p.startsWith('///')) slashes = 2;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!slashes && out.length === 0) || out[out.length - 1] === '..')
      out.push(comp);
    else if (out.length > 0) out.pop();
  }
  const joined = '/'.repeat(slashes) + out.join('/');
  return joined === '' ? '.' : joined;
}

/**
 * A part of a dotted key, left alone when it is plain (letters, digits, `_`, `-`, inner spaces)
 * and otherwise rewritten deterministically: every run of other characters (`.` is the key
 * separator, `/` a folder in some stores, `:` is refused by Windows servers) becomes one `_`,
 * with `_` and spaces trimmed from the ends: `(missing)` → `missing`, `a/b c` → `a_b c`.
 */
export function sanitizeKeyPart(raw: string): string {
  if (PLAIN_PART.test(raw)) return raw;
  const cleaned = raw.replace(/[^\p{L}\p{N}_\- ]+/gu, '_').replace(/^[_ ]+|[_ ]+$/g, '');
  return cleaned === '' ? '_' : cleaned;
}

const PLAIN_PART = /^[\p{L}\p{N}_-](?:[\p{L}\p{N}_\- ]*[\p{L}\p{N}_-])?$/u;

/**
 * `key` made unique (or short enough) by a suffix of 6 hex digits of sha256(`from`), its
 * original spelling: deterministic, so the same stratum gets the same key in every run.
 */
export function withHashSuffix(key: string, from: string): string {
  const suffix = `_${createHash('sha256').update(from).digest('hex').slice(0, 6)}`;
  return [...key].slice(0, MAX_KEY_LENGTH - suffix.length).join('') + suffix;
}
