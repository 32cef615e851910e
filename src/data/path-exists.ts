import { lstatSync } from 'node:fs';
import { lstat } from 'node:fs/promises';

/** Nothing by that name: the one answer that makes a path absent. */
const isAbsence = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * True when something is at `p` by that name: a file, a folder, or one that cannot be read (a
 * loop of links, a link to nothing, a folder this user may not search). False only when there is
 * nothing there (a part of its path included). A file that exists but cannot be read is not
 * absent: the read that follows says why (exit 2 naming it). Taken for absent, a labels.csv
 * that was a loop of links made `harness run` say that no real system had a label yet.
 */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    return !isAbsence(err);
  }
}

/** {@link pathExists}, blocking: for the few checks made where nothing can be awaited. */
export function pathExistsSync(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (err) {
    return !isAbsence(err);
  }
}
