/**
 * `scores/<suite>/<model>.csv` of a run record: `system_id,label,score`, one row per scored test
 * system in the order the runner scored them. `label` is the contract's `anomaly` / `normal`;
 * a score is written as the shortest text that reads back as the same number, so a compare
 * recomputes exactly the AUC the run reported.
 */
import { csvField } from '../data/index.ts';
import { HarnessError, type Problem } from '../errors.ts';

export const SCORES_HEADER = 'system_id,label,score';

/** One case's scores as stored: aligned arrays, y = 1 for an anomaly. */
export interface StoredScores {
  readonly systemIds: readonly string[];
  readonly y: Float64Array;
  readonly scores: Float64Array;
}

/** The CSV text; throws RangeError on a non-finite score (a scored case never has one). */
export function formatScoresCsv(s: StoredScores): string {
  const lines = [SCORES_HEADER];
  for (let i = 0; i < s.systemIds.length; i++) {
    const v = s.scores[i]!;
    if (!Number.isFinite(v))
      throw new RangeError(
        `score of ${s.systemIds[i]} is ${v}; only finite scores can be recorded`,
      );
    lines.push(`${csvField(s.systemIds[i]!)},${s.y[i] === 1 ? 'anomaly' : 'normal'},${String(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads the CSV back; a malformed file is an error naming the line (the record was edited or
 * damaged). {@link formatScoresCsv} ends every row with a newline, so a last row without one was
 * cut short: `0.81` cut to `0.8` still parses, and a gate compared a score that was never given.
 */
export function parseScoresCsv(text: string, file: string): StoredScores {
  const lines = text.split('\n');
  const problem = (line: number, message: string): Problem => ({ file, line, column: 0, message });
  if (lines.at(-1) !== '') {
    throw new HarnessError('E_RUN_STORE', `${file}: cut short (half-written or damaged)`, [
      problem(
        lines.length,
        `the last line ${JSON.stringify(lines.at(-1))} has no newline: the file ends inside a row`,
      ),
    ]);
  }
  lines.pop();
  if (lines[0] !== SCORES_HEADER) {
    throw new HarnessError('E_RUN_STORE', `${file}: not a scores file of a run record`, [
      problem(1, `expected the header "${SCORES_HEADER}", found ${JSON.stringify(lines[0] ?? '')}`),
    ]);
  }
  const systemIds: string[] = [];
  const y = new Float64Array(lines.length - 1);
  const scores = new Float64Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    // System ids are safe file names (no comma or quote), so a plain split is exact.
    const cells = lines[i]!.split(',');
    const score = Number(cells[2]);
    if (
      cells.length !== 3 ||
      (cells[1] !== 'anomaly' && cells[1] !== 'normal') ||
      cells[2] === '' ||
      !Number.isFinite(score)
    ) {
      throw new HarnessError('E_RUN_STORE', `${file}: not a scores file of a run record`, [
        problem(
          i + 1,
          `expected system_id,anomaly|normal,<finite score>, found ${JSON.stringify(lines[i])}`,
        ),
      ]);
    }
    systemIds.push(cells[0]!);
    y[i - 1] = cells[1] === 'anomaly' ? 1 : 0;
    scores[i - 1] = score;
  }
  return { systemIds, y, scores };
}
