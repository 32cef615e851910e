/** The text of `harness compare`: what changed between two runs, then per suite and model the deltas and the AUC test. Pure. */
import chalk from 'chalk';
import { metricDirection, type JsonCi } from '../metrics/index.ts';
import type {
  AucTest,
  CaseComparison,
  Change,
  RunComparison,
  RunSide,
  StratumDelta,
  ValueDelta,
} from './compare.ts';
import { shortCommit } from './runs-text.ts';
import { table } from '../report/index.ts';

export interface CompareTextOptions {
  /** Two-sided significance level of the AUC tests. */
  readonly alpha: number;
  /** How many strata with the largest |Δ roc_auc| to list per case. Default 5. */
  readonly strata?: number;
}

/** A signed delta: `+0.062`, `−0.062` (a real minus sign), `0` when nothing changed, `—` when undefined. */
export function signed(d: number | null, digits = 3): string {
  if (d === null) return '—';
  if (d === 0) return '0';
  return `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(digits)}`;
}

const num = (v: number | null): string => (v === null ? '—' : v.toFixed(3));
const ciText = (ci: JsonCi | null): string =>
  ci ? ` [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]` : '';
const pText = (p: number): string => (p < 1e-4 ? '< 0.0001' : `= ${p.toFixed(4)}`);

/** A change's value: hashes cut to 12 characters, booleans as yes/no, null as —. */
function valueText(v: Change['before']): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' && /^[0-9a-f]{40,64}$/.test(v)) return v.slice(0, 12);
  return v === '' ? '(none)' : String(v);
}

function sideLine(label: string, s: RunSide): string {
  const exit =
    s.exit_code === 0
      ? chalk.green('exit 0')
      : s.exit_code === 1
        ? chalk.red('exit 1')
        : chalk.yellow('exit 2');
  return `  ${label}  ${s.run_id}  ${s.started_at.slice(0, 19).replace('T', ' ')} UTC · commit ${shortCommit(s.git)} · ${exit}`;
}

/**
 * Why the code of the two runs may differ beyond what the record shows, or null when the commits
 * say it all: a run without a commit (no git) or with uncommitted changes. Two runs on the same
 * commit, both with (different) uncommitted edits, record no change at all.
 */
function codeUnknown(a: RunSide, b: RunSide): string | null {
  const which = (x: boolean, y: boolean) =>
    x && y ? 'both runs were' : x ? 'the earlier run was' : 'the later run was';
  const noGit = (s: RunSide) => s.git.commit === null;
  if (noGit(a) || noGit(b))
    return `${which(noGit(a), noGit(b))} made without a git commit recorded (not a git checkout, or no git): the code may differ, and the record cannot show it`;
  const dirty = (s: RunSide) => s.git.dirty !== false;
  if (dirty(a) || dirty(b))
    return `${which(dirty(a), dirty(b))} made with uncommitted changes: the code may differ, and the record cannot show it`;
  return null;
}

export function formatComparison(c: RunComparison, options: CompareTextOptions): string {
  const out: string[] = [];
  out.push(chalk.bold(`harness compare  ${c.before.run_id} → ${c.after.run_id}`));
  out.push(sideLine('before', c.before), sideLine('after ', c.after), '');
  const code = codeUnknown(c.before, c.after);
  if (c.changes.length === 0) {
    out.push(
      code === null
        ? `${chalk.bold('what changed:')} nothing recorded: same commit, config, data, labels, plugin versions and options`
        : `${chalk.bold('what changed:')} nothing recorded, but ${code}`,
    );
  } else {
    out.push(chalk.bold('what changed'));
    const rows = c.changes.map((ch) => [
      ch.scope,
      ch.field,
      `${valueText(ch.before)} → ${valueText(ch.after)}`,
    ]);
    out.push(
      ...table(['where', 'what', 'before → after'], rows, [false, false, false]).map(
        (l) => `  ${l}`,
      ),
    );
    if (code !== null) out.push(`  ${chalk.yellow('note:')} ${code}`);
  }
  for (const s of c.suites) {
    out.push(
      '',
      chalk.bold(`suite ${s.name}`) +
        (s.presence === 'added'
          ? chalk.green('  (only in the later run)')
          : s.presence === 'removed'
            ? chalk.red('  (only in the earlier run)')
            : ''),
    );
    if (s.error.before) out.push(`  ${chalk.red('✗ could not run before:')} ${s.error.before}`);
    if (s.error.after) out.push(`  ${chalk.red('✗ could not run after:')} ${s.error.after}`);
    for (const k of s.cases) out.push(...caseLines(k, options));
  }
  return `${out.join('\n')}\n`;
}

function caseLines(k: CaseComparison, options: CompareTextOptions): string[] {
  if (k.status === 'errored') {
    const side = (label: string, st: typeof k.before) =>
      st.state === 'errored'
        ? `${label}: ${chalk.red(`errored: ${st.error}`)}`
        : `${label}: scored`;
    return [
      `  ${chalk.red('✗')} ${chalk.bold(k.model)}  nothing to compare`,
      `      ${side('before', k.before)}`,
      `      ${side('after', k.after)}`,
    ];
  }
  if (k.status !== 'compared') {
    const where =
      k.status === 'added'
        ? chalk.green(`+ ${k.model}  only in the later run`)
        : chalk.red(`− ${k.model}  only in the earlier run`);
    return [`  ${where} (${k.state.state}${k.state.error ? `: ${k.state.error}` : ''})`];
  }
  const out = [`  ${chalk.bold(k.model)}  ${testText(k.test, options.alpha)}`];
  const rows = k.metrics.map((m) => [
    m.name,
    `${num(m.before)}${ciText(m.ci_before)}`,
    `${num(m.after)}${ciText(m.ci_after)}`,
    signed(m.delta),
  ]);
  out.push(
    ...table(
      ['metric', `before (n ${k.n.before})`, `after (n ${k.n.after})`, 'Δ'],
      rows,
      [false, false, false, true],
      (r, col, t) => (col === 3 ? deltaColour(k.metrics[r]!.name, k.metrics[r]!.delta, t) : t),
    ).map((l) => `    ${l}`),
  );
  out.push(`    ${strataText(k.strata, options.strata ?? 5)}`);
  return out;
}

/**
 * A metric's delta coloured by whether it got better: green up and red down for most metrics,
 * the other way for lower-is-better ones (fpr, false alarms, detection delay), none for
 * `threshold` (no better direction) or no change.
 */
export function deltaColour(name: string, d: number | null, text: string): string {
  const direction = metricDirection(name);
  if (d === null || d === 0 || direction === 'none') return text;
  return (direction === 'higher') === d > 0 ? chalk.green(text) : chalk.red(text);
}

/** The AUC test in one line; a significant change is coloured and named as one. */
function testText(t: AucTest, alpha: number): string {
  if (t.kind === 'none') return chalk.dim(`no AUC test: ${t.reason}`);
  const verdict = (diff: number | null, p: number | null): string => {
    if (diff === null || p === null || !(p < alpha))
      return chalk.dim(`(not significant at ${alpha})`);
    return diff < 0
      ? chalk.red(`significant drop at ${alpha}`)
      : chalk.green(`significant gain at ${alpha}`);
  };
  if (t.kind === 'paired') {
    const head = `paired DeLong on ${t.n} systems: Δ roc_auc ${signed(t.diff)}`;
    if (t.p_value === null) return `${head}, no p-value: ${t.note}`;
    const ci = t.ci ? ` [${signed(t.ci[0])}, ${signed(t.ci[1])}]` : '';
    return `${head}${ci}, p ${pText(t.p_value)} ${verdict(t.diff, t.p_value)}${t.note ? chalk.dim(` · ${t.note}`) : ''}`;
  }
  const head = `not paired: ${t.reason}; unpaired DeLong z-test: Δ roc_auc ${signed(t.diff)}`;
  return t.p_value === null
    ? `${head}, no p-value (both AUC variances are 0)`
    : `${head}, p ${pText(t.p_value)} ${verdict(t.diff, t.p_value)}`;
}

/** The strata whose ROC AUC moved most (or that appeared or disappeared). */
function strataText(strata: readonly StratumDelta[], k: number): string {
  // A metric undefined in both runs has not moved; one that became (un)defined has.
  const changed = (v: ValueDelta) => (v.delta !== null ? v.delta !== 0 : v.before !== v.after);
  const moved = strata.filter(
    (s) =>
      s.presence !== 'both' ||
      changed(s.roc_auc) ||
      changed(s.average_precision) ||
      changed(s.recall),
  );
  if (moved.length === 0)
    return chalk.dim(
      strata.length === 0 ? 'strata: none' : `strata: no change in ${strata.length}`,
    );
  // Strata with enough anomalies first (a too-few stratum swings by chance), then by |Δ roc_auc|.
  const size = (s: StratumDelta) =>
    s.presence !== 'both' ? Infinity : Math.abs(s.roc_auc.delta ?? 0);
  const shown = [...moved]
    .sort((a, b) => Number(a.too_few) - Number(b.too_few) || size(b) - size(a))
    .slice(0, k);
  const text = shown.map((s) => {
    const name = `${s.column}=${s.stratum}`;
    const body =
      s.presence === 'added'
        ? 'new'
        : s.presence === 'removed'
          ? 'gone'
          : `roc_auc ${num(s.roc_auc.before)} → ${num(s.roc_auc.after)} (${signed(s.roc_auc.delta)})`;
    return `${name} ${body}${s.too_few ? chalk.dim(' (too few)') : ''}`;
  });
  const rest = moved.length - shown.length;
  return `strata that moved (${moved.length} of ${strata.length}): ${text.join(' · ')}${rest > 0 ? chalk.dim(` · ${rest} more in --json`) : ''}`;
}
