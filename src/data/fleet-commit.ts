/**
 * Replacing a whole source folder (`raw/`, `metadata.csv`, `labels.csv`) in one atomic step.
 *
 * The folder the readers name (`data/synthetic`, or a `--out` folder) is a symlink to a versioned
 * folder beside it: `synthetic -> .synthetic.v-<hex>`. A commit renames a fully written (and
 * fsynced) folder to a new version, points a new symlink at it, and renames that symlink over the
 * old one. rename() is atomic, so a reader, and a kill -9 at any moment, sees the old fleet or the
 * new one, never a mix. The replaced version is removed after; leftovers of a killed commit (a
 * version no link points to, a temp link) are removed by {@link tidyBeside} on the next start.
 *
 * The first commit into a folder that is still a real directory (written by an older harness, or
 * by hand) converts it: the directory is renamed to `.synthetic.v-moved-<hex>` and a symlink to
 * it takes its place. Between those two calls the name is missing; a kill -9 there is repaired
 * by {@link recoverMovedFolder} on the next start (generate, import), which links the moved
 * folder back, so the old fleet is never lost.
 *
 * Files the old version holds beside the fleet (the labels history, a user's own files) are
 * carried into the new one. Callers hold the labels lock of the target (file-lock.ts) around
 * these functions: a label save (its history line included) then never writes into a version
 * that is being replaced, and two commits never interleave.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, cp, link, lstat, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { fsyncDir } from './atomic.ts';
import { parseCsv } from './csv-read.ts';
import { wroteWhileRunning } from './process-alive.ts';
import { readRegularText } from './read-file.ts';
import { escapeRegExp } from './side-names.ts';

const hex = (): string => randomBytes(6).toString('hex');

/** The names kept beside `<parent>/<name>`: versions (`.name.v-…`, moved ones included) and temp links. */
function namesBeside(name: string) {
  const n = escapeRegExp(name);
  return {
    version: new RegExp(`^\\.${n}\\.v-[0-9a-z-]+$`),
    moved: new RegExp(`^\\.${n}\\.v-moved-[0-9a-f]+$`),
    tempLink: new RegExp(`^\\.${n}\\.link-(\\d+)-[0-9a-f]+$`),
  };
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Points `target` at `version` (a name in the same folder) in one rename of a new symlink over it. */
async function pointAt(target: string, version: string): Promise<void> {
  const parent = path.dirname(target);
  const temp = path.join(parent, `.${path.basename(target)}.link-${process.pid}-${hex()}`);
  await symlink(version, temp);
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDir(parent);
}

/**
 * When `target` is missing but a folder moved aside by a conversion (see the module comment) is
 * there, links `target` to it again; true when it did. A kill -9 between the two steps of a
 * conversion is the only way to get there.
 */
export async function recoverMovedFolder(target: string): Promise<boolean> {
  if (await lstatOrNull(target)) return false;
  const parent = path.dirname(target);
  const { moved } = namesBeside(path.basename(target));
  const found = (await readdir(parent).catch(() => [] as string[])).filter((e) => moved.test(e)).sort();
  if (found.length === 0) return false;
  await pointAt(target, found[0]!);
  return true;
}

/**
 * The repairs and removals a start does beside `target`: a conversion cut short is recovered,
 * then every version no link points to and every temp link of a dead process is removed.
 */
export async function tidyBeside(target: string): Promise<void> {
  await recoverMovedFolder(target);
  const parent = path.dirname(target);
  const names = namesBeside(path.basename(target));
  const current = (await lstatOrNull(target))?.isSymbolicLink() ? await readlink(target) : undefined;
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    const linkPid = Number(names.tempLink.exec(entry)?.[1]);
    const unusedVersion = names.version.test(entry) && entry !== current;
    const deadLink = linkPid > 0 && !wroteWhileRunning(linkPid, (await lstatOrNull(path.join(parent, entry)))?.mtimeMs ?? 0);
    if (unusedVersion || deadLink) await rm(path.join(parent, entry), { recursive: true, force: true });
  }
}

/** A lock file (file-lock.ts), or one a takeover moved aside. */
const LOCK_NAME = /^\..*\.lock(\.stale-\d+-[0-9a-f]+)?$/;

/**
 * Copies into `ready` what the current folder holds beside what `ready` brings (the labels
 * history, a user's own files): a commit replaces the fleet, not them. Files are hard-linked
 * where the file system allows (every write of the harness replaces a file, never edits one in
 * place, so sharing an inode is safe); a killed write's temp file is left behind.
 */
async function carryOver(from: string, ready: string): Promise<void> {
  const brought = new Set(await readdir(ready));
  for (const entry of await readdir(from, { withFileTypes: true })) {
    // A lock file is its folder's, not the fleet's (file-lock.ts): copied, it would name a holder.
    if (brought.has(entry.name) || entry.name.includes('.tmp-') || LOCK_NAME.test(entry.name)) continue;
    const src = path.join(from, entry.name);
    const dest = path.join(ready, entry.name);
    if (entry.isFile()) await link(src, dest).catch(() => copyFile(src, dest));
    else await cp(src, dest, { recursive: true, verbatimSymlinks: true });
  }
  await fsyncDir(ready);
}

/**
 * Refuses (HarnessError E_ARGS) to replace `target` when it is a real folder that is not a
 * generated fleet: {@link commitFolder} converts such a folder into a version and removes it, so
 * `generate --out data/real` destroyed the user's real labels, metadata and series, and
 * `--out .` moved a whole project aside and copied it back into a symlinked version. A missing or
 * empty folder, a version generate made, a user's link to a folder that passes these checks (the
 * link is replaced, the folder it points to left alone), and an older
 * harness's fleet (a metadata.csv or labels.csv with rows, every one synthetic; files beside it
 * are carried over) are fine.
 */
export async function assertReplaceableFleet(target: string, flag: string): Promise<void> {
  const st = await lstatOrNull(target);
  if (st?.isSymbolicLink()) {
    // A version generate made is replaced; a user's link (data/real -> a shared folder) is judged
    // by the folder it points to: replaced, the project's data/real became a synthetic fleet.
    if (namesBeside(path.basename(target)).version.test(await readlink(target))) return;
    const followed = await stat(target).catch(() => null);
    if (!followed?.isDirectory()) return;
  } else if (!st?.isDirectory()) return;
  const refuse = (why: string): never => {
    throw new HarnessError('E_ARGS', `${flag} ${target} ${why}: generate replaces raw/, metadata.csv and labels.csv of that folder; give a new or empty folder, or one generate wrote`);
  };
  const entries = (await readdir(target)).sort();
  const tables = ['metadata.csv', 'labels.csv'].filter((name) => entries.includes(name));
  if (entries.length > 0 && tables.length === 0) {
    refuse(`is a folder of yours, not a generated fleet (it holds ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''})`);
  }
  for (const name of tables) {
    const file = path.join(target, name);
    const text = await readRegularText(file).catch(() => refuse(`holds a ${name} that cannot be read`));
    const table = parseCsv(text, file, () => undefined);
    const col = table.header.indexOf('source');
    if (col < 0 || !table.complete) refuse(`holds a ${name} that generate did not write`);
    // Generate writes a row per system. A header alone is a folder set up for data to come: a
    // fresh clone's data/real/, whose files are committed empty.
    if (table.records.length === 0) refuse(`holds a ${name} without rows, which generate did not write (a folder set up for real data?)`);
    const other = table.records.find((r) => r.fields[col] !== 'synthetic');
    if (other) refuse(`holds data that is not synthetic (${name} line ${other.line}: source ${JSON.stringify(other.fields[col])})`);
  }
}

/**
 * Turns `target`, when it is a real folder, into a link to it moved aside as a version (see the
 * module comment); a conversion a kill cut short is finished first. `harness generate` does it
 * under the target's lock before it writes the new fleet: the lock of a labels file in a real
 * folder is inside it, and in a version-linked one beside it (file-lock.ts), so the commit later
 * takes the lock every other process takes then.
 */
export async function convertToVersionLink(target: string): Promise<void> {
  await recoverMovedFolder(target);
  if (!(await lstatOrNull(target))?.isDirectory()) return;
  const moved = `.${path.basename(target)}.v-moved-${hex()}`;
  await rename(target, path.join(path.dirname(target), moved));
  await symlink(moved, target);
  await fsyncDir(path.dirname(target));
}

/**
 * Makes the fully written folder `ready` (beside `target`, same file system) the contents of
 * `target` in one atomic rename; returns the path of the version it replaced, for the caller to
 * remove once it no longer needs it (undefined when there was none, or when `target` was a
 * symlink the harness did not make: the folder it pointed to is the user's and is left alone).
 */
export async function commitFolder(ready: string, target: string): Promise<string | undefined> {
  const parent = path.dirname(target);
  const name = path.basename(target);
  await convertToVersionLink(target);
  const st = await lstatOrNull(target);
  if (st && !st.isSymbolicLink()) throw new HarnessError('E_DATA', `${target} is a file, not a folder: move it away and run again`);
  const previous = st ? await readlink(target) : undefined;
  if (st) await carryOver(target, ready);
  const version = `.${name}.v-${hex()}`;
  await rename(ready, path.join(parent, version));
  await pointAt(target, version);
  const ours = previous !== undefined && namesBeside(name).version.test(previous);
  return ours ? path.join(parent, previous) : undefined;
}
