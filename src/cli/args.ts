import { parseArgs, type ParseArgsConfig } from 'node:util';
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
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new HarnessError('E_ARGS', `harness ${command}: ${message}\n\n${usage}`);
  }
}

/** A whole number ≥ min from a flag, or a clear error naming the flag. */
export function intFlag(name: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new HarnessError('E_ARGS', `--${name} must be a whole number ≥ ${min} (got "${raw}")`);
  }
  return n;
}

/** A finite number from a flag, or a clear error naming the flag. */
export function numberFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) {
    throw new HarnessError('E_ARGS', `--${name} must be a number (got "${raw}")`);
  }
  return n;
}
