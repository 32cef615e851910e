/**
 * The system ids of a table kept as byte ranges of the file, with a hash index over the bytes:
 * a million ids cost no string each and no Map of strings (whose hashing of fresh strings is
 * what a join of a million rows spends its time on). An id is keyed together with a small tag
 * (its source), so one column can hold the same id once per source.
 *
 * Most files list their ids in increasing order. While they do, no id can repeat and nothing is
 * hashed: a lookup is a binary search. The hash index is built at the first id out of order.
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

/** Byte order of x = bytes [a, b) of `xb` and y = [c, d) of `yb`: < 0, 0 or > 0. */
function compareBytes(xb: Uint8Array, a: number, b: number, yb: Uint8Array, c: number, d: number): number {
  const n = Math.min(b - a, d - c);
  for (let i = 0; i < n; i++) {
    const diff = (xb[a + i] as number) - (yb[c + i] as number);
    if (diff !== 0) return diff;
  }
  return b - a - (d - c);
}

/** Everything an {@link IdColumn} holds, as structured-cloneable values. */
export interface IdColumnParts {
  readonly buf: Uint8Array;
  readonly capacity: number;
  readonly n: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly tags: Uint8Array;
  readonly hashes: Int32Array | undefined;
  readonly slots: Int32Array | undefined;
  readonly mask: number;
}

/** Ids by byte range, in row order, with an index by (id, tag). */
export class IdColumn {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly tags: Uint8Array;
  /** Built at the first id out of increasing order (see the module comment). */
  private hashes: Int32Array | undefined;
  /** Open addressing, linear probing: row + 1, 0 = empty. Sized for the capacity at load ≤ ½. */
  private slots: Int32Array | undefined;
  private mask = 0;
  n = 0;

  /** An empty column with room for `capacity` ids, or, with `from`, the column it describes. */
  constructor(
    readonly buf: Uint8Array,
    private readonly capacity: number,
    from?: IdColumnParts,
  ) {
    this.starts = from?.starts ?? new Int32Array(capacity);
    this.ends = from?.ends ?? new Int32Array(capacity);
    this.tags = from?.tags ?? new Uint8Array(capacity);
    if (from) {
      this.hashes = from.hashes;
      this.slots = from.slots;
      this.mask = from.mask;
      this.n = from.n;
    }
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

  /** The column as plain typed arrays, for a worker thread to post (see {@link IdColumn.fromParts}). */
  parts(): IdColumnParts {
    return {
      buf: this.buf,
      capacity: this.capacity,
      n: this.n,
      starts: this.starts,
      ends: this.ends,
      tags: this.tags,
      hashes: this.hashes,
      slots: this.slots,
      mask: this.mask,
    };
  }

  /** The column {@link IdColumn.parts} describes (its arrays are taken over, not copied). */
  static fromParts(p: IdColumnParts): IdColumn {
    return new IdColumn(p.buf, p.capacity, p);
  }

  /** True while every id is greater than the one before it (no index needed). */
  get increasing(): boolean {
    return this.slots === undefined;
  }

  /**
   * Appends the id in bytes [a, b) of `buf` with `tag` as the next row (at most `capacity`
   * rows). Returns the earlier row with the same id and tag (the new row is then not indexed), or -1.
   */
  add(a: number, b: number, tag: number): number {
    if (this.n === this.capacity) throw new Error(`IdColumn: more than ${this.n} ids`);
    const r = this.n++;
    this.starts[r] = a;
    this.ends[r] = b;
    this.tags[r] = tag;
    if (this.slots === undefined) {
      if (r === 0 || compareBytes(this.buf, this.starts[r - 1]!, this.ends[r - 1]!, this.buf, a, b) < 0) return -1;
      this.buildIndex(r);
    }
    return this.insert(r);
  }

  /** The row of the id in bytes [a, b) of `buf` with `tag`, or -1. */
  find(buf: Uint8Array, a: number, b: number, tag: number): number {
    if (this.slots === undefined) {
      // Increasing ids: a binary search, and no id is there twice.
      let lo = 0;
      let hi = this.n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const c = compareBytes(this.buf, this.starts[mid]!, this.ends[mid]!, buf, a, b);
        if (c === 0) return this.tags[mid] === tag ? mid : -1;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    }
    const h = hashOf(buf, a, b, tag);
    let s = h & this.mask;
    for (;;) {
      const at = this.slots[s] as number;
      if (at === 0) return -1;
      if (this.hashes![at - 1] === h && this.tags[at - 1] === tag && this.same(at - 1, buf, a, b)) return at - 1;
      s = (s + 1) & this.mask;
    }
  }

  /** The row of `other`'s row `i` in this column, with `tag`, or -1. */
  findRow(other: IdColumn, i: number, tag: number): number {
    return this.find(other.buf, other.starts[i] as number, other.ends[i] as number, tag);
  }

  /**
   * {@link findRow} with a guess tried first: when two files list their systems in the same
   * order (they usually do), the next row is checked by a byte compare, without a search.
   */
  findRowFrom(guess: number, other: IdColumn, i: number, tag: number): number {
    if (guess < this.n && this.tags[guess] === tag && this.same(guess, other.buf, other.starts[i] as number, other.ends[i] as number))
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

  /** Hashes rows [0, upto): increasing, so all distinct. */
  private buildIndex(upto: number): void {
    this.hashes = new Int32Array(this.capacity);
    let size = 16;
    while (size < this.capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let r = 0; r < upto; r++) this.insert(r);
  }

  /** Indexes row r; returns the earlier row with the same id and tag instead (r is then not indexed), or -1. */
  private insert(r: number): number {
    const slots = this.slots!;
    const hashes = this.hashes!;
    const a = this.starts[r]!;
    const b = this.ends[r]!;
    const tag = this.tags[r]!;
    const h = hashOf(this.buf, a, b, tag);
    hashes[r] = h;
    let s = h & this.mask;
    for (;;) {
      const at = slots[s] as number;
      if (at === 0) {
        slots[s] = r + 1;
        return -1;
      }
      if (hashes[at - 1] === h && this.tags[at - 1] === tag && this.same(at - 1, this.buf, a, b)) return at - 1;
      s = (s + 1) & this.mask;
    }
  }
}
