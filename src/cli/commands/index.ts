import { checkCommand } from './check.ts';
import { compareCommand } from './compare.ts';
import { evaluateCommand } from './evaluate.ts';
import { generateCommand } from './generate.ts';
import { importCommand } from './import.ts';
import { initCommand } from './init.ts';
import { labelCommand } from './label.ts';
import { labelsCommand } from './labels.ts';
import { plotsCommand } from './plots.ts';
import { runCommand } from './run.ts';
import { runsCommand } from './runs.ts';
import { sampleCommand } from './sample.ts';
import { validateCommand } from './validate.ts';

/** A CLI command: a name, a one-line summary for `harness --help`, and its runner. */
export interface Command {
  readonly summary: string;
  /** The command's help text, printed for `harness <command> --help`. */
  readonly usage: string;
  /** Returns the exit code. Throws HarnessError for a user mistake (exit 2). */
  run(argv: readonly string[]): Promise<number>;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  init: initCommand,
  run: runCommand,
  runs: runsCommand,
  compare: compareCommand,
  generate: generateCommand,
  validate: validateCommand,
  import: importCommand,
  sample: sampleCommand,
  labels: labelsCommand,
  label: labelCommand,
  plots: plotsCommand,
  evaluate: evaluateCommand,
  check: checkCommand,
};

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: harness <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "harness <command> --help" for a command's options.\n`;
}
