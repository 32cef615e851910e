import chalk from 'chalk';
import type { LabelDistribution } from './label-distribution.ts';

/**
 * Horizontal stacked bars for a terminal: normal in one colour, anomaly in another, scaled to
 * the widest bar of each dimension and to the terminal width. chalk drops the colours itself
 * under NO_COLOR or when stdout is not a terminal.
 */
export function renderDistributionBars(
  dist: LabelDistribution,
  columns = process.stdout.columns ?? 100,
): string {
  const out: string[] = [
    `${chalk.bold(String(dist.total))} labelled systems  ${chalk.green('■ normal')}  ${chalk.red('■ anomaly')}`,
  ];
  for (const dim of dist.dimensions) {
    const labelWidth = Math.max(...dim.bars.map((b) => b.category.length));
    const max = Math.max(1, ...dim.bars.map((b) => b.normal + b.anomaly));
    const barWidth = Math.max(10, Math.min(50, columns - labelWidth - 20));
    out.push('', chalk.bold(dim.name));
    for (const b of dim.bars) {
      const n = Math.round((b.normal / max) * barWidth);
      const a = Math.round((b.anomaly / max) * barWidth);
      // A non-zero count never disappears behind rounding.
      const nBar = '█'.repeat(b.normal > 0 ? Math.max(1, n) : 0);
      const aBar = '█'.repeat(b.anomaly > 0 ? Math.max(1, a) : 0);
      const counts =
        b.normal && b.anomaly
          ? `${b.normal + b.anomaly} (${b.anomaly} anomaly)`
          : String(b.normal + b.anomaly);
      out.push(
        `  ${b.category.padEnd(labelWidth)}  ${chalk.green(nBar)}${chalk.red(aBar)} ${chalk.dim(counts)}`,
      );
    }
  }
  return out.join('\n') + '\n';
}
