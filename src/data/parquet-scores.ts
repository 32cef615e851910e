/**
 * Scores as Parquet: `system_id` (string) and `score` (double), optionally `source`, in one
 * `.parquet` file or a folder of part files (`scores.parquet/part-*.parquet`, as Spark writes it;
 * `_SUCCESS` and dot-files are left out). The checks are those of `scores.csv` (load-scores.ts):
 * every problem located, then thrown as one `HarnessError('E_SCORES')`. A row is named as
 * `row N` of its part file (N from 1); `ScoreRow.line` holds N.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SchemaElement } from 'hyparquet';
import { loadCodecsFor, PARQUET_DECOMPRESSORS } from './parquet-codecs.ts';
import { HarnessError, type Problem } from '../errors.ts';
import { beyondExactInteger, integerScoreProblem, type ScoreRow } from './load-scores.ts';
import { hiddenFromReaders, parquetParts } from './parquet-read.ts';
import { readRegularFile, unreadableReason } from './read-file.ts';
import { SOURCES, isOneOf, systemIdProblem, type Source } from './schema.ts';
import { didYouMean } from './suggest.ts';

/** Problems reported before giving up, as for scores.csv. */
const MAX_PROBLEMS = 50;

/**
 * True when `file` names Parquet scores: a `.parquet` file, a folder (Spark's output is one), or
 * a file that starts with Parquet's magic `PAR1` whatever its name (`scores.pq`): read as text,
 * it was refused as "not UTF-8".
 */
export async function isParquetScores(file: string): Promise<boolean> {
  if (file.toLowerCase().endsWith('.parquet')) return true;
  const st = await stat(file).catch(() => null);
  if (st?.isDirectory()) return true;
  if (!st?.isFile()) return false;
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return false;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === 'PAR1';
  } finally {
    await handle.close();
  }
}

/** The columns of scores.csv, the same in Parquet. */
const SCORES_REQUIRED = ['system_id', 'score'] as const;
const ALLOWED: readonly string[] = [...SCORES_REQUIRED, 'source'];

/** Reads Parquet scores from a file or a folder of parts; see the module comment. */
export async function readParquetScores(file: string): Promise<ScoreRow[]> {
  const problems: Problem[] = [];
  let more = 0;
  const report = (p: Problem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else more++;
  };
  const at = (f: string, message: string): void => report({ file: f, line: 0, column: 0, message });

  let parts: string[] = [file];
  const st = await stat(file).catch((err: unknown) => err as NodeJS.ErrnoException);
  if (st instanceof Error) at(file, unreadableReason(st));
  else if (st.isDirectory()) {
    parts = await parquetParts(file);
    // Spark's partitionBy('source') writes folders source=real/ … and no part at the top: say so,
    // rather than that the folder is empty (and never read a part without the source it names).
    const entries = await readdir(file, { withFileTypes: true });
    const partitions = entries
      .filter((e) => e.isDirectory() && /^[^=]+=/.test(e.name))
      .map((e) => `${e.name}/`);
    // Spark reads every file of the folder whose name does not start with _ or .: a part the
    // harness would skip (part-1.PARQUET, a part with no suffix, a subfolder) left its systems
    // out, and --allow-missing judged the rest with exit 0.
    const skipped = entries.filter(
      (e) =>
        !hiddenFromReaders(e.name) &&
        !(e.isFile() && e.name.endsWith('.parquet')) &&
        !(e.isDirectory() && /^[^=]+=/.test(e.name)),
    );
    for (const e of skipped)
      at(path.join(file, e.name), `${e.isDirectory() ? 'a folder' : 'a file'} among the score parts that is not a part (*.parquet): Spark would read it, the harness does not; rename it or move it out (names starting with _ or . are left out)`);
    if (partitions.length > 0)
      at(file, `the scores are partitioned (${partitions.slice(0, 3).join(', ')}${partitions.length > 3 ? ', …' : ''}): write them without partitionBy, one folder of part files with system_id, score and, when needed, a source column`);
    else if (parts.length === 0 && skipped.length === 0) at(file, 'no .parquet part file in this folder');
  }
  const out: ScoreRow[] = [];
  const firstAt = new Map<string, string>();
  // The first part with a source column and the first without: a mix left the rows of the
  // second kind with no source, and they were matched to the synthetic labels.
  const partOf: { with?: string; without?: string } = {};
  if (problems.length === 0) {
    for (const part of parts) {
      const rows = await readPart(part, at);
      if (rows.length > 0) {
        const kind = 'source' in rows[0]! ? 'with' : 'without';
        partOf[kind] ??= part;
        const other = partOf[kind === 'with' ? 'without' : 'with'];
        if (other !== undefined) {
          at(part, `${kind === 'with' ? 'has a source column' : 'has no source column'} but ${path.basename(other)} ${kind === 'with' ? 'has none' : 'has one'}: every part of the scores needs the same columns`);
          continue;
        }
      }
      for (const row of rows) {
        const { index, id, score, source } = row;
        const where = `row ${index}`;
        let bad = false;
        const fail = (message: string): void => {
          bad = true;
          at(part, `${where}: ${message}`);
        };
        if (typeof id !== 'string') fail(id === null || id === undefined ? 'system_id is null' : 'empty system_id');
        else {
          const idProblem = systemIdProblem(id);
          if (idProblem !== undefined) fail(idProblem);
        }
        let value = NaN;
        if (score === null || score === undefined) fail(`score is null for system ${typeof id === 'string' ? id : '(no id)'}`);
        else {
          value = Number(score);
          if (typeof score !== 'number' && typeof score !== 'bigint') fail(`score is not a number: ${JSON.stringify(String(score))}`);
          else if (typeof score === 'bigint' && beyondExactInteger(score)) fail(integerScoreProblem(String(score)));
          else if (!Number.isFinite(value)) fail(`score is not finite: ${value} (scores must be finite numbers; a NaN or Infinity is a scorer bug)`);
        }
        let src: Source | undefined;
        if (source === null) fail('source is null (a row names its source, or the file has no source column)');
        else if (source !== undefined) {
          const s = typeof source === 'string' ? source : String(source);
          if (isOneOf(SOURCES, s)) src = s;
          else fail(`unknown source ${JSON.stringify(s)}${didYouMean(s, SOURCES)} (expected one of ${SOURCES.join(', ')})`);
        }
        if (typeof id === 'string' && id !== '') {
          const key = src === undefined ? id : `${src}\u0000${id}`;
          const first = firstAt.get(key);
          const here = `${path.basename(part)} row ${index}`;
          if (first !== undefined) fail(`duplicate score for system ${id}${src ? ` (source ${src})` : ''}: ${first} and ${here}`);
          else firstAt.set(key, here);
        }
        if (!bad) out.push(src === undefined ? { systemId: id as string, score: value, line: index } : { systemId: id as string, score: value, line: index, source: src });
      }
    }
  }
  if (problems.length > 0) {
    const total = problems.length + more;
    const shown = more > 0 ? ` (the first ${problems.length} are listed)` : '';
    throw new HarnessError('E_SCORES', `cannot read scores ${file}: ${total} problem${total === 1 ? '' : 's'}${shown}`, problems);
  }
  return out;
}

interface RawScore {
  readonly index: number;
  readonly id: unknown;
  readonly score: unknown;
  readonly source?: unknown;
}

/** One part's rows, or none after reporting why the part cannot be read or has the wrong columns. */
async function readPart(file: string, at: (f: string, message: string) => void): Promise<RawScore[]> {
  // Loaded with the first Parquet scores file: a CSV user never pays hyparquet's start-up.
  const { parquetMetadata, parquetReadObjects, parquetSchema } = await import('hyparquet');
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file);
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    at(file, err.message.slice(file.length + 2));
    return [];
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const metadata = parquetMetadata(buffer);
    const columns = parquetSchema(metadata).children;
    const names = columns.map((c) => c.element.name);
    let bad = false;
    for (const need of SCORES_REQUIRED) {
      if (!names.includes(need)) {
        bad = true;
        at(file, `missing column ${need}: scores have columns system_id (string) and score (double), optionally source`);
      }
    }
    for (const [i, name] of names.entries()) {
      if (!ALLOWED.includes(name)) {
        bad = true;
        at(file, `unknown column "${name}"${didYouMean(name, ALLOWED)}: scores have columns system_id, score and optionally source`);
      } else if (names.indexOf(name) !== i) {
        // Rows are read as objects by name: the last of two `score` columns was taken, silently.
        bad = true;
        at(file, `duplicate column "${name}"`);
      }
    }
    // The types, as a header is checked: a row-by-row message per value said the same thing a
    // million times, and a DECIMAL score was read as some double (see columnTypeProblem). A part
    // without rows has no value to misread: pyarrow types an empty list's column as NULL.
    // An unknown column was reported above; its type means nothing to the contract.
    const known = columns.filter((c) => ALLOWED.includes(c.element.name));
    for (const c of Number(metadata.num_rows) === 0 ? [] : known) {
      const why = columnTypeProblem(c.children.length > 0 ? { ...c.element, type: undefined } : c.element);
      if (why) {
        bad = true;
        at(file, why);
      }
    }
    if (bad) return [];
    // hyparquet's row reader does not check page checksums: a flipped byte was a wrong score.
    const { pageChecksumProblem } = await import('./parquet-checksums.ts');
    const damaged = pageChecksumProblem(bytes, metadata);
    if (damaged) throw new Error(damaged);
    const hasSource = names.includes('source');
    await loadCodecsFor(metadata);
    const rows = await parquetReadObjects({ file: buffer, metadata, columns: names, compressors: PARQUET_DECOMPRESSORS });
    return rows.map((r, i) => ({ index: i + 1, id: r['system_id'], score: r['score'], ...(hasSource ? { source: r['source'] ?? null } : {}) }));
  } catch (err) {
    at(file, `not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
    return [];
  }
}

const NUMBERS = new Set(['DOUBLE', 'FLOAT', 'INT32', 'INT64']);

/** A column's type as a message says it: `INT64 (TIMESTAMP)`, `a group` for a nested column. */
function typeName(el: SchemaElement): string {
  return `${el.type ?? 'a group'}${el.logical_type ? ` (${el.logical_type.type})` : el.converted_type ? ` (${el.converted_type})` : ''}`;
}

/**
 * Why a scores column's type is not one the harness reads as the contract's, or undefined.
 * `score`: plain numbers (DOUBLE; FLOAT and integers are exact as doubles). Not a DECIMAL: it
 * has no one double (pyarrow's cast reads 0.70 as 0.7000000000000001, Python's float() as 0.7),
 * so the harness would judge scores that differ from the scorer's own in the last bit.
 * `system_id` and `source`: text (BYTE_ARRAY, STRING or unannotated).
 */
function columnTypeProblem(el: SchemaElement): string | undefined {
  if (el.name === 'score') {
    // Integers of any width (pyarrow and Spark annotate int8/int16 columns INT_8/INT_16), but not
    // an unsigned 64-bit one: hyparquet reads a nullable one's values past 2^63 as negatives.
    const integer = el.logical_type?.type === 'INTEGER' ? el.logical_type.isSigned || el.logical_type.bitWidth < 64 : el.logical_type === undefined;
    const plain = integer && (el.converted_type === undefined || /^U?INT_(?:8|16|32|64)$/.test(el.converted_type)) && el.converted_type !== 'UINT_64';
    if (el.type !== undefined && NUMBERS.has(el.type) && plain) return undefined;
    const decimal = el.logical_type?.type === 'DECIMAL' || el.converted_type === 'DECIMAL';
    return `column score is ${typeName(el)}: scores are DOUBLE${decimal ? ' (cast the DECIMAL to double where the scores are written: a DECIMAL has no one double)' : ''}`;
  }
  const text = el.logical_type === undefined ? el.converted_type === undefined || el.converted_type === 'UTF8' : el.logical_type.type === 'STRING';
  if (el.type === 'BYTE_ARRAY' && text) return undefined;
  return `column ${el.name} is ${typeName(el)}: ${el.name} is a string`;
}
