/**
 * A metadata table as a message between threads: every column a typed array, moved (not
 * copied) by the transfer list. The string columns (chemistry, climate, parent) are posted as
 * codes into their distinct values: a million short strings cloned one by one would cost more
 * than reading them.
 */
import { IdColumn, type IdColumnParts } from './id-column.ts';
import type { MetadataColumns } from './metadata-columns.ts';

/** A string column as codes into its distinct values (-1 = absent). */
interface CodedStrings {
  readonly names: readonly string[];
  readonly codes: Int32Array;
}

/** {@link MetadataColumns} as structured-cloneable values. */
export interface MetadataMessage {
  readonly file: string;
  readonly n: number;
  readonly ids: IdColumnParts;
  readonly source: Uint8Array;
  readonly mode: Uint8Array;
  readonly season: Uint8Array;
  readonly chemistry: CodedStrings;
  readonly capacity: Float64Array;
  readonly climate: CodedStrings;
  readonly tagStart: Int32Array;
  readonly tags: Uint8Array;
  readonly parent: CodedStrings;
  readonly lines: Int32Array;
}

function codeStrings(values: readonly (string | undefined)[], n: number): CodedStrings {
  const names: string[] = [];
  const codeOf = new Map<string, number>();
  const codes = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === undefined) continue;
    let c = codeOf.get(v);
    if (c === undefined) codeOf.set(v, (c = names.push(v) - 1));
    codes[i] = c;
  }
  return { names, codes };
}

function decodeStrings(s: CodedStrings, n: number): (string | undefined)[] {
  // Holey, as the byte reader leaves a column's absent values.
  const out = new Array<string | undefined>(n);
  if (s.names.length === 0) return out;
  for (let i = 0; i < n; i++) {
    const c = s.codes[i]!;
    if (c >= 0) out[i] = s.names[c];
  }
  return out;
}

/** The message of a table, and the buffers to transfer with it (each once). */
export function metadataMessage(c: MetadataColumns): {
  readonly message: MetadataMessage;
  readonly transfer: ArrayBuffer[];
} {
  const message: MetadataMessage = {
    file: c.file,
    n: c.n,
    ids: c.ids.parts(),
    source: c.source,
    mode: c.mode,
    season: c.season,
    chemistry: codeStrings(c.chemistry, c.n),
    capacity: c.capacity,
    climate: codeStrings(c.climate, c.n),
    tagStart: c.tagStart,
    tags: c.tags,
    parent: codeStrings(c.parent, c.n),
    lines: c.lines,
  };
  const arrays = [
    message.ids.buf,
    message.ids.starts,
    message.ids.ends,
    message.ids.tags,
    message.ids.hashes,
    message.ids.slots,
    message.source,
    message.mode,
    message.season,
    message.chemistry.codes,
    message.capacity,
    message.climate.codes,
    message.tagStart,
    message.tags,
    message.parent.codes,
    message.lines,
  ];
  const transfer = new Set<ArrayBuffer>();
  for (const a of arrays)
    // A Buffer from Node's shared pool is not the thread's to give away: it is copied instead.
    if (a && a.buffer instanceof ArrayBuffer && a.byteLength === a.buffer.byteLength)
      transfer.add(a.buffer);
  return { message, transfer: [...transfer] };
}

/** The table a {@link metadataMessage} describes. */
export function metadataFromMessage(m: MetadataMessage): MetadataColumns {
  const buf = Buffer.from(m.ids.buf.buffer, m.ids.buf.byteOffset, m.ids.buf.byteLength);
  return {
    file: m.file,
    n: m.n,
    ids: IdColumn.fromParts({ ...m.ids, buf }),
    source: m.source,
    mode: m.mode,
    season: m.season,
    chemistry: decodeStrings(m.chemistry, m.n),
    capacity: m.capacity,
    climate: decodeStrings(m.climate, m.n),
    tagStart: m.tagStart,
    tags: m.tags,
    parent: decodeStrings(m.parent, m.n),
    lines: m.lines,
  };
}
