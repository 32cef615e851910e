/**
 * The child of the Parquet bench's load step (parquet-bench.ts): loads every series of the data
 * folder given, as the runner reads them (`loadDataset`, then `loadSeries` with 16 in flight),
 * and prints `{ ms, rows, systems, hash }`. Plain JavaScript run by `node` on the compiled
 * harness (dist/), as `harness` runs: under tsx every module would go through its loader hooks.
 *
 *   node test/bench/parquet-load-child.js <data dir>
 */
import { createHash } from 'node:crypto';

const { loadDataset } = await import('../../dist/src/data/load-dataset.js');
// Start-up is not loading: the Parquet reader loads its libraries with the first part file
// (so that a CSV user never pays for them), and both children load them before the clock.
await import('../../dist/src/data/parquet-columns.js');
await import('../../dist/src/data/parquet-thrift.js');
const t0 = performance.now();
const ds = await loadDataset({ dataDir: process.argv[2] });
let rows = 0;
const series = [];
for (let i = 0; i < ds.systems.length; i += 16) {
  for (const s of await Promise.all(ds.systems.slice(i, i + 16).map((r) => r.loadSeries()))) {
    rows += s.timestamps.length;
    series.push(s);
  }
}
const ms = performance.now() - t0;
// After the clock: the two layouts must have loaded the same bits.
const hash = createHash('sha256');
for (const s of series) {
  hash.update(s.systemId);
  hash.update(
    new Uint8Array(s.timestamps.buffer, s.timestamps.byteOffset, s.timestamps.byteLength),
  );
  for (const [name, col] of Object.entries(s.sensors)) {
    hash.update(name);
    if (col) hash.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
  }
}
process.stdout.write(
  `${JSON.stringify({ ms, rows, systems: ds.systems.length, hash: hash.digest('hex') })}\n`,
);
