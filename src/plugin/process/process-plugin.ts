/**
 * A model plugin that is an external program speaking the process protocol
 * (docs/process-protocol.md): a Python model through `bess_harness.serve`, or anything else.
 * The process is started on the plugin's first call, so each plugin instance (one per case and
 * worker) has its own; a call that fails because the process crashed, hung, exited or wrote
 * garbage ends it and fails with the reason and the tail of its stderr.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Dataset, MetadataRow, SystemSeries } from '../../data/index.ts';
import type { ModelContext, ModelPlugin, ScoreContext, ScoresOverTime } from '../model.ts';
import { encodeFrameHead, FrameReader, type Frame } from './frames.ts';
import { killEscaped, MODEL_TOKEN_VAR, newModelToken, noteProcessGroup } from './process-groups.ts';
import { seriesToArrowChunks } from './series-arrow.ts';

/** The protocol version this harness speaks. */
export const PROTOCOL_VERSION = 1;

/** A model in the config that runs as a process: `models: { iforest: { command: ['python', '-m', 'my_models.iforest'] } }`. */
export interface ProcessModelSpec {
  /** The program and its arguments (no shell). A relative program path is the config folder's. */
  readonly command: readonly string[];
  /** Its working directory (relative paths are the config's folder's). Default: the project root. */
  readonly cwd?: string;
  /** Variables added to the harness's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Time one call (fit, one score batch) may take. Default: the config's timeoutMs. */
  readonly timeoutMs?: number;
  /** The plugin version the harness records (the score cache keys on it): bump it when scores change. Default `1`. */
  readonly version?: string;
  /** Ship the fitted state to the other workers (`save_state`); false: each worker fits again. Default true. */
  readonly shipState?: boolean;
}

/** What a process model said in `hello`. */
interface Hello {
  readonly name: string;
  readonly version: string;
  readonly capabilities: {
    readonly fit: boolean;
    readonly score_batch: boolean;
    /** The model answers `score_over_time` (plugin capability `scoreOverTime`). */
    readonly score_over_time: boolean;
    readonly state: boolean;
  };
}

/** Bytes of stderr kept to explain a failure. */
const STDERR_TAIL = 4000;
/** How long teardown waits for the process to exit before killing it. */
const TEARDOWN_GRACE_MS = 5000;
/**
 * How long the pipes of an exited model process may stay quiet before they are closed: a
 * process that escaped the kills below (one that cleared its environment and left the group)
 * could hold them open for ever, and the harness waits for them to close.
 */
const PIPE_GRACE_MS = 1000;

/** One running model process: send a request, get its one reply. */
class ModelProcess {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly reader = new FrameReader();
  private stderr = '';
  private pending: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  /** Why the process can take no more requests, once it cannot. */
  private dead: string | null = null;
  readonly exited: Promise<void>;

  constructor(
    private readonly label: string,
    spec: ProcessModelSpec,
    root: string,
  ) {
    const [command, ...args] = spec.command;
    // A program given as a relative path (`.venv/bin/python`) is the config folder's, like `cwd`,
    // whatever `cwd` is; a bare name (`python`) is looked up on PATH.
    const program =
      command!.includes('/') && !path.isAbsolute(command!)
        ? path.resolve(root, command!)
        : command!;
    const token = newModelToken();
    const cwd = spec.cwd ? path.resolve(root, spec.cwd) : root;
    this.child = spawn(program, args, {
      cwd,
      env: { ...process.env, ...spec.env, [MODEL_TOKEN_VAR]: token },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that what it starts (a helper, a pool of workers) is ended
      // with it: a child left running keeps the pipes open, and the harness waited for them.
      // (Windows has no process groups: there a detached process would get a console of its own.)
      detached: process.platform !== 'win32',
    });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    // A harness stopped by a signal kills the group too (process-groups.ts; none on Windows).
    const group = process.platform === 'win32' ? undefined : this.child.pid;
    if (group !== undefined) noteProcessGroup(group, token, true);
    // When the model process ends, so does whatever it left running, in its group or not
    // (process-groups.ts); the pipes then close. If something still holds them, they are closed
    // once quiet: what the process wrote before it ended has been read by then.
    let quiet: NodeJS.Timeout | undefined;
    const closeWhenQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => setImmediate(() => this.closePipes()), PIPE_GRACE_MS);
    };
    this.child.once('exit', () => {
      this.killGroup();
      killEscaped(new Set([token]));
      if (group !== undefined) noteProcessGroup(group, token, false);
      closeWhenQuiet();
    });
    this.child.once('close', () => clearTimeout(quiet));
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.child.stdout.on('data', (d: Buffer) => {
      if (quiet !== undefined) closeWhenQuiet();
      let frames: Frame[];
      try {
        frames = this.reader.push(d);
      } catch (err) {
        this.fail(`wrote garbage on stdout: ${(err as Error).message}`);
        return;
      }
      for (const f of frames) {
        const p = this.pending;
        this.pending = null;
        if (p) p.resolve(f);
        else this.fail(`sent a frame nobody asked for (${f.header.type})`);
      }
    });
    this.child.stdin.on('error', () => undefined); // a closed pipe shows as the exit below
    this.child.once('error', (err) => {
      // spawn says ENOENT for the program when it is the working folder that is missing.
      const missingCwd = (err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(cwd);
      this.fail(
        missingCwd
          ? `could not be started: its cwd ${cwd} does not exist (the model entry's cwd is relative to the config's folder)`
          : `could not be started: ${err.message}`,
      );
    });
    this.child.once('close', (code, signal) =>
      this.fail(`exited with ${signal ? `signal ${signal}` : `code ${code}`} before it answered`),
    );
  }

  /**
   * Sends one request and waits for its reply; an `error` reply rejects with the model's message.
   * A payload may come in pieces (the Arrow stream as it was encoded): they are written one after
   * the other, uncopied, and must not change before the reply.
   */
  async call(
    header: Record<string, unknown>,
    payload: Uint8Array | readonly Uint8Array[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Frame> {
    if (this.dead !== null) throw new Error(this.dead);
    const chunks = payload === undefined ? [] : payload instanceof Uint8Array ? [payload] : payload;
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    const onAbort = () => this.fail(`${String(header.type)} was stopped at its timeout`);
    // One listener per call, removed when the call ends: the signal outlives it (a case's calls
    // share one), and listeners left behind would pile up and fire on a later timeout.
    signal?.addEventListener('abort', onAbort, { once: true });
    const reply = await new Promise<Frame>((resolve, reject) => {
      this.pending = { resolve, reject };
      const stdin = this.child.stdin;
      stdin.cork();
      stdin.write(encodeFrameHead(header, bytes));
      for (const c of chunks) if (c.length > 0) stdin.write(c);
      stdin.uncork();
    }).finally(() => signal?.removeEventListener('abort', onAbort));
    if (reply.header.type === 'error')
      throw new Error(
        `the model process answered ${String(header.type)} with an error: ${String(reply.header.message)}`,
      );
    return reply;
  }

  /**
   * Asks the process to end, and kills it if it does not in time. A teardown that answers with an
   * error, dies or hangs is thrown after the process group is gone, as a TypeScript plugin's
   * teardown that throws or hangs is: swallowed, a model whose teardown raised passed (exit 0).
   */
  async stop(): Promise<void> {
    let failed: unknown;
    if (this.dead === null) {
      try {
        await this.call({ type: 'teardown' }, undefined, AbortSignal.timeout(TEARDOWN_GRACE_MS));
      } catch (err) {
        failed = err; // killed below
      }
    }
    this.killGroup();
    await this.exited;
    if (failed !== undefined) throw failed;
  }

  /** Kills the model process and every process of its group (what it started and left running). */
  private killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return; // never started
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    this.child.kill('SIGKILL');
  }

  /** Closes the pipes, which ends `exited` once the process has exited. */
  private closePipes(): void {
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    this.child.stderr.destroy();
  }

  /** Ends the process: the pending call and every later one fail with why, and its stderr's tail. */
  private fail(why: string): void {
    if (this.dead !== null) return;
    const tail = this.stderr.trim().split('\n').slice(-12).join('\n');
    this.dead = `the model process ${this.label} ${why}${tail ? `; its stderr ended with:\n${tail}` : ' (nothing on its stderr)'}`;
    this.killGroup();
    const p = this.pending;
    this.pending = null;
    p?.reject(new Error(this.dead));
  }
}

/** A protocol `systems` entry: the metadata the model may see (never the label). */
function systemOf(m: MetadataRow): Record<string, unknown> {
  return { ...m, scenario_tags: [...m.scenario_tags] };
}

/**
 * A plugin for a process model. `root` is the folder relative `cwd`s start from (the config's);
 * `harnessVersion` goes into `hello`.
 */
export function createProcessPlugin(
  name: string,
  spec: ProcessModelSpec,
  options: Readonly<Record<string, unknown>>,
  ctx: { readonly root: string; readonly harnessVersion: string },
): ModelPlugin {
  let proc: ModelProcess | null = null;
  let hello: Hello | null = null;
  const label = `"${name}" (${spec.command.join(' ')})`;

  /** The running process, started and greeted on first use. */
  async function running(signal: AbortSignal | undefined): Promise<ModelProcess> {
    if (proc && hello) return proc;
    proc = new ModelProcess(label, spec, ctx.root);
    const reply = await proc.call(
      { type: 'hello', protocol: PROTOCOL_VERSION, harness_version: ctx.harnessVersion, options },
      undefined,
      signal,
    );
    const h = reply.header as unknown as Partial<Hello> & { protocol?: unknown };
    if (reply.header.type !== 'hello' || h.protocol !== PROTOCOL_VERSION) {
      throw new Error(
        `the model process ${label} answered hello with ${JSON.stringify(reply.header).slice(0, 200)}: it must speak protocol ${PROTOCOL_VERSION}`,
      );
    }
    hello = {
      name: String(h.name),
      version: String(h.version),
      capabilities: {
        fit: h.capabilities?.fit !== false,
        score_batch: h.capabilities?.score_batch === true,
        score_over_time: h.capabilities?.score_over_time === true,
        state: h.capabilities?.state === true,
      },
    };
    return proc;
  }

  async function scoreBatch(
    series: readonly SystemSeries[],
    c: ModelContext & { readonly metadata: readonly MetadataRow[] },
  ): Promise<number[]> {
    const p = await running(c.signal);
    const { chunks, rows, sensors } = seriesToArrowChunks(series);
    const reply = await p.call(
      { type: 'score', seed: c.seed, systems: c.metadata.map(systemOf), rows, sensors },
      chunks,
      c.signal,
    );
    const scores = reply.header.scores;
    if (reply.header.type !== 'scores' || !Array.isArray(scores))
      throw new Error(
        `the model process ${label} answered score with ${JSON.stringify(reply.header).slice(0, 200)}`,
      );
    return scores.map((v) => (typeof v === 'number' ? v : NaN));
  }

  /** One system's score over time, or null when the model did not advertise `score_over_time`. */
  async function scoreOverTime(
    series: SystemSeries,
    c: ScoreContext,
  ): Promise<ScoresOverTime | null> {
    const p = await running(c.signal);
    if (!hello!.capabilities.score_over_time) return null;
    const { chunks, rows, sensors } = seriesToArrowChunks([series]);
    const reply = await p.call(
      { type: 'score_over_time', seed: c.seed, systems: [systemOf(c.metadata)], rows, sensors },
      chunks,
      c.signal,
    );
    const one = (reply.header.series as unknown[] | undefined)?.[0] as
      { t?: unknown; score?: unknown } | undefined;
    if (
      reply.header.type !== 'scores_over_time' ||
      !Array.isArray(one?.t) ||
      !Array.isArray(one?.score)
    )
      throw new Error(
        `the model process ${label} answered score_over_time with ${JSON.stringify(reply.header).slice(0, 200)}`,
      );
    // JSON has no NaN: the protocol sends null for "no score at that instant".
    const t = one.t as unknown[];
    const score = one.score as unknown[];
    return {
      t: t.map((v) => (typeof v === 'number' ? v : NaN)),
      score: score.map((v) => (typeof v === 'number' ? v : NaN)),
    };
  }

  const plugin: ModelPlugin = {
    name,
    version: spec.version ?? '1',
    options: { ...options, command: [...spec.command] },
    ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    async fit(train: Dataset, c: ModelContext) {
      const p = await running(c.signal);
      if (!hello!.capabilities.fit) return;
      const series: SystemSeries[] = [];
      for (const s of train.systems) series.push(await s.loadSeries());
      const { chunks, rows, sensors } = seriesToArrowChunks(series);
      await p.call(
        {
          type: 'fit',
          seed: c.seed,
          systems: train.systems.map((s) => systemOf(s.metadata)),
          rows,
          sensors,
        },
        chunks,
        c.signal,
      );
    },
    async score(series, c) {
      const scores = await scoreBatch([series], { ...c, metadata: [c.metadata] });
      // The runner checks a batch's length; one score asked for must be one score too.
      if (scores.length !== 1)
        throw new Error(
          `the model process ${label} answered score with ${scores.length} scores for 1 system`,
        );
      return scores[0]!;
    },
    scoreBatch,
    scoreOverTime,
    async teardown() {
      const p = proc;
      proc = null;
      hello = null;
      await p?.stop();
    },
  };
  if (spec.shipState === false) return plugin;
  return {
    ...plugin,
    async saveState() {
      const p = await running(undefined);
      if (!hello!.capabilities.state)
        throw new Error(
          `the model process ${label} keeps no state (capabilities.state is false): set shipState: false in its config entry`,
        );
      const reply = await p.call({ type: 'save_state' }, undefined, undefined);
      return reply.payload;
    },
    async restoreState(state: unknown) {
      if (!(state instanceof Uint8Array))
        throw new Error(
          `restoreState of ${label} needs the bytes save_state gave, got ${typeof state}`,
        );
      const p = await running(undefined);
      await p.call({ type: 'restore_state' }, state, undefined);
    },
  };
}
