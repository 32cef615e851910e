import {
  Batch,
  Column,
  float64,
  int64,
  tableFromColumns,
  tableToIPC,
  utf8,
  type DataType,
} from '@uwdata/flechette';
import type { SystemSeries } from '../../data/index.ts';

const TWO_32 = 2 ** 32;

/** A batch of series as Arrow IPC bytes, in pieces: written one after the other, they are the stream. */
export interface ArrowChunks {
  readonly chunks: readonly Uint8Array[];
  /** The stream's length: the sum of the chunks' lengths. */
  readonly byteLength: number;
  /** Each system's row count, in order. */
  readonly rows: number[];
  /**
   * Each system's own sensors, in its series' order: the stream's sensor columns are the union over
   * the batch, and a model must not see a neighbour's sensor as a column of its own (all NaN).
   */
  readonly sensors: string[][];
}

/** One column's batch made straight from its Arrow buffers (no nulls, so no validity bitmap). */
function batchOf(
  type: DataType,
  length: number,
  buffers: { values: Float64Array | BigInt64Array | Uint8Array; offsets?: Int32Array },
): Batch<unknown> {
  return new Batch({ length, nullCount: 0, type, validity: new Uint8Array(0), ...buffers });
}

/** system_id `id`, n times: utf8 offsets and bytes. */
function idColumn(id: Buffer, n: number): { values: Uint8Array; offsets: Int32Array } {
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) offsets[i] = i * id.length;
  const values = new Uint8Array(n * id.length);
  if (values.length > 0) {
    values.set(id, 0);
    // Doubling copies of what is already there.
    for (let filled = id.length; filled < values.length; filled *= 2)
      values.copyWithin(filled, 0, Math.min(filled, values.length - filled));
  }
  return { values, offsets };
}

/** Timestamps (ms) as int64, written as two 32-bit words each: no BigInt per value. */
function int64Of(timestamps: Float64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const low = new Uint32Array(out.buffer);
  const high = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const t = Math.round(timestamps[i]!);
    const h = Math.floor(t / TWO_32);
    high[2 * i + 1] = h;
    low[2 * i] = t - h * TWO_32;
  }
  return out;
}

/**
 * A batch of series as the protocol's payload: one Arrow IPC stream in long form (system_id,
 * timestamp as int64 ms UTC, one float64 column per sensor of the batch, NaN where a reading is
 * missing or a system lacks the sensor), systems in order, one record batch per system; and
 * each system's own sensors, which the request's `sensors` carries. This is sent for
 * every score batch, so nothing is copied on the way: a sensor's buffer in the stream is the
 * series' own Float64Array, and the stream comes back as the pieces flechette wrote (the pipe
 * takes them one after the other). The arrays must not change until the pieces are written.
 */
export function seriesToArrowChunks(batch: readonly SystemSeries[]): ArrowChunks {
  const own = batch.map((s) =>
    Object.entries(s.sensors)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k),
  );
  const sensors = [...new Set(own.flat())];
  const rows = batch.map((s) => s.timestamps.length);
  const ids: Batch<unknown>[] = [];
  const stamps: Batch<unknown>[] = [];
  const columns: Batch<unknown>[][] = sensors.map(() => []);
  for (const [k, s] of batch.entries()) {
    const n = rows[k]!;
    ids.push(batchOf(utf8(), n, idColumn(Buffer.from(s.systemId, 'utf8'), n)));
    stamps.push(batchOf(int64(), n, { values: int64Of(s.timestamps, n) }));
    sensors.forEach((name, c) => {
      const mine = s.sensors[name];
      let values: Float64Array;
      if (mine && mine.length >= n) values = mine.subarray(0, n);
      else {
        values = new Float64Array(n).fill(NaN);
        if (mine) values.set(mine);
      }
      columns[c]!.push(batchOf(float64(), n, { values }));
    });
  }
  const table = tableFromColumns([
    ['system_id', new Column(ids)],
    ['timestamp', new Column(stamps)],
    ...sensors.map((name, c) => [name, new Column(columns[c]!)] as [string, Column<unknown>]),
  ]);
  const chunks: Uint8Array[] = [];
  let byteLength = 0;
  const sink = {
    write(bytes: Uint8Array) {
      chunks.push(bytes);
      byteLength += bytes.length;
    },
    pad(count: number) {
      this.write(new Uint8Array(count));
    },
    finish: () => null,
  };
  tableToIPC(table, { format: 'stream', sink });
  return { chunks, byteLength, rows, sensors: own };
}

/** {@link seriesToArrowChunks} as one byte array. */
export function seriesToArrow(batch: readonly SystemSeries[]): {
  bytes: Uint8Array;
  rows: number[];
  sensors: string[][];
} {
  const { chunks, rows, sensors } = seriesToArrowChunks(batch);
  return { bytes: Buffer.concat(chunks), rows, sensors };
}
