/**
 * Rows in the hour a DST fall-back repeats, resolved again from the row after them (`infer`).
 * The parser (timestamps.ts) resolves a repeated local time from the rows before it: the
 * system's previous row plus its time step. A series that starts inside the repeated hour has
 * no row before it, and after a gap across the hour the row before is too far back to tell;
 * both took the earlier meaning, an hour off with exit 0. So a system's run of such rows is kept
 * until its next unambiguous row, read backwards from that row the same way, and the end that
 * fits better decides (on a tie, the rows before, as the parser chose).
 */
import { nearestMeaning } from './timestamps.ts';

/** Where a system's series stands while its rows are read, in file order. */
export interface SeriesClock {
  /** The previous row's instant. */
  last: number | undefined;
  /** Steps forward in time minus steps back so far: below 0, the file runs newest first. */
  trend: number;
  /** The last time step that was not zero, in ms (its size: the sampling interval). */
  step: number | undefined;
}

/** The step the next row is expected to take: the sampling interval, backwards when the rows run newest first. */
export function expectedStep(c: SeriesClock): number | undefined {
  if (c.step === undefined) return undefined;
  return c.trend < 0 ? -c.step : c.step;
}

/** Moves the clock to the next row's instant; true when that goes back in time (a row out of order). */
export function advance(c: SeriesClock, ms: number): boolean {
  const back = c.last !== undefined && ms < c.last;
  if (c.last !== undefined && ms !== c.last) {
    c.trend += Math.sign(ms - c.last);
    c.step = Math.abs(ms - c.last);
  }
  c.last = ms;
  return back;
}

export class AmbiguousRun {
  private readonly rows: { readonly index: number; readonly candidates: readonly number[] }[] = [];
  private readonly before: SeriesClock;
  /** How far the first row's meaning is from where the rows before expected it; Infinity with no row before. */
  private readonly backwardMiss: number;
  /** Rows of the run counted out of order: counted again if they move. */
  outOfOrder = 0;

  /** A run starting at the row the parser put at `firstMs`, with the system's clock before that row. */
  constructor(clock: SeriesClock, firstMs: number) {
    this.before = { last: clock.last, trend: clock.trend, step: clock.step };
    this.backwardMiss = clock.last === undefined ? Infinity : Math.abs(firstMs - (clock.last + (expectedStep(clock) ?? 0)));
  }

  /** The row at `index` of the system's rows, with the instants it may mean. */
  add(index: number, candidates: readonly number[]): void {
    this.rows.push({ index, candidates });
  }

  get size(): number {
    return this.rows.length;
  }

  /** No row of the system before the run: with none after it either, its meaning is a guess. */
  get unanchored(): boolean {
    return this.backwardMiss === Infinity;
  }

  /** The clock before the run, to replay its rows from. */
  clockBefore(): SeriesClock {
    return { ...this.before };
  }

  /**
   * The rows' instants read backwards from the system's next unambiguous row, in file order,
   * when that row fits the run better than the row before it did; undefined to keep them.
   */
  fromNext(nextMs: number): { readonly index: number; readonly ms: number }[] | undefined {
    // Read backwards, time runs the other way: the clock's trend is turned round, its step kept.
    const back: SeriesClock = { last: nextMs, trend: -this.before.trend, step: this.before.step };
    const out: { index: number; ms: number }[] = [];
    let miss = Infinity;
    for (let k = this.rows.length - 1; k >= 0; k--) {
      const row = this.rows[k]!;
      const step = expectedStep(back);
      const ms = nearestMeaning(row.candidates, back.last!, step);
      if (k === this.rows.length - 1) miss = Math.abs(ms - (nextMs + (step ?? 0)));
      advance(back, ms);
      out.push({ index: row.index, ms });
    }
    return miss < this.backwardMiss ? out.reverse() : undefined;
  }
}
