/**
 * The metadata-reading thread: reads the one metadata file it is given and posts its columns
 * back (moved, not copied), or `{ ok: false }` when the file cannot be read, in which case the
 * main thread reads it again itself and reports its problems exactly as it always has.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readMetadataColumns } from './metadata-columns.ts';
import { tablePathCounts } from './table-columns.ts';
import { metadataMessage } from './metadata-message.ts';
import type { MetadataWorkerData, MetadataWorkerReply } from './metadata-prefetch.ts';

// No top-level await: the thread loads this module through tsx's CommonJS hook.
const { file } = workerData as MetadataWorkerData;
readMetadataColumns(file).then(
  (columns) => {
    const m = metadataMessage(columns);
    const reply: MetadataWorkerReply = {
      ok: true,
      columns: m.message,
      exactPath: tablePathCounts.exact > 0,
    };
    parentPort!.postMessage(reply, m.transfer);
  },
  () => parentPort!.postMessage({ ok: false } satisfies MetadataWorkerReply),
);
