import path from 'node:path';
import { makeDir, withFileLock } from '../data/index.ts';
import { baselinePath, readBaseline, writeBaseline, type BaselineReport } from './baseline.ts';
import type { SuiteResult } from './types.ts';

/**
 * Writes the suite's baseline from this run (`harness run --update-baseline`), merged with the
 * stored one as {@link writeBaseline} says. The stored one is read and the new one written under
 * the baseline file's lock: two updates at once (`--model random` and `--model zscore`) each read
 * the old file and wrote it back with only their own model changed, so one lost the other's
 * entry while both said "baseline written", and the next run failed "not in the baseline". Its
 * folder is made first, so that the lock is inside it from the start (file-lock.ts moves a lock
 * out of a folder that does not exist yet, and one taken before the folder was made would not
 * be seen by a process coming after).
 */
export async function updateBaseline(
  suite: SuiteResult,
  harnessVersion: string,
  options: { readonly keepUnlisted: boolean },
): Promise<BaselineReport> {
  const file = baselinePath(suite.file, suite.name);
  await makeDir(path.dirname(file));
  return withFileLock(file, async () => {
    // A broken old file is replaced: the update repairs it.
    const previous = await readBaseline(suite.file, suite.name).catch(() => null);
    return writeBaseline(suite, harnessVersion, previous, options);
  });
}
