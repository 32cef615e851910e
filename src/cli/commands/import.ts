import path from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { formatImportReport, importExports, loadMapping } from '../../data/import/index.ts';
import { pathExists } from '../../data/index.ts';
import { HarnessError } from '../../errors.ts';
import { findFiles } from '../../runner/index.ts';
import { parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness import <files or glob…> --mapping FILE [--source real] [--data DIR] [--labels FILE] [--replace [--drop-labels]] [--dry-run]

Maps real BMS exports (CSV with any delimiter and decimal comma, or Parquet) onto the data
contract with a mapping file (JSON, or a .ts module whose default export is the mapping; see
"Real data" in the README): column names, units, current sign, local time zones with DST,
sentinel values, duplicates, one file holding several systems or per-window systems. Writes
data/real/raw/*.csv and data/real/metadata.csv (other real systems kept) and prints what it
dropped and why. No labels are invented: --labels FILE merges a labels CSV of real systems into
data/real/labels.csv. Exit 2 with file:line:column on a bad mapping or file, and nothing is written.

A stored real system the import would give other data is exit 2 unless --replace (its stored
series is deleted); a replaced system's label describes the stored series, so it must be given
anew in --labels, or dropped with --drop-labels (recorded in labels.history.csv).`;

export const importCommand: Command = {
  usage: USAGE,
  summary:
    'import real BMS exports (CSV, Parquet) into data/real with a column/unit/time-zone mapping',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'import',
      argv,
      {
        mapping: { type: 'string' },
        source: { type: 'string' },
        data: { type: 'string' },
        labels: { type: 'string' },
        'dry-run': { type: 'boolean' },
        replace: { type: 'boolean' },
        'drop-labels': { type: 'boolean' },
      },
      USAGE,
      true,
    );
    if (!values.mapping)
      throw new HarnessError('E_ARGS', `harness import: --mapping FILE is required\n\n${USAGE}`);
    if (values.source !== undefined && values.source !== 'real') {
      throw new HarnessError(
        'E_ARGS',
        `harness import: --source must be real (got "${values.source}"): synthetic data comes from \`harness generate\``,
      );
    }
    if (positionals.length === 0)
      throw new HarnessError(
        'E_ARGS',
        `harness import: name the export files (or a glob such as "exports/*.csv")\n\n${USAGE}`,
      );
    if (values['drop-labels'] && !values.replace)
      throw new HarnessError(
        'E_ARGS',
        'harness import: --drop-labels drops the labels of systems --replace replaces: pass both',
      );
    const files = await expandInputs(positionals);
    const mapping = await loadMapping(values.mapping);
    const dataDir = values.data ? path.resolve(values.data) : (await loadConfig()).dataDir;
    const result = await importExports({
      files,
      mapping,
      dataDir,
      ...(values.labels ? { labels: values.labels } : {}),
      dryRun: values['dry-run'] === true,
      replace: values.replace === true,
      dropLabels: values['drop-labels'] === true,
    });
    process.stdout.write(formatImportReport(result, displayPath));
    return 0;
  },
};

/** Files as given, with globs (`*`, `?`, `**`) expanded against the cwd; a name that matches nothing is an error. */
async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (!/[*?]/.test(input)) {
      const file = path.resolve(input);
      if (!(await pathExists(file)))
        throw new HarnessError('E_ARGS', `harness import: ${input}: file not found`);
      out.push(file);
      continue;
    }
    const parts = input.split(/[\\/]/);
    const firstGlob = parts.findIndex((p) => /[*?]/.test(p));
    const base = path.resolve(parts.slice(0, firstGlob).join('/') || '.');
    const found = await findFiles(base, [parts.slice(firstGlob).join('/')], 'E_ARGS');
    if (found.length === 0)
      throw new HarnessError('E_ARGS', `harness import: ${input} matches no file`);
    out.push(...found);
  }
  return [...new Set(out)];
}
