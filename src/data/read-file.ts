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

/** {@link readRegularFile} as UTF-8 text (see {@link utf8Text}). */
export async function readRegularText(file: string): Promise<string> {
  return utf8Text(await readRegularFile(file), file);
}

/**
 * The UTF-8 text of a data file's bytes. A UTF-16 file (Excel's "Unicode text", Windows
 * PowerShell 5's `>`) is a HarnessError at `file:1:0` saying so: decoded as UTF-8 it is NUL
 * bytes between letters, and every column of its header was reported unknown with the NULs
 * printed raw. Only the first line is searched for a NUL: a later one is data like any other
 * byte (and the byte readers, which accept it, must read what this does).
 */
export function utf8Text(bytes: Uint8Array, file: string): string {
  const fail = (why: string): never => {
    throw new HarnessError('E_DATA', `${file}: ${why}`, [{ file, line: 1, column: 0, message: why }]);
  };
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) fail(UTF16_BOM);
  const eol = bytes.indexOf(10);
  if (bytes.subarray(0, eol < 0 ? bytes.length : eol).indexOf(0) >= 0) fail(NUL_IN_HEADER);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** The problem of a file that starts with a UTF-16 byte order mark. */
export const UTF16_BOM = 'is UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8';
/** The problem of a file with a NUL byte in its first line. */
export const NUL_IN_HEADER = 'holds a NUL byte in its first line: not UTF-8 text (UTF-16 without a byte order mark, or a binary file); save it as UTF-8';

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
