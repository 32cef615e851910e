/**
 * Reading a data file the user named or the data folder holds. Only regular files are read: a
 * FIFO or a device would block or never end, and a folder, a symlink loop or a file without
 * read permission is a user's mistake to name, never a stack trace.
 */
import { readFile, stat } from 'node:fs/promises';
import { HarnessError } from '../errors.ts';

/** Why a file system error keeps a file from being read, in words. */
export function unreadableReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'ELOOP') return 'is a loop of symbolic links';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'ENOTDIR') return 'file not found (a part of its path is a file)';
  return `cannot read (${code ?? String(err)})`;
}

/** The bytes of a regular file; anything else is a HarnessError at `file:1:0` saying why. */
export async function readRegularFile(file: string): Promise<Buffer> {
  const fail = (why: string): never => {
    throw new HarnessError('E_DATA', `${file}: ${why}`, [{ file, line: 1, column: 0, message: why }]);
  };
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    return fail(unreadableReason(err));
  }
  if (st.isDirectory()) return fail('is a folder, not a file');
  if (!st.isFile()) return fail('is not a regular file (a FIFO, socket or device): only regular files are read');
  try {
    return await readFile(file);
  } catch (err) {
    return fail(unreadableReason(err));
  }
}

/** {@link readRegularFile} as UTF-8 text. */
export async function readRegularText(file: string): Promise<string> {
  return (await readRegularFile(file)).toString('utf8');
}
