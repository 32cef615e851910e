import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A temp file beside `file` (same folder, so same file system), unique to this process and call. */
const tempPathFor = (file: string): string => `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;

/**
 * Writes `content` to `file` so that a reader sees either the old file or the whole new one,
 * never half of it: the content goes to a temp file in the same folder (a rename is atomic only
 * within one file system), which then replaces `file`. Parent folders are created as needed.
 * On failure the temp file is removed and the error is rethrown; `file` is left as it was.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, content);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Creates `file` with `content` unless it exists: returns false, touching nothing, when it does.
 * The content goes to a temp file that is then hard-linked into place; a link never replaces an
 * existing name, so two writers racing for one file cannot overwrite each other, and a reader
 * never sees half of it.
 */
export async function createFileExclusive(file: string, content: string | Uint8Array): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, content);
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
