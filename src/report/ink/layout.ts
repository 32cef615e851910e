import chalk from 'chalk';
import type { CaseResult } from '../../runner/types.ts';
import { cleanText } from '../clean-text.ts';
import { fmt } from '../format.ts';
import { modelWidth } from '../plain.ts';
import type { ModelProgress, RunningSuite } from './store.ts';

/** Terminal width to lay out for: the stream's `columns`, else 80. */
export const columnsOf = (stdout: { readonly columns?: number } | undefined): number =>
  stdout?.columns && stdout.columns > 0 ? stdout.columns : 80;

/** `████████░░░░`: `done / total` of `width` cells (full when total is 0). */
export function progressBar(done: number, total: number, width: number): string {
  const w = Math.max(1, Math.floor(width));
  const filled = total > 0 ? Math.min(w, Math.max(0, Math.round((done / total) * w))) : w;
  return chalk.green('█'.repeat(filled)) + chalk.dim('░'.repeat(w - filled));
}

/**
 * One model of the running suite: `zscore ████████░░░░ 64/100`, the bar sized to what the
 * terminal leaves after the name and the count (10 to 40 cells).
 */
export function progressLine(p: ModelProgress, nameWidth: number, columns: number): string {
  const mark =
    p.state === 'scored'
      ? chalk.green('✓')
      : p.state === 'errored'
        ? chalk.red('✗')
        : chalk.yellow('›');
  const name = cleanText(p.model).padEnd(nameWidth);
  // Its first line only: a long message made the live area as tall as the terminal (see
  // liveLines); the finished suite, printed once above, has all of it.
  if (p.state === 'errored') {
    const [first = '', ...more] = cleanText(p.error ?? '').split('\n');
    return `  ${mark} ${name} ${chalk.red(`errored: ${first}${more.length > 0 ? ' …' : ''}`)}`;
  }
  const count = `${p.done}/${p.total}`;
  const fold = p.fold > 1 ? chalk.dim(` fold ${p.fold}`) : '';
  const bar = progressBar(
    p.done,
    p.total,
    Math.min(40, Math.max(10, columns - nameWidth - count.length - 14)),
  );
  return `  ${mark} ${name} ${bar} ${count}${fold}`;
}

/** What the live area shows while the run goes (see {@link liveLines}). */
export interface LiveView {
  /** The suite whose models are scoring, or null before its first model starts. */
  readonly running: RunningSuite | null;
  /** The next suite to finish (its data may still be loading). */
  readonly next: string | undefined;
  readonly suitesDone: number;
  readonly suitesTotal: number;
  readonly columns: number;
  /** The terminal's height; undefined (not a terminal) sets no limit. */
  readonly rows: number | undefined;
}

/**
 * The live area's lines, one terminal row each (the caller truncates them to the width): the
 * running suite, a progress line per model, and a status line. At most `rows - 2` of them, the
 * area's top margin included: once the area is as tall as the terminal, Ink clears the screen
 * and its scrollback on every frame and prints every finished suite again. Models past that
 * are counted on one line.
 */
export function liveLines(v: LiveView): string[] {
  const lines: string[] = [];
  if (v.running) {
    lines.push(`${chalk.yellow('❯')} ${chalk.bold(cleanText(v.running.name))}`);
    const models = v.running.models;
    const width = modelWidth(models);
    // Rows left for model lines: the terminal less one, the top margin, this title, the status.
    const room = v.rows === undefined ? Infinity : v.rows - 1 - 1 - 1 - 2;
    const shown = models.length <= room ? models : models.slice(0, Math.max(0, room - 1));
    for (const m of shown) lines.push(progressLine(m, width, v.columns));
    if (shown.length < models.length)
      lines.push(chalk.dim(`  … ${models.length - shown.length} more models`));
  } else if (v.next !== undefined) {
    lines.push(
      `${chalk.yellow('❯')} ${chalk.bold(cleanText(v.next))} ${chalk.dim('loading data…')}`,
    );
  }
  if (v.suitesTotal > 0) lines.push('', chalk.dim(`Suites ${v.suitesDone}/${v.suitesTotal}`));
  // A terminal too short even for that: its first lines.
  return v.rows === undefined ? lines : lines.slice(0, Math.max(1, v.rows - 2));
}

interface Column {
  readonly head: string;
  readonly cells: readonly string[];
  readonly align: 'left' | 'right';
  /** Columns with a higher number are dropped first when the table is too wide; 0 is never dropped. */
  readonly drop: number;
}

/**
 * The suite's models side by side: roc_auc, its CI, average precision, recall at the suite's
 * threshold, and time. Laid out for `columns`: the time, then the CI column go when the
 * table would not fit, then model names are cut.
 */
export function metricsTable(cases: readonly CaseResult[], columns: number): string[] {
  if (cases.length === 0) return [];
  const scored = (f: (c: Extract<CaseResult, { state: 'scored' }>) => string) =>
    cases.map((c) => (c.state === 'scored' ? f(c) : ''));
  const cols: Column[] = [
    { head: 'model', cells: cases.map((c) => cleanText(c.model)), align: 'left', drop: 0 },
    {
      head: 'roc_auc',
      cells: cases.map((c) =>
        c.state === 'scored' ? fmt(c.summary.metrics['roc_auc']) : 'errored',
      ),
      align: 'right',
      drop: 0,
    },
    {
      head: 'CI',
      cells: scored((c) => {
        const ci = c.summary.ci['roc_auc'];
        return ci ? `[${fmt(ci.low)}, ${fmt(ci.high)}]` : '';
      }),
      align: 'left',
      drop: 2,
    },
    {
      head: 'ap',
      cells: scored((c) => fmt(c.summary.metrics['average_precision'])),
      align: 'right',
      drop: 0,
    },
    {
      head: 'recall',
      cells: scored((c) => fmt(c.summary.metrics['recall'])),
      align: 'right',
      drop: 0,
    },
    {
      head: '@ threshold',
      cells: scored((c) => fmt(c.summary.metrics['threshold'])),
      align: 'right',
      drop: 0,
    },
    {
      head: 'time',
      cells: scored((c) => `${((c.timings.fitMs + c.timings.scoreMs) / 1000).toFixed(1)} s`),
      align: 'right',
      drop: 3,
    },
  ];
  const indent = 2;
  const gap = 2;
  const widthOf = (c: Column) => Math.max(c.head.length, ...c.cells.map((s) => s.length));
  const total = (cs: readonly Column[]) =>
    indent + cs.reduce((sum, c) => sum + widthOf(c), 0) + gap * (cs.length - 1);
  let shown = cols;
  for (const level of [3, 2])
    if (total(shown) > columns) shown = shown.filter((c) => c.drop !== level);
  const widths = shown.map(widthOf);
  const over = total(shown) - columns;
  // Still too wide: cut the model names (never below 6 characters).
  if (over > 0) widths[0] = Math.max(6, widths[0]! - over);
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, Math.max(1, w - 1))}…` : s);
  const cell = (s: string, i: number) => {
    const w = widths[i]!;
    const t = cut(s, w);
    return shown[i]!.align === 'right' ? t.padStart(w) : t.padEnd(w);
  };
  const line = (cells: readonly string[]) =>
    ' '.repeat(indent) + cells.map(cell).join(' '.repeat(gap)).trimEnd();
  const head = chalk.dim(line(shown.map((c) => c.head)));
  const rows = cases.map((c, r) => {
    const text = line(shown.map((col) => col.cells[r]!));
    return c.state === 'errored' ? chalk.red(text) : text;
  });
  return [head, ...rows];
}
