/**
 * What an import keeps of the old `real/raw/`: every entry but the series of the systems it
 * writes, carried into the staging raw folder. A system's series is `<id>.csv` or a Parquet
 * partition folder `system_id=<id>/` (with its part files); one the import writes is left out,
 * so `--replace` of a Parquet system removes its folder. Folders are made anew and filled
 * entry by entry: copied as files, a partition folder stopped every later import with EISDIR.
 */
import type { Dirent } from 'node:fs';
import { copyFile, link, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../atomic.ts';
import { rawEntrySystem } from '../raw-entries.ts';
import { pathExists } from '../path-exists.ts';

/** Carries `oldRaw`'s entries into `stagingRaw`, leaving out the series of the systems in `imported`. */
export async function keepRawEntries(oldRaw: string, stagingRaw: string, imported: ReadonlySet<string>): Promise<void> {
  if (!(await pathExists(oldRaw))) return;
  for (const entry of await readdir(oldRaw, { withFileTypes: true })) {
    const system = rawEntrySystem(entry);
    if (system !== undefined && imported.has(system.id)) continue;
    await keepEntry(path.join(oldRaw, entry.name), path.join(stagingRaw, entry.name), entry);
  }
}

/**
 * A file hard-linked where the file system allows (the harness replaces a file, never edits it
 * in place, so sharing an inode is safe), else copied; a symbolic link as the same link (a
 * partition folder linked from elsewhere stays a link); a folder made and filled the same way.
 */
async function keepEntry(from: string, to: string, entry: Dirent): Promise<void> {
  if (!entry.isDirectory()) {
    await link(from, to).catch(async () => (entry.isSymbolicLink() ? symlink(await readlink(from), to) : copyFile(from, to)));
    return;
  }
  await mkdir(to);
  for (const inner of await readdir(from, { withFileTypes: true })) await keepEntry(path.join(from, inner.name), path.join(to, inner.name), inner);
  await fsyncDir(to);
}
