/**
 * Why a user module did not load, in words a user can act on: a syntax error located at
 * `file:line:column`, a missing import named with its importer, or what the module threw and
 * where. Never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Problem } from '../errors.ts';
import { openFilesProblem } from '../open-files.ts';

/** tsx's namespace for user modules; tsx puts it in every URL it loads there, so messages carry it. */
export const NAMESPACE = 'bess-harness-user';

/** The harness's own source: a frame there is not where the user's module went wrong. */
const HARNESS_SRC = fileURLToPath(new URL('../', import.meta.url));

/** `?namespace=…` (tsx's CommonJS hook) or `?tsx-namespace=…` (its ESM hook), plain or URL-encoded. */
const NAMESPACE_QUERY = new RegExp(`(?:[?&]|%3F|%26)(?:tsx-)?namespace(?:=|%3D)${NAMESPACE}`, 'g');

/** A file path or URL as the user knows it: no namespace query, no `file://`. */
function cleanPath(p: string): string {
  const plain = p.replace(NAMESPACE_QUERY, '');
  return plain.startsWith('file://') ? fileURLToPath(plain) : plain;
}

const clean = (text: string): string => text.replace(NAMESPACE_QUERY, '');

export interface LoadFailure {
  /** One line after "could not be loaded: ". */
  readonly reason: string;
  /** Located problems, printed one per line as `file:line:column: message`. */
  readonly problems: readonly Problem[];
}

/** Turns what importing `file` threw into a reason and located problems. */
export function loadFailure(err: unknown, file: string): LoadFailure {
  if (!(err instanceof Error)) return { reason: `it threw ${String(err)}`, problems: [] };
  // Before "Cannot find package": that is how Node says it could not open a package.json.
  const tooMany = openFilesProblem(err);
  if (tooMany !== undefined) return { reason: tooMany, problems: [] };
  // A HarnessError from a copy of the harness the module imported (so `instanceof` cannot tell).
  if (err.name === 'HarnessError')
    return {
      reason: clean(err.message).split('\n')[0] ?? '',
      problems: (err as { problems?: readonly Problem[] }).problems ?? [],
    };
  const failure = describeFailure(err, file);
  // tsx reads the `?` of a file URL's path as the start of its own query, and loads a relative
  // `.ts` import from such a folder as something else (`index.ts.js`, left untranspiled). A
  // plain module with no such import loads, so this is said only once loading failed.
  if (file.includes('?'))
    return {
      reason: `tsx cannot load TypeScript from a path holding '?': move the project to a path without one (${failure.reason})`,
      problems: failure.problems,
    };
  return failure;
}

/** What tsx says when a package.json it reads for a module's format does not parse. */
const TSX_PACKAGE_JSON = /^Error parsing: (.*package\.json)$/;

/**
 * A byte order mark at the start of a package.json: Node skips it, tsx's own reader does not,
 * and a TypeScript module below it cannot be loaded (cosmiconfig refuses the project's own
 * package.json the same way). tsx's message names the file only.
 */
function startsWithBom(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').startsWith('\uFEFF');
  } catch {
    return false;
  }
}

/** Why `err` stopped `file` loading, whatever its path (see {@link loadFailure}). */
function describeFailure(err: Error, file: string): LoadFailure {
  const message = clean(err.message);
  const first = message.split('\n')[0] ?? '';
  const pkg = TSX_PACKAGE_JSON.exec(first)?.[1];
  if (pkg !== undefined && startsWithBom(pkg))
    return {
      reason: `${pkg} starts with a UTF-8 byte order mark, which tsx (the TypeScript loader) cannot read: save it without one`,
      problems: [],
    };

  const transform = transformProblems(message);
  if (transform.length > 0) return { reason: 'syntax error', problems: transform };
  if (err.name === 'SyntaxError') {
    const at = v8SyntaxLocation(err.stack ?? '');
    return at
      ? { reason: 'syntax error', problems: [{ ...at, message: `SyntaxError: ${first}` }] }
      : { reason: `SyntaxError: ${first}`, problems: [] };
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    // CommonJS lists its importers under "Require stack:"; ESM already says "imported from".
    const importer = /^Require stack:\n- (.+)$/m.exec(message)?.[1];
    return {
      reason: importer ? `${first} imported from ${cleanPath(importer)}` : first,
      problems: [],
    };
  }
  const at = throwSite(err.stack ?? '');
  const located = at !== null && !(at.file === file && at.line === 0); // the file alone is in the message already
  return { reason: first, problems: located ? [{ ...at, message: `${err.name}: ${first}` }] : [] };
}

/**
 * esbuild's transform errors, as tsx passes them on: "Transform failed with N error(s):" then
 * one `file:line:column: ERROR: text` line each (column 0-based there, 1-based here).
 */
function transformProblems(message: string): Problem[] {
  const problems: Problem[] = [];
  for (const m of message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.+)$/gm)) {
    problems.push({
      file: cleanPath(m[1]!),
      line: Number(m[2]),
      column: Number(m[3]) + 1,
      message: m[4]!,
    });
  }
  return problems;
}

/**
 * Where V8 found a syntax error in a file tsx did not compile (plain CommonJS): its stack
 * starts with `file:line`, the source line, and a caret under the column. Node gives no such
 * header for an ES module, so there is nothing to locate then.
 */
function v8SyntaxLocation(stack: string): Omit<Problem, 'message'> | null {
  const m = /^(.+):(\d+)\n.*\n( *)\^/.exec(stack);
  return m ? { file: cleanPath(m[1]!), line: Number(m[2]), column: m[3]!.length + 1 } : null;
}

/**
 * The first stack frame in a user's file (not Node's, not a package's, not the harness's own
 * source): where the module threw while it was imported. tsx's source maps make its line and
 * column those of the TypeScript file. A CommonJS file imported directly runs inside a `data:`
 * URL that names it in `filePath=` but whose lines are not the file's: that gives the file only.
 */
function throwSite(stack: string): Omit<Problem, 'message'> | null {
  for (const text of stack.split('\n').slice(1)) {
    const dataUrl = /^\s*at .*data:text\/javascript,.*[?&]filePath=([^:&)]+)/.exec(text);
    if (dataUrl) return { file: cleanPath(decodeURIComponent(dataUrl[1]!)), line: 0, column: 0 };
    const frame = /^\s*at (?:.*\()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/.exec(text);
    if (!frame) continue;
    const file = cleanPath(frame[1]!);
    if (file.includes('/node_modules/') || file.startsWith(HARNESS_SRC)) continue;
    const line = Number(frame[2]);
    const column = Number(frame[3]);
    return inSource(file, line, column) ? { file, line, column } : { file, line: 0, column: 0 };
  }
  return null;
}

/**
 * Whether `line:column` exists in the file. tsx's source maps give the TypeScript file's line;
 * a host that formats stacks itself (vitest does) gives the compiled code's, usually far past
 * the end of a source line: then the file alone is better than a wrong line.
 */
function inSource(file: string, line: number, column: number): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const source = text.split('\n')[line - 1];
  return source !== undefined && column <= source.length + 1;
}
