/** The text report of `harness evaluate`: aligned tables a person reads in a terminal. Pure. */
import chalk from 'chalk';
import type { EvaluationSummary, JsonCell } from '../metrics/index.ts';
import { fmt, MISSING } from './format.ts';
import { table } from './text-table.ts';

function fmtCi(ci: { readonly low: number; readonly high: number } | null | undefined): string {
  return ci ? `[${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]` : '';
}

const HEADLINE: readonly [string, string][] = [
  ['roc_auc', 'ROC AUC'],
  ['average_precision', 'average precision'],
  ['precision', 'precision @ threshold'],
  ['recall', 'recall @ threshold'],
  ['f1', 'F1 @ threshold'],
  ['fpr', 'FPR @ threshold'],
  ['specificity', 'specificity @ threshold'],
  ['recall_at_fpr_1pct', 'recall at 1% FPR'],
  ['recall_at_fpr_5pct', 'recall at 5% FPR'],
];

/** What the text report says besides the summary itself. */
export interface ReportContext {
  readonly threshold: number;
  readonly thresholdFrom: string;
  readonly files: {
    readonly scores: string;
    readonly labels: readonly string[];
    readonly metadata: readonly string[];
  };
  readonly columns: readonly string[];
}

/** The plain-text report: headline metrics with CI, threshold, undefined metrics, one table per breakdown column. */
/** The human-readable report of `harness evaluate` (without --json): headline metrics with CIs, undefined metrics, breakdown tables. */
export function textReport(sum: EvaluationSummary, ctx: ReportContext): string {
  const out: string[] = [];
  out.push(
    `${chalk.bold('harness evaluate')}  ${ctx.files.scores} vs ${ctx.files.labels.join(', ')}`,
  );
  out.push(`${sum.n} systems: ${sum.positives} anomalies, ${sum.negatives} normals`);
  const how =
    ctx.thresholdFrom === 'default'
      ? `the default; set it with --threshold`
      : 'set with --threshold';
  out.push(
    `threshold ${ctx.threshold} (${how}): a system is flagged when score >= ${ctx.threshold}`,
  );
  out.push('');
  const ci = sum.ci['roc_auc'];
  const ciHead = ci ? `${Math.round(ci.level * 100)}% CI (DeLong)` : '95% CI (DeLong)';
  const rows = HEADLINE.filter(([k]) => k in sum.metrics).map(([k, name]) => [
    name,
    fmt(sum.metrics[k]),
    k === 'roc_auc' ? fmtCi(ci) || MISSING : '',
  ]);
  out.push(
    ...table(['metric', 'value', ciHead], rows, [false, true, false], (_r, c, t) =>
      t.trim() === MISSING && c > 0 ? chalk.dim(t) : t,
    ),
  );
  const { tp, fp, tn, fn } = sum.confusion;
  out.push(`confusion @ threshold: tp ${tp} · fp ${fp} · tn ${tn} · fn ${fn}`);
  const undef = Object.entries(sum.undefined);
  if (undef.length > 0) {
    out.push('', chalk.bold('undefined metrics'));
    for (const [k, reason] of undef) out.push(`  ${k}: ${reason}`);
  }
  const notes = Object.entries(sum.notes);
  if (notes.length > 0) {
    out.push('', chalk.bold('notes'));
    for (const [k, note] of notes)
      out.push(
        `  ${k}: ${note === 'zero_division' ? 'a zero denominator, reported as 0 (scikit-learn convention)' : note}`,
      );
  }
  for (const column of ctx.columns) {
    const cells = sum.breakdown[column] ?? [];
    out.push('', chalk.bold(`by ${column}`));
    if (cells.length === 0) {
      out.push('  (no systems)');
      continue;
    }
    out.push(...breakdownTable(cells, ctx.threshold).map((l) => `  ${l}`));
    if (cells.some((c) => c.comparison === 'vs_all_normals' && c.positives > 0)) {
      out.push(chalk.dim('  * anomalies only: ranked against all normals'));
    }
  }
  return `${out.join('\n')}\n`;
}

function breakdownTable(cells: readonly JsonCell[], threshold: number): string[] {
  const rows = cells.map((c) => [
    `${c.stratum}${c.comparison === 'vs_all_normals' && c.positives > 0 ? ' *' : ''}`,
    String(c.n),
    String(c.positives),
    fmt(c.metrics.roc_auc),
    fmtCi(c.ci.roc_auc),
    fmt(c.metrics.recall),
    c.positives === 0 ? 'no anomalies' : c.too_few ? 'too few' : '',
  ]);
  return table(
    ['stratum', 'n', 'anomalies', 'roc_auc', '95% CI', `recall@${threshold}`, ''],
    rows,
    [false, true, true, true, false, true, false],
    (r, c, t) => (cells[r]?.too_few || (c > 2 && t.trim() === MISSING) ? chalk.dim(t) : t),
  );
}
