/**
 * The files a lock (file-lock.ts) makes beside itself for a moment, and their removal when a
 * kill left them: the new lock's content before it is linked into place (`new`), and a stale
 * lock moved aside to be judged (`stale`). Each is named `.<kind>-<pid>-<hex><lock's name>`, so
 * that it ends as the lock does: `.stale-<pid>-<hex>.labels.csv.lock` in data/real/ is covered by
 * the `*.csv.lock` line `harness init` puts in .gitignore, and skipped like the lock itself when
 * a fleet's files are carried over (fleet-commit.ts). Before, a stale lock was moved aside to
 * `.labels.csv.lock.stale-<pid>-<hex>`: a kill during a takeover left it in the committed folder
 * forever. Those are removed too.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { wroteWhileRunning } from './process-alive.ts';
import { escapeRegExp } from './side-names.ts';

/** What a side file of a lock holds: the lock being created, or a stale one being removed. */
export type LockSideKind = 'new' | 'stale';

/** A new side file's path beside `lock`, named for this process. */
export function lockSidePath(lock: string, kind: LockSideKind): string {
  return path.join(
    path.dirname(lock),
    `.${kind}-${process.pid}-${randomBytes(6).toString('hex')}${path.basename(lock)}`,
  );
}

/** The side files of the lock named `name`, as named now and before; group 1 is the maker's pid. */
function sidePatterns(name: string): readonly RegExp[] {
  const n = escapeRegExp(name);
  return [new RegExp(`^\\.(?:new|stale)-(\\d+)-[0-9a-f]{12}${n}$`), new RegExp(`^${n}\\.stale-(\\d+)-[0-9a-f]+$`)];
}

/**
 * Removes the side files of `lock` whose maker no longer runs: a kill -9 between their making
 * and their removal left them, and nothing else would ever remove them. Judged by the change
 * time (ctime), which their last rename or link set while the maker ran: a stale lock moved
 * aside keeps the mtime of the dead owner that wrote it, long before its mover started, and
 * would be taken for a leftover while the mover (alive) still judged it. Best effort.
 */
export async function removeDeadLockSides(lock: string): Promise<void> {
  const dir = path.dirname(lock);
  const patterns = sidePatterns(path.basename(lock));
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(patterns.map((p) => p.exec(name)?.[1]).find((m) => m !== undefined));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const entry = path.join(dir, name);
    const st = await lstat(entry).catch(() => null);
    if (st !== null && !st.isDirectory() && !wroteWhileRunning(pid, st.ctimeMs)) await rm(entry, { force: true }).catch(() => undefined);
  }
}
