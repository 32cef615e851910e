/**
 * A run that fails before its reporters have written (a suite file with a syntax error, a filter
 * that matches nothing, a typo in a reporter's options), or that is stopped midway (Ctrl+C, a CI
 * runner's SIGTERM), must not leave the previous run's reports in its out dir: a CI that reads
 * junit.xml, or load_results following run-record.json, would take that old green run for this
 * one. They are removed rather than replaced by an errored run: nothing of this run may be known
 * yet, and a reporter may be what failed.
 *
 * Only files the harness wrote are removed: the out dir may be the project's root
 * (`--out-dir .`), where a summary.md or results.json of the user's own has a report's name.
 */
import { closeSync, lstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { tidyOnExit } from '../exit-signals.ts';
import { fileSystemProblem } from '../fs-problem.ts';
import {
  isHarnessReport,
  REPORT_HEAD_BYTES,
  reportFilePaths,
  reportFilesOf,
} from '../report/index.ts';
import { isRecordPointer, RECORD_POINTER_FILE } from '../track/index.ts';

type Entries = readonly (ReporterEntry | object)[];

/**
 * Removes from `outDir` the reports the harness wrote there (results.json, junit.xml,
 * summary.md, report/index.html, run-record.json, and where `entries` send the built-in
 * reporters' files); nothing else, never a folder. Best effort, for a run that already fails
 * (exit 2): a file that cannot be removed stays, and the run's own error is what is reported.
 */
export async function removeStaleReports(outDir: string, entries: Entries): Promise<void> {
  removeReports(staleReportFiles(outDir, entries));
}

/**
 * Has the process remove what {@link removeStaleReports} removes should it exit before the
 * returned function is called: a run stopped by a signal (exit 130, 143, 129) left the previous
 * green run's junit.xml and results.json, and a Jenkins `post { always { junit } }` read PASS.
 * The files are listed now; whether each is a report is read as the process exits.
 */
export function removeStaleReportsOnExit(outDir: string, entries: Entries): () => void {
  const files = staleReportFiles(outDir, entries);
  return tidyOnExit(() => {
    removeReports(files);
  });
}

/**
 * Removes from `outDir` the built-in reports at their default places that this run's `entries`
 * will not write: a run with `--reporter plain` left the previous run's results.json (green) in
 * `.harness/last-run`, where a CI step or `load_results` read it as this run's. The out dir holds
 * the last run's reports, and only those. Returns why each report that stays could not be
 * removed (`cannot remove <file>: …`), for the run to fail on: it stayed, and the run exited 0.
 */
export async function removeOtherReports(outDir: string, entries: Entries): Promise<string[]> {
  const written = new Set(reportFilesOf(entries, outDir));
  return removeReports(reportFilePaths([], outDir).filter((f) => !written.has(f)));
}

/**
 * Removes `outDir`'s run-record.json, should it be the harness's pointer to a record; returns
 * why it stays when it cannot be removed (it names the previous run's record), else undefined.
 */
export function removeStalePointer(outDir: string): string | undefined {
  return removeReports([path.join(outDir, RECORD_POINTER_FILE)])[0];
}

function staleReportFiles(outDir: string, entries: Entries): string[] {
  return [...reportFilePaths(entries, outDir), path.join(outDir, RECORD_POINTER_FILE)];
}

/**
 * Removes each of `files` that is a harness report; returns, for each report that could not be
 * removed, why (`cannot remove <file>: the file system is read-only (EROFS)`). A file that is
 * gone, or cannot be read (nor then told from a file of the user's own), is no report to remove.
 * Synchronous, as it also runs in the process's `exit` listener; a few small reads.
 */
function removeReports(files: readonly string[]): string[] {
  const stay: string[] = [];
  for (const file of files) {
    let report: boolean;
    try {
      if (!lstatSync(file).isFile()) continue;
      const head = readHead(file);
      report = isHarnessReport(head) || isRecordPointer(head);
    } catch {
      continue;
    }
    if (!report) continue;
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      stay.push(
        fileSystemProblem(err) ??
          `cannot remove ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return stay;
}

/** The first {@link REPORT_HEAD_BYTES} bytes of `file`, as text. */
function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(REPORT_HEAD_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
