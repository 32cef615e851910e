import path from 'node:path';
import type { ReporterEntry } from '../config/types.ts';
import { displayPath, HarnessError } from '../errors.ts';
import { loadDefaultExport } from '../module/index.ts';
import type { Reporter } from '../runner/index.ts';
import { checkReporter, reporterFromModule } from './custom-reporter.ts';
import { reportFileClash } from './report-files.ts';
import { type BuiltinReporterName, builtinOptionsProblem } from './reporter-options.ts';

type Options = Readonly<Record<string, unknown>>;

/**
 * Built-in reporters by name, each module loaded on first use: a plain run in CI does not
 * import Ink and React, nor Vega for the HTML report.
 */
const REPORTERS: Readonly<Record<BuiltinReporterName, (options: Options) => Promise<Reporter>>> = {
  plain: async (o) => (await import('./plain.ts')).plainReporter(o),
  json: async (o) => (await import('./json.ts')).jsonReporter(o),
  html: async (o) => (await import('./html/index.ts')).htmlReporter(o),
  junit: async (o) => (await import('./junit.ts')).junitReporter(o),
  markdown: async (o) => (await import('./markdown.ts')).markdownReporter(o),
  ink: async (o) => (await import('./ink/index.ts')).inkReporter(o),
};

/** Where reporter entries come from, for messages; and where their files go. */
export interface ReporterEntriesSource {
  /** The config file, when the entries are its `reporters`: messages name it and the entry. */
  readonly configFile?: string | null;
}

/**
 * Checks config or CLI entries without loading anything, so a mistake is exit 2 before any
 * suite runs rather than after the whole run: each built-in name's options (keys and values),
 * that each entry is a name, `[name, options]`, a module path or an object, and that no two
 * reporters write the same file, nor one a file of `reserved` (absolute path → what the
 * harness keeps there): one overwrote the other, and the first report was lost.
 */
export function checkReporterEntries(
  entries: readonly (ReporterEntry | Reporter)[],
  outDir: string,
  reserved: Readonly<Record<string, string>>,
  source: ReporterEntriesSource = {},
): void {
  for (const [i, entry] of entries.entries()) checkEntry(entry, i, source);
  const clash = reportFileClash(entries, outDir, reserved);
  if (clash) throw new HarnessError('E_REPORTER', `${configPrefix(source)}${clash}`);
}

/** `harness.config.ts: ` when the entries are the config's, else nothing. */
function configPrefix(source: ReporterEntriesSource, index?: number): string {
  if (!source.configFile) return '';
  return `${displayPath(source.configFile)}: ${index === undefined ? '' : `reporters[${index}]: `}`;
}

/**
 * The name and options of entry `i` when it is a built-in reporter or a module path (null for
 * a reporter object); a HarnessError for an entry the harness cannot use, naming it.
 */
function checkEntry(
  entry: ReporterEntry | Reporter,
  i: number,
  source: ReporterEntriesSource,
): readonly [string, Options] | null {
  if (typeof entry === 'object' && !Array.isArray(entry)) return null;
  const fail = (why: string): never => {
    throw new HarnessError('E_REPORTER', `${configPrefix(source, i)}${why}`);
  };
  const [name, options] =
    typeof entry === 'string' ? [entry, {}] : (entry as readonly [string, Options]);
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    fail(`reporter "${name}": its options must be an object, e.g. ["${name}", { … }]`);
  if (Object.hasOwn(REPORTERS, name)) {
    const bad = builtinOptionsProblem(name as BuiltinReporterName, options);
    if (bad) fail(`reporter "${name}": ${bad}`);
  } else if (!(name.startsWith('.') || path.isAbsolute(name)))
    fail(
      `unknown reporter "${name}" (built in: ${Object.keys(REPORTERS).join(', ')}; or a path to a module)`,
    );
  return [name, options];
}

/**
 * Turns config or CLI entries into reporters: a built-in name, `[name, options]`, a path to a
 * module whose default export is a reporter or a factory of one, or a reporter object. A
 * HarnessError (exit 2) for an unknown name, an unknown option or a value of the wrong type of
 * a built-in reporter, or a module or object that is not a reporter, naming which.
 */
export async function resolveReporters(
  entries: readonly (ReporterEntry | Reporter)[],
  root: string,
  source: ReporterEntriesSource = {},
): Promise<Reporter[]> {
  const out: Reporter[] = [];
  for (const [i, entry] of entries.entries()) {
    const named = checkEntry(entry, i, source);
    if (named === null) {
      const fail = (why: string): never => {
        throw new HarnessError('E_REPORTER', `reporter ${i + 1} (an object): ${why}`);
      };
      out.push(checkReporter(entry, fail, 'it is'));
      continue;
    }
    const [name, options] = named;
    if (Object.hasOwn(REPORTERS, name)) {
      out.push(await REPORTERS[name as BuiltinReporterName](options));
      continue;
    }
    const file = path.resolve(root, name);
    const exported = await loadDefaultExport(file, { what: 'reporter' });
    out.push(reporterFromModule(file, exported, options));
  }
  return out;
}
