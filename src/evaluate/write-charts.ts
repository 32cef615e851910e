/**
 * `harness evaluate --plots DIR`: a set of SVG charts written as one unit. Every chart is
 * rendered and every destination checked before the first file is written, so a destination
 * that cannot take its chart (a folder, a link to nowhere) leaves DIR as it was, instead of
 * half the new charts beside half an earlier evaluation's. Charts of the same set an earlier
 * evaluation wrote and this one does not (`breakdown-season.svg` after `--by failure_type`) are
 * removed: left, they read as this evaluation's.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../data/index.ts';
import { displayPath, HarnessError } from '../errors.ts';

/** One chart: its file name in DIR and its SVG text. */
export interface ChartFile {
  readonly name: string;
  readonly svg: string;
}

/** Writes `charts` into `dir` and removes files `ofTheSet` names that this set does not hold. */
export async function writeChartSet(
  dir: string,
  charts: readonly ChartFile[],
  ofTheSet: (name: string) => boolean,
): Promise<void> {
  for (const { name } of charts) {
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => undefined);
    if (st !== undefined && !st.isFile())
      throw new HarnessError(
        'E_ARGS',
        `cannot write chart ${displayPath(file)}: ${st.isDirectory() ? 'a folder' : 'something other than a file'} is there; no chart was written`,
      );
  }
  for (const { name, svg } of charts) await writeFileAtomic(path.join(dir, name), svg);
  const written = new Set(charts.map((c) => c.name));
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isFile() && ofTheSet(entry.name) && !written.has(entry.name))
      await unlink(path.join(dir, entry.name)).catch(() => undefined);
}
