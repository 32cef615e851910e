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

const { file } = workerData as MetadataWorkerData;
let reply: MetadataWorkerReply;
let transfer: ArrayBuffer[] = [];
try {
  const columns = await readMetadataColumns(file);
  const m = metadataMessage(columns);
  transfer = m.transfer;
  reply = { ok: true, columns: m.message, exactPath: tablePathCounts.exact > 0 };
} catch {
  reply = { ok: false };
}
parentPort!.postMessage(reply, transfer);
