import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_TIMEOUT_MS, MAX_WORKERS } from '../defaults.ts';
import { DECIMAL } from '../data/index.ts';
import { HarnessError } from '../errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses one command's argv strictly: an unknown flag or a missing value is a user mistake
 * (exit 2 with the command's usage), never a stack trace.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  usage: string,
  allowPositionals = false,
) {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      allowPositionals,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new HarnessError('E_ARGS', `harness ${command}: ${message}\n\n${usage}`);
  }
  // parseArgs keeps the last of a flag given twice: a CI wrapper that appended its own
  // `--labels` judged against another file than the one written first, without a word.
  const given = new Map<string, string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name]?.multiple)
      continue;
    const before = given.get(t.name);
    if (before !== undefined)
      throw new HarnessError(
        'E_ARGS',
        `harness ${command}: --${t.name} is given twice (${JSON.stringify(before)} and ${JSON.stringify(t.value ?? '')}): give it once\n\n${usage}`,
      );
    given.set(t.name, t.value ?? '');
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * `--threshold -0.18` as `--threshold=-0.18`: node's parseArgs takes a value that starts with a
 * dash for a flag and refuses it as ambiguous, yet scores and thresholds are often negative.
 * Only a string option followed by something shaped like a negative number is joined.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const takesValue = (arg: string): boolean => {
    const long = /^--([^=]+)$/.exec(arg)?.[1];
    if (long !== undefined) return options[long]?.type === 'string';
    const short = /^-([A-Za-z])$/.exec(arg)?.[1];
    return (
      short !== undefined &&
      Object.values(options).some((o) => o.short === short && o.type === 'string')
    );
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (next !== undefined && /^-(?:\d|\.\d)/.test(next) && takesValue(arg)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`); // -s-3: a short flag takes the rest as its value
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * The largest value each whole-number flag takes: past these a run would not finish or would
 * overflow, so they are refused up front with the flag's name. Other flags stop at 2^53 − 1.
 */
const INT_FLAG_MAX: Readonly<Record<string, number>> = {
  systems: 1_000_000,
  days: 3_650,
  workers: MAX_WORKERS,
  timeout: MAX_TIMEOUT_MS,
  port: 65_535,
  runs: 1_000_000,
  limit: 1_000_000,
  n: 10_000_000,
  'max-per-file': 1_000_000,
  seed: 2 ** 32 - 1, // harness check's fast-check seed (the other commands' seeds are words)
};

/** A number written in decimal, as data files write them: Number() also takes `0x10`, `0b1`, `Infinity`. */
const isDecimal = (raw: string): boolean => DECIMAL.test(raw.trim());

/** A whole number from a flag within [min, the flag's maximum], or a clear error naming the flag. */
export function intFlag(name: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const max = INT_FLAG_MAX[name] ?? Number.MAX_SAFE_INTEGER;
  const n = Number(raw);
  if (!isDecimal(raw) || !Number.isInteger(n) || n < min || n > max) {
    throw new HarnessError(
      'E_ARGS',
      `--${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got "${raw}")`,
    );
  }
  return n;
}

/** A finite number from a flag, or a clear error naming the flag. */
export function numberFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!isDecimal(raw) || !Number.isFinite(n)) {
    throw new HarnessError('E_ARGS', `--${name} must be a decimal number (got "${raw}")`);
  }
  return n;
}

/**
 * An output folder from a flag, absolute: created later when missing, but one that exists as a
 * file is a user mistake named now, before any work is done.
 */
export async function outputDirFlag(name: string, raw: string): Promise<string> {
  const dir = path.resolve(raw);
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory())
    throw new HarnessError(
      'E_ARGS',
      `--${name} ${raw} is a file: give a folder (created when missing)`,
    );
  return dir;
}
