import path from 'node:path';
import { HarnessError } from '../errors.ts';
import type { RunList, StoredRun } from './read-runs.ts';
import { RUN_ID_PATTERN } from './run-id.ts';

/** How many ids an error message lists before it only counts the rest. */
const LISTED = 10;

/**
 * The run a person means by `ref`: `latest`, `latest~N` (N runs before the latest), a full run
 * id, or a prefix of exactly one id (`20261126T15`). Anything else is a HarnessError (exit 2)
 * that names the store and the runs it holds.
 */
export function resolveRunRef(list: RunList, ref: string): StoredRun {
  const runs = list.runs;
  const back = /^latest(?:~(\d+))?$/.exec(ref);
  if (back) {
    const n = Number(back[1] ?? 0);
    const run = runs[n];
    if (run) return checkNoneSkipped(list, ref, run, (name) => name > run.record.run_id);
    throw new HarnessError(
      'E_RUN_REF',
      `${ref}: ${runs.length === 0 ? `no runs recorded in ${list.runsDir} yet (\`harness run\` records one)` : `${list.runsDir} holds only ${runs.length} run${runs.length === 1 ? '' : 's'} (${available(runs)})`}`,
    );
  }
  const exact = runs.find((r) => r.record.run_id === ref);
  if (exact) return exact;
  const matches = ref === '' ? [] : runs.filter((r) => r.record.run_id.startsWith(ref));
  if (matches.length === 1)
    return checkNoneSkipped(list, ref, matches[0]!, (n) => n.startsWith(ref));
  if (matches.length > 1) {
    throw new HarnessError(
      'E_RUN_REF',
      `run "${ref}" is ambiguous in ${list.runsDir}: it starts ${matches.length} run ids (${available(matches)}); give more of the id`,
    );
  }
  // A damaged record asked for by its id: say what is wrong with it, not that there is no such run.
  const damaged = list.unreadable.filter((u) => ref !== '' && path.basename(u.dir).startsWith(ref));
  if (damaged.length === 1)
    throw new HarnessError(
      'E_RUN_REF',
      `run "${ref}" cannot be read: ${damaged[0]!.reason}; repair or remove ${damaged[0]!.dir}`,
    );
  if (runs.length === 0)
    throw new HarnessError(
      'E_RUN_REF',
      `no run "${ref}": no runs recorded in ${list.runsDir} yet (\`harness run\` records one)`,
    );
  throw new HarnessError(
    'E_RUN_REF',
    `no run "${ref}" in ${list.runsDir} (runs, newest first: ${available(runs)}; or latest, latest~1, …)`,
  );
}

function available(runs: readonly StoredRun[]): string {
  const ids = runs.slice(0, LISTED).map((r) => r.record.run_id);
  return runs.length > LISTED
    ? `${ids.join(', ')} and ${runs.length - LISTED} older`
    : ids.join(', ');
}

/**
 * `run`, unless a recorded run that could not be read (damaged, or of a later schema) might be
 * the one `ref` means: a newer one for `latest~N`, another match for a prefix. Skipping it would
 * silently name an older run, and `compare --fail-on-drop` would then judge the wrong pair.
 */
function checkNoneSkipped(
  list: RunList,
  ref: string,
  run: StoredRun,
  mightBe: (name: string) => boolean,
): StoredRun {
  const hidden = list.unreadable.filter((u) => {
    const name = path.basename(u.dir);
    return RUN_ID_PATTERN.test(name) && mightBe(name);
  });
  if (hidden.length === 0) return run;
  throw new HarnessError(
    'E_RUN_REF',
    `${ref}: cannot tell which run that is: ${hidden.length === 1 ? 'the run' : `${hidden.length} runs`} ${hidden.map((u) => path.basename(u.dir)).join(', ')} cannot be read (${hidden[0]!.reason}); repair or remove ${hidden.length === 1 ? 'it' : 'them'}, or name the run by its full id (${run.record.run_id} is the one that can be read)`,
  );
}
