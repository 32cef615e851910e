/**
 * Whether the process that left something behind (a lock file, a temp file, a staging folder)
 * still runs. Its pid alone cannot say: pids are handed out again (a busy machine, a container
 * restarted after a kill -9), and a lock or a half-done import of a killed process whose pid now
 * named another process was taken for live: every command waited 30 s for the lock, and the swap
 * was left half done until that other process ended. So a process is known by its pid and by
 * when it started, which the kernel keeps per process (on Linux, `starttime` in
 * `/proc/<pid>/stat`, in clock ticks since boot):
 * - a lock file records its owner's start ({@link OWN_START}), compared exactly ({@link isAlive});
 * - an entry that names only a pid (`.tmp-<pid>-…`, `.staging-<pid>-…`) is its writer's only if
 *   the process with that pid had started by the time the entry was last written
 *   ({@link wroteWhileRunning}), as atomic.ts already judged entries naming this very pid.
 * Where the start cannot be read (not Linux, /proc hidden), the pid alone decides, as before.
 */
import { readFileSync } from 'node:fs';

/** True when a process with this pid is running (on this machine), whoever it is. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by another user
  }
}

/** USER_HZ, the unit of /proc's process times: 100 on every architecture Linux runs Node on. */
const TICKS_PER_SECOND = 100;

/**
 * When `pid` started, in clock ticks since boot (a decimal string); undefined when that cannot be
 * read (no such process, not Linux, /proc hidden from this user).
 */
function startTicks(pid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Field 2, the command name, is in parentheses and may hold spaces and parentheses itself;
  // field 22, starttime, is the 20th after it.
  const ticks = text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
}

/** This process's start as {@link isAlive} compares it; empty where it cannot be read. */
export const OWN_START = startTicks(process.pid) ?? '';

/**
 * True when `pid` is running and is the process that started at `start` (a value of
 * {@link OWN_START} that process recorded): a reused pid is another process. Without a recorded
 * start, or where starts cannot be read, a running pid is taken for alive.
 */
export function isAlive(pid: number, start: string | undefined): boolean {
  if (!isRunning(pid)) return false;
  if (start === undefined || start === '') return true;
  const now = startTicks(pid);
  return now === undefined ? isRunning(pid) : now === start;
}

/** When this process started (ms since the epoch), the same in its worker threads. */
const OWN_STARTED_MS = Date.now() - process.uptime() * 1000;

/** When `pid` started (ms since the epoch), to within a few ticks; undefined when that cannot be read. */
function startedMs(pid: number): number | undefined {
  if (pid === process.pid) return OWN_STARTED_MS;
  const ticks = startTicks(pid);
  if (ticks === undefined) return undefined;
  let uptime: number;
  try {
    uptime = Number.parseFloat(readFileSync('/proc/uptime', 'latin1'));
  } catch {
    return undefined;
  }
  const bootMs = Date.now() - uptime * 1000;
  return bootMs + (Number(ticks) * 1000) / TICKS_PER_SECOND;
}

/** Slack for coarse file times (a second on some file systems) and the rounding of a start. */
const SLACK_MS = 1000;

/**
 * True when the entry `pid` names, last written at `writtenMs` (its mtime), may be that running
 * process's own: the process runs and had started by then. A process that started after the
 * entry was last written did not write it: its pid was the entry's writer's, reused. Entries of
 * this process must be told apart by the caller (a set of its own, or a token).
 */
export function wroteWhileRunning(pid: number, writtenMs: number): boolean {
  if (pid !== process.pid && !isRunning(pid)) return false;
  const started = startedMs(pid);
  return started === undefined || started <= writtenMs + SLACK_MS;
}
