import { HarnessError } from '../../errors.ts';
import { formatRunRecord, formatRunsTable } from '../../report/runs-text.ts';
import { overviewOf } from '../../track/overview.ts';
import { resolveRunRef } from '../../track/run-ref.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import { openStore } from '../run-store.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness runs [--limit N] [--json] [--runs-dir DIR]
       harness runs show <ref> [--json] [--runs-dir DIR]

The local run history: every \`harness run\` is recorded in .harness/runs/<run_id>/ (run.json
with the provenance, results.json, scores/<suite>/<model>.csv). Nothing is sent anywhere.

  harness runs        one line per run, newest first: id, start time (UTC), git commit
                      (* = uncommitted changes), exit code, suites, cases, each case's ROC AUC,
                      tracking status (synced / failed / — when never sent)
  harness runs show   one run's provenance: git, config hash, per suite the dataset, data and
                      label hashes, label_version, split; per model version, options, seed,
                      cache and timings

  <ref>            a run id, a unique prefix of one, latest, or latest~N (N runs before it)
  --limit N        list at most N runs (default 20)
  --json           print JSON instead (runs: one object per run; show: the run.json record)
  --runs-dir DIR   another run store (default: the config's runsDir, .harness/runs)

Exit codes: 0 listed · 2 an unknown or ambiguous ref, or an unreadable run store.`;

const FLAGS = { json: { type: 'boolean' }, 'runs-dir': { type: 'string' } } as const;

/** `harness runs <sub> …`: each subcommand takes the argv after its name. */
const SUBCOMMANDS: Readonly<Record<string, (argv: readonly string[]) => Promise<number>>> = {
  show: showRun,
};

export const runsCommand: Command = {
  usage: USAGE,
  summary: "list the recorded runs (the local history) or show one run's provenance",
  async run(argv) {
    const [first, ...rest] = argv;
    if (first !== undefined && !first.startsWith('-')) {
      const sub = SUBCOMMANDS[first];
      if (!sub) throw new HarnessError('E_ARGS', `harness runs: unknown subcommand "${first}" (known: ${Object.keys(SUBCOMMANDS).join(', ')})\n\n${USAGE}`);
      return sub(rest);
    }
    const { values } = parseCommandArgs('runs', argv, { ...FLAGS, limit: { type: 'string' } }, USAGE);
    const limit = intFlag('limit', values.limit) ?? 20;
    const list = await openStore(values['runs-dir']);
    const shown = await Promise.all(list.runs.slice(0, limit).map(overviewOf));
    if (values.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    else process.stdout.write(formatRunsTable(shown, { runsDir: displayPath(list.runsDir), older: list.runs.length - shown.length }));
    return 0;
  },
};

async function showRun(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('runs show', argv, FLAGS, USAGE, true);
  if (positionals.length !== 1) throw new HarnessError('E_ARGS', `harness runs show: give one run (an id, a prefix, latest or latest~N)\n\n${USAGE}`);
  const run = resolveRunRef(await openStore(values['runs-dir']), positionals[0]!);
  if (values.json) process.stdout.write(`${JSON.stringify(run.record, null, 2)}\n`);
  else process.stdout.write(formatRunRecord(run, displayPath(run.dir)));
  return 0;
}
