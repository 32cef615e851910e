/**
 * Reporters are user code (a module of the project) or write files (junit.xml into an out dir
 * that may be full or read-only): one that throws must neither crash the run as an "internal
 * error" nor silence the reporters after it. Each is wrapped so a throw is recorded, that
 * reporter is not called again, and the run goes on; the run then ends with exit 2 naming it.
 */
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { fileSystemProblem } from '../fs-problem.ts';
import { REPORTER_HOOKS, type Reporter } from '../runner/index.ts';

/** How a reporter is named in a message: its name or path as the config or CLI gave it. */
export function reporterLabel(entry: ReporterEntry | Reporter, index: number): string {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry) && typeof entry[0] === 'string') return entry[0];
  return `reporter ${index + 1} (an object)`;
}

/**
 * `reporter` with every hook made safe; a throw appends `reporter "x" failed in onHook: why` to
 * `failures` and removes `files`, what that reporter writes: a html reporter that failed on a
 * full disk left the previous green run's report/index.html beside this run's results.json at
 * exit 2, and a reader of the out dir took the old page for this run's.
 */
export function guardReporter(
  reporter: Reporter,
  label: string,
  failures: string[],
  files: readonly string[] = [],
): Reporter {
  let failed = false;
  const guarded: Reporter = {};
  for (const hook of REPORTER_HOOKS) {
    const fn = reporter[hook] as ((event: unknown) => unknown) | undefined;
    if (typeof fn !== 'function') continue;
    (guarded as Record<string, (event: unknown) => Promise<void>>)[hook] = async (event) => {
      if (failed) return;
      try {
        await fn.call(reporter, event);
      } catch (err) {
        failed = true;
        const why = fileSystemProblem(err) ?? (err instanceof Error ? err.message : String(err));
        failures.push(`reporter "${label}" failed in ${hook}: ${why}`);
        // Best effort: a file that cannot be removed stays, and the failure above is reported.
        await Promise.all(files.map((f) => rm(f, { force: true }).catch(() => undefined)));
      }
    };
  }
  return guarded;
}

/**
 * Fails now, before anything runs, when the out dir cannot be a folder: it, or the nearest of
 * its parents that exists, is a file. Nothing is created here (a run with only terminal
 * reporters writes nothing there).
 */
export async function checkOutDir(outDir: string): Promise<void> {
  for (let dir = outDir; ; dir = path.dirname(dir)) {
    const s = await stat(dir).catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' || err.code === 'ENOTDIR' ? null : Promise.reject(err),
    );
    if (s === null) {
      if (path.dirname(dir) === dir) return;
      continue;
    }
    if (s.isDirectory()) return;
    throw new HarnessError(
      'E_ARGS',
      dir === outDir
        ? `out dir ${outDir} is a file, not a folder: give --out-dir (or outDir in the config) a folder`
        : `out dir ${outDir} cannot be made: ${dir} is a file, not a folder`,
    );
  }
}
