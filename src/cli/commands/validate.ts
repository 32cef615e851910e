import path from 'node:path';
import { parseCommandArgs, intFlag } from '../args.ts';
import { displayPath, printProblems } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness validate [--data DIR] [--max-per-file N]

Checks every file of a data folder against the data contract (headers, numbers, timestamps,
enum values, labels ↔ metadata ↔ files per source folder, system ids). A header-only
metadata.csv or labels.csv is valid (no systems); a legacy data/labels.csv beside the source
folders is a problem. Exit 0 when valid; otherwise one line per problem as
path:line:column: message, and exit 2.`;

export const validateCommand: Command = {
  usage: USAGE,
  summary:
    'check a data folder against the data contract (exit 2 with file:line:column on problems)',
  async run(argv) {
    const { values } = parseCommandArgs(
      'validate',
      argv,
      { data: { type: 'string' }, 'max-per-file': { type: 'string' } },
      USAGE,
    );
    // Loaded here, not at the top: `harness validate --help` needs only the usage text, and the
    // data and config barrels are the bulk of what this command imports.
    const [{ loadConfig }, { validateData }] = await Promise.all([
      import('../../config/index.ts'),
      import('../../data/index.ts'),
    ]);
    const dataDir = values.data ? path.resolve(values.data) : (await loadConfig()).dataDir;
    const report = await validateData(dataDir, {
      maxPerFile: intFlag('max-per-file', values['max-per-file']),
    });
    printProblems(report.problems);
    for (const s of report.suppressed) {
      process.stderr.write(
        `${displayPath(s.file)}: … and ${s.count} more problem(s) in this file\n`,
      );
    }
    const total = report.problems.length + report.suppressed.reduce((a, s) => a + s.count, 0);
    const unlabelled =
      report.unlabelledReal > 0
        ? ` (${report.unlabelledReal} real system(s) not labelled yet)`
        : '';
    const summary = `${displayPath(dataDir)}: ${report.filesChecked} files, ${report.systems} systems checked${unlabelled}`;
    if (total === 0) {
      process.stdout.write(`${summary}: valid\n`);
      return 0;
    }
    process.stderr.write(`${summary}: ${total} problem(s)\n`);
    return 2;
  },
};
