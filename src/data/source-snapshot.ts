/**
 * One reader's view of a source folder, fixed when a dataset is loaded: every series of the
 * dataset is read from the folder its labels and metadata came from.
 *
 * `data/synthetic` is a symlink that `harness generate` points at a new version folder
 * (fleet-commit.ts). A run that built every series path through the link read fleet B's series
 * against fleet A's labels when a generate landed mid-run, and reported their metrics. The
 * snapshot resolves the link once; the version it names never changes, it is only removed (by the
 * generate that replaced it), and a read that then fails says so instead of reading another fleet.
 *
 * `data/real` is a real folder (it is committed), whose `raw/` `harness import` replaces by a
 * rename: the snapshot keeps the identity (device and inode) of `raw/`, and a series read after
 * `raw/` was replaced is refused the same way.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { HarnessError, type Problem } from '../errors.ts';
import type { SourceLayout } from './layout.ts';
import type { SourceSnapshot } from './types.ts';

/** `dev:ino` of a folder, or `missing`. */
function identity(dir: string): string {
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    return st ? `${st.dev}:${st.ino}` : 'missing';
  } catch {
    return 'missing';
  }
}

function realpathOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/**
 * The snapshot of the source folder `shown` (as the data dir names it): when it is a symlink, the
 * folder it resolves to now. A folder that is not a link is read in place.
 */
export function snapshotFolder(shown: string): SourceSnapshot {
  const real = realpathOrNull(shown);
  // Only a link at the folder's own name is resolved: a data dir below a linked home folder keeps
  // the path its user typed, in every message.
  const resolvedParent = realpathOrNull(path.dirname(shown));
  const link = real !== null && resolvedParent !== null && real !== path.join(resolvedParent, path.basename(shown));
  const dir = link ? real : shown;
  return { shown, dir, link, rawId: identity(path.join(dir, 'raw')) };
}

/** `layout` with its paths inside the snapshot's folder. */
export function layoutIn(layout: SourceLayout, snap: SourceSnapshot): SourceLayout {
  return { ...layout, dir: snap.dir, rawDir: inSnapshot(snap, layout.rawDir), metadataPath: inSnapshot(snap, layout.metadataPath), labelsPath: inSnapshot(snap, layout.labelsPath) };
}

/** The path of `shownPath` (a path below `snap.shown`) inside the snapshot's folder. */
export function inSnapshot(snap: SourceSnapshot, shownPath: string): string {
  return snap.link && shownPath.startsWith(snap.shown) ? snap.dir + shownPath.slice(snap.shown.length) : shownPath;
}

/** A path inside the snapshot's folder as the data dir names it (messages name files so). */
export function shownPath(snap: SourceSnapshot, p: string): string {
  return snap.link && p.startsWith(snap.dir) ? snap.shown + p.slice(snap.dir.length) : p;
}

/**
 * Why the snapshot no longer holds what the dataset was loaded from, or undefined while it does:
 * `raw/` is another folder than when it was taken (an import replaced it, a version was removed),
 * or, with `followLink`, the link points elsewhere now (a generate replaced the fleet; its old
 * version may be half removed, so a file that is missing proves nothing else).
 */
export function snapshotChange(snap: SourceSnapshot, followLink: boolean): string | undefined {
  const moved = followLink && snap.link && realpathOrNull(snap.shown) !== snap.dir;
  if (moved || identity(path.join(snap.dir, 'raw')) !== snap.rawId) {
    return snap.link
      ? `${snap.shown} was replaced by \`harness generate\` while this dataset was in use (the version its labels came from is gone); run again`
      : `${path.join(snap.shown, 'raw')} was replaced by \`harness import\` while this dataset was in use (its series may not match the labels loaded); run again`;
  }
  return undefined;
}

/** Throws (E_DATA) when the snapshot changed (see {@link snapshotChange}). */
export function assertSnapshotHolds(snap: SourceSnapshot, followLink: boolean): void {
  const why = snapshotChange(snap, followLink);
  if (why !== undefined) throw new HarnessError('E_DATA', why);
}

/**
 * Runs a read inside the snapshot: the snapshot's own error when it no longer holds (after a
 * failure, or after a success in a folder read in place, whose files an import may have replaced
 * meanwhile), else the read's result or error, with the files it names as the data dir names them.
 */
export async function readInSnapshot<T>(snap: SourceSnapshot, read: () => Promise<T> | T): Promise<T> {
  let out: T;
  try {
    out = await read();
  } catch (err) {
    assertSnapshotHolds(snap, true);
    throw reshown(err, snap);
  }
  assertSnapshotHolds(snap, false);
  return out;
}

/** `err` with the snapshot's folder named as the data dir names it. */
export function reshown(err: unknown, snap: SourceSnapshot): unknown {
  if (!snap.link) return err;
  const fix = (s: string): string => s.split(snap.dir).join(snap.shown);
  if (err instanceof HarnessError) {
    const problems: Problem[] = err.problems.map((p) => ({ ...p, file: shownPath(snap, p.file), message: fix(p.message) }));
    const out = new HarnessError(err.code, fix(err.message), problems);
    out.stack = err.stack;
    return out;
  }
  if (err instanceof Error && err.message.includes(snap.dir)) err.message = fix(err.message);
  return err;
}
