/**
 * The options of the built-in reporters, checked when the reporters are resolved, before any
 * suite runs: a misspelt key (`fiel` for `file`) would be ignored and the report written where
 * the user does not look, and a value of the wrong type (`file: 42`, `hostname: 5`) failed only
 * once the whole run had finished, as a Node internal message ("The "paths[1]" argument must be
 * of type string"), or not at all (`weakest: 'five'` listed nothing).
 */
import { unknownKey } from '../data/index.ts';
import type { HtmlReporterOptions } from './html/index.ts';
import type { InkReporterOptions } from './ink/index.ts';
import type { JsonReporterOptions } from './json.ts';
import type { JunitReporterOptions } from './junit.ts';
import type { MarkdownReporterOptions } from './markdown.ts';
import type { PlainReporterOptions } from './plain.ts';

/** What is wrong with an option's value (`must be …`), or null. */
type OptionCheck = (value: unknown) => string | null;

const filePath: OptionCheck = (v) =>
  typeof v === 'string' && v.length > 0 ? null : 'must be a file path (a non-empty string)';
const folderPath: OptionCheck = (v) =>
  typeof v === 'string' && v.length > 0 ? null : 'must be a folder path (a non-empty string)';
const weakest: OptionCheck = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0
    ? null
    : 'must be a whole number ≥ 0 (how many weakest strata to list per suite)';

/**
 * Each built-in reporter's options and the check of each value. Typed against each reporter's
 * options, so a new option cannot be forgotten here.
 */
const OPTION_CHECKS = {
  plain: {
    write: (v) => (typeof v === 'function' ? null : 'must be a function taking the text to print'),
    weakest,
  } satisfies Record<keyof PlainReporterOptions, OptionCheck>,
  json: { file: filePath } satisfies Record<keyof JsonReporterOptions, OptionCheck>,
  html: { dir: folderPath } satisfies Record<keyof HtmlReporterOptions, OptionCheck>,
  junit: {
    file: filePath,
    hostname: (v) => (typeof v === 'string' ? null : 'must be a string (a host name)'),
  } satisfies Record<keyof JunitReporterOptions, OptionCheck>,
  markdown: {
    file: filePath,
    stepSummary: (v) =>
      typeof v === 'string' || v === false
        ? null
        : 'must be a file path to append the summary to, or false for none',
    weakest,
  } satisfies Record<keyof MarkdownReporterOptions, OptionCheck>,
  ink: {
    stdout: (v) =>
      typeof v === 'object' && v !== null && typeof (v as { write?: unknown }).write === 'function'
        ? null
        : 'must be a writable terminal stream (such as process.stdout)',
    weakest,
  } satisfies Record<keyof InkReporterOptions, OptionCheck>,
} as const;

/** The built-in reporters that take options. */
export type BuiltinReporterName = keyof typeof OPTION_CHECKS;

/**
 * What is wrong with the options of the built-in reporter `name` (an unknown key, with the
 * closest known one, or a value of the wrong type, with the value), or null.
 */
export function builtinOptionsProblem(
  name: BuiltinReporterName,
  options: Readonly<Record<string, unknown>>,
): string | null {
  const checks: Readonly<Record<string, OptionCheck>> = OPTION_CHECKS[name];
  const known = Object.fromEntries(Object.keys(checks).map((k) => [k, true as const]));
  const bad = unknownKey(options, known, `${name} reporter option`);
  if (bad) return bad;
  for (const [key, value] of Object.entries(options)) {
    // An option set to undefined (`file: process.env.OUT`) takes its default.
    if (value === undefined) continue;
    const problem = checks[key]!(value);
    if (problem) return `option \`${key}\` ${problem}, got ${valueText(value)}`;
  }
  return null;
}

/** A value as a message shows it: `42`, `true`, `"five"`, `null`, `an object`. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
