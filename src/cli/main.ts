import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import { HarnessError } from '../errors.ts';
import { exitOnSignals, holdSignalWhileStarting } from '../exit-signals.ts';
import { forbidProcessExit, killProcessGroups, listenForProcessGroups } from '../plugin/index.ts';
import { fileSystemProblem } from '../fs-problem.ts';
import { openFilesLimit, openFilesProblem } from '../open-files.ts';
import { printProblems } from './output.ts';
import { strayErrors as stray } from './stray-errors.ts';
import { COMMANDS, helpText } from './commands/index.ts';

/**
 * The CLI entry: dispatches to one command and is the only place that sets the exit code.
 * 0 = every check held · 1 = an assertion or gate failed · 2 = the harness could not do its job.
 */
async function main(argv: readonly string[]): Promise<number> {
  // Every path a user can reach reports a HarnessError; the crash report's own test needs one that
  // does not, so a bug can be simulated (test/e2e/crash-report.test.ts).
  if (process.env['BESS_HARNESS_TEST_INTERNAL_ERROR'] === '1')
    throw new TypeError('a deliberate internal error (BESS_HARNESS_TEST_INTERNAL_ERROR=1)');
  const [name, ...rest] = argv;
  // `harness help run` is `harness run --help`.
  if (name === 'help' && rest.length > 0) return main([rest[0]!, '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { readPackageVersion } = await import('../version.ts');
    process.stdout.write(`${await readPackageVersion()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    throw new HarnessError('E_ARGS', `unknown command "${name}"\n\n${await helpText()}`);
  }
  // A signal while the command's modules load reaches the command once it has begun, so that it
  // can stop its own way (exit-signals.ts).
  const begun = holdSignalWhileStarting();
  try {
    const command = await load();
    // Help is handled here, once, for every command.
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return command.run(rest);
  } finally {
    begun();
  }
}

/** Writes an internal error's stack to a file of its own in the temp folder; its path, or null. */
function writeCrashReport(err: unknown): string | null {
  const file = path.join(
    tmpdir(),
    `bess-harness-crash-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`,
  );
  try {
    writeFileSync(
      file,
      `harness ${process.argv.slice(2).join(' ')}\nnode ${process.version}\n\n${err instanceof Error ? err.stack : String(err)}\n`,
    );
    return file;
  } catch {
    return null;
  }
}

// Read while files can still be opened: the message for running out of them names the limit.
openFilesLimit();

// NO_COLOR (no-color.org) turns colours off everywhere; chalk 5 itself only reads FORCE_COLOR.
if (process.env['NO_COLOR']) chalk.level = 0;

// The process is the CI gate's verdict, so nothing but main() may decide it. Some plugin calls run
// in this process (suites with metamorphic laws, harness check, loading plugins); what a plugin
// does there outside a call must fail the run:
// - process.exit() throws instead, so a plugin that calls it in fit or score errors its own case;
// - an exception thrown from a timer, or a rejection nobody handles, is reported and makes the
//   exit code 2 once the run has finished (the run itself goes on and is recorded, and its
//   reports say exit 2 with the error: stray-errors.ts);
// - should the process end anyway before main() returned, the exit code is 2, never 0.
const exitNow = process.exit.bind(process);
/**
 * Ends the process with `code`. An `exit` listener of a module the harness imported (a plugin's
 * `process.on('exit', () => { process.exitCode = 0 })`) runs inside process.exit, and Node exits
 * with process.exitCode as the listeners leave it: a failed run exited 0. The last listener,
 * added here, puts the verdict back.
 */
function realExit(code: number | string): never {
  process.on('exit', () => {
    process.exitCode = code;
  });
  return exitNow(code);
}
forbidProcessExit();
let finished = false;
const onStray = (kind: string) => (err: unknown) => {
  const message = openFilesProblem(err) ?? (err instanceof Error ? err.message : String(err));
  stray.push(`${kind} outside any plugin call: ${message}`);
  if (finished) process.exitCode = 2;
  process.stderr.write(
    `harness: ${kind} outside any plugin call (a timer or a promise nobody awaited): ${message}\n`,
  );
};
process.on('uncaughtException', onStray('an uncaught exception'));
process.on('unhandledRejection', onStray('an unhandled rejection'));
process.on('exit', (code) => {
  if (finished || code !== 0) return;
  process.stderr.write('harness: the process ended before the run finished: exit 2\n');
  process.exitCode = 2;
});

// A signal that stops the harness stops the model processes too: each runs in a process group
// of its own, which Ctrl-C (the terminal's foreground group) and a CI runner's SIGTERM to the
// harness do not reach, and a model stuck in a loop would run on (process-groups.ts). The exit
// is the signal's whatever listeners a suite or plugin module added (exit-signals.ts).
listenForProcessGroups();
exitOnSignals(killProcessGroups, (code) => {
  finished = true;
  return realExit(code);
});

// `harness labels | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      finished = true;
      realExit(process.exitCode ?? 0);
    }
    throw err;
  });
}

/** Problems a failed command lists (validate lists all of them). */
const PROBLEMS_SHOWN = 50;

try {
  process.exitCode = await main(process.argv.slice(2));
  if (stray.length > 0) {
    process.stderr.write(
      `harness: exit 2: ${stray.length} error(s) were thrown outside any plugin call (above); the results cannot be trusted\n`,
    );
    process.exitCode = 2;
  }
} catch (err) {
  // A module that could not be opened fails as "Cannot find package": open-files.ts tells it.
  const refused = openFilesProblem(err) ?? fileSystemProblem(err);
  if (err instanceof HarnessError) {
    process.stderr.write(`harness: ${err.message}\n`);
    printProblems(err.problems, PROBLEMS_SHOWN);
  } else if (refused !== undefined) {
    process.stderr.write(`harness: ${refused}\n`);
  } else {
    // Not a user mistake: a bug in the harness. One line here; the stack goes to a file to report.
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const where = writeCrashReport(err);
    process.stderr.write(
      `harness: internal error: ${message} (${where ? `full trace in ${where}` : 'the trace could not be written'}; please report it)\n`,
    );
  }
  process.exitCode = 2;
}
finished = true;
// The verdict is out: end now. A suite or plugin module the harness imported may have left a
// timer, a socket or a server in this thread (a metrics flush, a connection pool), which kept
// the process, and the CI job, waiting after the verdict. What was written is flushed first.
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
  ),
);
realExit(process.exitCode ?? 0);
