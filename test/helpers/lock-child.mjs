// A process that takes the data-file lock of the file given (argv[2]) once and lets it go, as
// a label save or an import does, on the compiled harness (dist/); a test kills it at each step
// (strace). SIGINT and SIGTERM end it as they end the CLI (exit-signals.ts). With `aside` as
// argv[3], it instead removes the lock file as stale (argv[4]: the content judged dead). With
// `hold`, it takes the lock, says `held` on stdout and keeps it, doing nothing, until a signal.
const { removeStaleLock, withFileLock } = await import('../../dist/src/data/file-lock.js');
const { exitOnSignals } = await import('../../dist/src/exit-signals.js');

exitOnSignals(
  () => undefined,
  (code) => process.exit(code),
);
const [file, mode, judged] = process.argv.slice(2);
if (mode === 'aside') await removeStaleLock(file, judged ?? '');
else if (mode === 'hold')
  await withFileLock(file, async () => {
    process.stdout.write('held\n');
    await new Promise(() => setInterval(() => undefined, 1 << 30));
  });
else await withFileLock(file, async () => undefined, 0);
