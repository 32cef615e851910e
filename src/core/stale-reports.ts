/**
 * A run that fails before its reporters have written (a suite file with a syntax error, a filter
 * that matches nothing, a typo in a reporter's options) must not leave the previous run's
 * reports in its out dir: a CI that reads junit.xml, or load_results following run-record.json,
 * would take that old green run for this one. They are removed rather than replaced by an
 * errored run: nothing of this run may be known yet, and a reporter may be what failed.
 */
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { reportFilePaths, reportFilesOf } from '../report/index.ts';
import { RECORD_POINTER_FILE } from '../track/index.ts';

/**
 * Removes from `outDir` the files the harness writes there (results.json, junit.xml,
 * summary.md, report/index.html, run-record.json, and where `entries` send the built-in
 * reporters' files); nothing else, never a folder. Best effort: a file that cannot be removed
 * stays, and the run's own error is what is reported.
 */
export async function removeStaleReports(
  outDir: string,
  entries: readonly (ReporterEntry | object)[],
): Promise<void> {
  await removeFiles([...reportFilePaths(entries, outDir), path.join(outDir, RECORD_POINTER_FILE)]);
}

/**
 * Removes from `outDir` the built-in reports at their default places that this run's `entries`
 * will not write: a run with `--reporter plain` left the previous run's results.json (green) in
 * `.harness/last-run`, where a CI step or `load_results` read it as this run's. The out dir holds
 * the last run's reports, and only those.
 */
export async function removeOtherReports(
  outDir: string,
  entries: readonly (ReporterEntry | object)[],
): Promise<void> {
  const written = new Set(reportFilesOf(entries, outDir));
  await removeFiles(reportFilePaths([], outDir).filter((f) => !written.has(f)));
}

async function removeFiles(files: readonly string[]): Promise<void> {
  await Promise.all(
    files.map(async (file) => {
      const st = await lstat(file).catch(() => null);
      if (st === null || st.isDirectory()) return;
      await rm(file, { force: true }).catch(() => undefined);
    }),
  );
}
