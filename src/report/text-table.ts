import chalk from 'chalk';

/** Lays out rows as aligned columns; `right` marks right-aligned (numeric) columns. Styling is applied after padding so ANSI codes do not skew widths. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
  style: (row: number, col: number, text: string) => string = (_r, _c, t) => t,
): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[], row: number): string =>
    cells
      .map((t, c) => {
        const w = widths[c] ?? 0;
        const padded = right[c] ? t.padStart(w) : t.padEnd(w);
        return row < 0 ? chalk.bold(padded) : style(row, c, padded);
      })
      .join('  ')
      .trimEnd();
  return [line(header, -1), ...rows.map((r, i) => line(r, i))];
}
