import { HarnessError } from '../errors.ts';
import type { Source } from './schema.ts';
import type { LabelRow } from './types.ts';

/**
 * The labels file after writing one source's labels: every existing row of `source` is
 * replaced by `incoming` (appended at the end), and rows of the other source are kept in
 * their order. Incoming rows must all be of `source`, or the other source's rows could be
 * duplicated.
 */
export function mergeLabels(existing: readonly LabelRow[], incoming: readonly LabelRow[], source: Source): LabelRow[] {
  const stray = incoming.find((r) => r.source !== source);
  if (stray) {
    throw new HarnessError(
      'E_DATA',
      `cannot merge labels: system ${stray.system_id} is ${stray.source} but the labels being written are ${source}`,
    );
  }
  return [...existing.filter((r) => r.source !== source), ...incoming];
}
