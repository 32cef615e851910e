import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, lstat, open, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import { removeOnExit } from '../exit-signals.ts';
import { wroteWhileRunning } from './process-alive.ts';
import { makeDir } from './make-dir.ts';
import { escapeRegExp } from './side-names.ts';

/** A temp file beside `file` (same folder, so same file system), unique to this process and call. */
const tempPathFor = (file: string): string => `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;

/** A temp file's name as {@link tempPathFor} makes it; group 1 is its writer's pid. */
const TEMP_NAME = /\.tmp-(\d+)-[0-9a-f]{12}$/;

/**
 * Whether `entry` (a temp file or staging folder whose name holds `pid`, its writer's) was left
 * by a process no longer running: its pid is not running, or the process that has it now started
 * after the entry was last written (the pid was handed out again: a busy machine, a container
 * restarted after a kill -9), this very process included. An entry of a live process, this
 * one's included, is its own.
 */
async function isLeftover(entry: string, pid: number): Promise<boolean> {
  const st = await lstat(entry).catch(() => null);
  return st !== null && !wroteWhileRunning(pid, st.mtimeMs);
}

/**
 * Removes the entries of `dir` whose names match `pattern` (group 1: the pid of the process that
 * made it) and whose process no longer runs ({@link isLeftover}): the temp files or staging
 * folders a kill -9 left, which nothing else would ever remove. Best effort: an entry that
 * cannot be removed stays.
 */
export async function removeLeftovers(dir: string, pattern: RegExp): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const entry = path.join(dir, name);
    if (await isLeftover(entry, pid))
      await rm(entry, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Removes the temp files that writes of `file` by processes no longer running left beside it (a
 * kill -9 between the temp file and its rename: the file itself is whole, old or new, but the
 * temp file stayed forever, a copy of an 88 MB label history each). For files written often
 * beside few others (labels.csv and its history): it reads the folder on every call.
 */
export async function removeDeadTemps(file: string): Promise<void> {
  await removeLeftovers(path.dirname(file), new RegExp(`^${escapeRegExp(path.basename(file))}${TEMP_NAME.source}`));
}

/** Folders this process has already rid of dead temp files ({@link sweepFolderOnce}). */
const swept = new Set<string>();

/**
 * Removes the dead temp files of any name from `dir`, the first time this process writes there:
 * once, not per write, as a folder may hold thousands of files (the score cache).
 */
async function sweepFolderOnce(dir: string): Promise<void> {
  if (swept.has(dir)) return;
  swept.add(dir);
  await removeLeftovers(dir, TEMP_NAME);
}

/**
 * `err` naming `file` when it names nothing: an ENOSPC, EDQUOT, EFBIG or EIO from a write, an
 * fsync or a close on an open file carries no path, and the CLI could only call it an internal
 * error ("ENOSPC: no space left on device, write") instead of "cannot write <file>: no space
 * left on the device".
 */
function naming(err: unknown, file: string, syscall: string): unknown {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.path !== 'string') e.path = file;
    if (typeof e.syscall !== 'string') e.syscall = syscall;
  }
  return err;
}

/**
 * Creates `file` (it must not exist) with `content`, and fsyncs it before it is closed: a rename
 * or link of it that reaches the disk must never name a file whose bytes did not. `mode` (the
 * permission bits) is set as given, not masked by the umask.
 */
export async function writeFileDurable(
  file: string,
  content: string | Uint8Array,
  mode?: number,
): Promise<void> {
  try {
    const handle = await open(file, 'wx');
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw naming(err, file, 'write');
  }
}

/**
 * Fsyncs the folder `dir`, so that the renames, links and new names in it survive a power cut.
 * Some platforms cannot fsync a folder (Windows says EISDIR or EPERM, some file systems EINVAL):
 * there the call does nothing, as the OS gives no stronger guarantee to ask for.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM')
      throw naming(err, dir, 'fsync');
  } finally {
    await handle?.close();
  }
}

/**
 * The file a write to `file` replaces: when `file` is a symlink, the file it points to (followed
 * link by link, as open() would), else `file` itself. A rename over the link would replace the
 * link with a plain file and leave its target, the file the user keeps (labels.csv linked from a
 * repository of labels), without the change.
 */
async function linkTarget(file: string): Promise<string> {
  let at = file;
  for (let hops = 0; hops < 40; hops++) {
    let next: string;
    try {
      next = await readlink(at);
    } catch {
      return at; // not a link (EINVAL), or not there yet (ENOENT): write this name
    }
    at = path.resolve(path.dirname(at), next);
  }
  throw Object.assign(new Error(`ELOOP: too many symbolic links, ${file}`), {
    code: 'ELOOP',
    path: file,
  });
}

/**
 * Writes `content` to `file` so that a reader sees either the old file or the whole new one,
 * never half of it, also after a crash or power cut: the content goes to a temp file in the same
 * folder (a rename is atomic only within one file system), fsynced, which then replaces `file`;
 * the folder is fsynced last so the rename itself is durable. Parent folders are created as
 * needed. A `file` that is a symlink stays one: its target is replaced. The new file keeps the
 * permission bits of the one it replaces. An existing file the user may not write (read-only,
 * mode 0444) is refused with an EACCES error naming it: a rename needs only the folder's
 * permission, so it replaced such a file and left it writable. On failure the temp file is
 * removed and the error is rethrown; `file` is left as it was.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const target = await linkTarget(file);
  const before = await stat(target).catch((err: NodeJS.ErrnoException) => {
    // Not there, or a part of its path is a file: makeDir below names the folder it cannot make.
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
  if (before !== undefined) {
    await access(target, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EACCES' && err.code !== 'EPERM') throw err;
      // syscall 'replace' and path: the CLI prints "cannot replace <file>: permission denied".
      throw Object.assign(
        new Error(`EACCES: ${target} is not writable (read-only): it was left as it was`),
        { code: 'EACCES', syscall: 'replace', path: target, errno: err.errno },
      );
    });
  }
  await makeDir(path.dirname(target));
  await sweepFolderOnce(path.dirname(target));
  const tmp = tempPathFor(target);
  const done = removeOnExit(tmp);
  try {
    await writeFileDurable(tmp, content, before === undefined ? undefined : before.mode & 0o7777);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    // The temp file's name means nothing to the user: the error names the file being written.
    const e = err as NodeJS.ErrnoException;
    if (e.path === tmp && e.syscall !== 'rename') e.path = target;
    throw err;
  } finally {
    done();
  }
  await fsyncDir(path.dirname(target));
}

/** Why `file` may not be written by this process (access(2) says so), or undefined when it may. */
async function accessProblem(file: string): Promise<string | undefined> {
  try {
    await access(file, constants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EROFS') return 'the file system is read-only';
    throw err;
  }
}

/**
 * Refuses, before anything is written, the writes {@link writeFileAtomic} would refuse or fail
 * for want of permission: a file of `files` (its link target) that exists and may not be
 * written, or a folder in which its temp file may not be created. A writer of two files (a
 * history line, then labels.csv) checks both first: otherwise the first was written and the
 * second refused, and the history claimed a change the labels file lacks.
 */
export async function assertWritable(files: readonly string[], what: string): Promise<void> {
  const problems: string[] = [];
  for (const file of files) {
    const target = await linkTarget(file);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists) {
      const why = await accessProblem(target);
      if (why !== undefined) {
        problems.push(`${target} is read-only (${why})`);
        continue;
      }
    }
    // The temp file goes in the target's folder, or in the nearest folder that exists to make it.
    let dir = path.dirname(target);
    while (!(await stat(dir).then((s) => s.isDirectory(), () => false)) && path.dirname(dir) !== dir)
      dir = path.dirname(dir);
    const why = await accessProblem(dir);
    if (why !== undefined) problems.push(`cannot create files in ${dir} (${why})`);
  }
  if (problems.length > 0)
    throw new HarnessError(
      'E_READONLY',
      `${what}: ${problems.join('; ')}. Nothing was written; make ${problems.length === 1 ? 'it' : 'them'} writable and try again`,
    );
}

/**
 * Creates `file` with `content` unless it exists: returns false, touching nothing, when it does.
 * The content goes to a temp file (fsynced) that is then hard-linked into place; a link never
 * replaces an existing name, so two writers racing for one file cannot overwrite each other, and
 * a reader never sees half of it. The folder is fsynced after the link.
 */
export async function createFileExclusive(file: string, content: string | Uint8Array): Promise<boolean> {
  await makeDir(path.dirname(file));
  await sweepFolderOnce(path.dirname(file));
  const tmp = tempPathFor(file);
  const done = removeOnExit(tmp);
  try {
    await writeFileDurable(tmp, content);
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    const e = err as NodeJS.ErrnoException;
    if (e.path === tmp && e.syscall !== 'link') e.path = file;
    throw err;
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
    done();
  }
  await fsyncDir(path.dirname(file));
  return true;
}
