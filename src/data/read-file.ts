/**
 * Reading a data file the user named or the data folder holds. Only regular files are read: a
 * FIFO or a device would block or never end, and a folder, a symlink loop or a file without
 * read permission is a user's mistake to name, never a stack trace.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { HarnessError } from '../errors.ts';
import { tooManyOpenFiles } from '../open-files.ts';

/** Why a file system error keeps a file from being read, in words. */
export function unreadableReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'ELOOP') return 'is a loop of symbolic links';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'ENOTDIR') return 'file not found (a part of its path is a file)';
  if (code === 'EMFILE' || code === 'ENFILE') return tooManyOpenFiles(code);
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

/** {@link readRegularFile} as UTF-8 text (see {@link utf8Text}; `delimiter` locates a byte that is not UTF-8). */
export async function readRegularText(file: string, delimiter = ','): Promise<string> {
  return utf8Text(await readRegularFile(file), file, delimiter);
}

/**
 * The UTF-8 text of a data file's bytes. A UTF-16 file (Excel's "Unicode text", Windows
 * PowerShell 5's `>`) is a HarnessError at `file:1:0` saying so: decoded as UTF-8 it is NUL
 * bytes between letters, and every column of its header was reported unknown with the NULs
 * printed raw. Only the first line is searched for a NUL: a later one is data like any other
 * byte (and the byte readers, which accept it, must read what this does). A byte that is not
 * UTF-8 (a Latin-1 or Windows-1252 export) is a HarnessError at its line and field (`delimiter`
 * separates the fields), never a replacement character in the data.
 */
export function utf8Text(bytes: Uint8Array, file: string, delimiter = ','): string {
  const fail = (why: string, line = 1, column = 0): never => {
    throw new HarnessError('E_DATA', `${file}: ${why}`, [{ file, line, column, message: why }]);
  };
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) fail(UTF16_BOM);
  const eol = bytes.indexOf(10);
  if (bytes.subarray(0, eol < 0 ? bytes.length : eol).indexOf(0) >= 0) fail(NUL_IN_HEADER);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('utf8');
  // Decoded leniently, a Latin-1 or Windows-1252 file's "défekt" loaded as "d\uFFFDfekt": it
  // validated, and the label app wrote the replacement characters back over the user's notes.
  if (!isUtf8(buf)) {
    const at = firstInvalidUtf8(buf, text);
    const lineStart = buf.lastIndexOf(10, at - 1) + 1;
    const line = buf.subarray(0, lineStart).reduce((n, c) => (c === 10 ? n + 1 : n), 1);
    let column = 1;
    let quoted = false;
    for (let i = lineStart; i < at; i++) {
      if (buf[i] === 34) quoted = !quoted;
      else if (!quoted && buf[i] === delimiter.charCodeAt(0)) column++;
    }
    fail(notUtf8(buf[at] as number), line, column);
  }
  return text;
}

/** Byte offset of the first byte of `buf` that is not UTF-8 (`text` is its lenient decoding). */
function firstInvalidUtf8(buf: Buffer, text: string): number {
  // The lenient decoder replaces each bad sequence with U+FFFD, and a valid prefix decodes to
  // itself: the first U+FFFD that the file does not spell (EF BF BD) marks the bad byte.
  for (let k = text.indexOf('\uFFFD'); k >= 0; k = text.indexOf('\uFFFD', k + 1)) {
    const at = Buffer.byteLength(text.slice(0, k));
    if (!(buf[at] === 0xef && buf[at + 1] === 0xbf && buf[at + 2] === 0xbd)) return at;
  }
  return 0;
}

/** The problem of a file holding byte `b` where no UTF-8 text can. */
export function notUtf8(b: number): string {
  const hex = b.toString(16).toUpperCase().padStart(2, '0');
  const latin1 = b >= 0xa0 ? ` ("${String.fromCharCode(b)}" in Latin-1)` : '';
  return `not UTF-8 text: byte 0x${hex}${latin1} is not valid UTF-8 here (a Latin-1 or Windows-1252 file?); save the file as UTF-8, e.g. iconv -f windows-1252 -t utf-8`;
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
