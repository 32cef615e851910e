import chalk from 'chalk';
import { HarnessError } from '../errors.ts';
import { printProblems } from './output.ts';
import { COMMANDS, helpText } from './commands/index.ts';

/**
 * The CLI entry: dispatches to one command and is the only place that sets the exit code.
 * 0 = every check held · 1 = an assertion or gate failed · 2 = the harness could not do its job.
 */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { readPackageVersion } = await import('./version.ts');
    process.stdout.write(`${await readPackageVersion()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    throw new HarnessError('E_ARGS', `unknown command "${name}"\n\n${await helpText()}`);
  }
  const command = await load();
  // Help is handled here, once, for every command.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

// NO_COLOR (no-color.org) turns colours off everywhere; chalk 5 itself only reads FORCE_COLOR.
if (process.env['NO_COLOR']) chalk.level = 0;

// `harness labels | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof HarnessError) {
    process.stderr.write(`harness: ${err.message}\n`);
    printProblems(err.problems);
  } else {
    // Not a user mistake: a bug in the harness. Keep the stack so it can be reported.
    process.stderr.write(`harness: internal error (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exitCode = 2;
}
