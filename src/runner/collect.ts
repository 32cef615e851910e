import path from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import { globProblem, matchGlobs } from './glob.ts';
import { sourceSplitProblem } from './split.ts';
import { WorkerPool } from './pool.ts';
import { loadTimeout } from './worker-protocol.ts';
import { unknownKey } from '../data/index.ts';
import {
  baselineProblem,
  datasetProblem,
  modelEntryProblem,
  thresholdProblem,
} from './suite-values.ts';
import type { ModelEntry, SplitSpec, SuiteSpec } from './suite.ts';
import type { CollectedSuite } from './types.ts';

/** The name a suite gives a model entry, before the plugin is resolved. */
export function modelEntryName(entry: ModelEntry): string {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) return entry[0] as string;
  return (entry as { name: string }).name;
}

/**
 * Finds and imports every suite file, without running anything (so `--list` and filters are
 * cheap). A file may export one suite or a list of suites. `filter` keeps suites whose name or
 * file contains one of the words.
 *
 * A suite file is user code, and so are the plugin modules and factories it names: each file is
 * first imported, and its models made, in a worker thread under the watchdog, so that a file
 * that loops forever, calls process.exit or throws from a timer stops the run with exit 2 and
 * its name instead of hanging or ending this process.
 */
export async function collectSuites(
  config: ResolvedConfig,
  filter: readonly string[] = [],
  pool?: WorkerPool,
): Promise<CollectedSuite[]> {
  const files = await suiteFiles(config);
  const suites: CollectedSuite[] = [];
  // The run's pool when given (the worker stays warm for scoring), else one worker for this.
  const probes = pool ?? new WorkerPool(1);
  try {
    for (const file of files) await probeSuiteFile(probes, file, config);
  } finally {
    if (!pool) await probes.close();
  }
  for (const file of files) {
    for (const spec of await importSuites(file)) {
      suites.push({ file, spec, modelNames: (spec.models ?? []).map(modelEntryName) });
    }
  }
  const names = new Map<string, string>();
  for (const s of suites) {
    const other = names.get(s.spec.name);
    if (other)
      throw new HarnessError(
        'E_SUITE',
        `two suites are named "${s.spec.name}": ${other} and ${s.file}`,
      );
    names.set(s.spec.name, s.file);
  }
  return filterSuites(suites, filter, config.root);
}

/**
 * The suite files the config's globs match. Every glob must match a file: with several globs, one
 * that matches nothing (a typo, a moved folder) would otherwise drop its suites from the gate
 * while the others pass it.
 */
async function suiteFiles(config: ResolvedConfig): Promise<string[]> {
  const where = config.configFile
    ? `${config.configFile}: suites`
    : 'suites (the default: no config file)';
  for (const glob of config.suites) {
    const problem = globProblem(glob);
    if (problem) throw new HarnessError('E_CONFIG', `${where}: "${glob}" ${problem}`);
  }
  const matches = await matchGlobs(config.root, config.suites, 'E_SUITE');
  for (const m of matches)
    if (m.files.length === 0)
      throw new HarnessError(
        'E_CONFIG',
        `${where}: "${m.glob}" matches no file in ${m.folder} (dot-folders and node_modules below it are not searched): ` +
          (config.configFile
            ? 'correct the glob or remove it'
            : "add a suite such as suites/my-model.suite.ts, or set `suites: ['…']` in harness.config.ts"),
      );
  return [...new Set(matches.flatMap((m) => m.files))].sort();
}

/** The suites whose name or file (relative to `root`) contains one of the words; all of them when there are none. */
export function filterSuites(
  suites: readonly CollectedSuite[],
  filter: readonly string[],
  root: string,
): CollectedSuite[] {
  if (filter.length === 0) return [...suites];
  return suites.filter((s) => filter.some((f) => suiteMatches(s, f, root)));
}

/** True when a filter word is in the suite's name or its file's path relative to `root`. */
export function suiteMatches(suite: CollectedSuite, word: string, root: string): boolean {
  return suite.spec.name.includes(word) || path.relative(root, suite.file).includes(word);
}

async function probeSuiteFile(
  pool: WorkerPool,
  file: string,
  config: ResolvedConfig,
): Promise<void> {
  const timeoutMs = loadTimeout(config.timeoutMs);
  const reply = await pool.request(
    { type: 'probe', suiteFile: file, config, timeoutMs },
    () => undefined,
  );
  if (reply.type === 'failed')
    throw new HarnessError(
      'E_SUITE',
      `${file}: loading the suite and its models was stopped: ${reply.message}`,
    );
}

async function importSuites(file: string): Promise<SuiteSpec[]> {
  const suites = await loadDefaultExport(file, { what: 'suite' });
  const exported = Array.isArray(suites) ? suites : [suites];
  // An empty list would run nothing from this file, and the gate would pass on it.
  if (exported.length === 0)
    throw new HarnessError(
      'E_SUITE',
      `${file}: exports an empty list of suites: write \`export default defineSuite({ … })\` or a list of at least one suite`,
    );
  return exported.map((s, i) =>
    checkSuite(s, exported.length > 1 ? `${file} (suite ${i + 1})` : file),
  );
}

/**
 * Every key a suite may have. A key outside it is a typo (`expects:`, `baseline.tolerence`) that
 * would otherwise be ignored: a suite whose assertions are silently dropped passes the gate.
 */
const SUITE_KEYS = {
  name: true,
  description: true,
  dataset: true,
  split: true,
  models: true,
  scores: true,
  threshold: true,
  breakdown: true,
  compareSources: true,
  alarms: true,
  minPositives: true,
  expect: true,
  contract: true,
  baseline: true,
} as const satisfies Record<keyof SuiteSpec, true>;
const SPLIT_KEYS = {
  test: true,
  train: true,
  folds: true,
  seed: true,
  groupWindows: true,
} as const satisfies Record<keyof SplitSpec, true>;
const BASELINE_KEYS = {
  tolerance: true,
  alpha: true,
  allowUnderpowered: true,
} as const satisfies Record<keyof NonNullable<SuiteSpec['baseline']>, true>;

/** Shape checks with messages that say what to write instead; `where` names the file (and the suite's place in it). */
export function checkSuite(s: unknown, where: string): SuiteSpec {
  const fail = (what: string): never => {
    throw new HarnessError('E_SUITE', `${where}: ${what}`);
  };
  if (typeof s !== 'object' || s === null)
    return fail('expected `export default defineSuite({ name, dataset, models, expect })`');
  const suite = s as Partial<SuiteSpec>;
  if (typeof suite.name !== 'string' || suite.name === '') fail('a suite needs a `name`');
  const badKey = unknownKey(suite, SUITE_KEYS, 'suite');
  if (badKey) fail(`suite "${suite.name}": ${badKey}`);
  const nested = [
    ['split', SPLIT_KEYS, '{ test: 0.5, seed: 7 }'],
    ['baseline', BASELINE_KEYS, '{ tolerance: 0.02 }'],
  ] as const;
  for (const [field, known, example] of nested) {
    const value: unknown = suite[field];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null)
      fail(`suite "${suite.name}": \`${field}\` must be an object such as ${example}`);
    const bad = unknownKey(value as object, known, field);
    if (bad) fail(`suite "${suite.name}": ${bad}`);
  }
  if (suite.dataset === undefined)
    fail(`suite "${suite.name}" needs a \`dataset\` (a scenario name, { source } or { path })`);
  const badDataset = datasetProblem(suite.dataset);
  if (badDataset) fail(`suite "${suite.name}": ${badDataset}`);
  if (suite.models !== undefined && !Array.isArray(suite.models))
    fail(`suite "${suite.name}": \`models\` must be a list of models`);
  (suite.models ?? []).forEach((entry: unknown, i) => {
    const problem = modelEntryProblem(entry, i);
    if (problem) fail(`suite "${suite.name}": ${problem}`);
  });
  const valueProblem =
    (suite.threshold !== undefined ? thresholdProblem(suite.threshold) : undefined) ??
    (suite.baseline !== undefined ? baselineProblem(suite.baseline) : undefined);
  if (valueProblem) fail(`suite "${suite.name}": ${valueProblem}`);
  const scores =
    suite.scores === undefined ? [] : Array.isArray(suite.scores) ? suite.scores : [suite.scores];
  for (const e of scores as unknown[])
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof (e as { path?: unknown }).path !== 'string' ||
      (e as { path: string }).path === ''
    )
      fail(
        `suite "${suite.name}": each of \`scores\` must be { path: 'scores.csv', name? } (got ${JSON.stringify(e)})`,
      );
  if ((suite.models?.length ?? 0) === 0 && scores.length === 0)
    fail(
      `suite "${suite.name}" needs at least one model in \`models\` or a scores file in \`scores: { path }\``,
    );
  if (suite.expect !== undefined && typeof suite.expect !== 'function')
    fail(`suite "${suite.name}": \`expect\` must be a function ({ metric, model }) => [...]`);
  if (
    suite.split?.folds !== undefined &&
    !(Number.isInteger(suite.split.folds) && suite.split.folds >= 2)
  )
    fail(
      `suite "${suite.name}": split.folds must be a whole number ≥ 2 (got ${suite.split.folds})`,
    );
  const t = suite.split?.test;
  if (t !== undefined && (typeof t !== 'object' || t === null) && !(t > 0 && t < 1))
    fail(`suite "${suite.name}": split.test must be between 0 and 1 or { source } (got ${t})`);
  const g = suite.split?.groupWindows;
  if (g !== undefined && typeof g !== 'boolean')
    fail(`suite "${suite.name}": split.groupWindows must be true or false (got ${String(g)})`);
  // A string or a fraction here left every stratum "thin enough to check" (5 > 'five' is false):
  // .each then checked strata with no anomaly at all.
  const minPositives: unknown = suite.minPositives;
  if (
    minPositives !== undefined &&
    !(Number.isSafeInteger(minPositives) && (minPositives as number) >= 0)
  )
    fail(
      `suite "${suite.name}": minPositives must be a whole number ≥ 0 (the fewest anomalies a stratum needs for .each to check it; default 5), got ${typeof minPositives === 'string' ? JSON.stringify(minPositives) : String(minPositives)}`,
    );
  const splitProblem = sourceSplitProblem(suite.split);
  if (splitProblem) fail(`suite "${suite.name}": ${splitProblem}`);
  return suite as SuiteSpec;
}
