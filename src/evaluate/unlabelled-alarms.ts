/**
 * What `harness evaluate --alarms` does with alarms no label matches: refuses them, or drops
 * them under --allow-missing within limits; an alarm keyed by a rack id is refused either way.
 */
import type { AlarmRow } from '../data/index.ts';
import type { MetadataRow } from '../data/types.ts';
import { displayPath, HarnessError, type Problem } from '../errors.ts';
import { MAX_PROBLEMS, plural } from './join.ts';

/** A system's key: its source and id (`''` for the source: any). */
export const key = (source: string, id: string): string => `${source}\u0000${id}`;

const noLabel = (a: AlarmRow, labelsName: string): string =>
  `system ${a.systemId}${a.source ? ` (source ${a.source})` : ''} has an alarm but no label in ${labelsName}`;

/** The windows of each rack in the metadata: `source\0parent` and `\0parent` (any source) → window ids. */
function rackWindows(metadata: readonly MetadataRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of metadata) {
    if (m.parent_system_id === undefined) continue;
    for (const k of [key(m.source, m.parent_system_id), key('', m.parent_system_id)]) {
      const list = out.get(k);
      if (list) list.push(m.system_id);
      else out.set(k, [m.system_id]);
    }
  }
  return out;
}

/**
 * Refuses alarms without a label (E_JOIN), unless `allowMissing` drops them. An alarm keyed by
 * a rack id (the parent_system_id of window rows) is refused either way: it is not a system
 * without a label but an alarm on the wrong key, and dropping it (as --allow-missing did)
 * judged the rack as never alarming, exit 0 with recall 0. Mapping it onto the rack would
 * guess which window's label and source it meant; the message says what to write instead.
 */
export function checkUnlabelled(
  unlabelled: readonly AlarmRow[],
  metadata: readonly MetadataRow[],
  allowMissing: boolean,
  names: {
    readonly alarmsFile: string;
    readonly labelsName: string;
    readonly metadataName: string;
  },
): void {
  if (unlabelled.length === 0) return;
  const racks = rackWindows(metadata);
  const onRacks: Problem[] = [];
  const others: Problem[] = [];
  for (const a of unlabelled) {
    const windows = racks.get(key(a.source ?? '', a.systemId));
    const at = { file: names.alarmsFile, line: a.line, column: 1 };
    if (windows !== undefined) {
      const shown = windows.slice(0, 3).join(', ') + (windows.length > 3 ? ', …' : '');
      onRacks.push({
        ...at,
        message: `${a.systemId} is the parent_system_id of ${plural(windows.length, 'window')} (${shown}) in ${names.metadataName}, not a labelled system: an alarm must name a window's system_id (the one whose series holds alarm_at); a rack's windows are judged as the rack, their alarms merged`,
      });
    } else others.push({ ...at, message: noLabel(a, names.labelsName) });
  }
  if (onRacks.length > 0) {
    const rest =
      others.length > 0 && !allowMissing
        ? `; and ${plural(others.length, 'alarm')} of unlabelled systems (pass --allow-missing to drop those)`
        : '';
    throw new HarnessError(
      'E_JOIN',
      `${plural(onRacks.length, 'alarm')} ${onRacks.length === 1 ? 'names' : 'name'} a rack (a parent_system_id), not a window: name the window's system_id${rest}`,
      [...onRacks, ...(allowMissing ? [] : others)].slice(0, MAX_PROBLEMS),
    );
  }
  if (!allowMissing)
    throw new HarnessError(
      'E_JOIN',
      `${plural(others.length, 'alarm')} of unlabelled systems; pass --allow-missing to drop them`,
      others.slice(0, MAX_PROBLEMS),
    );
}

/**
 * Refuses (E_JOIN) what --allow-missing dropped when it is every alarm of the file (nothing of
 * the detector is left to judge: exit 0 with recall 0 passed a CI step on a file keyed by other
 * ids), or more than `maxMissing` of them, as `--scores` refuses it.
 */
export function checkDropShare(
  dropped: readonly AlarmRow[],
  total: number,
  maxMissing: number | undefined,
  alarmsFile: string,
  labelsName: string,
): void {
  if (dropped.length === 0) return;
  const share = dropped.length / total;
  const all = dropped.length === total;
  if (!all && (maxMissing === undefined || share <= maxMissing)) return;
  const why = all
    ? `every alarm of the file (${plural(total, 'alarm')}): no alarm names a system labelled in ${labelsName}, so nothing of the detector is left to judge; check the ids (and source) of the alarms file`
    : `${plural(dropped.length, 'alarm')} of ${total} (${(100 * share).toFixed(1)} %): more than --max-missing ${maxMissing}`;
  throw new HarnessError(
    'E_JOIN',
    `${displayPath(alarmsFile)}: --allow-missing dropped ${why}`,
    dropped.slice(0, MAX_PROBLEMS).map((a) => ({
      file: alarmsFile,
      line: a.line,
      column: 1,
      message: noLabel(a, labelsName),
    })),
  );
}
