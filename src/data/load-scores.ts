/**
 * Reads `scores.csv`, the file scores are exchanged in with the outside (a Spark or Ray job, a
 * Python model): `system_id,score`, higher = more anomalous.
 */
import { HarnessError, type Problem } from '../errors.ts';
import { checkHeader, parseCsv, readTextFile } from './csv-read.ts';
import { SOURCES, isOneOf, systemIdProblem, type Source } from './schema.ts';
import { didYouMean } from './suggest.ts';

/** One score of `scores.csv` and the 1-based line it is on. */
export interface ScoreRow {
  readonly systemId: string;
  readonly score: number;
  readonly line: number;
  /** Set when the file has a `source` column (needed when an id is labelled in both sources). */
  readonly source?: Source;
}

/** Required columns of `scores.csv`. */
export const SCORES_REQUIRED = ['system_id', 'score'] as const;
/** Optional columns of `scores.csv`; any other column is an error (it is usually a typo). */
export const SCORES_OPTIONAL = ['source'] as const;

/** Problems reported before giving up: a file with a broken scorer can have a million bad rows. */
const MAX_PROBLEMS = 50;

/** A plain decimal number: what a scorer writes. `0x10`, `1_000` or an empty field are not scores. */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export const NON_FINITE = /^[+-]?(inf|infinity|nan)$/i;

/**
 * Reads a `scores.csv`: header `system_id,score`, optionally with a `source` column
 * (`synthetic|real`); no other column is allowed. Every problem is located as file:line:column:
 * a missing, unknown or duplicate header column, an empty or unsafe system id (ids must match
 * SYSTEM_ID_PATTERN), a system scored twice (both lines named), a score that is not a number or
 * not finite (NaN and ±Infinity are scorer bugs, not low scores), an unknown source. All
 * problems (up to 50) are collected, then thrown as one `HarnessError('E_SCORES')`.
 */
export async function readScoresFile(file: string): Promise<ScoreRow[]> {
  return parseScoresText(await readTextFile(file), file);
}

/** {@link readScoresFile} on the text of `file`. */
export function parseScoresText(text: string, file: string): ScoreRow[] {
  const problems: Problem[] = [];
  let more = 0;
  const report = (p: Problem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else more++;
  };
  const table = parseCsv(text, file, report);
  const index = checkHeader(table, SCORES_REQUIRED, SCORES_OPTIONAL, report, (n) => didYouMean(n, [...SCORES_REQUIRED, ...SCORES_OPTIONAL]));
  const out: ScoreRow[] = [];
  const idCol = index.get('system_id');
  const scoreCol = index.get('score');
  const sourceCol = index.get('source');
  if (idCol !== undefined && scoreCol !== undefined) {
    const firstLine = new Map<string, number>();
    for (const rec of table.records) {
      let bad = false;
      const at = (col: number, message: string): void => {
        bad = true;
        report({ file, line: rec.line, column: col + 1, message });
      };
      const id = rec.fields[idCol] ?? '';
      const idProblem = systemIdProblem(id);
      if (idProblem !== undefined) at(idCol, idProblem);
      const raw = (rec.fields[scoreCol] ?? '').trim();
      let score = NaN;
      if (raw === '') at(scoreCol, `empty score for system ${id || '(empty id)'}`);
      else if (NON_FINITE.test(raw)) at(scoreCol, `score is not finite: ${JSON.stringify(raw)} (scores must be finite numbers; a NaN or Infinity is a scorer bug)`);
      else if (!DECIMAL.test(raw)) at(scoreCol, `score is not a number: ${JSON.stringify(raw)}`);
      else {
        score = Number(raw);
        if (!Number.isFinite(score)) at(scoreCol, `score is not finite: ${JSON.stringify(raw)} overflows a 64-bit float`);
        else if (isIntegerPastExact(raw)) at(scoreCol, integerScoreProblem(raw));
      }
      let source: Source | undefined;
      if (sourceCol !== undefined) {
        const s = rec.fields[sourceCol] ?? '';
        if (isOneOf(SOURCES, s)) source = s;
        else at(sourceCol, `unknown source ${JSON.stringify(s)}${didYouMean(s, SOURCES)} (expected one of ${SOURCES.join(', ')})`);
      }
      if (id !== '') {
        const key = source === undefined ? id : `${source}\u0000${id}`;
        const first = firstLine.get(key);
        if (first !== undefined) {
          at(idCol, `duplicate score for system ${id}${source ? ` (source ${source})` : ''}: lines ${first} and ${rec.line}`);
        } else {
          firstLine.set(key, rec.line);
        }
      }
      if (!bad) out.push(source === undefined ? { systemId: id, score, line: rec.line } : { systemId: id, score, line: rec.line, source });
    }
  }
  if (problems.length > 0) {
    const total = problems.length + more;
    const shown = more > 0 ? ` (the first ${problems.length} are listed)` : '';
    throw new HarnessError('E_SCORES', `cannot read scores ${file}: ${total} problem${total === 1 ? '' : 's'}${shown}`, problems);
  }
  return out;
}

/**
 * True past 2^53, where doubles stop holding every integer: 2^53 + 1 read as 2^53 tied with it,
 * and an AUC that scikit-learn (pandas reads the column as int64) puts at 1.0 came out 0.5.
 */
export function beyondExactInteger(value: bigint): boolean {
  return value > 2n ** 53n || value < -(2n ** 53n);
}

/** True when the score text `raw` is an integer literal past {@link beyondExactInteger}. */
export function isIntegerPastExact(raw: string): boolean {
  return /^[+-]?\d+$/.test(raw) && beyondExactInteger(BigInt(raw));
}

/** What a score past {@link beyondExactInteger} is told. */
export function integerScoreProblem(value: string): string {
  return `score ${value} is an integer past 2^53: no double holds it, so scores that differ would be judged as ties (write the scores as doubles, or rescale them)`;
}
