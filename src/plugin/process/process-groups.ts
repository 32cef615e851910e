/**
 * The processes a model started, so that they end with it and with a harness stopped by a
 * signal. A model runs in a process group of its own (process-plugin.ts: what it starts is
 * killed with it), so Ctrl-C in a terminal, which signals the terminal's foreground group, no
 * longer reaches it, nor does a CI runner's SIGTERM to the harness: a model stuck in a loop
 * would run on after the harness, at full CPU. Models are started in worker threads as well as
 * in the main thread, and only the main thread receives signals: workers tell it of their
 * models on a BroadcastChannel.
 *
 * A process that leaves the group (a daemon, a cluster runtime such as Ray, anything started
 * with `setsid` or `start_new_session=True`) escapes the group's kill. Each model process gets
 * a token in its environment, which what it starts inherits; on Linux the processes whose
 * environment holds the token are found in /proc and ended too.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const CHANNEL = 'bess-harness:model-process-groups';

/** The variable that carries a model process's token to everything it starts. */
export const MODEL_TOKEN_VAR = 'BESS_HARNESS_MODEL';

interface GroupNote {
  readonly pid: number;
  readonly token: string;
  readonly alive: boolean;
}

/** The live groups and their tokens, as the main thread knows them. */
const live = new Map<number, string>();
let channel: BroadcastChannel | undefined;

function note({ pid, token, alive }: GroupNote): void {
  if (alive) live.set(pid, token);
  else live.delete(pid);
}

function openChannel(): BroadcastChannel {
  if (!channel) {
    channel = new BroadcastChannel(CHANNEL);
    // The channel must never keep a thread alive on its own.
    channel.unref();
    if (isMainThread) channel.onmessage = (e: unknown) => note((e as { data: GroupNote }).data);
  }
  return channel;
}

/** A new token for a model process's environment (a UUID: no other process carries it). */
export function newModelToken(): string {
  return randomUUID();
}

/** Notes that the model process `pid` (the leader of its group), started with `token`, started or ended. */
export function noteProcessGroup(pid: number, token: string, alive: boolean): void {
  if (isMainThread) note({ pid, token, alive });
  else openChannel().postMessage({ pid, token, alive } satisfies GroupNote);
}

/** Starts listening for the workers' notes (main thread; call before any worker starts a model). */
export function listenForProcessGroups(): void {
  if (isMainThread) openChannel();
}

/** Kills every live model process group and what escaped them (on a signal that stops the harness). */
export function killProcessGroups(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  killEscaped(new Set(live.values()));
  live.clear();
}

/**
 * Kills the processes whose environment carries one of `tokens`: what model processes started
 * outside their groups. Linux only (elsewhere there is no /proc to read, and nothing is done);
 * the environment read is the one each process started with, so a process that cleared its
 * environment before it exec'd is not found.
 */
export function killEscaped(tokens: ReadonlySet<string>): void {
  if (tokens.size === 0 || process.platform !== 'linux') return;
  const needles = [...tokens].map((t) => Buffer.from(`${MODEL_TOKEN_VAR}=${t}\0`));
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return; // no /proc mounted
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: Buffer;
    try {
      // Another user's process, or one that ended since the listing, cannot be read: skipped.
      environ = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue;
    }
    if (!needles.some((n) => environ.includes(n))) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended already
    }
  }
}
