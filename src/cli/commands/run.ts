import path from 'node:path';
import { parseArgs } from 'node:util';
import chalk from 'chalk';
import { DEFAULT_OUT_DIR, DEFAULT_SEED } from '../../defaults.ts';
import { HarnessError } from '../../errors.ts';
import { loadConfig } from '../../config/index.ts';
import type { ResolvedConfig } from '../../config/types.ts';
import { createHarness, removeStaleReports, removeStaleReportsOnExit } from '../../core/index.ts';
import { stopOnSignal } from '../../exit-signals.ts';
import { defaultReporters } from '../../report/index.ts';
import { scoresCaseNames } from '../../runner/index.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import { strayErrors } from '../stray-errors.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness run [filter…] [--suite NAME]… [--model NAME]… [--reporter NAME]… [--out-dir DIR] [--seed S] [--timeout MS] [--workers N] [--no-cache] [--no-history] [--update-baseline] [--list]

Runs the suites (suites/**/*.suite.ts): generates each scenario's data on first use (cached),
fits and scores every model, evaluates, and checks the assertions.

  filter…          run suites whose name or file contains one of these words (each word must match a suite)
  --suite NAME     run only this suite (repeatable)
  --model NAME     run only this model (repeatable); assertions about other models are left out
  --reporter NAME  plain, ink, json, or a path to a module (repeatable; replaces the config's
                   reporters; default: ink on a terminal outside CI, else plain)
  --out-dir DIR    where reporters write files (default .harness/last-run); a recorded run
                   also leaves run-record.json there, naming its record (and so its scores)
  --seed S         seed of the splits and of the models (default: the config's, else "${DEFAULT_SEED}")
  --timeout MS     time a plugin's fit or one score call may take (default: the config's, 60000)
  --workers N      worker threads models are fitted and scored in (default: the config's, else
                   the cores); a model that hangs or crashes its thread fails its own case only
  --no-cache       neither read nor write the score cache (cacheDir/scores): fit and score again
  (MLflow)         with MLFLOW_TRACKING_URI (or tracking.mlflow.uri in the config) set, every
                   (suite, model) case of the recorded run is also logged to that MLflow server;
                   an upload that fails is kept in the record for \`harness runs sync\` and
                   never changes the exit code
  --no-history     do not record this run in the local history (runsDir, default .harness/runs;
                   the config's \`history: false\` turns it off for every run). Otherwise every
                   run that ran is recorded, also when it exits 1 or 2, and the last line says
                   where: \`run recorded: .harness/runs/<run_id>\` (see \`harness runs\`,
                   \`harness compare\`). A record that cannot be written is a warning on
                   stderr; the exit code stays the run's. MLflow tracking sends the record:
                   with a tracking server set, unset it for a run without history.
  --list           list suites × models without running anything
  --update-baseline  write suites/__baselines__/<suite>.json from this run instead of
                   comparing with it (later runs fail when ROC AUC drops significantly)

Exit codes: 0 every assertion held · 1 an assertion failed · 2 the harness, a plugin or the data failed.`;

export const runCommand: Command = {
  usage: USAGE,
  summary:
    'run the suites: fit and score every model, evaluate, check the assertions (the CI gate)',
  async run(argv) {
    const prepared = await leavingNoStaleReports(argv, () => prepareRun(argv));
    if ('stopped' in prepared) return prepared.stopped;
    const { values, positionals, harness, begin } = prepared;
    const filter = { words: positionals, suites: values.suite ?? [], models: values.model ?? [] };
    if (values.list) {
      begin();
      const suites = await harness.collect(filter);
      for (const s of suites) {
        const scores = scoresCaseNames(s.spec);
        process.stdout.write(
          `${s.spec.name}  ${path.relative(process.cwd(), s.file)}  models: ${s.modelNames.join(', ')}${scores.length > 0 ? `  scores: ${scores.join(', ')}` : ''}\n`,
        );
      }
      process.stdout.write(`${suites.length} suite(s)\n`);
      return 0;
    }
    const running = harness.run(filter, {
      reporters: values.reporter ?? harness.config.reporters ?? defaultReporters(),
      ...(values['out-dir'] ? { outDir: values['out-dir'] } : {}),
      ...(values.seed !== undefined ? { seed: values.seed } : {}),
      updateBaseline: values['update-baseline'] === true,
      cache: values['no-cache'] !== true,
      record: harness.config.history && values['no-history'] !== true,
      argv,
      runErrors: () => strayErrors,
    });
    // harness.run has registered its own removal of the previous run's reports by now (it does
    // so as it is called): no moment is left without one.
    begin();
    const run = await running;
    // After every reporter has finished (Ink has printed its last frame), so the lines follow the summary.
    if (run.record && 'dir' in run.record)
      process.stdout.write(`run recorded: ${displayPath(run.record.dir)}\n`);
    if (run.record && 'warning' in run.record && run.record.warning !== undefined)
      process.stderr.write(`${chalk.yellow('warning:')} ${run.record.warning}\n`);
    if (run.record && 'error' in run.record) {
      process.stderr.write(
        `${chalk.yellow('warning:')} the run was not recorded in ${displayPath(harness.config.runsDir)}: ${run.record.error}\n`,
      );
    }
    // A suite that checks nothing passes whatever its models score: say so, once per suite,
    // where a CI log shows it (not an error: a suite may be there for its report alone).
    for (const suite of run.result.suites) {
      if (
        suite.error === undefined &&
        suite.assertions.length === 0 &&
        suite.baselineOptions === undefined
      )
        process.stderr.write(
          `${chalk.yellow('warning:')} suite "${suite.name}" (${displayPath(suite.file)}) checks nothing: ${
            suite.leftOut
              ? `its ${suite.leftOut.assertions} assertion(s) name ${suite.leftOut.models.join(', ')}, left out by --model`
              : 'no assertion and no baseline'
          }, so it passes whatever its models score\n`,
        );
    }
    for (const message of run.reporterErrors)
      process.stderr.write(`${chalk.red('error:')} ${message}\n`);
    for (const w of run.tracking?.warnings ?? [])
      process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
    // A failed upload is a warning like the others, on stderr: on stdout it ran into the report
    // of a reporter that prints (plain, or a custom reporter whose stdout is piped to a file).
    if (run.tracking?.status === 'synced') process.stdout.write(`${run.tracking.message}\n`);
    else if (run.tracking)
      process.stderr.write(`${chalk.yellow('warning:')} ${run.tracking.message}\n`);
    return run.exitCode;
  },
};

/** The run's flags. */
const OPTIONS = {
  suite: { type: 'string', multiple: true },
  model: { type: 'string', multiple: true },
  reporter: { type: 'string', multiple: true },
  'out-dir': { type: 'string' },
  seed: { type: 'string' },
  timeout: { type: 'string' },
  workers: { type: 'string' },
  'no-cache': { type: 'boolean' },
  'no-history': { type: 'boolean' },
  list: { type: 'boolean' },
  'update-baseline': { type: 'boolean' },
} as const;

/** Parses and checks the arguments, and loads the config: everything before the run itself. */
async function prepareRun(argv: readonly string[]) {
  const { values, positionals } = parseCommandArgs('run', argv, OPTIONS, USAGE, true);
  // `--seed=$SEED` with SEED unset: an empty value was taken (a run on seed "", or the out dir
  // left at its default), so a CI job's intent was silently dropped.
  for (const flag of ['seed', 'out-dir'] as const)
    if (values[flag] !== undefined && values[flag].trim() === '')
      throw new HarnessError(
        'E_ARGS',
        `harness run: --${flag} needs a value (got an empty one)\n\n${USAGE}`,
      );
  // `harness run "$SUITE"` with SUITE unset: an empty word matches every suite, and the run
  // a CI job meant to narrow passed on all of them.
  const empty = [
    ...positionals.filter((w) => w.trim() === '').map(() => 'a filter word'),
    ...(values.suite ?? []).filter((w) => w.trim() === '').map(() => '--suite'),
    ...(values.model ?? []).filter((w) => w.trim() === '').map(() => '--model'),
  ];
  if (empty.length > 0)
    throw new HarnessError(
      'E_ARGS',
      `harness run: ${empty[0]} is empty (an unset variable?): give a name, or leave it out to run them all\n\n${USAGE}`,
    );
  // The same reporter twice printed the report twice, or wrote its file twice.
  const twice = (values.reporter ?? []).find((r, i, all) => all.indexOf(r) !== i);
  if (twice !== undefined)
    throw new HarnessError(
      'E_ARGS',
      `harness run: --reporter ${twice} is given twice: give it once\n\n${USAGE}`,
    );
  const timeoutMs = intFlag('timeout', values.timeout);
  const workers = intFlag('workers', values.workers);
  const harness = await createHarness({ overrides: { timeoutMs, workers } });
  return { values, positionals, harness };
}

/**
 * Runs `prepare` (the arguments checked, the config loaded) leaving none of the previous run's
 * reports in the out dir, should the run not begin:
 * - refused (exit 2: a bad flag, `--workers 0`, a config that does not load), as harness.run does
 *   for its own failures: a CI that read junit.xml took the last green run for this one. The out
 *   dir is --out-dir's, else the config's, else (the config did not load, and may name another)
 *   the default one;
 * - stopped by Ctrl+C or SIGTERM (also while the harness loaded: main.ts holds the signal until
 *   the command has begun). The out dir is then the config's, which only its module knows: the
 *   stop waits for the config to load, removes that out dir's reports, and resolves to the
 *   signal's exit code (`stopped`). A second signal, or SIGHUP, ends the process at once and
 *   removes those of the out dir given before the config loads: --out-dir's, else the default.
 * Only harness reports are removed (stale-reports.ts); `--list` writes none. Once prepared, the
 * removal stays armed until `begin()`: call it once harness.run has armed its own.
 */
async function leavingNoStaleReports<T extends Prepared>(
  argv: readonly string[],
  prepare: () => Promise<T>,
): Promise<(T & { readonly begin: () => void }) | { readonly stopped: number }> {
  const given = lenientArgs(argv);
  if (given.list) return { ...(await prepare()), begin: () => {} };
  let stoppedBy: number | null = null;
  const unstop = stopOnSignal((code) => {
    stoppedBy = code;
  });
  const before = given.outDir ?? path.resolve(DEFAULT_OUT_DIR);
  let disarm = removeStaleReportsOnExit(before, given.reporters);
  let prepared: T;
  try {
    prepared = await prepare();
  } catch (err) {
    const config = await loadConfig().catch(() => null);
    await removeStaleReports(
      given.outDir ?? config?.outDir ?? path.resolve(DEFAULT_OUT_DIR),
      given.reporters.length > 0 ? given.reporters : (config?.reporters ?? []),
    );
    disarm();
    if (stoppedBy !== null) return { stopped: stoppedBy };
    throw err;
  } finally {
    unstop();
  }
  const { values, harness } = prepared;
  const outDir = values['out-dir'] ? path.resolve(values['out-dir']) : harness.config.outDir;
  const entries = values.reporter ?? harness.config.reporters ?? [];
  if (stoppedBy !== null) {
    await removeStaleReports(outDir, entries);
    disarm();
    return { stopped: stoppedBy };
  }
  disarm();
  disarm = removeStaleReportsOnExit(outDir, entries);
  return { ...prepared, begin: disarm };
}

/** What prepareRun gives: the flags and the harness, whose config names the out dir. */
interface Prepared {
  readonly values: { readonly 'out-dir'?: string; readonly reporter?: string[] };
  readonly harness: { readonly config: ResolvedConfig };
}

/**
 * The flags that name the out dir and its reports, read leniently (the arguments themselves may
 * be wrong): --out-dir resolved (undefined when not given or empty), --reporter, --list.
 */
function lenientArgs(argv: readonly string[]) {
  const given = parseArgs({
    args: [...argv],
    options: { 'out-dir': OPTIONS['out-dir'], reporter: OPTIONS.reporter, list: OPTIONS.list },
    strict: false,
    allowPositionals: true,
  }).values;
  const outDir = typeof given['out-dir'] === 'string' ? given['out-dir'].trim() : '';
  return {
    outDir: outDir ? path.resolve(outDir) : undefined,
    reporters: (given.reporter ?? []).filter((r): r is string => typeof r === 'string'),
    list: given.list === true,
  };
}
