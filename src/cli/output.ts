import { displayPath, formatProblem, type Problem } from '../errors.ts';

export { displayPath };

/**
 * Prints located problems, one `file:line:column: message` per line, to stderr: the first
 * `limit`, then how many more. A labels file with a bad value on each of a million rows printed
 * a million lines (13 s, a gigabyte of CI log).
 */
export function printProblems(problems: readonly Problem[], limit = Infinity): void {
  const shown = Math.min(problems.length, limit);
  for (let i = 0; i < shown; i++)
    process.stderr.write(`${formatProblem(problems[i]!, displayPath)}\n`);
  if (problems.length > shown)
    process.stderr.write(
      `… and ${problems.length - shown} more problems (\`harness validate\` lists every one)\n`,
    );
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
