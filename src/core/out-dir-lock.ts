/**
 * Two runs with one out dir (two CI jobs in one workspace, a run started by hand while a watcher
 * runs) wrote into it at once, each step of one between those of the other: the out dir was left
 * holding results.json of one run and run-record.json of the other, and `load_results` read one
 * run's summary with the other's scores. What a run writes or removes there (the reports it will
 * not write, its reports, the previous run's pointer, its own) is done under the out dir's lock,
 * the project's machine-wide file lock (data/file-lock.ts), so the out dir holds one run's set.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { makeDir, withFileLock } from '../data/index.ts';
import { RECORD_POINTER_FILE } from '../track/index.ts';

/**
 * Errors that say the out dir (or the folder it would be made in) cannot be written: read-only,
 * not this user's, or full. No run can write there then, so there is nothing to serialize, and
 * a read-only project's run (only terminal reporters, a record it cannot write) must still run.
 */
const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT']);

const unwritable = (err: unknown): boolean =>
  UNWRITABLE.has((err as NodeJS.ErrnoException | null)?.code ?? '');

/**
 * Runs `fn` holding the lock of the out dir `outDir`: another run's writes there wait for it, and
 * it for theirs (`onWait` is called once when it must wait). The lock file lies in the out dir
 * (`.run-record.json.lock`, beside the pointer the lock is mostly about), so the out dir is made
 * first: were it made while the lock is held, the next run would look for the lock inside it and
 * take another one. With `create: false` an out dir that does not exist is left so, and `fn`
 * runs without the lock: it has nothing there to remove. An out dir that cannot be written is
 * not locked either (see UNWRITABLE); `fn` then meets the refusal itself, naming its file.
 */
export async function withOutDirLock<T>(
  outDir: string,
  fn: () => Promise<T>,
  { create, onWait }: { readonly create: boolean; readonly onWait?: () => void },
): Promise<T> {
  if (!create && (await lstat(outDir).catch(() => null)) === null) return fn();
  try {
    await makeDir(outDir);
  } catch (err) {
    if (unwritable(err)) return fn();
    throw err;
  }
  let holding = false;
  try {
    // A run that must wait says so (`onWait`): it may wait up to the lock's limit (file-lock.ts),
    // silent in a CI log otherwise.
    return await withFileLock(
      path.join(outDir, RECORD_POINTER_FILE),
      () => {
        holding = true;
        return fn();
      },
      { ...(onWait ? { onWait: () => onWait() } : {}) },
    );
  } catch (err) {
    if (!holding && unwritable(err)) return fn();
    throw err;
  }
}
