import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { unknownKey } from '../data/index.ts';
import { HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import type { Reporter } from '../runner/index.ts';
import { checkReporter, reporterFromModule } from './custom-reporter.ts';
import type { HtmlReporterOptions } from './html/index.ts';
import type { InkReporterOptions } from './ink/index.ts';
import type { JsonReporterOptions } from './json.ts';
import type { JunitReporterOptions } from './junit.ts';
import type { MarkdownReporterOptions } from './markdown.ts';
import type { PlainReporterOptions } from './plain.ts';

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
 * The option keys of each built-in reporter: a misspelt one (`fiel` for `file`) would be
 * ignored, and the report written where the user does not look. Typed against each reporter's
 * options, so a new option cannot be forgotten here.
 */
const OPTION_KEYS: Readonly<Record<keyof typeof REPORTERS, Readonly<Record<string, true>>>> = {
  plain: { write: true, weakest: true } satisfies Record<keyof PlainReporterOptions, true>,
  json: { file: true } satisfies Record<keyof JsonReporterOptions, true>,
  html: { dir: true } satisfies Record<keyof HtmlReporterOptions, true>,
  junit: { file: true, hostname: true } satisfies Record<keyof JunitReporterOptions, true>,
  markdown: { file: true, stepSummary: true, weakest: true } satisfies Record<
    keyof MarkdownReporterOptions,
    true
  >,
  ink: { stdout: true, weakest: true } satisfies Record<keyof InkReporterOptions, true>,
};

/**
 * Turns config or CLI entries into reporters: a built-in name, `[name, options]`, a path to a
 * module whose default export is a reporter or a factory of one, or a reporter object. A
 * HarnessError (exit 2) for an unknown name, an unknown option of a built-in reporter, or a
 * module or object that is not a reporter, naming which.
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
    if (typeof options !== 'object' || options === null || Array.isArray(options))
      throw new HarnessError(
        'E_REPORTER',
        `reporter "${name}": its options must be an object, e.g. ["${name}", { … }]`,
      );
    const builtin = REPORTERS[name];
    if (builtin) {
      const bad = unknownKey(options, OPTION_KEYS[name] ?? {}, `${name} reporter option`);
      if (bad) throw new HarnessError('E_REPORTER', `reporter "${name}": ${bad}`);
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
