/**
 * Where the built-in reporters write in a run's out dir: one place for the names, so that the
 * harness can remove a previous run's reports when a run fails before writing its own.
 */
import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';

/** Each file-writing built-in reporter's file (html: its folder's page), inside the out dir by default. */
export const REPORT_FILES = {
  json: 'results.json',
  junit: 'junit.xml',
  markdown: 'summary.md',
  /** The html reporter's folder (its `dir` option); the page in it is {@link HTML_PAGE}. */
  html: 'report',
} as const;

/** The html reporter's page inside its folder. */
export const HTML_PAGE = 'index.html';

/**
 * The files the built-in reporters write into `outDir` by default, and those `entries` send
 * elsewhere (`['junit', { file: 'ci/junit.xml' }]`), as absolute paths. Reporter modules of the
 * project are left out: what they write is theirs to know.
 */
export function reportFilePaths(
  entries: readonly (ReporterEntry | object)[],
  outDir: string,
): string[] {
  const files = new Set([
    path.resolve(outDir, REPORT_FILES.json),
    path.resolve(outDir, REPORT_FILES.junit),
    path.resolve(outDir, REPORT_FILES.markdown),
    path.resolve(outDir, REPORT_FILES.html, HTML_PAGE),
  ]);
  for (const entry of entries) {
    if (!Array.isArray(entry)) continue;
    const [name, options] = entry as readonly unknown[];
    if (typeof options !== 'object' || options === null) continue;
    const { file, dir } = options as { readonly file?: unknown; readonly dir?: unknown };
    if ((name === 'json' || name === 'junit' || name === 'markdown') && typeof file === 'string')
      files.add(path.resolve(outDir, file));
    if (name === 'html' && typeof dir === 'string') files.add(path.resolve(outDir, dir, HTML_PAGE));
  }
  return [...files];
}

/**
 * The files `entries` themselves will write, as absolute paths: each built-in file-writing
 * reporter's file at its `file`/`dir` option or its default place. Reporter modules are left out.
 */
export function reportFilesOf(
  entries: readonly (ReporterEntry | object)[],
  outDir: string,
): string[] {
  const files = new Set<string>();
  for (const entry of entries) {
    const [name, options] = (Array.isArray(entry) ? entry : [entry, undefined]) as [
      unknown,
      unknown,
    ];
    const o = (typeof options === 'object' && options !== null ? options : {}) as {
      readonly file?: unknown;
      readonly dir?: unknown;
    };
    if (name === 'json' || name === 'junit' || name === 'markdown')
      files.add(path.resolve(outDir, typeof o.file === 'string' ? o.file : REPORT_FILES[name]));
    if (name === 'html')
      files.add(
        path.resolve(outDir, typeof o.dir === 'string' ? o.dir : REPORT_FILES.html, HTML_PAGE),
      );
  }
  return [...files];
}

/**
 * Why two of `entries` would write the same file (`reporters[0] "json" and reporters[1]
 * "junit" both write …`), one a file of `reserved` (absolute path → what the harness keeps
 * there, such as the out dir's run-record.json), or one a file where a folder must be (the out
 * dir, or a folder another report is written in); null when none does. The later write
 * replaced the earlier without a word, and that report was lost.
 */
export function reportFileClash(
  entries: readonly (ReporterEntry | object)[],
  outDir: string,
  reserved: Readonly<Record<string, string>> = {},
): string | null {
  const writers = new Map<string, string>();
  for (const [i, entry] of entries.entries()) {
    const name = Array.isArray(entry) ? (entry as readonly unknown[])[0] : entry;
    const who = `reporters[${i}] "${String(name)}"`;
    for (const file of reportFilesOf([entry], outDir)) {
      const other = writers.get(file);
      if (other !== undefined)
        return `${other} and ${who} both write ${file}: give each its own file (option \`file\`, or \`dir\` for html)`;
      const kept = reserved[file];
      if (kept !== undefined)
        return `${who} writes ${file}, where the harness keeps ${kept}: give it another file`;
      writers.set(file, who);
    }
  }
  // A file where a folder must be: the out dir itself (`file: '.'`), a folder it is in, or the
  // folder of another report (json's `report` beside html's report/index.html). The whole run
  // went by before its write failed (EISDIR, EEXIST), exit 2.
  for (const [file, who] of writers) {
    if (isWithin(file, outDir))
      return `${who} writes ${file}, ${file === outDir ? 'the out dir itself' : `a folder the out dir ${outDir} is in`}: give it a file in the out dir`;
    for (const [other, otherWho] of writers)
      if (other !== file && isWithin(file, other))
        return `${who} writes ${file}, a folder ${otherWho} writes ${other} in: give each its own place (option \`file\`, or \`dir\` for html)`;
  }
  return null;
}

/** Whether `inner` is `folder` or lies below it (both absolute). */
function isWithin(folder: string, inner: string): boolean {
  const rel = path.relative(folder, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Bytes of a file's start that {@link isHarnessReport} needs: every marker is in its first lines. */
export const REPORT_HEAD_BYTES = 1024;

/**
 * What only the harness's own reports start with, whatever the run: results.json's first two
 * fields, junit.xml's root element, summary.md's headline, the HTML page's generator tag.
 */
const REPORT_MARKERS: readonly RegExp[] = [
  /^\{\s*"schema":\s*\d+,\s*"harness_version":/,
  /^(?:<\?xml[^>]*\?>\s*)?<testsuites name="bess-harness"/,
  /^## \S+ (?:PASS|FAIL|ERROR) · bess-harness\n/u,
  /^<!doctype html>\s*<html[^>]*>\s*<head>(?:\s*<meta [^>]*>)*?\s*<meta name="generator" content="bess-harness /i,
];

/**
 * Whether a file starting with `head` (its first {@link REPORT_HEAD_BYTES} bytes) is a report a
 * built-in reporter wrote: the harness removes an earlier run's reports, and a file of the
 * user's own at the same name (a project's summary.md with `--out-dir .`) must stay.
 */
export function isHarnessReport(head: string): boolean {
  return REPORT_MARKERS.some((marker) => marker.test(head));
}
