/**
 * Systems as they travel to a worker thread: their two rows (see worker-protocol.ts's
 * SystemRows), made into records there.
 */
import { interned, systemRecord } from '../data/index.ts';
import type { Dataset, LabelRow, MetadataRow, SystemRecord } from '../data/types.ts';
import type { SystemRows } from './worker-protocol.ts';

/** A system's rows, to send. */
export const rowsOf = (s: SystemRecord): SystemRows => ({ metadata: s.metadata, label: s.label });

/** Fields whose values differ from system to system: not worth a shared copy. */
const UNIQUE = new Set([
  'system_id',
  'parent_system_id',
  'notes',
  'labeled_at',
  'failure_at',
  'onset_at',
]);

/**
 * A received row with one shared copy of each repeated word (mode, season, label, failure type,
 * source, tags…). Structured cloning makes a new string of every field of every row: 5,000
 * systems gave a worker 90,000 strings, most of them the same few words.
 */
function withSharedWords<T extends MetadataRow | LabelRow>(row: T, systemId: string): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] =
      k === 'system_id'
        ? systemId
        : UNIQUE.has(k)
          ? v
          : typeof v === 'string'
            ? interned(v)
            : Array.isArray(v)
              ? v.map((x: unknown) => (typeof x === 'string' ? interned(x) : x))
              : v;
  }
  return out as T;
}

/** Where a worker's records read their series: the dataset's folder and its snapshots (Dataset.snapshots). */
export type SeriesWhere = Pick<Dataset, 'dataDir' | 'snapshots'>;

/** The records of the rows a worker received, reading series where the dataset does. */
export function recordsOf(rows: readonly SystemRows[], where: SeriesWhere): SystemRecord[] {
  return rows.map((r) =>
    systemRecord(
      withSharedWords(r.metadata, r.metadata.system_id),
      withSharedWords(r.label, r.metadata.system_id),
      where.dataDir,
      [],
      where.snapshots?.[r.metadata.source],
    ),
  );
}
