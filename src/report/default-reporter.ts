import type { ReporterEntry } from '../config/types.ts';

/** True when `CI` is set to something other than empty, `false` or `0`. */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * The reporters of a run when neither the config nor `--reporter` names any: the live `ink`
 * reporter on an interactive terminal, `plain` lines in CI or when stdout is piped (Ink would
 * print only its final frame there).
 */
export function defaultReporters(
  env: Readonly<Record<string, string | undefined>> = process.env,
  isTTY = process.stdout.isTTY === true,
): ReporterEntry[] {
  return isTTY && !isCi(env) ? ['ink'] : ['plain'];
}
