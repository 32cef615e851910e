import path from 'node:path';
import chalk from 'chalk';
import { DEFAULT_SEED } from '../../config/defaults.ts';
import { loadConfig } from '../../config/load-config.ts';
import { HarnessError } from '../../errors.ts';
import type { ReporterEntry } from '../../config/types.ts';
import { defaultReporters } from '../../report/default-reporter.ts';
import { resolveReporters } from '../../report/registry.ts';
import { collectSuites, filterSuites } from '../../runner/collect.ts';
import { runSuites } from '../../runner/run.ts';
import { mlflowSettings } from '../../track/mlflow/settings.ts';
import { recordRun } from '../../track/write-record.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import { readPackageVersion } from '../version.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness run [filter…] [--suite NAME]… [--model NAME]… [--reporter NAME]… [--out-dir DIR] [--seed S] [--workers N] [--no-cache] [--no-history] [--update-baseline] [--list]

Runs the suites (suites/**/*.suite.ts): generates each scenario's data on first use (cached),
fits and scores every model, evaluates, and checks the assertions.

  filter…          run suites whose name or file contains one of these words
  --suite NAME     run only this suite (repeatable)
  --model NAME     run only this model (repeatable); assertions about other models are left out
  --reporter NAME  plain, ink, json, or a path to a module (repeatable; replaces the config's
                   reporters; default: ink on a terminal outside CI, else plain)
  --out-dir DIR    where reporters write files (default .harness/last-run)
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
                   stderr; the exit code stays the run's.
  --list           list suites × models without running anything
  --update-baseline  write suites/__baselines__/<suite>.json from this run instead of
                   comparing with it (later runs fail when ROC AUC drops significantly)

Exit codes: 0 every assertion held · 1 an assertion failed · 2 the harness, a plugin or the data failed.`;

export const runCommand: Command = {
  usage: USAGE,
  summary: 'run the suites: fit and score every model, evaluate, check the assertions (the CI gate)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'run',
      argv,
      {
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
      },
      USAGE,
      true,
    );
    const loaded = await loadConfig();
    const timeoutMs = intFlag('timeout', values.timeout);
    const workers = intFlag('workers', values.workers);
    const config = { ...loaded, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(workers !== undefined ? { workers } : {}) };
    const record = config.history && values['no-history'] !== true;
    // A bad MLFLOW_TRACKING_URI fails now, before the suites run, not after.
    const tracking = mlflowSettings(config, process.env);
    if (tracking && !record) {
      throw new HarnessError('E_ARGS', `MLflow tracking (${tracking.uri}) uploads the run's record, and \`harness runs sync\` retries from it: it cannot go with ${values['no-history'] ? '--no-history' : 'history: false in the config'}`);
    }
    const all = await collectSuites(config);
    let suites = filterSuites(all, positionals, config.root);
    // A filter that matches nothing must never turn into an empty, green run.
    if (positionals.length > 0 && suites.length === 0) {
      throw new HarnessError('E_ARGS', `no suite matches ${positionals.map((p) => `"${p}"`).join(', ')} (suites: ${all.map((s) => s.spec.name).join(', ') || 'none'})`);
    }
    if (values.suite) {
      const wanted = values.suite;
      const unknown = wanted.filter((w) => !suites.some((s) => s.spec.name === w));
      if (unknown.length > 0) {
        throw new HarnessError('E_ARGS', `--suite: no suite named ${unknown.map((u) => `"${u}"`).join(', ')} (suites: ${suites.map((s) => s.spec.name).join(', ')})`);
      }
      suites = suites.filter((s) => wanted.includes(s.spec.name));
    }
    if (values.model) {
      const wanted = values.model;
      const known = [...new Set(suites.flatMap((s) => s.modelNames))];
      const unknown = wanted.filter((m) => !known.includes(m));
      if (unknown.length > 0) {
        throw new HarnessError('E_ARGS', `--model: no model named ${unknown.map((u) => `"${u}"`).join(', ')} in the selected suites (models: ${known.join(', ') || 'none'}; names are case-sensitive)`);
      }
      suites = suites.filter((s) => s.modelNames.some((m) => wanted.includes(m)));
    }
    if (values.list) {
      for (const s of suites) process.stdout.write(`${s.spec.name}  ${path.relative(process.cwd(), s.file)}  models: ${s.modelNames.join(', ')}\n`);
      process.stdout.write(`${suites.length} suite(s)\n`);
      return 0;
    }
    if (suites.length === 0) {
      process.stderr.write(`harness run: no suites found (looked for ${config.suites.join(', ')} under ${config.root})\n`);
      return 2;
    }
    const entries: readonly ReporterEntry[] = values.reporter ?? config.reporters ?? defaultReporters();
    const reporters = await resolveReporters(entries, config.root);
    const outDir = values['out-dir'] ? path.resolve(values['out-dir']) : config.outDir;
    for (const r of reporters) await r.onInit?.({ config, outDir });
    const result = await runSuites(suites, config, reporters, {
      seed: values.seed ?? config.seed ?? DEFAULT_SEED,
      ...(values.model ? { models: values.model } : {}),
      harnessVersion: await readPackageVersion(),
      updateBaseline: values['update-baseline'] === true,
      cache: values['no-cache'] !== true,
    });
    // After every reporter has finished (Ink has printed its last frame), so the line follows the summary.
    if (record) {
      let dir: string | null = null;
      try {
        dir = (await recordRun(result, { runsDir: config.runsDir, root: config.root, configFile: config.configFile, argv, ownDirs: [outDir, config.cacheDir, config.runsDir] })).dir;
        process.stdout.write(`run recorded: ${displayPath(dir)}\n`);
      } catch (err) {
        // The verdict above stands: a CI gate must not flip because the history could not be written.
        process.stderr.write(`${chalk.yellow('warning:')} the run was not recorded in ${displayPath(config.runsDir)}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      // Tracking never changes the exit code either: a failed upload stays in the record for `harness runs sync`.
      if (dir !== null && tracking) {
        // Loaded only when tracking is on: the upload renders charts with Vega.
        const { trackRun } = await import('../../track/mlflow/index.ts');
        const tracked = await trackRun(dir, config);
        if (tracked) process.stdout.write(tracked.status === 'synced' ? `${tracked.message}\n` : `${chalk.yellow('warning:')} ${tracked.message}\n`);
      }
    }
    return result.summary.exitCode;
  },
};
