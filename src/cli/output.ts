import { displayPath, formatProblem, type Problem } from '../errors.ts';

export { displayPath };

/** Prints located problems, one `file:line:column: message` per line, to stderr. */
export function printProblems(problems: readonly Problem[]): void {
  for (const p of problems) process.stderr.write(`${formatProblem(p, displayPath)}\n`);
}

/**
 * A one-line progress bar on stderr, drawn only on a terminal (a CI log would fill with
 * carriage returns). Returns a function to call after each unit of work, and one to end it.
 */
export function progressBar(
  label: string,
  total: number,
): { tick(done: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  const width = 30;
  let lastDrawn = -1;
  return {
    tick(done) {
      if (!tty) return;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      if (filled === lastDrawn && done !== total) return;
      lastDrawn = filled;
      process.stderr.write(
        `\r${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`,
      );
    },
    end() {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}
