/**
 * A lock on one data file shared by every process on the machine: a lock file (see
 * {@link lockPathOf}), created exclusively and holding the owner's pid (and a token, see `held`). Two label servers on one folder, or a label save and
 * `harness import --labels`, take turns on the labels file instead of overwriting each other's
 * acknowledged writes. A lock whose owner is no longer running (kill -9) is stale: the next
 * process takes it over.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { makeDir } from './make-dir.ts';
import { realFileOf } from './shared-file.ts';

/** How long a process waits for another's lock before it gives up. */
const WAIT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when a process with this pid is running (on this machine). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by another user
  }
}

/**
 * The lock file of `file`: `.<folder>.<name>.lock` beside the file's folder, not inside it. A
 * source folder may be a symlink that `harness generate` swaps to a new version (see
 * fleet-commit.ts); a lock inside it would move with the swap, and a process waiting on the
 * old version's lock would then take the new one's while the holder still runs. The file is
 * where it really is (realFileOf): two projects whose labels.csv, or real/ folder, link to one
 * shared file take one lock, not one each.
 */
export function lockPathOf(file: string): string {
  const folder = path.dirname(realFileOf(file));
  return path.join(path.dirname(folder), `.${path.basename(folder)}.${path.basename(file)}.lock`);
}

/**
 * The tokens of the locks this process holds, or is creating. A lock file holds `<pid> <token>`;
 * one naming this process's pid with a token not here was left by an earlier process that had
 * the same pid (a container restarted after a kill -9 hands out the same pids again), and is
 * stale like any other dead owner's. The token is added before the file is created, so another
 * call in this process never mistakes a lock being taken for a leftover.
 */
const held = new Set<string>();

/**
 * Removes the lock file `lock` if it still holds `judged`, the content of a lock whose owner was
 * found dead. Two processes can find the same stale lock: the first removes it and takes the lock;
 * the second, removing by name, would remove the first one's live lock, and both would write.
 * So the lock is first moved aside (a rename is atomic: only one mover gets it), and what was
 * moved is compared with what was judged: another lock (one taken since) is put back, unless
 * a new one was taken meanwhile, and the caller tries again.
 */
export async function removeStaleLock(lock: string, judged: string): Promise<void> {
  const aside = `${lock}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lock, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed by another already
    throw err;
  }
  try {
    if ((await readFile(aside, 'utf8')) !== judged) {
      await link(aside, lock).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
  } finally {
    await rm(aside, { force: true });
  }
}

/** Runs `fn` while holding the machine-wide lock on `file`; waits for another holder, up to WAIT_MS. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, waitMs = WAIT_MS): Promise<T> {
  const lock = lockPathOf(file);
  const token = randomBytes(6).toString('hex');
  const me = `${process.pid} ${token}\n`;
  const started = Date.now();
  await makeDir(path.dirname(lock));
  for (let attempt = 0; ; attempt++) {
    held.add(token);
    try {
      await createLock(lock, me);
      break;
    } catch (err) {
      held.delete(token);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = await readFile(lock, 'utf8').catch(() => '');
    const [pid = '', theirs = ''] = seen.split(/\s+/);
    const owner = Number.parseInt(pid, 10);
    const dead = owner === process.pid ? !held.has(theirs) : !isRunning(owner);
    if (Number.isInteger(owner) && dead) {
      await removeStaleLock(lock, seen); // its owner died holding it
      continue;
    }
    if (Date.now() - started > waitMs) {
      throw new HarnessError('E_LOCK', `${file} is locked by process ${Number.isInteger(owner) ? owner : '?'} (${lock}); try again when it is done, or delete the lock file if no harness is running`);
    }
    await sleep(Math.min(100, 5 + attempt * 5));
  }
  try {
    return await fn();
  } finally {
    held.delete(token);
    await rm(lock, { force: true });
  }
}

/**
 * Creates the lock file `lock` holding `content`; EEXIST when another holds it. A lock this call
 * created but could not fill (a full disk) is removed, and the error names it: an empty lock
 * names no owner, so it was never taken for stale, and every later writer waited 30 s for it
 * and then gave up ("locked by process ?").
 */
async function createLock(lock: string, content: string): Promise<void> {
  const handle = await open(lock, 'wx');
  try {
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  } catch (err) {
    await rm(lock, { force: true });
    throw Object.assign(err as NodeJS.ErrnoException, { path: lock });
  }
}
