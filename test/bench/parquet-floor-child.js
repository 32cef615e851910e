/**
 * The least any Parquet reader of the default fleet must do, timed as parquet-load-child.js times
 * the real load (same start, same clock), so that the bench can say how fast loading could ever
 * be on this machine, not only how fast it is:
 *
 * - `loadDataset` (metadata.csv and labels.csv: both layouts pay it);
 * - every part file read whole, and its footer decoded (the row count and the columns), into one
 *   buffer used again for each file (new memory is the cost below: a reader need not take any
 *   for the file's bytes);
 * - every column of every series placed in a new Float64Array, as the loader hands them out:
 *   - `fillMs`: by `TypedArray.fill`, no decoding at all (the floor of any encoding);
 *   - `gatherMs`: each value looked up in a 1,024-entry dictionary through indices already
 *     unpacked (the floor of the dictionary pages our writer makes: unpacking the bit-packed
 *     indices, the timestamps' deltas and every check are left out, so a real reader costs more);
 *   - `divideMs`: each value a 16-bit integer divided by 100 (a decimal stored as a scaled
 *     integer, the other way a layout smaller than the CSV can hold a reading).
 *
 *   node test/bench/parquet-floor-child.js <data dir> fill|gather|divide
 *
 * Prints `{ ms, rows, values }`. Most of `fillMs` is the kernel handing out new memory (page
 * faults): the CSV loader pays it as well, which is why the ratio to CSV has a ceiling.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

const { loadDataset } = await import('../../dist/src/data/load-dataset.js');
const { parquetPartsSync, partitionDirName } = await import('../../dist/src/data/parquet-read.js');
const { readParquetFooter } = await import('../../dist/src/data/parquet-thrift.js');
await import('../../dist/src/data/parquet-columns.js');

const [dataDir, mode] = process.argv.slice(2);
if (mode !== 'fill' && mode !== 'gather' && mode !== 'divide')
  throw new Error('usage: parquet-floor-child.js <data dir> fill|gather|divide');
// Built before the clock: a reader's dictionary comes from the page, its indices from unpacking.
const DICTIONARY = Float64Array.from({ length: 1024 }, (_, i) => 3.2 + i * 0.001);
const INDICES = Uint16Array.from({ length: 1 << 16 }, (_, i) => Math.imul(i, 2654435761) >>> 22);
const SCALED = Int16Array.from(INDICES, (k) => 320 + k);

let scratch = new Uint8Array(1 << 20);
scratch.fill(1); // touched before the clock: warm memory, as a reader's reused buffer would be

/** `file`'s bytes, in `scratch` (grown when a file is larger). */
function readWhole(file) {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > scratch.length) scratch = new Uint8Array(size * 2);
    let got = 0;
    while (got < size) got += readSync(fd, scratch, got, size - got, got);
    return scratch.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

/** A dictionary page's values placed, as tight as a loop gets (a function, so it is optimized). */
function gather(col) {
  for (let i = 0; i < col.length; i++) col[i] = DICTIONARY[INDICES[i & 0xffff]];
}

/** Scaled integers divided back into doubles (exact: the quotient rounds as parsing would). */
function divide(col) {
  for (let i = 0; i < col.length; i++) col[i] = SCALED[i & 0xffff] / 100;
}

const t0 = performance.now();
const ds = await loadDataset({ dataDir });
let rows = 0;
let values = 0;
const kept = [];
for (const sys of ds.systems) {
  const dir = path.join(dataDir, 'raw', partitionDirName(sys.systemId));
  for (const part of parquetPartsSync(dir)) {
    const bytes = readWhole(part);
    const footer = readParquetFooter(bytes);
    const n = Number(footer.num_rows);
    // Every leaf column (timestamp and sensors), each one Float64Array as the loader returns.
    for (let c = 0; c < footer.schema.length - 1; c++) {
      const col = new Float64Array(n);
      if (mode === 'fill') col.fill(0.5);
      else if (mode === 'gather') gather(col);
      else divide(col);
      kept.push(col);
      values += n;
    }
    rows += n;
  }
}
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ ms, rows, values, kept: kept.length })}\n`);
