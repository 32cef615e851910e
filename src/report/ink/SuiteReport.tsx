/** @jsxRuntime automatic @jsxImportSource react */
import chalk from 'chalk';
import type { SuiteResult } from '../../runner/types.ts';
import { cleanText } from '../clean-text.ts';
import { weakestStrata } from '../format.ts';
import {
  alarmLine,
  assertionLines,
  baselineLines,
  caseLine,
  falseAlarmLine,
  leftOutLine,
  modelWidth,
  suiteHeader,
} from '../plain.ts';
import { metricsTable } from './layout.ts';
import { Lines } from './Lines.tsx';

export interface SuiteReportProps {
  readonly suite: SuiteResult;
  readonly columns: number;
  /** How many weakest strata to list. */
  readonly weakest: number;
}

/**
 * A finished suite, printed once: header, one line per case, each assertion (with what was
 * expected when it failed), the baseline, a table of the models, and the weakest strata.
 */
export function SuiteReport({ suite: s, columns, weakest }: SuiteReportProps) {
  const width = modelWidth(s.cases);
  const lines = [suiteHeader(s)];
  if (s.error) lines.push(`  ${chalk.red('✗ suite could not run:')} ${cleanText(s.error)}`);
  for (const c of s.cases) {
    lines.push(`  ${caseLine(c, width)}`);
    const alarms = falseAlarmLine(s, c, width);
    if (alarms) lines.push(`  ${alarms}`);
    const warned = alarmLine(c, width);
    if (warned) lines.push(`  ${warned}`);
  }
  for (const a of s.assertions) {
    lines.push(...assertionLines(a));
    // Most failure messages already read `expected …, got …`; the others get the requirement spelled out.
    if (a.state === 'failed' && !a.message.includes(a.expected))
      lines.push(chalk.dim(`      expected ${cleanText(a.expected)}`));
  }
  if (s.leftOut) lines.push(leftOutLine(s.leftOut));
  if (s.baseline) lines.push(...baselineLines(s));
  lines.push(...metricsTable(s.cases, columns));
  const weak = weakestStrata(s.cases, weakest);
  if (weak.length > 0) lines.push(chalk.dim(`  weakest strata: ${cleanText(weak.join(' · '))}`));
  return <Lines lines={lines} marginTop={1} />;
}
