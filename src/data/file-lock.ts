/**
 * A lock on one data file shared by every process on the machine: a lock file (see
 * {@link lockPathOf}), created exclusively and holding the owner's pid, a token (see `held`) and
 * when the owner started (process-alive.ts). Two label servers on one folder, or a label save and
 * `harness import`, take turns on the labels file instead of overwriting each other's
 * acknowledged writes. A lock whose owner is no longer running (kill -9) is stale: the next
 * process takes it over. An owner is known by its pid and its start: a killed owner's pid handed
 * to another process does not keep its lock alive.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { removeOnExit } from '../exit-signals.ts';
import { makeDir } from './make-dir.ts';
import { isAlive, OWN_START } from './process-alive.ts';
import { isVersionLinkFolder, realFileOf } from './shared-file.ts';

/** How long a process waits for another's lock before it gives up. */
const WAIT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isFolder = (p: string): boolean => lstatSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/**
 * The lock file of `file`, one per file however it is reached: the file is where it really is
 * (realFileOf), so two projects whose labels.csv, or real/ folder, link to one shared file take
 * one lock, not one each. It is `.<name>.lock` inside the file's folder, which is writable
 * anyway (the file is written there through a temp file beside it), and may sit in a parent
 * the user may not write (a bind mount, a root-owned folder). Two kinds of folder keep it beside
 * them instead, as `.<folder>.<name>.lock` in their parent:
 * - a source folder `harness generate` swaps by version link (`data/synthetic ->
 *   .synthetic.v-<hex>`, fleet-commit.ts): a lock inside would move with the swap, and a process
 *   waiting on the old version's lock would take the new one's while the holder still runs;
 * - a folder that does not exist yet: a first generate makes it a version link, a first import
 *   renames its staging folder into place (swap-journal.ts), each as its last step under the lock.
 * A folder that changes kind while a lock is waited for (generate turns a plain folder into a
 * version link, under the lock inside it) moves the lock: {@link withFileLock} works the path out
 * on every attempt, and again once it holds it.
 */
export function lockPathOf(file: string): string {
  const real = realFileOf(file);
  const folder = path.dirname(real);
  if (isFolder(folder) && !isVersionLinkFolder(folder)) return path.join(folder, `.${path.basename(real)}.lock`);
  return path.join(path.dirname(folder), `.${path.basename(folder)}.${path.basename(real)}.lock`);
}

/**
 * The tokens of the locks this process holds, or is creating. A lock file holds
 * `<pid> <token> <start>` (the start where it can be read, see process-alive.ts); one naming this
 * process's pid with another start, or with a token not here, was left by an earlier process
 * that had the same pid (a container restarted after a kill -9 hands out the same pids again), and is
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

/** The locks this process holds: the lock file (its real path) and what this process wrote in it. */
const holding = new Map<string, string>();

/**
 * Runs `fn` while holding the machine-wide lock on `file`; waits for another holder, up to
 * `waitMs`. A lock file left by a process that is no longer running is taken over.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, waitMs = WAIT_MS): Promise<T> {
  const token = randomBytes(6).toString('hex');
  const me = `${process.pid} ${token}${OWN_START === '' ? '' : ` ${OWN_START}`}\n`;
  held.add(token);
  let at: string;
  try {
    at = await acquire(file, me, waitMs);
  } catch (err) {
    held.delete(token);
    throw err;
  }
  holding.set(at, me);
  // Ctrl+C or SIGTERM ends the process with no `finally`: the lock goes with it, not left to be
  // found stale in the user's folder (data/real is committed) by whoever comes next.
  const leave = removeOnExit(at);
  try {
    return await fn();
  } finally {
    holding.delete(at);
    held.delete(token);
    // Removed only while it is still this one's: a lock is never another's to remove.
    if ((await readFile(at, 'utf8').catch(() => '')) === me) await rm(at, { force: true });
    leave();
  }
}

/**
 * Takes the lock of `file` for the lock content `me`; returns the lock file's real path. Where
 * the lock is (lockPathOf) is worked out on every attempt, and again once it is taken: a folder
 * made a version link meanwhile moves it.
 */
async function acquire(file: string, me: string, waitMs: number): Promise<string> {
  const started = Date.now();
  let made = '';
  for (let attempt = 0; ; attempt++) {
    const lock = lockPathOf(file);
    if (path.dirname(lock) !== made) {
      await makeDir(path.dirname(lock));
      made = path.dirname(lock);
    }
    try {
      await createLock(lock, me);
      const at = await realpath(lock).catch(() => lock);
      if (lockPathOf(file) === lock) return at;
      // The file's folder changed kind while this waited (see lockPathOf): this lock file is no
      // longer the file's lock, and a process taking the new one would not see it.
      await rm(at, { force: true });
      continue;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = await readFile(lock, 'utf8').catch(() => '');
    const [pid = '', theirs = '', start] = seen.trim().split(/\s+/);
    const owner = Number.parseInt(pid, 10);
    const dead =
      owner === process.pid
        ? (start !== undefined && start !== OWN_START) || !held.has(theirs)
        : !isAlive(owner, start);
    if (Number.isInteger(owner) && dead) {
      await removeStaleLock(lock, seen); // its owner died holding it
      continue;
    }
    if (Date.now() - started > waitMs) {
      throw new HarnessError('E_LOCK', `${file} is locked by process ${Number.isInteger(owner) ? owner : '?'} (${lock}); try again when it is done, or delete the lock file if no harness is running`);
    }
    await sleep(Math.min(100, 5 + attempt * 5));
  }
}

/**
 * True when this process holds the lock of `file` now: its lock file is the one it took and still
 * holds what it wrote (a user who deleted it, taking it for a leftover, let another process in).
 * For the steps that are only safe under the lock, to check they are.
 */
export async function holdsFileLock(file: string): Promise<boolean> {
  const at = await realpath(lockPathOf(file)).catch(() => undefined);
  const mine = at === undefined ? undefined : holding.get(at);
  return mine !== undefined && (await readFile(at!, 'utf8').catch(() => '')) === mine;
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
