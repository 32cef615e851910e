/**
 * A lock on one data file shared by every process on the machine: a lock file (see
 * {@link lockPathOf}), created exclusively and holding the owner's pid, a token (see `held`) and
 * when the owner started (process-alive.ts). Two label servers on one folder, or a label save and
 * `harness import`, take turns on the labels file instead of overwriting each other's
 * acknowledged writes. A lock whose owner is no longer running (kill -9) is stale: the next
 * process takes it over. An owner is known by its pid and its start: a killed owner's pid handed
 * to another process does not keep its lock alive. A lock file is whole from the moment it has
 * its name (written aside, then linked into place: {@link createLock}); one that names no owner
 * (an older harness killed between creating and filling it) is stale once it is
 * {@link UNNAMED_GRACE_MS} old.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { lstatSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { removeOnExit, tidyOnExit } from '../exit-signals.ts';
import { lockSidePath, removeDeadLockSides } from './lock-side-files.ts';
import { makeDir } from './make-dir.ts';
import { isAlive, OWN_START } from './process-alive.ts';
import { isVersionLinkFolder, realFileOf } from './shared-file.ts';

/** How long a process waits for another's lock before it gives up. */
const WAIT_MS = 30_000;

/**
 * How old a lock file that names no owner (empty, or not `<pid> …`) must be to be taken for
 * stale. This harness never makes one, but an older one created the file and then filled it, and
 * a kill between the two left it empty: it named no owner to find dead, and every later writer
 * waited 30 s and gave up ("locked by process ?") until it was deleted by hand. Younger than
 * this, it may be such a writer's between its two steps.
 */
export const UNNAMED_GRACE_MS = 5_000;

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
 * a new one was taken meanwhile, and the caller tries again. The file moved aside is named to end
 * as the lock does (lock-side-files.ts): one a kill leaves is ignored by git like the lock, and
 * removed by the next process to take the lock.
 */
export async function removeStaleLock(lock: string, judged: string): Promise<void> {
  const aside = lockSidePath(lock, 'stale');
  const done = removeOnExit(aside);
  try {
    try {
      await rename(lock, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed by another already
      throw err;
    }
    if ((await readFile(aside, 'utf8')) !== judged) {
      await link(aside, lock).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
  } finally {
    await rm(aside, { force: true });
    done();
  }
}

/** The locks this process holds: the lock file (its real path) and what this process wrote in it. */
const holding = new Map<string, string>();

/** Removes the lock file `lock` if it holds `me` (this call's own content), on the way out. */
function removeIfMineSync(lock: string, me: string): void {
  try {
    if (readFileSync(lock, 'utf8') === me) rmSync(lock, { force: true });
  } catch {
    // Not there, or unreadable: not this call's to remove.
  }
}

/** The process found holding a lock while a caller waits for it. */
export interface LockHolder {
  /** Its pid; undefined when the lock file names none. */
  readonly owner: number | undefined;
  /** The lock file. */
  readonly lock: string;
  /** What the lock file holds: another content is another holder. */
  readonly seen: string;
}

/**
 * How a caller waits for a lock another live process holds, beyond a bound on the wait: a wait
 * that may be long says at once what it waits for, and may give up on a holder that makes no
 * progress (it throws from `whileWaiting`).
 */
export interface LockWait {
  /** How long to wait at most (ms; 30 s when left out); Infinity waits as long as the holder runs. */
  readonly waitMs?: number;
  /** Called once, the first time the lock is found held by a live process. */
  readonly onWait?: (holder: LockHolder) => void;
  /** Called on every try while the lock is held; what it throws ends the wait. */
  readonly whileWaiting?: (holder: LockHolder) => Promise<void>;
}

/**
 * Runs `fn` while holding the machine-wide lock on `file`; waits for another holder, up to
 * `wait` ms (or as a {@link LockWait} says). A lock file left by a process that is no longer
 * running is taken over.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, wait: number | LockWait = WAIT_MS): Promise<T> {
  const token = randomBytes(6).toString('hex');
  const me = `${process.pid} ${token}${OWN_START === '' ? '' : ` ${OWN_START}`}\n`;
  held.add(token);
  // Ctrl+C or SIGTERM ends the process with no `finally`: the lock goes with it, not left to be
  // found stale in the user's folder (data/real is committed) by whoever comes next. Registered
  // before the lock file is made, so no signal lands between the two; removed only if it holds
  // `me`, as the path may be another's lock until this call's own is linked there.
  const tried = new Set<string>();
  const leave = tidyOnExit(() => {
    for (const lock of tried) removeIfMineSync(lock, me);
  });
  try {
    const at = await acquire(file, me, typeof wait === 'number' ? { waitMs: wait } : wait, tried);
    holding.set(at, me);
    try {
      return await fn();
    } finally {
      holding.delete(at);
      // Removed only while it is still this one's: a lock is never another's to remove.
      if ((await readFile(at, 'utf8').catch(() => '')) === me) await rm(at, { force: true });
    }
  } finally {
    held.delete(token);
    leave();
  }
}

/**
 * Takes the lock of `file` for the lock content `me`; returns the lock file's real path. Where
 * the lock is (lockPathOf) is worked out on every attempt, and again once it is taken: a folder
 * made a version link meanwhile moves it. Each lock file it tries is added to `tried` before it
 * is made (for the removal on exit). The side files a killed process left beside the lock are
 * removed once per lock file.
 */
async function acquire(file: string, me: string, wait: LockWait, tried: Set<string>): Promise<string> {
  const started = Date.now();
  let told = false;
  for (let attempt = 0; ; attempt++) {
    const lock = lockPathOf(file);
    if (!tried.has(lock)) {
      await makeDir(path.dirname(lock));
      await removeDeadLockSides(lock);
      tried.add(lock);
    }
    try {
      await createLock(lock, me);
      const at = await realpath(lock).catch(() => lock);
      tried.add(at);
      if (lockPathOf(file) === lock) return at;
      // The file's folder changed kind while this waited (see lockPathOf): this lock file is no
      // longer the file's lock, and a process taking the new one would not see it.
      await rm(at, { force: true });
      continue;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const found = await judgeLock(lock);
    if (found.stale) {
      await removeStaleLock(lock, found.seen); // its owner died holding it
      continue;
    }
    // An empty `seen`: the lock went between the two looks, and the next try likely takes it.
    if (found.seen !== '' && (wait.onWait !== undefined || wait.whileWaiting !== undefined)) {
      const holder: LockHolder = { owner: found.owner, lock, seen: found.seen };
      if (!told) wait.onWait?.(holder);
      told = true;
      await wait.whileWaiting?.(holder);
    }
    if (Date.now() - started > (wait.waitMs ?? WAIT_MS)) {
      const owner = found.owner === undefined ? 'no process (the lock file names no owner)' : `process ${found.owner}`;
      throw new HarnessError('E_LOCK', `${file} is locked by ${owner} (${lock}); try again when it is done, or delete the lock file if no harness is running`);
    }
    await sleep(Math.min(100, 5 + attempt * 5));
  }
}

/** What a lock file found in place says: its content, its owner's pid, and whether it is stale. */
interface JudgedLock {
  readonly seen: string;
  readonly owner: number | undefined;
  readonly stale: boolean;
}

/**
 * Judges the lock file `lock` another holds: stale when its owner is dead (this process's pid
 * counts only with its start and a token it holds: see `held`), or when it names no owner and is
 * older than {@link UNNAMED_GRACE_MS}. One that cannot be read (gone meanwhile, or not this
 * user's to read) is not stale: the caller tries again, and waits.
 */
async function judgeLock(lock: string): Promise<JudgedLock> {
  let seen: string;
  try {
    seen = await readFile(lock, 'utf8');
  } catch {
    return { seen: '', owner: undefined, stale: false };
  }
  const [pid = '', theirs = '', start] = seen.trim().split(/\s+/);
  const owner = /^\d+$/.test(pid) ? Number(pid) : undefined;
  if (owner === undefined || owner === 0) {
    const made = (await lstat(lock).catch(() => null))?.mtimeMs;
    return { seen, owner: undefined, stale: made !== undefined && Date.now() - made > UNNAMED_GRACE_MS };
  }
  const dead =
    owner === process.pid
      ? (start !== undefined && start !== OWN_START) || !held.has(theirs)
      : !isAlive(owner, start);
  return { seen, owner, stale: dead };
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

/** The codes of a link(2) the file system does not do (FAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates the lock file `lock` holding `content`; EEXIST when another holds it. The content is
 * written to a side file first, which is then hard-linked to the lock's name (a link never
 * replaces a name): the lock is whole from the moment it is there. It used to be created empty
 * and filled after, and a kill between the two left an empty lock, which named no owner to find
 * dead. Where the file system has no hard links, it is created and filled in place, as before
 * ({@link judgeLock} takes a lock left empty so for stale once it is old enough).
 */
async function createLock(lock: string, content: string): Promise<void> {
  const fresh = lockSidePath(lock, 'new');
  const done = removeOnExit(fresh);
  try {
    await writeFile(fresh, content, { flag: 'wx' });
    await link(fresh, lock);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.syscall === 'link' && NO_HARD_LINKS.has(e.code ?? '')) return await createInPlace(lock, content);
    if (e.code !== 'EEXIST') e.path = lock;
    throw e;
  } finally {
    await rm(fresh, { force: true });
    done();
  }
}

/**
 * Creates the lock file `lock` and then fills it, for a file system without hard links. A lock
 * this call created but could not fill (a full disk) is removed, and the error names it.
 */
async function createInPlace(lock: string, content: string): Promise<void> {
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
