/**
 * Scoring in worker threads, where the harness can stop a plugin whatever it does. A run keeps
 * one {@link WorkerPool}; each request to a worker is one model's fit or one model's share of
 * the systems, so a plugin that crashes or hangs its worker fails its own case only, and the
 * pool replaces the worker. A plugin is a closure and cannot be sent to a worker, so each
 * request re-creates it from where it came from (the suite file and the model's index in the
 * suite). Two phases:
 *
 * 1. fit: each model that can ship its fitted state (`saveState`/`restoreState`) is fitted once,
 *    the models spread over the workers, so two models fit at the same time on two cores;
 * 2. score: every worker restores those states (a model without them fits again there) and
 *    scores one contiguous block of the systems, reading each series once for all models. The
 *    block goes over in batches, so that neither thread holds the rows of a whole block.
 *
 * Blocks are contiguous so that the first error of the lowest block is the first error in
 * system order, as in a run without workers; scores are the same whatever the number of workers.
 */
import type { Worker } from 'node:worker_threads';
import type { ResolvedConfig } from '../config/types.ts';
import type { SourceSelector } from '../data/index.ts';
import type { SystemRecord } from '../data/types.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import { openFilesProblem } from '../open-files.ts';
import { startWorker } from '../thread.ts';
import { CALL_BOARD_BYTES, CallBoard } from './call-board.ts';
import type { OverTime } from './over-time.ts';
import { rowsOf } from './system-rows.ts';
import type {
  FitReply,
  LawPlan,
  PluginLaws,
  PluginOrigin,
  WorkerJob,
  WorkerMessage,
  WorkerReply,
  WorkerData,
  WorkerRequest,
} from './worker-protocol.ts';

/** One plugin's result over all the systems, merged from every worker. */
export interface PooledScores {
  readonly error: string | null;
  /**
   * True when the error is the worker's end (a crash, the watchdog, an escaped error) rather
   * than the plugin's own answer: with other plugins in the same request, it may be theirs.
   */
  readonly workerFailed: boolean;
  readonly scores: Float64Array;
  readonly fitMs: number;
  readonly scoreMs: number;
  /** The laws measured with the fitted plugin (a scoring session with a {@link LawPlan}). */
  readonly laws?: PluginLaws;
  /** Scores over time aligned with the systems, when every block returned them (scoreOverTime). */
  readonly overTime?: readonly (OverTime | null)[];
}

/** True when a plugin's fit can be done once and shipped to the scoring workers. */
export function shipsState(p: ModelPlugin): boolean {
  return (
    typeof p.fit === 'function' &&
    typeof p.saveState === 'function' &&
    typeof p.restoreState === 'function'
  );
}

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

/** Each worker's young generation (two semi-spaces and new large objects), in MB. */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * How long past its timeout a call may run before the watchdog stops its thread. The call's own
 * timer fires first for a plugin that yields; this is for one that never does.
 */
const WATCHDOG_GRACE_MS = 2000;

/** How often the watchdog looks at a busy worker's call board. */
const WATCHDOG_EVERY_MS = 250;

/**
 * A worker thread answering one request at a time; a crash answers the pending request with
 * `failed` and leaves the worker dead. A watchdog stops the thread when a plugin call outlives
 * its timeout by WATCHDOG_GRACE_MS: a synchronous loop cannot be interrupted any other way. The
 * worker posts each call on a {@link CallBoard} the watchdog reads while a request is pending;
 * a call's time counts from when the watchdog first sees it (at most WATCHDOG_EVERY_MS late, so
 * never early), on this thread's clock.
 */
class PoolWorker {
  private readonly worker: Worker;
  private readonly board = new CallBoard(new SharedArrayBuffer(CALL_BOARD_BYTES));
  private pending: ((m: WorkerReply) => void) | null = null;
  private progress: ((model: string, done: number) => void) | null = null;
  private watchdog: NodeJS.Timeout | undefined;
  /** The call the watchdog saw last, and when it first saw it. */
  private seen: { readonly seq: number; readonly at: number } | null = null;
  /** Why the worker can take no more requests, or null while it can. */
  dead: string | null = null;
  /** What its last request was about (`suite "smoke"`), to name the culprit of a late error. */
  private lastAbout = 'its last request';

  /**
   * `onLate`: an error that comes while no request is under way (a plugin's timer that fires
   * after its last call, a teardown's stray throw): it fails no request, and was lost, so a run
   * whose plugin misbehaved ended green. The pool keeps it for the run's errors.
   */
  constructor(private readonly onLate: (message: string) => void = () => {}) {
    this.worker = startWorker(WORKER_ENTRY, {
      // V8 grows a worker's young generation up to 48 MB when much of it survives, as a scoring
      // loop's series in flight do; at 10k systems the two workers' were 70 MB. 8 MB costs more
      // young collections (each small) and measured least: peak RSS at 1k / 10k / 30k systems
      // 238 / 299 / 404 MB, against 254 / 354 / 488 MB at 32 MB.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      workerData: { callBoard: this.board.buffer } satisfies WorkerData,
      // A plugin's prints (console.log in score) go to stderr, as a process model's do: stdout
      // is the harness's, and `harness check --json` prints its report there.
      stdout: true,
    });
    // Not pipe(): each pipe adds listeners to stderr, and a run may have more than ten workers.
    this.worker.stdout.on('data', (d: Buffer) => process.stderr.write(d));
    this.worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') this.progress?.(m.model, m.done);
      else if (m.type === 'escaped') this.kill(m.message);
      else this.settle(m);
    });
    // Out of descriptors (the worker's own modules, or the plugin's, could not be opened) is the
    // machine's limit, not the plugin's fault.
    this.worker.on('error', (err) =>
      this.fail(openFilesProblem(err) ?? `an error escaped the plugin: ${err.message}`),
    );
    this.worker.on('exit', (code) =>
      this.fail(`the worker thread ended with exit code ${code} before answering`),
    );
  }

  request(
    req: WorkerRequest,
    onProgress: (model: string, done: number) => void,
  ): Promise<WorkerReply> {
    if (this.dead !== null) return Promise.resolve({ type: 'failed', message: this.dead });
    this.lastAbout = aboutOf(req) ?? this.lastAbout;
    return new Promise((resolve) => {
      this.pending = resolve;
      this.progress = onProgress;
      this.seen = null;
      this.watchdog = setInterval(() => this.look(), WATCHDOG_EVERY_MS);
      this.worker.postMessage(req);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    const wasDead = this.dead !== null;
    this.dead ??= 'stopped';
    if (!wasDead) await this.worker.terminate();
  }

  /** The watchdog's look at the call under way: stops the thread when it is overdue. */
  private look(): void {
    const call = this.board.read();
    if (call === null) {
      this.seen = null;
      return;
    }
    const now = performance.now();
    if (this.seen?.seq !== call.seq) this.seen = { seq: call.seq, at: now };
    if (now - this.seen.at > call.timeoutMs + WATCHDOG_GRACE_MS)
      this.kill(
        `${call.what} ran past its ${call.timeoutMs} ms timeout without yielding (a synchronous loop?): its worker thread was stopped`,
        call.who,
      );
  }

  /** Fails the pending request and stops the thread, once; `culprit`: the plugin at fault, when known. */
  private kill(message: string, culprit?: string): void {
    if (this.dead !== null) return;
    this.fail(message, culprit);
    void this.worker.terminate();
  }

  private settle(m: WorkerReply): void {
    clearInterval(this.watchdog);
    const p = this.pending;
    this.pending = null;
    this.progress = null;
    p?.(m);
  }

  private fail(message: string, culprit?: string): void {
    if (this.dead !== null) return;
    clearInterval(this.watchdog);
    this.dead = message;
    if (this.pending === null)
      this.onLate(`after ${this.lastAbout} was answered, in its worker thread: ${message}`);
    this.settle(
      culprit === undefined ? { type: 'failed', message } : { type: 'failed', message, culprit },
    );
  }
}

/** What a request is about, for messages: the suite of its first plugin, or the model entry. */
function aboutOf(req: WorkerRequest): string | undefined {
  const origin = 'job' in req ? req.job.origins[0] : 'origin' in req ? req.origin : undefined;
  if ('suiteFile' in req) return `the import of ${req.suiteFile}`;
  if (!origin) return undefined;
  return 'suiteName' in origin ? `suite "${origin.suiteName}"` : `model "${origin.entry}"`;
}

/**
 * The run's worker threads: at most `size`, started when first needed and kept for the next
 * request (starting one costs about a second: tsx and the harness load in each), and replaced
 * when a plugin killed or hung one. Close it when the run ends.
 */
export class WorkerPool {
  private readonly idle: PoolWorker[] = [];
  private readonly waiting: ((w: PoolWorker) => void)[] = [];
  private live = 0;
  /** Errors of plugins that came while their worker had no request under way (see PoolWorker). */
  readonly lateErrors: string[] = [];
  private readonly late = (message: string) => void this.lateErrors.push(message);

  constructor(readonly size: number) {}

  /** Sends one request to a free worker (waiting for one when all are busy) and returns its reply. */
  async request(
    req: WorkerRequest,
    onProgress: (model: string, done: number) => void,
  ): Promise<WorkerReply> {
    const worker = await this.acquire();
    try {
      return await worker.request(req, onProgress);
    } finally {
      this.release(worker);
    }
  }

  /**
   * Runs `session` with one worker to itself: every request it sends goes to that worker, in
   * turn (a scoring session: open, batches, close). A worker that dies on the way answers the
   * rest with `failed`.
   */
  async withWorker<T>(
    session: (
      send: (
        req: WorkerRequest,
        onProgress: (model: string, done: number) => void,
      ) => Promise<WorkerReply>,
    ) => Promise<T>,
  ): Promise<T> {
    const worker = await this.acquire();
    try {
      return await session((req, onProgress) => worker.request(req, onProgress));
    } finally {
      this.release(worker);
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    const all = this.idle.splice(0);
    this.live -= all.length;
    await Promise.all(all.map((w) => w.stop()));
  }

  private acquire(): Promise<PoolWorker> {
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.live < this.size) {
      this.live++;
      return Promise.resolve(new PoolWorker(this.late));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: PoolWorker): void {
    let next: PoolWorker | null = worker;
    if (worker.dead !== null) {
      void worker.stop();
      this.live--;
      next = null;
      if (this.waiting.length > 0) {
        this.live++;
        next = new PoolWorker(this.late);
      }
    }
    if (!next) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter(next);
    else this.idle.push(next);
  }
}

/**
 * Fits and scores `plugins` on `systems` in `workers` blocks, each a request to the pool (see
 * the two phases above). Per plugin: the scores aligned with `systems`, or the first error in
 * system order. A worker that fails to start or crashes makes every plugin of its request
 * errored: give one plugin per call to keep the plugins apart.
 */
export async function scoreInWorkers(
  plugins: readonly ModelPlugin[],
  origins: readonly PluginOrigin[],
  train: readonly SystemRecord[],
  systems: readonly SystemRecord[],
  opts: {
    readonly pool: WorkerPool;
    /** Blocks the systems are scored in, one session each (at most the pool's size run at once). */
    readonly workers: number;
    /** Systems per batch of a block. Default {@link SCORE_BATCH}. */
    readonly batch?: number;
    readonly config: ResolvedConfig;
    readonly dataDir: string;
    readonly snapshots?: WorkerJob['snapshots'];
    readonly source: SourceSelector;
    readonly seedFor: (model: string) => string;
    readonly timeoutMs: number;
    /** Score over time too (ScoreOptions.overTime). */
    readonly overTime: boolean;
    readonly onProgress?: (model: string, done: number) => void | Promise<void>;
    /** Called between the two phases. */
    readonly onScoreStart?: () => void | Promise<void>;
    /**
     * Laws to measure with the fitted plugins: the systems are then scored in one block, since
     * a law needs every test score; the first `trainNormals` systems are the training normals.
     */
    readonly laws?: LawPlan & { readonly trainNormals: number };
  },
): Promise<PooledScores[]> {
  const w = opts.laws ? 1 : Math.max(1, Math.min(opts.workers, systems.length));
  const blocks: SystemRecord[][] = [];
  for (let k = 0; k < w; k++)
    blocks.push(
      systems.slice(
        Math.floor((k * systems.length) / w),
        Math.floor(((k + 1) * systems.length) / w),
      ),
    );
  const done = plugins.map(() => new Array<number>(w).fill(0));
  const job: WorkerJob = {
    origins,
    config: opts.config,
    dataDir: opts.dataDir,
    ...(opts.snapshots ? { snapshots: opts.snapshots } : {}),
    source: opts.source,
    seeds: plugins.map((p) => opts.seedFor(p.name)),
    timeoutMs: opts.timeoutMs,
    overTime: opts.overTime,
  };
  const progressOf = (k: number) => (model: string, n: number) => {
    const i = plugins.findIndex((p) => p.name === model);
    if (i < 0) return;
    done[i]![k] = n;
    void opts.onProgress?.(
      model,
      done[i]!.reduce((a, b) => a + b, 0),
    );
  };
  const send = (k: number, req: WorkerRequest) => opts.pool.request(req, progressOf(k));
  // Plugins whose request failed with the worker, not by their own doing as far as is known:
  // fitAndScore runs each again alone. The watchdog names the plugin it stopped (its call was
  // under way): that one failed its case, and is not run again to hang a second time.
  const crashed = new Set<number>();
  const atFault = (r: WorkerReply, i: number): boolean =>
    r.type === 'failed' &&
    r.culprit !== undefined &&
    r.culprit === plugins[i]!.name &&
    plugins.filter((p) => p.name === r.culprit).length === 1;
  // Phase 1: each shippable model is fitted once, model i in worker i mod w.
  const shipped = plugins.map((p, i) => (shipsState(p) ? i : -1)).filter((i) => i >= 0);
  const fits = new Map<number, FitReply>();
  const fitReplies = await Promise.all(
    blocks.map((_, k) => {
      const models = shipped.filter((_, j) => j % w === k);
      return models.length > 0
        ? send(k, { type: 'fit', job, models, train: train.map(rowsOf) })
        : null;
    }),
  );
  fitReplies.forEach((r, k) => {
    if (r === null) return;
    const models = shipped.filter((_, j) => j % w === k);
    if (r.type === 'fitted') for (const f of r.fits) fits.set(f.model, f);
    else {
      for (const m of models) {
        fits.set(m, {
          model: m,
          error: `worker: ${r.type === 'failed' ? r.message : 'unexpected reply'}`,
          fitMs: 0,
          state: undefined,
        });
        if (!atFault(r, m)) crashed.add(m);
      }
    }
  });
  const prepare = plugins.map((p, i) => {
    const f = fits.get(i);
    if (!f) return 'fit' as const;
    return f.error !== null ? { error: f.error } : { state: f.state };
  });

  const fitsHere = plugins.some((p, i) => prepare[i] === 'fit' && typeof p.fit === 'function');

  // Phase 2: every worker scores its block, a batch at a time (see scoreBlock).
  await opts.onScoreStart?.();
  const results = await Promise.all(
    blocks.map((block, k) =>
      opts.pool.withWorker((send) =>
        scoreBlock(
          block,
          opts.laws ? block.length : (opts.batch ?? SCORE_BATCH),
          (req) => send(req, progressOf(k)),
          () => ({
            type: 'open',
            job,
            prepare,
            // The training systems travel only to a worker that fits a model.
            train: fitsHere ? train.map(rowsOf) : [],
            size: block.length,
            ...(opts.laws ? { laws: opts.laws } : {}),
          }),
        ),
      ),
    ),
  );
  return plugins.map((_, i) => {
    const scores = new Float64Array(systems.length).fill(NaN);
    const shippedFit = fits.get(i);
    let error: string | null = shippedFit?.error ?? null;
    let fitMs = shippedFit?.fitMs ?? 0;
    let scoreMs = 0;
    let laws: PluginLaws | undefined;
    let overTime: (OverTime | null)[] | undefined = [];
    let offset = 0;
    results.forEach((r, k) => {
      const block = blocks[k]!;
      if (r.type !== 'done') {
        error ??= `worker: ${r.type === 'failed' ? r.message : 'unexpected reply'}`;
        if (!atFault(r, i)) crashed.add(i);
      } else {
        const run = r.runs[i]!;
        if (run.error !== null) error ??= run.error;
        scores.set(run.scores, offset);
        if (!shippedFit) fitMs = Math.max(fitMs, run.fitMs);
        scoreMs = Math.max(scoreMs, run.scoreMs);
        laws ??= run.laws;
        if (run.overTime && overTime) overTime.push(...run.overTime);
        else overTime = undefined;
      }
      offset += block.length;
    });
    return {
      error,
      scores,
      fitMs,
      scoreMs,
      workerFailed: crashed.has(i),
      ...(laws ? { laws } : {}),
      ...(overTime && error === null ? { overTime } : {}),
    };
  });
}

/**
 * Systems a scoring batch holds: a worker makes the records of one batch at a time, and this
 * thread the rows of one batch (they are structured-cloned to the worker). A batch is a round
 * trip, so not too small: about 1 ms of messaging per 1,024 systems.
 */
export const SCORE_BATCH = 1024;

/**
 * One worker's scoring session over its block: `open`, a `batch` of `batch` systems at a time
 * (with laws the caller passes the whole block: they need every score), then `close`, whose
 * reply holds the block's scores. Batches stop early once every plugin has an error, as a
 * block's scoring would. After a failed batch the session is still closed, so the plugins (a
 * model's process) are let go; the reply is then the failure. `open` makes the request when it
 * is sent: the training rows it may carry are not kept for the whole session.
 */
async function scoreBlock(
  block: readonly SystemRecord[],
  batch: number,
  send: (req: WorkerRequest) => Promise<WorkerReply>,
  open: () => Extract<WorkerRequest, { type: 'open' }>,
): Promise<WorkerReply> {
  const opened = await send(open());
  if (opened.type !== 'opened') return opened;
  const step = Math.max(1, batch);
  for (let at = 0; at < block.length; at += step) {
    const r = await send({
      type: 'batch',
      offset: at,
      share: block.slice(at, at + step).map(rowsOf),
    });
    if (r.type !== 'scored') {
      await send({ type: 'close' });
      return r;
    }
    if (r.errors.every((e) => e !== null)) break;
  }
  return send({ type: 'close' });
}
