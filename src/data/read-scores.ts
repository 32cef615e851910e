/**
 * The one entry to a scores file, whatever its format: a `.parquet` file or a folder of Parquet
 * parts (Spark's output) goes through parquet-scores.ts, anything else is CSV. `harness evaluate`
 * reads columns; a suite's precomputed `scores` reads rows.
 */
import { readScoresFile, type ScoreRow } from './load-scores.ts';
import { isParquetScores, readParquetScores } from './parquet-scores.ts';
import { readScoreColumns, scoreColumnsOf, type ScoreColumns } from './score-columns.ts';

/** A scores file (CSV or Parquet) as typed columns. */
export async function readScores(file: string): Promise<ScoreColumns> {
  return (await isParquetScores(file))
    ? scoreColumnsOf(file, await readParquetScores(file))
    : readScoreColumns(file);
}

/** A scores file (CSV or Parquet) as rows. */
export async function readScoreRows(file: string): Promise<ScoreRow[]> {
  return (await isParquetScores(file)) ? readParquetScores(file) : readScoresFile(file);
}
