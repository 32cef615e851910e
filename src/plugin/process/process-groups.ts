/**
 * The process groups of the live model processes, so that a harness stopped by a signal ends
 * them too. A model runs in a process group of its own (process-plugin.ts: what it starts is
 * killed with it), so Ctrl-C in a terminal, which signals the terminal's foreground group, no
 * longer reaches it, nor does a CI runner's SIGTERM to the harness: a model stuck in a loop
 * would run on after the harness, at full CPU. Models are started in worker threads as well as
 * in the main thread, and only the main thread receives signals: workers tell it of their
 * models' groups on a BroadcastChannel.
 */
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const CHANNEL = 'bess-harness:model-process-groups';

interface GroupNote {
  readonly pid: number;
  readonly alive: boolean;
}

/** The live groups, as the main thread knows them. */
const live = new Set<number>();
let channel: BroadcastChannel | undefined;

function openChannel(): BroadcastChannel {
  if (!channel) {
    channel = new BroadcastChannel(CHANNEL);
    // The channel must never keep a thread alive on its own.
    channel.unref();
    if (isMainThread) {
      channel.onmessage = (e: unknown) => {
        const { pid, alive } = (e as { readonly data: GroupNote }).data;
        if (alive) live.add(pid);
        else live.delete(pid);
      };
    }
  }
  return channel;
}

/** Notes that the model process `pid` (the leader of its group) started or ended. */
export function noteProcessGroup(pid: number, alive: boolean): void {
  if (isMainThread) {
    if (alive) live.add(pid);
    else live.delete(pid);
  } else {
    openChannel().postMessage({ pid, alive } satisfies GroupNote);
  }
}

/** Starts listening for the workers' notes (main thread; call before any worker starts a model). */
export function listenForProcessGroups(): void {
  if (isMainThread) openChannel();
}

/** Kills every live model process group (on a signal that stops the harness). */
export function killProcessGroups(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  live.clear();
}
