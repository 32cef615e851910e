import { HarnessError } from '../../errors.ts';
import {
  compareRuns,
  formatComparison,
  gateCoverage,
  loadRun,
  resolveRunRef,
  significantDrops,
} from '../../track/index.ts';
import { numberFlag, parseCommandArgs } from '../args.ts';
import { openStore } from '../run-store.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness compare [<before> [<after>]] [--json] [--fail-on-drop] [--alpha A] [--runs-dir DIR]

Compares two recorded runs (default: latest~1 latest; one ref: <ref> latest). First what
changed between them: git commit, uncommitted changes, config hash, seed, and per suite the
dataset, data_hash, label_version, labels hash and split, per model its version, options and
seed. Then per suite and model every headline metric before and after with its CI and the
delta, the strata whose metrics moved, and a test of the ROC AUC change: the paired DeLong test
when both runs scored the same systems with the same labels, else an unpaired z-test on the two
DeLong variances (and why the runs could not be paired). Models in only one run are shown as
added or removed, errored ones as errored.

  <before> <after>  run ids, unique prefixes of ids, latest, or latest~N
  --json            print the comparison as one JSON object
  --fail-on-drop    exit 1 when a paired test shows a significant ROC AUC drop (for CI); exit 2
                    when no case had a paired test, or a model crashed in the later run
  --alpha A         two-sided significance level of the tests (default 0.05)
  --runs-dir DIR    another run store (default: the config's runsDir, .harness/runs)

Exit codes: 0 compared · 1 --fail-on-drop and a significant drop · 2 an unknown or ambiguous
ref, a run record that cannot be read, or --fail-on-drop with nothing it could judge.`;

export const compareCommand: Command = {
  usage: USAGE,
  summary:
    'compare two recorded runs: what changed, metric deltas per model and stratum, paired DeLong test',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'compare',
      argv,
      {
        json: { type: 'boolean' },
        'fail-on-drop': { type: 'boolean' },
        alpha: { type: 'string' },
        'runs-dir': { type: 'string' },
      },
      USAGE,
      true,
    );
    if (positionals.length > 2)
      throw new HarnessError(
        'E_ARGS',
        `harness compare: at most two runs (got ${positionals.length})\n\n${USAGE}`,
      );
    const alpha = numberFlag('alpha', values.alpha) ?? 0.05;
    if (!(alpha > 0 && alpha < 1))
      throw new HarnessError('E_ARGS', `--alpha must be between 0 and 1 (got ${alpha})`);
    const [beforeRef, afterRef] =
      positionals.length === 0
        ? ['latest~1', 'latest']
        : [positionals[0]!, positionals[1] ?? 'latest'];
    const list = await openStore(values['runs-dir']);
    const before = resolveRunRef(list, beforeRef);
    const after = resolveRunRef(list, afterRef);
    // A run compared with itself shows no drop: a CI job whose own run was not recorded would
    // compare main's run (still the latest) with itself and pass.
    if (before.dir === after.dir)
      throw new HarnessError(
        'E_COMPARE',
        `${beforeRef} and ${afterRef} are the same run (${after.record.run_id}): nothing to compare`,
      );
    const comparison = compareRuns(await loadRun(before), await loadRun(after));
    const drops = significantDrops(comparison, alpha);
    // The gate's verdict is settled before anything is printed, so that --json carries it: the
    // JSON of a comparison that exits 2 once read as a clean one (no drops, no verdict).
    const gate = values['fail-on-drop'] ? dropGate(comparison, drops) : null;
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({ ...comparison, alpha, significant_drops: drops, ...(gate ? { gate: gateJson(gate) } : {}) }, null, 2)}\n`,
      );
    else process.stdout.write(formatComparison(comparison, { alpha }));
    if (!gate) return 0;
    if (drops.length > 0)
      process.stderr.write(
        `harness compare: --fail-on-drop: significant ROC AUC drop in ${drops.map((d) => `${d.suite}/${d.model}`).join(', ')}\n`,
      );
    if (gate.error !== undefined) throw new HarnessError('E_COMPARE', gate.error);
    if (gate.unjudged.length > 0)
      process.stderr.write(
        `harness compare: --fail-on-drop: not judged (no paired test):\n${unjudgedLines(gate)}\n`,
      );
    return gate.exitCode;
  },
};

/** The verdict of --fail-on-drop: 1 on a significant drop; 2 when nothing could be judged or a case crashed. */
interface DropGate {
  readonly exitCode: 0 | 1 | 2;
  readonly judged: number;
  readonly unjudged: ReturnType<typeof gateCoverage>['unjudged'];
  readonly error?: string;
}

function dropGate(
  comparison: Parameters<typeof gateCoverage>[0],
  drops: readonly unknown[],
): DropGate {
  // A gate that tested nothing, or whose model crashed in the later run, must not pass.
  const { judged, unjudged } = gateCoverage(comparison);
  const crashed = unjudged.filter((u) => u.failed);
  if (judged === 0 || crashed.length > 0) {
    const why =
      judged === 0
        ? 'no case of the two runs had a paired ROC AUC test, so no drop could be ruled out'
        : `${crashed.length === 1 ? 'a case' : `${crashed.length} cases`} of the earlier run could not be scored in the later one`;
    const gate = { exitCode: 2 as const, judged, unjudged };
    return {
      ...gate,
      error: `--fail-on-drop: ${why}; compare runs that scored the same suites and models on the same systems and labels:\n${unjudgedLines(gate)}`,
    };
  }
  return { exitCode: drops.length > 0 ? 1 : 0, judged, unjudged };
}

function unjudgedLines(gate: Pick<DropGate, 'unjudged'>): string {
  return gate.unjudged.length > 0
    ? gate.unjudged.map((u) => `  ${u.suite}/${u.model}: ${u.reason}`).join('\n')
    : '  the earlier run has no scored case';
}

/** The gate as --json prints it. */
function gateJson(gate: DropGate): Record<string, unknown> {
  return {
    exit_code: gate.exitCode,
    judged: gate.judged,
    unjudged: gate.unjudged,
    ...(gate.error !== undefined ? { error: gate.error } : {}),
  };
}
