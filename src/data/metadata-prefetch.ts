/**
 * The metadata file read in a worker thread while the main thread reads the scores and the
 * labels, joins them and ranks the scores: the metadata (the largest of the three files) is
 * needed only by the breakdowns. Anything that goes wrong in the thread (a problem in the file,
 * a thread that does not start) makes {@link MetadataPrefetch.take} answer null, and the caller
 * reads the file itself, so its messages and exit code are those of the one-thread path.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../thread.ts';
import type { MetadataColumns } from './metadata-columns.ts';
import { tablePathCounts } from './table-columns.ts';
import { metadataFromMessage, type MetadataMessage } from './metadata-message.ts';

/** What the thread is given. */
export interface MetadataWorkerData {
  readonly file: string;
}

/** What the thread answers. */
export type MetadataWorkerReply =
  | { readonly ok: true; readonly columns: MetadataMessage; readonly exactPath: boolean }
  | { readonly ok: false };

const ENTRY = new URL('./metadata-worker-entry.js', import.meta.url);

/** A metadata file being read in a worker thread. */
export interface MetadataPrefetch {
  /** The file's columns, or null when the thread could not give them (read the file instead). */
  take(): Promise<MetadataColumns | null>;
  /** Stops the thread if it still runs (the caller failed before it needed the metadata). */
  stop(): void;
}

/** Starts reading `file` (an absolute path) in a worker thread. */
export function prefetchMetadata(file: string): MetadataPrefetch {
  let worker: Worker;
  try {
    worker = startWorker(ENTRY, { workerData: { file } satisfies MetadataWorkerData });
  } catch {
    return { take: () => Promise.resolve(null), stop: () => {} };
  }
  // Until the caller waits for it, the thread must not keep a failing process alive.
  worker.unref();
  const reply = new Promise<MetadataWorkerReply>((resolve) => {
    worker.once('message', (m: MetadataWorkerReply) => resolve(m));
    worker.once('error', () => resolve({ ok: false }));
    worker.once('exit', () => resolve({ ok: false }));
  });
  return {
    async take() {
      worker.ref();
      const m = await reply;
      void worker.terminate();
      if (!m.ok) return null;
      if (m.exactPath) tablePathCounts.exact++;
      else tablePathCounts.bytes++;
      return metadataFromMessage(m.columns);
    },
    stop() {
      void worker.terminate();
    },
  };
}
