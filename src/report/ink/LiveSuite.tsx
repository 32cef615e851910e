/** @jsxRuntime automatic @jsxImportSource react */
import chalk from 'chalk';
import { progressLine } from './layout.ts';
import { Lines } from './Lines.tsx';
import type { RunningSuite } from './store.ts';

export interface LiveSuiteProps {
  /** The suite whose models are scoring, or null before its first model starts. */
  readonly running: RunningSuite | null;
  /** The next suite to finish (its data may still be loading). */
  readonly next: string | undefined;
  readonly suitesDone: number;
  readonly suitesTotal: number;
  readonly columns: number;
}

/** The live area while the run goes: the running suite, a progress bar per model, and a status line. */
export function LiveSuite({ running, next, suitesDone, suitesTotal, columns }: LiveSuiteProps) {
  const lines: string[] = [];
  if (running) {
    lines.push(`${chalk.yellow('❯')} ${chalk.bold(running.name)}`);
    const width = Math.max(0, ...running.models.map((m) => m.model.length));
    for (const m of running.models) lines.push(progressLine(m, width, columns));
  } else if (next !== undefined) {
    lines.push(`${chalk.yellow('❯')} ${chalk.bold(next)} ${chalk.dim('loading data…')}`);
  }
  if (suitesTotal > 0) lines.push('', chalk.dim(`Suites ${suitesDone}/${suitesTotal}`));
  return <Lines lines={lines} marginTop={1} />;
}
