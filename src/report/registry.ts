import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import type { Reporter } from '../runner/index.ts';
import { checkReporter, reporterFromModule } from './custom-reporter.ts';

type Options = Readonly<Record<string, unknown>>;

/**
 * Built-in reporters by name, each module loaded on first use: a plain run in CI does not
 * import Ink and React, nor Vega for the HTML report.
 */
export const REPORTERS: Readonly<Record<string, (options: Options) => Promise<Reporter>>> = {
  plain: async (o) => (await import('./plain.ts')).plainReporter(o),
  json: async (o) => (await import('./json.ts')).jsonReporter(o),
  html: async (o) => (await import('./html/index.ts')).htmlReporter(o),
  junit: async (o) => (await import('./junit.ts')).junitReporter(o),
  markdown: async (o) => (await import('./markdown.ts')).markdownReporter(o),
  ink: async (o) => (await import('./ink/index.ts')).inkReporter(o),
};

/**
 * Turns config or CLI entries into reporters: a built-in name, `[name, options]`, a path to a
 * module whose default export is a reporter or a factory of one, or a reporter object. A
 * HarnessError (exit 2) for an unknown name, or a module or object that is not a reporter,
 * naming which.
 */
export async function resolveReporters(
  entries: readonly (ReporterEntry | Reporter)[],
  root: string,
): Promise<Reporter[]> {
  const out: Reporter[] = [];
  for (const [i, entry] of entries.entries()) {
    if (typeof entry === 'object' && !Array.isArray(entry)) {
      const fail = (why: string): never => {
        throw new HarnessError('E_REPORTER', `reporter ${i + 1} (an object): ${why}`);
      };
      out.push(checkReporter(entry, fail, 'it is'));
      continue;
    }
    const [name, options] =
      typeof entry === 'string' ? [entry, {}] : (entry as readonly [string, Options]);
    const builtin = REPORTERS[name];
    if (builtin) {
      out.push(await builtin(options));
      continue;
    }
    if (name.startsWith('.') || path.isAbsolute(name)) {
      const file = path.resolve(root, name);
      const exported = await loadDefaultExport(file, { what: 'reporter' });
      out.push(reporterFromModule(file, exported, options));
      continue;
    }
    throw new HarnessError(
      'E_REPORTER',
      `unknown reporter "${name}" (built in: ${Object.keys(REPORTERS).join(', ')}; or a path to a module)`,
    );
  }
  return out;
}
