/**
 * How the harness ends on a signal (Ctrl+C's SIGINT, a CI runner's SIGTERM, a closed terminal's
 * SIGHUP), and what it tidies as it goes. One module owns it, so that:
 * - the verdict of a stopped run is the signal's (130, 143, 129), whatever listeners a suite or
 *   plugin module added: the CLI used to count listeners to let the label server stop its own
 *   way, so any imported module with a `process.on('SIGINT')` vetoed Ctrl+C and the run went on
 *   to exit 0; a command that stops gracefully now says so with {@link stopOnSignal};
 * - a write in flight leaves nothing behind: its temp file or staging folder is registered with
 *   {@link removeOnExit} and removed, synchronously, as the process exits;
 * - a run stopped midway leaves no earlier run's reports to be read as its own: the harness
 *   registers their removal with {@link tidyOnExit} for as long as it runs;
 * - a short critical section (two files that must change together) finishes before the exit:
 *   {@link deferSignals};
 * - a signal while a command is still starting waits for it to have begun, so that it can stop
 *   its own way: {@link holdSignalWhileStarting}.
 * A leaf module: any folder may import it. The handlers themselves are installed by the CLI
 * ({@link exitOnSignals}); in a process that did not install them (the vitest entry, a script)
 * the registry still tidies on `process.exit`, and deferSignals just runs its function.
 */
import { rmSync } from 'node:fs';

/** The signals that end the CLI, and its exit code for each (128 + the signal's number). */
export const EXIT_SIGNALS = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const;

/** Paths to remove as the process exits: the temp files and staging folders of writes in flight. */
const inFlight = new Set<string>();

/** Synchronous tidy-ups to run as the process exits ({@link tidyOnExit}). */
const tidies = new Set<() => void>();

/**
 * Removes every registered path, the last registered first (a staging folder before the lock
 * it was written under), then runs the registered tidy-ups; best effort, as the process is on
 * its way out.
 */
function tidyOnTheWayOut(): void {
  for (const p of [...inFlight].reverse()) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // Nothing more can be done on the way out; the next write into its folder removes it.
    }
  }
  inFlight.clear();
  for (const tidy of [...tidies]) {
    try {
      tidy();
    } catch {
      // As above: the process is leaving, and its exit code already says the run did not end.
    }
  }
  tidies.clear();
}
// Every exit passes here, the signal's included (its exit is a process.exit): an `exit` listener
// is the one place that runs synchronously on all of them.
process.on('exit', tidyOnTheWayOut);

/**
 * Registers `file` (a temp file or a staging folder, removed with what it holds, or a lock file)
 * for removal should the process exit before the write that made it is done. Register it before it is
 * created, and call the returned function once it is renamed into place or removed.
 */
export function removeOnExit(file: string): () => void {
  inFlight.add(file);
  return () => {
    inFlight.delete(file);
  };
}

/**
 * Registers `tidy`, a synchronous function, to run should the process exit before the returned
 * function is called: for what a stopped run must not leave behind that is no single path of
 * its own (the previous run's reports, read as this one's). After the paths of
 * {@link removeOnExit}; a throw is ignored.
 */
export function tidyOnExit(tidy: () => void): () => void {
  tidies.add(tidy);
  return () => {
    tidies.delete(tidy);
  };
}

/** Critical sections running now ({@link deferSignals}). */
let deferring = 0;
/** The exit a signal asked for while a critical section ran, done when the last one ends. */
let deferredExit: (() => void) | null = null;

/**
 * Runs `fn` with the exit of a stopping signal held back until it settles: for a few steps that
 * must all happen or none (two files of a record that must agree). Keep it short: Ctrl+C waits
 * for it. Its result or error is the caller's, unless a signal came meanwhile: then the process
 * exits as that signal asked as soon as `fn` settles.
 */
export async function deferSignals<T>(fn: () => Promise<T>): Promise<T> {
  deferring += 1;
  try {
    return await fn();
  } finally {
    deferring -= 1;
    if (deferring === 0 && deferredExit !== null) deferredExit();
  }
}

/** The graceful stops registered by {@link stopOnSignal}. */
const stops = new Set<(code: number) => void>();

/**
 * Makes SIGINT and SIGTERM call `stop` (with the exit code the signal asks for: 130, 143)
 * instead of ending the process: for a command that stops its own way and then returns its
 * exit code (the label server closes its connections and says "stopped"). Once, for the first
 * such signal: a second one exits as usual, so a stop that hangs can still be interrupted.
 * SIGHUP still exits. Returns a function that undoes it.
 */
export function stopOnSignal(stop: (code: number) => void): () => void {
  stops.add(stop);
  return () => {
    stops.delete(stop);
  };
}

/** The exit of the CLI's handlers ({@link exitOnSignals}); null in a process without them. */
let exitBySignal: ((code: number) => void) | null = null;

/**
 * Holds the first SIGINT or SIGTERM while a command starts (its modules load), until the
 * returned function is called as the command has begun: the signal then goes to the graceful
 * stop the command registered by then ({@link stopOnSignal}), else ends the process as it asked.
 * `harness run` must remove the previous run's reports, in an out dir only its config names: a
 * Ctrl+C while it loaded ended it first, and the last green run's junit.xml stayed. A second
 * signal ends the process at once, as for any graceful stop.
 */
export function holdSignalWhileStarting(): () => void {
  let held: number | null = null;
  const forget = stopOnSignal((code) => {
    held = code;
  });
  return () => {
    forget();
    if (held === null) return;
    const now = [...stops];
    stops.clear();
    for (const stop of now) stop(held);
    if (now.length === 0) exitBySignal?.(held);
  };
}

/**
 * Installs the signal handlers of the CLI: each signal of {@link EXIT_SIGNALS} calls `first`
 * (ending the model processes, say), then either a graceful stop ({@link stopOnSignal}) or
 * `exit` with the signal's code. The exit waits for the other listeners of that signal (a
 * plugin's log flush runs) and for the critical sections running ({@link deferSignals}); what a
 * write in flight left is removed on the way out ({@link removeOnExit}).
 */
export function exitOnSignals(first: () => void, exit: (code: number) => never): void {
  exitBySignal = (code) => {
    if (deferring > 0) deferredExit ??= () => exit(code);
    else exit(code);
  };
  for (const [signal, code] of EXIT_SIGNALS) {
    process.on(signal, () => {
      first();
      if (signal !== 'SIGHUP' && stops.size > 0) {
        const now = [...stops];
        stops.clear();
        for (const stop of now) stop(code);
        return;
      }
      // After this signal's other listeners, which Node calls right after this one.
      setImmediate(() => exitBySignal?.(code));
    });
  }
}
