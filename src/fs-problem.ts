/**
 * A file system error on a path the user chose (an `--out-dir` under a file, a folder without
 * write permission, a full disk) is the user's machine saying no, not a bug of the harness: it
 * is printed as what could not be done to which path and why, exit 2, without the crash report
 * an internal error gets. Only Node's own errors qualify: they carry `syscall`, `path` and a
 * known `code` (a write on an open file names no path: data/atomic.ts adds it). A leaf module:
 * the CLI prints it for a command's error, the core for a reporter's.
 */
import { tooManyOpenFiles } from './open-files.ts';

/** Why, in words, for the errno codes a user's path or disk can cause. */
const REASONS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large for the file system',
  EIO: 'an input/output error of the device',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'a loop of symbolic links',
};

/** What the call was doing, by Node's `syscall`. */
const VERBS: Readonly<Record<string, string>> = {
  mkdir: 'create the folder',
  open: 'open',
  write: 'write',
  fsync: 'write',
  close: 'write',
  rename: 'move a file into',
  copyfile: 'copy to',
  symlink: 'link',
  link: 'create',
  unlink: 'remove',
  rmdir: 'remove the folder',
  scandir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  access: 'reach',
  replace: 'replace',
};

/** The one-line message for a file system error on a path, or undefined for anything else. */
export function fileSystemProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, syscall, path, dest } = err as NodeJS.ErrnoException & { dest?: string };
  // Out of descriptors: whichever file it was, the fix is the limit (open-files.ts).
  if (code === 'EMFILE' || code === 'ENFILE') return tooManyOpenFiles(code);
  if (typeof code !== 'string' || typeof syscall !== 'string' || typeof path !== 'string')
    return undefined;
  const reason = REASONS[code];
  if (reason === undefined) return undefined;
  const target =
    syscall === 'rename' || syscall === 'copyfile' || syscall === 'symlink' || syscall === 'link'
      ? (dest ?? path)
      : path;
  return `cannot ${VERBS[syscall] ?? syscall} ${target}: ${reason} (${code})`;
}
