/**
 * Where a data file really is, for the things that must be one per file however it is reached:
 * its lock (file-lock.ts) and its history (label-history.ts). A labels.csv linked from a
 * repository of labels, or a source folder linked from a shared one, is one file reached by two
 * names; a lock or a history built from the name would be two, and two label servers, one per
 * name, would overwrite each other's saves.
 */
import { readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { escapeRegExp } from './side-names.ts';


/**
 * True when the symlink `name` points to `.<name>.v-…` beside it: a source folder that
 * `harness generate` swaps to a new version (fleet-commit.ts). Its name is the folder's lasting
 * identity, not the version it points to now: a lock taken through one version must hold
 * against a process that reaches the folder after the swap.
 */
function isVersionLink(name: string, target: string): boolean {
  return new RegExp(`^\\.${escapeRegExp(name)}\\.v-[0-9a-z-]+$`).test(target);
}

/** True when the folder `dir` is a link to a version of it (isVersionLink): one `harness generate` swaps. */
export function isVersionLinkFolder(dir: string): boolean {
  const next = readlinkOrNull(dir);
  return next !== null && isVersionLink(path.basename(dir), next);
}

/** `p` with every symlink of its existing part resolved; the part that does not exist yet kept as named. */
function realpathOfExisting(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realpathOfExisting(parent), path.basename(p));
  }
}

const readlinkOrNull = (p: string): string | null => {
  try {
    return readlinkSync(p);
  } catch {
    return null; // not a link (EINVAL), or not there (ENOENT)
  }
};

/** As many links as Linux follows in one path before it says ELOOP. */
const MAX_HOPS = 40;

/**
 * The folder `dir` really is: links followed, except a version link (see isVersionLink); a loop
 * of links is kept as named.
 */
function realFolder(dir: string): string {
  let at = path.resolve(dir);
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const parent = realpathOfExisting(path.dirname(at));
    const name = path.basename(at);
    const here = path.join(parent, name);
    const next = readlinkOrNull(here);
    if (next === null || isVersionLink(name, next)) return here;
    at = path.resolve(parent, next);
  }
  return path.resolve(dir);
}

/**
 * The absolute path of the file `file` names, every symlink on the way followed (the file's
 * own, as a write through it reaches its target, and its folders'), but a source folder's
 * version link kept by name. A file that does not exist yet is named in its folder's real place.
 * A loop of links is not an error here: the path is returned as named, and the read or write
 * that follows reports the loop as that file's problem (validate: "is a loop of symbolic links").
 */
export function realFileOf(file: string): string {
  let at = path.resolve(file);
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const folder = realFolder(path.dirname(at));
    const here = path.join(folder, path.basename(at));
    const next = readlinkOrNull(here);
    if (next === null) return here;
    at = path.resolve(folder, next);
  }
  return path.resolve(file);
}
