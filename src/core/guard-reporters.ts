/**
 * Reporters are user code (a module of the project) or write files (junit.xml into an out dir
 * that may be full or read-only): one that throws must neither crash the run as an "internal
 * error" nor silence the reporters after it. Each is wrapped so a throw is recorded, that
 * reporter is not called again, and the run goes on; the run then ends with exit 2 naming it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { REPORTER_HOOKS, type Reporter } from '../runner/index.ts';

/** How a reporter is named in a message: its name or path as the config or CLI gave it. */
export function reporterLabel(entry: ReporterEntry | Reporter, index: number): string {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry) && typeof entry[0] === 'string') return entry[0];
  return `reporter ${index + 1} (an object)`;
}

/** `reporter` with every hook made safe; a throw appends `reporter "x" failed in onHook: why` to `failures`. */
export function guardReporter(reporter: Reporter, label: string, failures: string[]): Reporter {
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
        failures.push(
          `reporter "${label}" failed in ${hook}: ${err instanceof Error ? err.message : String(err)}`,
        );
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
