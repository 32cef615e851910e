/** The text report of a contract check, as `harness check` prints it. Pure. */
import type { ContractReport, RuleResult } from './types.ts';

const MARK: Readonly<Record<RuleResult['status'], string>> = {
  held: '✓',
  violated: '✗',
  not_declared: '-',
  inconclusive: '?',
  not_reproduced: '○',
};

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function ruleLine(r: RuleResult, width: number): string {
  const what =
    r.status === 'held'
      ? `held on ${r.runs} fleets${r.skipped > 0 ? ` (${r.skipped} skipped)` : ''}`
      : r.status === 'violated'
        ? `violated (fleet ${r.runs}, shrunk in ${r.shrinks} steps)`
        : (r.note ?? r.status);
  return `  ${MARK[r.status]} ${r.kind.padEnd(width)}  ${what}`;
}

/**
 * Whether the contract held: no violation, at least one rule applied (rules that all do not
 * apply checked nothing), and every applicable rule exercised (and, in a replay, reproduced).
 */
export function contractHolds(report: ContractReport): boolean {
  return (
    report.violations.length === 0 &&
    report.rules.some((r) => r.status !== 'not_declared') &&
    report.rules.every((r) => r.status !== 'inconclusive' && r.status !== 'not_reproduced')
  );
}

/** Whether the report is of a replay (`--path`) whose counterexample no longer fails. */
export function replayNotReproduced(report: ContractReport): boolean {
  return report.rules.some((r) => r.status === 'not_reproduced');
}

/** Violations (each with its shrunk fixture and replay command), the rule table, and a summary line. */
export function formatContractReport(report: ContractReport): string {
  const out: string[] = [
    `harness check: ${report.model} v${report.version}, seed ${report.seed}, ${report.runs} fleets per rule`,
    '',
  ];
  for (const v of report.violations) {
    out.push(
      `✗ ${v.kind}: ${v.message}`,
      '  shrunk fixture:',
      indent(v.fixture, '    '),
      `  replay: ${v.replay}`,
      '',
    );
  }
  const width = Math.max(...report.rules.map((r) => r.kind.length));
  out.push('rules:', ...report.rules.map((r) => ruleLine(r, width)));
  if (report.refused > 0) {
    out.push(
      '',
      `fit refused ${report.refused} fleets (allowed: a refusal is an Error with a message, thrown by fit), e.g.:`,
    );
    for (const r of report.refusals) out.push(`  ${r}`);
  }
  const applicable = report.rules.filter((r) => r.status !== 'not_declared').length;
  const violated = report.rules.filter((r) => r.status === 'violated').length;
  const inconclusive = report.rules.filter((r) => r.status === 'inconclusive').length;
  out.push('');
  const notReproduced = report.rules.find((r) => r.status === 'not_reproduced');
  if (notReproduced)
    out.push(
      `replay not reproduced: ${notReproduced.kind} does not fail on the replayed fleet (seed ${report.seed}): the plugin changed, or this is not the model that failed (a suite's replay line names its --suite)`,
    );
  else if (applicable === 0)
    out.push(`contract not checked: none of the rules asked for applies to ${report.model}`);
  else if (violated > 0)
    out.push(`contract violated: ${violated} of ${applicable} rules (seed ${report.seed})`);
  else if (inconclusive > 0)
    out.push(
      `contract not checked: ${inconclusive} of ${applicable} rules could not be exercised (seed ${report.seed})`,
    );
  else
    out.push(
      `contract holds: ${applicable} rules, ${report.runs} fleets each (seed ${report.seed})`,
    );
  return `${out.join('\n')}\n`;
}
