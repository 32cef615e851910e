import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import type { Reporter } from '../runner/index.ts';

type ReporterFactory = (options: Readonly<Record<string, unknown>>) => Reporter;

/**
 * Built-in reporters by name, each module loaded on first use: a plain run in CI does not
 * import Ink and React, nor Vega for the HTML report.
 */
export const REPORTERS: Readonly<
  Record<string, (options: Readonly<Record<string, unknown>>) => Promise<Reporter>>
> = {
  plain: async (o) => (await import('./plain.ts')).plainReporter(o),
  json: async (o) => (await import('./json.ts')).jsonReporter(o),
  html: async (o) => (await import('./html/index.ts')).htmlReporter(o),
  junit: async (o) => (await import('./junit.ts')).junitReporter(o),
  markdown: async (o) => (await import('./markdown.ts')).markdownReporter(o),
  ink: async (o) => (await import('./ink/index.ts')).inkReporter(o),
};

/**
 * Turns config or CLI entries into reporters: a built-in name, `[name, options]`, a path to a
 * module whose default export is a reporter or a factory of one, or a reporter object.
 */
export async function resolveReporters(
  entries: readonly (ReporterEntry | Reporter)[],
  root: string,
): Promise<Reporter[]> {
  const out: Reporter[] = [];
  for (const entry of entries) {
    if (typeof entry === 'object' && !Array.isArray(entry)) {
      out.push(entry as Reporter);
      continue;
    }
    const [name, options] =
      typeof entry === 'string'
        ? [entry, {}]
        : (entry as readonly [string, Readonly<Record<string, unknown>>]);
    const builtin = REPORTERS[name];
    if (builtin) {
      out.push(await builtin(options));
      continue;
    }
    if (name.startsWith('.') || path.isAbsolute(name)) {
      const file = path.resolve(root, name);
      const d = await loadDefaultExport(file, { what: 'reporter' });
      out.push(typeof d === 'function' ? (d as ReporterFactory)(options) : (d as Reporter));
      continue;
    }
    throw new HarnessError(
      'E_REPORTER',
      `unknown reporter "${name}" (built in: ${Object.keys(REPORTERS).join(', ')}; or a path to a module)`,
    );
  }
  return out;
}
