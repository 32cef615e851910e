/**
 * Replacing several entries of a folder that stays a real folder (`data/real`: it is committed,
 * so it cannot be a link to a version as `data/synthetic` is, see fleet-commit.ts) so that after a
 * kill at any point, SIGKILL included, the next harness command finds the whole old set or the
 * whole new one.
 *
 * The new entries are written into a staging folder beside the target
 * (`.<name>.staging-<pid>-<hex>`) and fsynced. Then the journal `swap.json` is renamed into it:
 * from then on the swap is committed, and whoever finishes it rolls it forward, this process or,
 * after a kill, the next harness command that reads or writes the folder
 * ({@link finishInterruptedSwaps}). Rolling forward moves each entry's old version to `.old/` in
 * the staging folder and the new one into place (`raw/`, `metadata.csv`), or writes the new
 * content over the old file (`labels.csv`, which may be a link into the user's own labels
 * repository, see writeFileAtomic) and then removes the staged copy. Which of these steps are done
 * is read off the file system (is the entry still staged? is its old version in `.old/`?), so they
 * can be redone from any point. The journal is removed once all are done, then the staging folder.
 * A staging folder without a journal was never committed: nothing of it reached the target. Into
 * a target that does not exist yet (a first import) the staging folder is renamed whole.
 *
 * Who may finish a swap is decided by the target's labels lock (file-lock.ts), not by pids: an
 * import holds it from before it makes its staging folder until its journal is gone, so a process
 * that holds that lock knows every journal but its own to be abandoned. (A pid said so before,
 * and a killed import's pid handed to another process kept its half swap "running": nothing
 * finished it, and the next import wrote into the half-swapped folder.) And a journal says what
 * each target was before the swap and what it swaps in (swap-fingerprint.ts): recovery rolls
 * forward only while every target is one or the other, and otherwise refuses, naming the staging
 * folder, rather than roll an old swap over data written since.
 *
 * Ctrl+C or SIGTERM during the swap waits for it to finish (deferSignals): only SIGKILL, or a
 * failure, leaves a journal behind. Before the journal, the staging folder is removed on the way
 * out (removeOnExit); from the journal on it must stay, as it holds the swap.
 */
import { lstat, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { deferSignals, removeOnExit } from '../exit-signals.ts';
import { fsyncDir, removeDeadTemps, writeFileAtomic, writeFileDurable } from './atomic.ts';
import { HISTORY_FILE } from './label-history.ts';
import { holdsFileLock, withFileLock } from './file-lock.ts';
import { sourceFolder } from './layout.ts';
import { makeDir } from './make-dir.ts';
import { wroteWhileRunning } from './process-alive.ts';
import { fingerprintOf } from './swap-fingerprint.ts';
import { stagingPathFor, stagingPattern } from './side-names.ts';

/** What a swap does, in this order: entries renamed into the target, then files written over the target's. */
export interface SwapPlan {
  readonly renames: readonly string[];
  readonly writes: readonly string[];
}

/**
 * One entry of a journal: its name, and the fingerprints of the target's entry before the swap
 * and of what the swap puts there (null: nothing). Undefined in a journal of an older harness,
 * which did not record them.
 */
interface JournalEntry {
  readonly name: string;
  readonly before?: string | null;
  readonly after?: string | null;
}

interface Journal {
  readonly renames: readonly JournalEntry[];
  readonly writes: readonly JournalEntry[];
}

const JOURNAL = 'swap.json';
const OLD = '.old';

/**
 * The journal of a staging folder an older harness left (it swapped `raw/` and `metadata.csv` with
 * no journal, their old versions in `.old/`, made before its first rename): a folder with `.old/`
 * may be half swapped, and its staged entries were complete before it was made.
 */
const LEGACY_JOURNAL: Journal = { renames: [{ name: 'raw' }, { name: 'metadata.csv' }], writes: [] };

/** Staging folders this process is writing: one of its own pid not in here was left by an earlier process with that pid. */
const writing = new Set<string>();
/** For each staging folder of {@link writing} not committed yet: undoes its removal on exit. */
const removals = new Map<string, () => void>();


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

/**
 * A new staging folder beside `target`, on the same file system, for {@link commitSwap}. The
 * caller holds the target's labels lock, and keeps it until {@link releaseSwapStaging}.
 */
export async function createSwapStaging(target: string): Promise<string> {
  const staging = stagingPathFor(target);
  writing.add(staging);
  removals.set(staging, removeOnExit(staging));
  await makeDir(staging);
  return staging;
}

/** The journal of a swap of `plan` from `staging` into `target`, as things are now. */
async function journalOf(staging: string, target: string, plan: SwapPlan): Promise<Journal> {
  const entry = async (name: string, follow: boolean): Promise<JournalEntry> => ({
    name,
    before: await fingerprintOf(path.join(target, name), follow),
    after: await fingerprintOf(path.join(staging, name), follow),
  });
  const renames: JournalEntry[] = [];
  for (const name of plan.renames) renames.push(await entry(name, false));
  const writes: JournalEntry[] = [];
  for (const name of plan.writes) writes.push(await entry(name, true));
  return { renames, writes };
}

/**
 * Commits the entries staged in `staging` into `target` and finishes the swap (see the module
 * comment). The caller holds the target's labels lock (checked: the journal is safe only under
 * it). A failure once the journal is in place leaves the staging folder for the next harness
 * command to finish, and says so.
 */
export async function commitSwap(staging: string, target: string, plan: SwapPlan): Promise<void> {
  if (!(await holdsFileLock(lockFileOf(target)))) {
    throw new Error(`the swap into ${target} was to be committed without holding the lock of ${lockFileOf(target)}`);
  }
  if (!(await exists(target))) {
    // A first import: the staging folder becomes the target in one rename, nothing to journal.
    // Made any earlier, under the lock of a missing folder (beside it), the target would move
    // the lock of every later process inside it (file-lock.ts) while this one still swaps.
    await deferSignals(async () => {
      await rename(staging, target);
      await fsyncDir(path.dirname(target));
    });
    writing.delete(staging);
    removals.get(staging)?.();
    removals.delete(staging);
    return;
  }
  const journal = await journalOf(staging, target, plan);
  const file = path.join(staging, JOURNAL);
  const temp = `${file}.tmp`;
  await writeFileDurable(temp, `${JSON.stringify({ version: 2, ...journal })}\n`);
  await deferSignals(async () => {
    // From the journal on, the staging folder holds the swap: a stopped process must leave it.
    removals.get(staging)?.();
    removals.delete(staging);
    await rename(temp, file);
    await fsyncDir(staging);
    try {
      await rollForward(staging, target, await stepsOf(staging, target, journal, false));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new HarnessError('E_IMPORT', `stopped while moving the new files into ${target} (${why}); they are all in ${staging}, and the next harness command that reads ${target} moves the rest in`);
    }
    await dropStaging(staging);
  });
}

/**
 * Removes `staging` unless it holds a committed swap that is not finished (a commit that failed
 * half way): the next harness command finishes that one. Call it in a `finally` around the write,
 * before the lock is let go.
 */
export async function releaseSwapStaging(staging: string): Promise<void> {
  writing.delete(staging);
  if (!(await exists(path.join(staging, JOURNAL)))) await rm(staging, { recursive: true, force: true });
  removals.get(staging)?.();
  removals.delete(staging);
}

/** A step of rolling a swap forward: rename a staged entry in (its old version to `.old/` first), or write a staged file over the target's. */
type Step = { readonly kind: 'rename'; readonly name: string; readonly moveOld: boolean } | { readonly kind: 'write'; readonly name: string };

/**
 * The steps that finish the swap of `journal` from where it stands. With `verify`, every target
 * must be what the journal says it was before the swap, or what the swap put there: otherwise
 * something wrote into the target since, and a HarnessError names the entry and the staging
 * folder, before anything is moved.
 */
async function stepsOf(staging: string, target: string, journal: Journal, verify: boolean): Promise<Step[]> {
  const refuse = (name: string, why: string): never => {
    throw new HarnessError(
      'E_DATA',
      `${target}: a \`harness import\` was stopped while it replaced files here, and ${path.join(target, name)} ${why}. ` +
        `It was not finished, so as not to overwrite newer data: its new files are in ${staging} (those they were to replace in ${path.join(staging, OLD)}). ` +
        `Put in ${target} what should be there, then delete ${staging}`,
    );
  };
  const steps: Step[] = [];
  for (const e of journal.renames) {
    const dest = path.join(target, e.name);
    const staged = await exists(path.join(staging, e.name));
    if (!staged) {
      if (verify && e.after !== undefined && (await fingerprintOf(dest)) !== e.after) refuse(e.name, 'is not what that import moved in');
      continue;
    }
    if (await exists(path.join(staging, OLD, e.name))) {
      // Its old version was moved aside: nothing may have taken its place since.
      if (await exists(dest)) refuse(e.name, 'was written since');
      steps.push({ kind: 'rename', name: e.name, moveOld: false });
      continue;
    }
    const now = await fingerprintOf(dest);
    if (verify && e.before !== undefined && now !== e.before) refuse(e.name, 'has changed since that import began to replace it');
    steps.push({ kind: 'rename', name: e.name, moveOld: now !== null });
  }
  for (const e of journal.writes) {
    const dest = path.join(target, e.name);
    const staged = await exists(path.join(staging, e.name));
    if (!verify || e.before === undefined) {
      if (staged) steps.push({ kind: 'write', name: e.name });
      continue;
    }
    const now = await fingerprintOf(dest, true);
    if (!staged) {
      if (now !== e.after) refuse(e.name, 'is not what that import wrote');
      continue;
    }
    if (now !== e.before && now !== e.after) refuse(e.name, 'has changed since that import began to replace it');
    steps.push({ kind: 'write', name: e.name });
  }
  return steps;
}

async function rollForward(staging: string, target: string, steps: readonly Step[]): Promise<void> {
  await makeDir(target);
  const trash = path.join(staging, OLD);
  if (steps.some((s) => s.kind === 'rename' && s.moveOld)) await makeDir(trash);
  for (const s of steps) {
    const staged = path.join(staging, s.name);
    const dest = path.join(target, s.name);
    if (s.kind === 'rename') {
      if (s.moveOld) await rename(dest, path.join(trash, s.name));
      await rename(staged, dest);
    } else {
      await writeFileAtomic(dest, await readFile(staged));
      await rm(staged);
    }
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
  /** It holds a committed swap (a journal, or an older harness's `.old/`). */
  readonly committed: boolean;
  /** Its writer may still be writing it: its pid runs, and that process had started by its last change (process-alive.ts). */
  readonly writerRunning: boolean;
}

/** The staging folders beside `target` that are not this process's own. */
async function leftovers(target: string): Promise<Leftover[]> {
  const parent = path.dirname(target);
  const pattern = stagingPattern(path.basename(target));
  const out: Leftover[] = [];
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const dir = path.join(parent, entry);
    if (writing.has(dir)) continue;
    const st = await lstat(dir).catch(() => null);
    if (st === null) continue; // finished meanwhile
    const committed = (await exists(path.join(dir, JOURNAL))) || (await exists(path.join(dir, OLD)));
    out.push({ dir, committed, writerRunning: pid !== process.pid && wroteWhileRunning(pid, st.mtimeMs) });
  }
  return out;
}

async function journalIn(staging: string): Promise<Journal | undefined> {
  const text = await readFile(path.join(staging, JOURNAL), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return (await exists(path.join(staging, OLD))) ? LEGACY_JOURNAL : undefined;
  let parsed: { renames?: unknown; writes?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new HarnessError('E_DATA', `${path.join(staging, JOURNAL)}: the journal of a stopped \`harness import\` is damaged (not JSON); look at ${staging}, put in its target what should be there, then delete ${staging}`);
  }
  // An older journal names its entries only (strings): rolled forward without fingerprints to check.
  const entries = (v: unknown): JournalEntry[] => (Array.isArray(v) ? v.map((e: unknown) => (typeof e === 'string' ? { name: e } : (e as JournalEntry))) : []);
  return { renames: entries(parsed.renames), writes: entries(parsed.writes) };
}

/**
 * Finishes what a stopped `harness import` left beside `target` (`data/real`): a committed swap is
 * rolled forward (or refused, see the module comment), and a staging folder that was never
 * committed and whose writer is gone is removed. A swap running now is waited for (its import
 * holds the lock). Cheap when there is nothing to do (one `readdir` of the data folder); the lock
 * is taken only when there is. `locked`: the caller holds the target's labels lock already
 * (`harness import`, a label save).
 */
export async function finishInterruptedSwaps(target: string, opts: { readonly locked?: boolean } = {}): Promise<void> {
  const found = await leftovers(target);
  // An import writing its staging folder holds the lock for as long: readers read the old set.
  if (!found.some((l) => l.committed || !l.writerRunning)) return;
  try {
    if (opts.locked) await finishLocked(target);
    else await withFileLock(lockFileOf(target), () => finishLocked(target));
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new HarnessError('E_DATA', `${target}: a \`harness import\` was stopped while it replaced files here, and finishing it failed (${why}); run any harness command on this folder again once that is fixed`);
  }
}

/** Under the target's lock: every committed swap found is abandoned (its import would hold the lock), so it is finished. */
async function finishLocked(target: string): Promise<void> {
  for (const l of await leftovers(target)) {
    const journal = l.committed ? await journalIn(l.dir) : undefined;
    if (journal) {
      await rollForward(l.dir, target, await stepsOf(l.dir, target, journal, true));
      await dropStaging(l.dir);
    } else if (!l.writerRunning) {
      await rm(l.dir, { recursive: true, force: true });
    }
  }
  // The temp files of the import's atomic writes, when the kill came between one and its rename.
  for (const name of ['labels.csv', HISTORY_FILE]) await removeDeadTemps(path.join(target, name));
}

/** {@link finishInterruptedSwaps} for the real folder of the data folder `dataDir`, what `harness import` replaces. */
export function finishInterruptedImport(dataDir: string, opts: { readonly locked?: boolean } = {}): Promise<void> {
  return finishInterruptedSwaps(sourceFolder(dataDir, 'real').dir, opts);
}
