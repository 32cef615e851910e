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

/**
 * A column of one record batch made straight from its Arrow buffers (no nulls, so no validity
 * bitmap). flechette's builders would copy value by value; this is what a model is sent for
 * every score batch, so its buffers are filled here with typed-array copies instead.
 */
function column(
  type: DataType,
  length: number,
  buffers: { values: Float64Array | BigInt64Array | Uint8Array; offsets?: Int32Array },
): Column<unknown> {
  return new Column([
    new Batch({ length, nullCount: 0, type, validity: new Uint8Array(0), ...buffers }),
  ]);
}

/**
 * A batch of series as the protocol's payload: one Arrow IPC stream in long form (system_id,
 * timestamp as int64 ms UTC, one float64 column per sensor, NaN where a reading is missing or a
 * system lacks the sensor), systems in order. Returns the bytes and each system's row count.
 */
export function seriesToArrow(batch: readonly SystemSeries[]): {
  bytes: Uint8Array;
  rows: number[];
} {
  const sensors = [
    ...new Set(
      batch.flatMap((s) =>
        Object.entries(s.sensors)
          .filter(([, v]) => v !== undefined)
          .map(([k]) => k),
      ),
    ),
  ];
  const rows = batch.map((s) => s.timestamps.length);
  const total = rows.reduce((a, b) => a + b, 0);
  const ids = batch.map((s) => Buffer.from(s.systemId, 'utf8'));
  const idBytes = batch.reduce((a, s, k) => a + rows[k]! * ids[k]!.length, 0);
  const offsets = new Int32Array(total + 1);
  const idValues = new Uint8Array(idBytes);
  const timestamps = new BigInt64Array(total);
  // int64 as two 32-bit words (little-endian): no BigInt per value.
  const tsLow = new Uint32Array(timestamps.buffer);
  const tsHigh = new Int32Array(timestamps.buffer);
  const columns = sensors.map(() => new Float64Array(total));
  let at = 0;
  let byte = 0;
  for (const [k, s] of batch.entries()) {
    const n = rows[k]!;
    const id = ids[k]!;
    for (let i = 0; i < n; i++) {
      offsets[at + i] = byte + i * id.length;
      const t = Math.round(s.timestamps[i]!);
      const high = Math.floor(t / TWO_32);
      tsHigh[2 * (at + i) + 1] = high;
      tsLow[2 * (at + i)] = t - high * TWO_32;
    }
    if (n > 0 && id.length > 0) {
      // The id n times: one copy, then doubling copies of what is already there.
      idValues.set(id, byte);
      const size = n * id.length;
      for (let filled = id.length; filled < size; filled *= 2)
        idValues.copyWithin(byte + filled, byte, byte + Math.min(filled, size - filled));
    }
    byte += n * id.length;
    sensors.forEach((name, c) => {
      const v = s.sensors[name]?.subarray(0, n);
      if (v) columns[c]!.set(v, at);
      if ((v?.length ?? 0) < n) columns[c]!.fill(NaN, at + (v?.length ?? 0), at + n);
    });
    at += n;
  }
  offsets[total] = byte;
  const table = tableFromColumns([
    ['system_id', column(utf8(), total, { values: idValues, offsets })],
    ['timestamp', column(int64(), total, { values: timestamps })],
    ...sensors.map(
      (name, c) =>
        [name, column(float64(), total, { values: columns[c]! })] as [string, Column<unknown>],
    ),
  ]);
  return { bytes: tableToIPC(table, { format: 'stream' })!, rows };
}
