/**
 * Reading a data file the user named or the data folder holds. Only regular files are read: a
 * FIFO or a device would block or never end, and a folder, a symlink loop or a file without
 * read permission is a user's mistake to name, never a stack trace.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

/**
 * {@link readRegularFile} in one blocking call: open, fstat, read, close, without four trips
 * through libuv's thread pool. For small files the caller decodes at once anyway (a Parquet part
 * of a series: about 0.1 ms to read from the page cache): the awaits cost more than the read, and
 * left the main thread idle while every series in flight waited for its next step.
 */
export function readRegularFileSync(file: string, into: (size: number) => Uint8Array = (size) => Buffer.allocUnsafeSlow(size)): Uint8Array {
  const fail = (why: string): never => {
    throw new HarnessError('E_DATA', `${file}: ${why}`, [{ file, line: 1, column: 0, message: why }]);
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    return fail(unreadableReason(err));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return fail('is a folder, not a file');
    if (!st.isFile()) return fail('is not a regular file (a FIFO, socket or device): only regular files are read');
    // By default its own ArrayBuffer (not Node's shared pool), so that a reader may keep views of
    // it; `into` may give scratch space instead (at least `size` bytes), which the caller reuses.
    const out = into(st.size).subarray(0, st.size);
    let at = 0;
    while (at < out.length) {
      const n = readSync(fd, out, at, out.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === out.length ? out : out.subarray(0, at);
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    return fail(unreadableReason(err));
  } finally {
    closeSync(fd);
  }
}

/** {@link readRegularFile} as UTF-8 text. */
export async function readRegularText(file: string): Promise<string> {
  return (await readRegularFile(file)).toString('utf8');
}

/**
 * Scratch space for {@link readRegularFileSync}: a buffer grown as needed and handed out again
 * for every file, so reading a fleet's small files allocates (and later collects) nothing per
 * file. The caller must be done with the bytes before it awaits anything, since the next read
 * overwrites them. A file larger than `max` bytes gets a buffer of its own, not kept.
 */
export function scratchSpace(max: number): (size: number) => Uint8Array {
  // Uint8Array, not Buffer: a Buffer's slice() is a view, and a caller copying its bytes out
  // of the scratch space with slice() would keep a view of it instead.
  let space = new Uint8Array(0);
  return (size) => {
    if (size > max) return new Uint8Array(size);
    if (space.length < size) space = new Uint8Array(Math.max(size, Math.min(max, space.length * 2)));
    return space;
  };
}
