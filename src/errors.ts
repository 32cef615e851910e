import path from 'node:path';
import { jsonErrorOffset } from './json-error-offset.ts';
/**
 * Errors the harness reports to a person. A `HarnessError` is a user-facing failure with a
 * stable `code` and a message that says how to fix it; the CLI prints it without a stack trace
 * and exits 2 ("the harness could not do its job"). Anything else that escapes is a bug.
 */

/**
 * One problem in one file, located as `file:line:column` (1-based; column 0 = the whole line;
 * line 0 = no line, e.g. a field of a config object, printed as `file: message`).
 */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A mistake of the user's (bad input, config, data or plugin): printed as its message, exit 2, never with a stack trace. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  constructor(
    /** Stable machine-readable code, e.g. `E_DATA`, `E_ARGS`, `E_SCENARIO`. */
    readonly code: string,
    message: string,
    /** Located problems behind this error, printed one per line. */
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

/** `file:line:column: message`, the one format every located problem is printed in. */
export function formatProblem(p: Problem, relativeTo?: (file: string) => string): string {
  const file = relativeTo ? relativeTo(p.file) : p.file;
  return p.line === 0 ? `${file}: ${p.message}` : `${file}:${p.line}:${p.column}: ${p.message}`;
}

/**
 * Where JSON.parse failed in `text`, as a located problem at a 1-based line and column: V8
 * names the character offset ("… at position 15"), or, for some errors, only a snippet of the
 * text; the offset is then found by scanning the text (json-error-offset.ts). An empty text is
 * at line 1, column 0. The message is one line: V8's snippet (which may span lines) is left out.
 */
export function jsonProblem(file: string, text: string, err: unknown): Problem {
  const raw = (err instanceof Error ? err.message : String(err))
    .replace(/\s*\(line \d+ column \d+\)$/, '')
    .replace(/ in JSON at position \d+/, '');
  const message = `not valid JSON: ${raw
    .replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '')
    .replace(/\s+/g, ' ')
    .trim()}`;
  const at = /at position (\d+)/.exec(err instanceof Error ? err.message : String(err));
  const scanned = at ? Number(at[1]) : jsonErrorOffset(text);
  // "Unexpected end of JSON input": at the end of what the file holds, not past its last newline.
  const offset = Math.min(scanned < 0 ? 0 : scanned, text.trimEnd().length);
  if (text.trim() === '') return { file, line: 1, column: 0, message };
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { file, line, column, message };
}
/** A path as a person typed it: relative to the working directory when it lies below it (messages name files this way). */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** What a value is, for a message about a wrong argument: `a string ("smoke")`, `an array`, `null`, `a number`. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string (${JSON.stringify(v)})`;
  return `${typeof v === 'object' || typeof v === 'undefined' ? 'an' : 'a'} ${typeof v}`;
}
