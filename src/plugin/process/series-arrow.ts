import { float64, int64, tableToIPC, tableFromArrays, utf8 } from '@uwdata/flechette';
import type { SystemSeries } from '../../data/index.ts';

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
  const ids: string[] = new Array<string>(total);
  const timestamps = new BigInt64Array(total);
  const columns: Record<string, Float64Array> = Object.fromEntries(
    sensors.map((k) => [k, new Float64Array(total).fill(NaN)]),
  );
  let at = 0;
  for (const s of batch) {
    const n = s.timestamps.length;
    for (let i = 0; i < n; i++) {
      ids[at + i] = s.systemId;
      timestamps[at + i] = BigInt(Math.round(s.timestamps[i]!));
    }
    for (const k of sensors) {
      const v = s.sensors[k];
      if (v) columns[k]!.set(v.subarray(0, n), at);
    }
    at += n;
  }
  const table = tableFromArrays(
    { system_id: ids, timestamp: timestamps, ...columns },
    {
      types: {
        system_id: utf8(),
        timestamp: int64(),
        ...Object.fromEntries(sensors.map((k) => [k, float64()])),
      },
    },
  );
  return { bytes: tableToIPC(table, { format: 'stream' })!, rows };
}
