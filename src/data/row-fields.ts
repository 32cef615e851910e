/**
 * Field checks shared by the labels and metadata parsers, each reporting a located problem
 * and returning undefined for a bad value.
 */
import type { ProblemSink } from './csv-read.ts';
import { SYSTEM_ID_PATTERN } from './schema.ts';
import { overflowsFloat, parseNumberText } from './series-scan.ts';
import { didYouMean } from './suggest.ts';

/** A parsed row and the 1-based line it came from, so later checks can point at it. */
export interface LocatedRow<T> {
  readonly row: T;
  readonly line: number;
}

/** One row being read: its cells by column name, located for problems. */
export class RowReader {
  /** Set once any check of this row reported a problem: the row is then left out. */
  bad = false;
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly fields: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    private readonly report: ProblemSink,
  ) {}

  /** 1-based column of `name`, 0 when the file lacks it. */
  column(name: string): number {
    const i = this.index.get(name);
    return i === undefined ? 0 : i + 1;
  }

  /** The raw text of a column; undefined when the file lacks the column. */
  text(name: string): string | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.fields[i];
  }

  problem(name: string, message: string): void {
    this.bad = true;
    this.report({ file: this.file, line: this.line, column: this.column(name), message });
  }

  /** A system id: required and safe as a file name. */
  systemId(name = 'system_id'): string | undefined {
    const v = this.text(name) ?? '';
    if (v === '') {
      this.problem(name, `empty ${name}`);
      return undefined;
    }
    if (!SYSTEM_ID_PATTERN.test(v)) {
      this.problem(name, `unsafe system id ${JSON.stringify(v)}: ids name files, so they must match ${SYSTEM_ID_PATTERN.source}`);
      return undefined;
    }
    return ownCopy(v);
  }

  /**
   * A required value from a closed set: the set's own string, not the field's, so a fleet's
   * rows share one copy of each value (a 10,000-system dataset is held by every worker thread).
   */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.text(name) ?? '';
    const i = (values as readonly string[]).indexOf(v);
    if (i >= 0) return values[i];
    this.problem(
      name,
      v === ''
        ? `empty ${name} (expected one of ${values.join(', ')})`
        : `unknown ${name} ${JSON.stringify(v)}${didYouMean(v, values)} (expected one of ${values.join(', ')})`,
    );
    return undefined;
  }

  /** An optional number (empty ⇒ null) within [min, max]. Undefined means the value was bad. */
  number(name: string, min: number, max: number, what = 'a number'): number | null | undefined {
    const raw = this.text(name);
    if (raw === undefined || raw === '') return null;
    const v = parseNumberText(raw);
    if (v === undefined || v !== v) {
      this.problem(name, overflowsFloat(raw) ? `${name} is not a finite number: ${JSON.stringify(raw)} overflows a 64-bit float` : `${name} is not a number: ${JSON.stringify(raw)}`);
      return undefined;
    }
    if (v < min || v > max) {
      this.problem(name, `${name} ${raw} out of range: expected ${what}`);
      return undefined;
    }
    return v;
  }

  /** An optional free-text value (a copy of its own: see {@link ownCopy}): empty or absent ⇒ undefined. */
  optionalText(name: string): string | undefined {
    const v = this.text(name);
    return v === undefined || v === '' ? undefined : ownCopy(v);
  }

  /** {@link optionalText} for a column of few distinct values (chemistry, climate): one copy of each. */
  optionalWord(name: string): string | undefined {
    const v = this.optionalText(name);
    return v === undefined ? undefined : interned(v);
  }
}

/** Shared copies of short repeated words; bounded, so a column of unique values cannot grow it without end. */
const words = new Map<string, string>();
const MAX_WORDS = 4096;

/** One shared copy of a short word (a string is about 30 bytes, and a fleet repeats a few words in every row). */
export function interned(v: string): string {
  const known = words.get(v);
  if (known !== undefined) return known;
  const own = ownCopy(v);
  if (v.length <= 64 && words.size < MAX_WORDS) words.set(own, own);
  return own;
}

/**
 * A field's text that does not keep its file's text alive. V8 makes a substring of 13 characters
 * or more a view of the string it was cut from, so one kept timestamp or scenario tag held the
 * whole labels.csv or metadata.csv for as long as the records lived (4 MB at 30k systems, and
 * the first metadata file for the whole process through the word table). A concatenation is
 * flattened into a string of its own before it is sliced.
 */
export function ownCopy(v: string): string {
  return v.length < 13 ? v : ` ${v}`.slice(1);
}
