import chalk from 'chalk';
import path from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { mapBounded } from '../../bounded-map.ts';
import { HarnessError } from '../../errors.ts';
import {
  currentTrackingServer,
  formatRunRecord,
  formatRunsTable,
  overviewOf,
  resolveRunRef,
} from '../../track/index.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import { openStore } from '../run-store.ts';
import type { Command } from './index.ts';

/** The runs whose results.json `harness runs` reads at once. */
const RESULTS_READ_AT_ONCE = 16;

const USAGE = `Usage: harness runs [--limit N] [--json] [--runs-dir DIR]
       harness runs show <ref> [--json] [--runs-dir DIR]
       harness runs sync [--runs-dir DIR]

The local run history: every \`harness run\` is recorded in .harness/runs/<run_id>/ (run.json
with the provenance, results.json, scores/<suite>/<model>.csv). Nothing is sent anywhere.

  harness runs        one line per run, newest first: id, start time (UTC), git commit
                      (* = uncommitted changes), exit code, suites, cases, each case's ROC AUC,
                      tracking status (synced / failed / — when never sent / unknown when
                      tracking.json is damaged; with the server when it is not the one set now)
  harness runs show   one run's provenance: git, config hash, per suite the dataset, data and
                      label hashes, label_version, split; per model version, options, seed,
                      cache and timings
  harness runs sync   upload to the MLflow server (MLFLOW_TRACKING_URI, else the config's
                      tracking.mlflow.uri) every run it does not hold yet: runs recorded while
                      it was unreachable, or before tracking was set up; safe to repeat (no
                      duplicate MLflow runs); a run whose record is damaged is skipped,
                      named with the file and the field, and the others are synced

  <ref>            a run id, a unique prefix of one, latest, or latest~N (N runs before it)
  --limit N        list at most N runs (default 20)
  --json           print JSON instead (runs: one object per run; show: the run.json record)
  --runs-dir DIR   another run store (default: the config's runsDir, .harness/runs)

Exit codes: 0 listed (sync: everything uploaded) · 2 an unknown or ambiguous ref, an unreadable
run store, no MLflow server configured, or runs left to sync.`;

const FLAGS = { json: { type: 'boolean' }, 'runs-dir': { type: 'string' } } as const;

/** `harness runs <sub> …`: each subcommand takes the argv after its name. */
const SUBCOMMANDS: Readonly<Record<string, (argv: readonly string[]) => Promise<number>>> = {
  show: showRun,
  sync: syncRunsToServer,
};

export const runsCommand: Command = {
  usage: USAGE,
  summary:
    "list the recorded runs (the local history), show one run's provenance, or sync them to MLflow",
  async run(argv) {
    const [first, ...rest] = argv;
    if (first !== undefined && !first.startsWith('-')) {
      const sub = SUBCOMMANDS[first];
      if (!sub)
        throw new HarnessError(
          'E_ARGS',
          `harness runs: unknown subcommand "${first}" (known: ${Object.keys(SUBCOMMANDS).join(', ')})\n\n${USAGE}`,
        );
      return sub(rest);
    }
    const { values } = parseCommandArgs(
      'runs',
      argv,
      { ...FLAGS, limit: { type: 'string' } },
      USAGE,
    );
    const limit = intFlag('limit', values.limit) ?? 20;
    const config = await loadConfig().catch((err: unknown) => {
      // With --runs-dir the config only says which tracking server is current: not worth failing for.
      if (values['runs-dir'] !== undefined && err instanceof HarnessError) return null;
      throw err;
    });
    const list = await openStore(values['runs-dir'], config);
    // Each reads a results.json: all at once, a long history (--limit 1000) ran out of descriptors.
    const shown = await mapBounded(list.runs.slice(0, limit), RESULTS_READ_AT_ONCE, overviewOf);
    // A damaged results.json leaves its run listed without AUCs; what is wrong goes to stderr.
    for (const o of shown)
      if (o.results_error !== null)
        process.stderr.write(
          `${chalk.yellow('warning:')} ${o.results_error}: run ${o.run_id} is listed without its roc_auc\n`,
        );
    if (values.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    else
      process.stdout.write(
        formatRunsTable(shown, {
          runsDir: displayPath(list.runsDir),
          older: list.runs.length - shown.length,
          server: currentTrackingServer(
            config ?? { configFile: null, tracking: { mlflow: { uri: null } } },
            process.env,
          ),
        }),
      );
    return 0;
  },
};

async function showRun(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('runs show', argv, FLAGS, USAGE, true);
  if (positionals.length !== 1)
    throw new HarnessError(
      'E_ARGS',
      `harness runs show: give one run (an id, a prefix, latest or latest~N)\n\n${USAGE}`,
    );
  const run = resolveRunRef(await openStore(values['runs-dir']), positionals[0]!);
  if (values.json) process.stdout.write(`${JSON.stringify(run.record, null, 2)}\n`);
  else process.stdout.write(formatRunRecord(run, displayPath(run.dir)));
  return 0;
}

async function syncRunsToServer(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs('runs sync', argv, { 'runs-dir': FLAGS['runs-dir'] }, USAGE);
  const config = await loadConfig();
  const runsDir =
    values['runs-dir'] !== undefined ? path.resolve(values['runs-dir']) : config.runsDir;
  const { syncRuns } = await import('../../track/mlflow/index.ts'); // the upload renders charts with Vega
  const r = await syncRuns(runsDir, config);
  for (const w of r.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
  process.stdout.write(`${r.message}\n`);
  return r.ok ? 0 : 2;
}
