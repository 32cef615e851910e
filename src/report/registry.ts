import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReporterEntry } from '../config/types.ts';
import { HarnessError } from '../errors.ts';
import { htmlReporter } from './html/index.ts';
import { inkReporter } from './ink/index.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import { plainReporter } from './plain.ts';
import type { Reporter } from './types.ts';

type ReporterFactory = (options: Readonly<Record<string, unknown>>) => Reporter;

/** Built-in reporters by name. */
export const REPORTERS: Readonly<Record<string, ReporterFactory>> = {
  plain: (o) => plainReporter(o),
  json: (o) => jsonReporter(o),
  html: (o) => htmlReporter(o),
  junit: (o) => junitReporter(o),
  markdown: (o) => markdownReporter(o),
  ink: (o) => inkReporter(o),
};

/**
 * Turns config or CLI entries into reporters: a built-in name, `[name, options]`, a path to a
 * module whose default export is a reporter or a factory of one, or a reporter object.
 */
export async function resolveReporters(entries: readonly (ReporterEntry | Reporter)[], root: string): Promise<Reporter[]> {
  const out: Reporter[] = [];
  for (const entry of entries) {
    if (typeof entry === 'object' && !Array.isArray(entry)) {
      out.push(entry as Reporter);
      continue;
    }
    const [name, options] = typeof entry === 'string' ? [entry, {}] : (entry as readonly [string, Readonly<Record<string, unknown>>]);
    const builtin = REPORTERS[name];
    if (builtin) {
      out.push(builtin(options));
      continue;
    }
    if (name.startsWith('.') || path.isAbsolute(name)) {
      const file = path.resolve(root, name);
      let mod: { default?: unknown };
      try {
        mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      } catch (err) {
        throw new HarnessError('E_REPORTER', `${file}: the reporter could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
      const d = mod.default;
      out.push(typeof d === 'function' ? (d as ReporterFactory)(options) : (d as Reporter));
      continue;
    }
    throw new HarnessError('E_REPORTER', `unknown reporter "${name}" (built in: ${Object.keys(REPORTERS).join(', ')}; or a path to a module)`);
  }
  return out;
}
