/**
 * What an entry of a folder holds, in one short string, for the journal of a swap
 * (swap-journal.ts): recovery rolls a swap forward only while its targets are still what the
 * journal says, so a journal left by a killed import is never rolled over data written since.
 *
 * A file is known by its size and the SHA-256 of its bytes (metadata.csv and labels.csv: small,
 * and rewritten whole, so a copy of the same bytes is the same file). A folder (raw/, thousands of
 * series, gigabytes) is known by what each entry below it is: name, kind, size, modification time
 * and inode. Its files are never edited in place (every write replaces a file, atomic.ts), and a
 * rename of the folder changes none of these, so the fingerprint survives the swap's own moves and
 * changes with any file written, removed or replaced.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';

const lstatBig = (p: string): Promise<BigIntStats> => lstat(p, { bigint: true });

async function statOrNull(p: string, follow: boolean): Promise<BigIntStats | null> {
  try {
    return follow ? await stat(p, { bigint: true }) : await lstatBig(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** One line per entry below `dir`, sorted, each saying what the entry is (see the module comment). */
async function folderLines(dir: string, rel: string, out: string[]): Promise<void> {
  for (const name of (await readdir(dir)).sort()) {
    const p = path.join(dir, name);
    const r = rel === '' ? name : `${rel}/${name}`;
    const st = await lstatBig(p);
    if (st.isDirectory()) {
      out.push(`${r}\0d`);
      await folderLines(p, r, out);
    } else if (st.isSymbolicLink()) out.push(`${r}\0l\0${await readlink(p)}`);
    else out.push(`${r}\0${st.isFile() ? 'f' : 'o'}\0${st.size}\0${st.mtimeNs}\0${st.ino}`);
  }
}

/**
 * The fingerprint of what `p` is now, or null when there is nothing there. `follow`: a symlink at
 * `p` is judged by what it points to (an entry the swap writes through, labels.csv), else as
 * the link itself (an entry the swap renames).
 */
export async function fingerprintOf(p: string, follow = false): Promise<string | null> {
  const st = await statOrNull(p, follow);
  if (st === null) return null;
  const hash = createHash('sha256');
  if (st.isFile()) {
    const bytes = await readFile(p);
    return `file:${bytes.length}:${hash.update(bytes).digest('hex')}`;
  }
  if (st.isDirectory()) {
    const lines: string[] = [];
    await folderLines(p, '', lines);
    return `folder:${lines.length}:${hash.update(lines.join('\n')).digest('hex')}`;
  }
  if (st.isSymbolicLink()) return `link:${await readlink(p)}`;
  return `other:${st.mode}`;
}
