/**
 * The system ids of a table kept as byte ranges of the file, with a hash index over the bytes:
 * a million ids cost no string each and no Map of strings (whose hashing of fresh strings is
 * what a join of a million rows spends its time on). An id is keyed together with a small tag
 * (its source), so one column can hold the same id once per source.
 */

/**
 * FNV-1a of bytes [a, b) with the tag mixed in, then murmur3's finalizer: FNV's low bits, which
 * pick the slot, are poorly mixed for short ids that differ in their last digits.
 */
function hashOf(buf: Uint8Array, a: number, b: number, tag: number): number {
  let h = 0x811c9dc5 ^ tag;
  for (let i = a; i < b; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Ids by byte range, in row order, with an index by (id, tag). */
export class IdColumn {
  private starts: Int32Array;
  private ends: Int32Array;
  private tags: Uint8Array;
  private hashes: Int32Array;
  /** Open addressing, linear probing: row + 1, 0 = empty. Sized for `capacity` at load ≤ ½. */
  private slots: Int32Array;
  private mask: number;
  n = 0;

  constructor(
    readonly buf: Uint8Array,
    capacity: number,
  ) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.tags = new Uint8Array(capacity);
    this.hashes = new Int32Array(capacity);
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** A column of string ids (an exact-path table's). */
  static of(ids: readonly string[], tags: ArrayLike<number>): IdColumn {
    const buf = Buffer.from(ids.join(''), 'latin1');
    const col = new IdColumn(buf, ids.length);
    let a = 0;
    ids.forEach((id, i) => {
      col.add(a, a + id.length, tags[i] ?? 0);
      a += id.length;
    });
    return col;
  }

  /**
   * Appends the id in bytes [a, b) of `buf` with `tag` as the next row (at most `capacity`
   * rows). Returns the earlier row with the same id and tag (the new row is then not indexed), or -1.
   */
  add(a: number, b: number, tag: number): number {
    if (this.n === this.starts.length) throw new Error(`IdColumn: more than ${this.n} ids`);
    const r = this.n++;
    this.starts[r] = a;
    this.ends[r] = b;
    this.tags[r] = tag;
    const h = hashOf(this.buf, a, b, tag);
    this.hashes[r] = h;
    let s = h & this.mask;
    for (;;) {
      const at = this.slots[s] as number;
      if (at === 0) {
        this.slots[s] = r + 1;
        return -1;
      }
      if (this.hashes[at - 1] === h && this.tags[at - 1] === tag && this.same(at - 1, this.buf, a, b)) return at - 1;
      s = (s + 1) & this.mask;
    }
  }

  /** The row of the id in bytes [a, b) of `buf` with `tag`, or -1. */
  find(buf: Uint8Array, a: number, b: number, tag: number): number {
    const h = hashOf(buf, a, b, tag);
    let s = h & this.mask;
    for (;;) {
      const at = this.slots[s] as number;
      if (at === 0) return -1;
      if (this.hashes[at - 1] === h && this.tags[at - 1] === tag && this.same(at - 1, buf, a, b)) return at - 1;
      s = (s + 1) & this.mask;
    }
  }

  /** The row of `other`'s row `i` in this column, with `tag`, or -1. */
  findRow(other: IdColumn, i: number, tag: number): number {
    return this.find(other.buf, other.starts[i] as number, other.ends[i] as number, tag);
  }

  /**
   * {@link findRow} with a guess tried first: when two files list their systems in the same
   * order (they usually do), the next row is checked by a byte compare, without hashing.
   */
  findRowFrom(guess: number, other: IdColumn, i: number, tag: number): number {
    if (
      guess < this.n &&
      this.tags[guess] === tag &&
      this.same(guess, other.buf, other.starts[i] as number, other.ends[i] as number)
    )
      return guess;
    return this.findRow(other, i, tag);
  }

  /** Row i's id as a string (for messages). */
  at(i: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).toString('latin1', this.starts[i], this.ends[i]);
  }

  private same(row: number, buf: Uint8Array, a: number, b: number): boolean {
    const s = this.starts[row] as number;
    if ((this.ends[row] as number) - s !== b - a) return false;
    for (let i = 0; i < b - a; i++) if (this.buf[s + i] !== buf[a + i]) return false;
    return true;
  }
}
