/**
 * Replacing several entries of a folder that stays a real folder (`data/real`: it is committed,
 * so it cannot be a link to a version as `data/synthetic` is, see fleet-commit.ts) so that after a
 * kill at any point, SIGKILL included, the next harness command finds the whole old set or the
 * whole new one.
 *
 * The new entries are written into a staging folder beside the target
 * (`.<name>.staging-<pid>-<hex>`) and fsynced. Then the journal `swap.json`, naming the entries, is
 * renamed into it: from then on the swap is committed, and whoever finishes it rolls it forward,
 * this process or, after a kill, the next harness command that reads or writes the folder
 * ({@link finishInterruptedSwaps}). Rolling forward moves each entry's old version to `.old/` in
 * the staging folder and the new one into place (`raw/`, `metadata.csv`), or writes the new
 * content over the old file (`labels.csv`, which may be a link into the user's own labels
 * repository, see writeFileAtomic) and then removes the staged copy. Which of these steps are done
 * is read off the file system (is the entry still staged? is its old version in `.old/`?), so they
 * can be redone from any point. The journal is removed once all are done, then the staging folder.
 * A staging folder without a journal was never committed: nothing of it reached the target.
 *
 * Every step runs under the target's labels lock (file-lock.ts), as the import itself does, so a
 * label save or a second recovery never runs in the middle of one.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { fsyncDir, removeDeadTemps, writeFileAtomic, writeFileDurable } from './atomic.ts';
import { HISTORY_FILE } from './label-history.ts';
import { isRunning, withFileLock } from './file-lock.ts';
import { sourceFolder } from './layout.ts';
import { makeDir } from './make-dir.ts';

/** What a committed swap does, in this order: entries renamed into the target, then files written over the target's. */
export interface SwapPlan {
  readonly renames: readonly string[];
  readonly writes: readonly string[];
}

const JOURNAL = 'swap.json';
const OLD = '.old';

/**
 * The plan of a staging folder an older harness left (it swapped `raw/` and `metadata.csv` with no
 * journal, their old versions in `.old/`, made before its first rename): a folder with `.old/` may
 * be half swapped, and its staged entries were complete before it was made.
 */
const LEGACY_PLAN: SwapPlan = { renames: ['raw', 'metadata.csv'], writes: [] };

/** Staging folders this process is writing: one of its own pid not in here was left by an earlier process with that pid. */
const writing = new Set<string>();

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

/** The labels file whose lock guards the target (the one `harness import` and the label app take). */
const lockFileOf = (target: string): string => path.join(target, 'labels.csv');

/** A new staging folder beside `target`, on the same file system, for {@link commitSwap}. */
export async function createSwapStaging(target: string): Promise<string> {
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  writing.add(staging);
  await makeDir(staging);
  return staging;
}

/**
 * Commits the entries staged in `staging` into `target` and finishes the swap (see the module
 * comment). The caller holds the target's labels lock. A failure once the journal is in place
 * leaves the staging folder for the next harness command to finish, and says so.
 */
export async function commitSwap(staging: string, target: string, plan: SwapPlan): Promise<void> {
  const journal = path.join(staging, JOURNAL);
  const temp = `${journal}.tmp`;
  await writeFileDurable(temp, `${JSON.stringify(plan)}\n`);
  await rename(temp, journal);
  await fsyncDir(staging);
  try {
    await rollForward(staging, target, plan);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new HarnessError('E_IMPORT', `stopped while moving the new files into ${target} (${why}); they are all in ${staging}, and the next harness command that reads ${target} moves the rest in`);
  }
  await dropStaging(staging);
}

/**
 * Removes `staging` unless it holds a committed swap that is not finished (a commit that failed
 * half way): the next harness command finishes that one. Call it in a `finally` around the write.
 */
export async function releaseSwapStaging(staging: string): Promise<void> {
  writing.delete(staging);
  if (await exists(path.join(staging, JOURNAL))) return;
  await rm(staging, { recursive: true, force: true });
}

async function rollForward(staging: string, target: string, plan: SwapPlan): Promise<void> {
  await makeDir(target);
  const trash = path.join(staging, OLD);
  await makeDir(trash);
  for (const name of plan.renames) {
    const staged = path.join(staging, name);
    if (!(await exists(staged))) continue; // moved in already
    const dest = path.join(target, name);
    const old = path.join(trash, name);
    if (!(await exists(old)) && (await exists(dest))) await rename(dest, old);
    await rename(staged, dest);
  }
  for (const name of plan.writes) {
    const staged = path.join(staging, name);
    if (!(await exists(staged))) continue; // written already
    await writeFileAtomic(path.join(target, name), await readFile(staged));
    await rm(staged);
  }
  await fsyncDir(target);
}

/** The journal is removed first: a staging folder without one is never rolled forward again. */
async function dropStaging(staging: string): Promise<void> {
  await rm(path.join(staging, JOURNAL), { force: true });
  await fsyncDir(staging);
  writing.delete(staging);
  await rm(staging, { recursive: true, force: true });
}

interface Leftover {
  readonly dir: string;
  readonly dead: boolean;
  readonly committed: boolean;
}

/** The staging folders beside `target`: whether their writer is gone, and whether they hold a committed swap. */
async function leftovers(target: string): Promise<Leftover[]> {
  const parent = path.dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(path.basename(target))}\\.staging-(\\d+)-[0-9a-f]+$`);
  const out: Leftover[] = [];
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const dir = path.join(parent, entry);
    const dead = pid === process.pid ? !writing.has(dir) : !isRunning(pid);
    const committed = (await exists(path.join(dir, JOURNAL))) || (await exists(path.join(dir, OLD)));
    out.push({ dir, dead, committed });
  }
  return out;
}

async function planOf(staging: string): Promise<SwapPlan | undefined> {
  const text = await readFile(path.join(staging, JOURNAL), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return (await exists(path.join(staging, OLD))) ? LEGACY_PLAN : undefined;
  const plan = JSON.parse(text) as SwapPlan;
  return { renames: plan.renames ?? [], writes: plan.writes ?? [] };
}

/**
 * Finishes what a killed `harness import` left beside `target` (`data/real`): a committed swap is
 * rolled forward, and the staging folders of processes no longer running are removed. It waits
 * for a running import that is moving its files in. Cheap when there is nothing to do (one
 * `readdir` of the data folder); the lock is taken only when there is. `locked`: the caller holds
 * the target's labels lock already (`harness import`, a label save).
 */
export async function finishInterruptedSwaps(target: string, opts: { readonly locked?: boolean } = {}): Promise<void> {
  const found = await leftovers(target);
  if (!found.some((l) => l.dead || l.committed)) return;
  try {
    if (opts.locked) await finishLocked(target);
    else await withFileLock(lockFileOf(target), () => finishLocked(target));
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new HarnessError('E_DATA', `${target}: a \`harness import\` was stopped while it replaced files here, and finishing it failed (${why}); run any harness command on this folder again once that is fixed`);
  }
}

async function finishLocked(target: string): Promise<void> {
  for (const l of await leftovers(target)) {
    if (!l.dead) continue;
    const plan = await planOf(l.dir);
    if (plan) await rollForward(l.dir, target, plan);
    await dropStaging(l.dir);
  }
  // The temp files of the import's atomic writes, when the kill came between one and its rename.
  for (const name of ['labels.csv', HISTORY_FILE]) await removeDeadTemps(path.join(target, name));
}

/** {@link finishInterruptedSwaps} for the real folder of the data folder `dataDir`, what `harness import` replaces. */
export function finishInterruptedImport(dataDir: string, opts: { readonly locked?: boolean } = {}): Promise<void> {
  return finishInterruptedSwaps(sourceFolder(dataDir, 'real').dir, opts);
}
