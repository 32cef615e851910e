/**
 * The arguments code gives the harness core, checked as the config file is: a setting it
 * cannot take or a key it does not know is a HarnessError naming it. Taken as they came, `{
 * workers: 0 }` made a pool that never scored and the process exited without a word, and a
 * filter with a misspelt key (`{ suite: ['x'] }`) or given as a string ran every suite and
 * passed.
 */
import path from 'node:path';
import { CONFIG_FIELDS, fieldProblem } from '../config/index.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { HarnessError, kindOf } from '../errors.ts';

/** The config's settings createHarness's `overrides` may replace. */
export const OVERRIDABLE = [
  'timeoutMs',
  'workers',
  'history',
  'outDir',
  'cacheDir',
  'runsDir',
  'dataDir',
] as const satisfies readonly (keyof ResolvedConfig & (typeof CONFIG_FIELDS)[number])[];

type Overridable = (typeof OVERRIDABLE)[number];
const PATH_SETTINGS: ReadonlySet<string> = new Set(['outDir', 'cacheDir', 'runsDir', 'dataDir']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every own key of `value` not in `known`, as one HarnessError naming the first. */
function refuseUnknownKeys(where: string, value: object, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new HarnessError(
      'E_ARGS',
      `${where}: unknown option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
}

/**
 * createHarness's `overrides`, checked with the config file's rules (workers 1 to 256, a
 * timeout Node can set, a non-empty folder path, …), undefined values dropped and folders made
 * absolute (against the working directory, as `run`'s `outDir` is).
 */
export function checkedOverrides(
  overrides: unknown,
  name = 'overrides',
): Partial<Pick<ResolvedConfig, Overridable>> {
  if (overrides === undefined) return {};
  if (!isRecord(overrides))
    throw new HarnessError(
      'E_ARGS',
      `createHarness: ${name} must be an object such as { workers: 2 } (got ${kindOf(overrides)})`,
    );
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const problem = fieldProblem(key, value, OVERRIDABLE);
    if (problem !== null) throw new HarnessError('E_ARGS', `createHarness: ${name}.${problem}`);
    out[key] = PATH_SETTINGS.has(key) ? path.resolve(value as string) : value;
  }
  return out as Partial<Pick<ResolvedConfig, Overridable>>;
}

/** createHarness's options: only the keys it knows. */
export function checkHarnessOptions(options: unknown): void {
  if (!isRecord(options))
    throw new HarnessError(
      'E_ARGS',
      `createHarness: the options must be an object such as { cwd: 'my-project' } (got ${kindOf(options)})`,
    );
  refuseUnknownKeys('createHarness', options, ['cwd', 'config', 'overrides', 'env']);
  if (options['config'] !== undefined && !isRecord(options['config']))
    throw new HarnessError(
      'E_ARGS',
      `createHarness: config must be a resolved config (got ${kindOf(options['config'])})`,
    );
  if (options['cwd'] !== undefined && (typeof options['cwd'] !== 'string' || options['cwd'] === ''))
    throw new HarnessError(
      'E_ARGS',
      `createHarness: cwd must be a folder path (got ${kindOf(options['cwd'])})`,
    );
}

const FILTER_KEYS = ['words', 'suites', 'models'] as const;

/**
 * A list of names from code: an array of non-empty strings. An empty string would match every
 * suite (a word) or name nothing the user meant.
 */
export function checkNames(where: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value))
    throw new HarnessError(
      'E_ARGS',
      `${where} must be a list of names, e.g. ['smoke'] (got ${kindOf(value)})`,
    );
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string')
      throw new HarnessError(
        'E_ARGS',
        `${where}[${i}] must be a name (a string), got ${kindOf(v)}`,
      );
    if (v.trim() === '')
      throw new HarnessError(
        'E_ARGS',
        `${where}[${i}] is empty: an empty filter would match every suite; leave it out to run them all`,
      );
  });
}

/** A run filter from code (`harness.run(filter)`, `harness.collect(filter)`). */
export function checkFilter(where: string, filter: unknown): void {
  if (!isRecord(filter))
    throw new HarnessError(
      'E_ARGS',
      `${where}: the filter must be an object such as { words: ['smoke'] }, { suites: ['smoke'] } or { models: ['zscore'] } (got ${kindOf(filter)})`,
    );
  refuseUnknownKeys(`${where}: the filter`, filter, FILTER_KEYS);
  for (const key of FILTER_KEYS) checkNames(`${where}: filter.${key}`, filter[key]);
}

const RUN_OPTION_KEYS = [
  'reporters',
  'outDir',
  'seed',
  'updateBaseline',
  'cache',
  'record',
  'track',
  'argv',
  'minSystemsPerWorker',
  'runErrors',
] as const;

/** `run`'s options (and runCollected's, which also take `models`): only the keys it knows. */
export function checkRunOptions(
  where: string,
  options: unknown,
  extra: readonly string[] = [],
): void {
  if (!isRecord(options))
    throw new HarnessError(
      'E_ARGS',
      `${where}: the options must be an object such as { reporters: ['plain'] } (got ${kindOf(options)})`,
    );
  refuseUnknownKeys(`${where}: the options`, options, [...RUN_OPTION_KEYS, ...extra]);
  if (options['reporters'] !== undefined && !Array.isArray(options['reporters']))
    throw new HarnessError(
      'E_ARGS',
      `${where}: reporters must be a list, e.g. ['plain'] (got ${kindOf(options['reporters'])})`,
    );
  for (const key of ['outDir', 'seed'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === ''))
      throw new HarnessError(
        'E_ARGS',
        `${where}: ${key} must be a non-empty string (got ${kindOf(v)})`,
      );
  }
  for (const key of ['updateBaseline', 'cache', 'record', 'track'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean')
      throw new HarnessError('E_ARGS', `${where}: ${key} must be true or false (got ${kindOf(v)})`);
  }
}
