/**
 * Calling a plugin the way the runner does (fit on a training set, then score each system, or
 * scoreBatch), with a per-call timeout, and classifying what happened: scores, a refusal by
 * `fit`, or a throw. Used by every contract rule.
 */
import type { DerivedFeature } from '../data/index.ts';
import type { EdgeFleet } from '../arbitraries/index.ts';
import { CallTimeout, type ModelPlugin, TEARDOWN_MIN_MS, withTimeout } from '../plugin/index.ts';

/** A plugin, or a promise of one: a fresh instance per call. Any options type (an interface too). */
export type PluginFactory = () => ModelPlugin<object> | Promise<ModelPlugin<object>>;

/** A call that ran past its timeout. */

/**
 * Errors the JavaScript engine throws for programming mistakes. A `fit` that throws one of these
 * crashed; it did not refuse its training set.
 */
const BUG_ERRORS = new Set([
  'TypeError',
  'ReferenceError',
  'RangeError',
  'SyntaxError',
  'EvalError',
  'URIError',
]);

/**
 * Whether an error thrown by `fit` is a refusal of the training set, which the contract allows
 * (zscore and pca refuse a training split without enough normals). Precisely: an `Error` with a
 * non-empty message that is neither one of the engine's programming-error types (TypeError,
 * ReferenceError, RangeError, SyntaxError, EvalError, URIError) nor a timeout. Anything else
 * thrown from `fit` (a string, an empty message, a TypeError from reading a missing column) is
 * a crash. `score` has no such allowance: it must never throw on a series the loader can deliver.
 */
export function isRefusal(err: unknown): boolean {
  return (
    err instanceof Error &&
    !(err instanceof CallTimeout) &&
    !BUG_ERRORS.has(err.name) &&
    err.message.trim() !== ''
  );
}

/** `TypeError: x is undefined`, or the thrown value when it is not an Error. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0] ?? ''}`;
  return `a non-Error value ${typeof err === 'string' ? JSON.stringify(err) : String(err)}`;
}

/** What one fit-and-score pass over a fleet gave. Scores are `unknown`: a plugin may return anything. */
export type PassOutcome =
  | { readonly kind: 'refused'; readonly reason: string }
  | {
      readonly kind: 'threw';
      readonly message: string;
      /** The call ran past its timeout: the plugin hangs, and every later pass would wait it out too. */
      readonly hung?: true;
    }
  | {
      readonly kind: 'scored';
      /** score() per system, indexed like the fleet whatever the order of the calls. */
      readonly scores: readonly unknown[];
      /** scoreBatch() of the whole fleet in order, when asked for and the plugin has one. */
      readonly batch?: unknown;
    };

/** How a pass is made. Plain data: a twin in another worker receives it (see twin.ts). */
export interface PassOptions {
  /** ctx.seed of every call. */
  readonly seed: string;
  /** Per-call timeout when the plugin declares none. */
  readonly timeoutMs: number;
  /** Order of the score() calls. */
  readonly order: 'forward' | 'reverse';
  /** Also call scoreBatch (if the plugin has one) on the whole fleet, after the score() calls. */
  readonly batch: boolean;
}

/**
 * Scores the fleet with an instance restored from the given state (already structured-cloned,
 * as a scoring worker receives it), instead of the fitted instance.
 */
export type ScoreRestored = (state: unknown) => Promise<PassOutcome>;

/**
 * One fresh plugin: fit on the whole fleet (labels included; unsupervised models pick the
 * normals themselves, as they do with a training split), then score every system; or, with
 * `restore`, hand the fitted instance's `saveState()` to `restore`, which scores with a copy.
 */
export async function fitAndScorePass(
  make: PluginFactory,
  fleet: EdgeFleet,
  opts: PassOptions,
  restore?: ScoreRestored,
): Promise<PassOutcome> {
  const plugin = await make();
  return withTearDown([plugin], plugin.timeoutMs ?? opts.timeoutMs, () =>
    fitPass(plugin, fleet, opts, restore),
  );
}

/**
 * A fresh plugin that never fitted, restored from `state` (structured-cloned already), scoring
 * every system: the second half of a `state_roundtrip` pass, here or in a twin's worker.
 */
export async function restoredPass(
  make: PluginFactory,
  fleet: EdgeFleet,
  state: unknown,
  opts: PassOptions,
): Promise<PassOutcome> {
  const copy = await make();
  const ms = copy.timeoutMs ?? opts.timeoutMs;
  return withTearDown([copy], ms, async () => {
    try {
      await withTimeout(() => copy.restoreState!(state), ms, 'restoreState');
    } catch (err) {
      if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
      return { kind: 'threw', message: `restoreState threw ${describeError(err)}` };
    }
    return scoreEach(copy, fleet, opts, ms);
  });
}

/** Runs `body`, then tears down every instance it used; a teardown that hangs is the outcome. */
async function withTearDown(
  made: readonly ModelPlugin<object>[],
  ms: number,
  body: () => Promise<PassOutcome>,
): Promise<PassOutcome> {
  let outcome: PassOutcome | undefined;
  try {
    outcome = await body();
  } finally {
    const stuck = await tearDown(made, ms);
    if (outcome && stuck) outcome = stuck;
  }
  return outcome;
}

/**
 * Tears down each instance, under a timeout and the watchdog like every call (one that never
 * settled hung the check). A throw is not part of the scoring contract (the runner reports it on
 * its own); a teardown that does not end is what the pass reports, since it stalls every run.
 */
async function tearDown(
  made: readonly ModelPlugin<object>[],
  ms: number,
): Promise<PassOutcome | null> {
  let stuck: PassOutcome | null = null;
  for (const p of made) {
    const teardown = p.teardown;
    if (!teardown) continue;
    try {
      await withTimeout(() => teardown.call(p), Math.max(ms, TEARDOWN_MIN_MS), 'teardown');
    } catch (err) {
      if (err instanceof CallTimeout) stuck ??= { kind: 'threw', message: err.message, hung: true };
    }
  }
  return stuck;
}

async function fitPass(
  plugin: ModelPlugin<object>,
  fleet: EdgeFleet,
  opts: PassOptions,
  restore: ScoreRestored | undefined,
): Promise<PassOutcome> {
  const ms = plugin.timeoutMs ?? opts.timeoutMs;
  const seed = opts.seed;
  if (plugin.fit) {
    try {
      await withTimeout((signal) => plugin.fit!(fleet.dataset, { seed, signal }), ms, 'fit');
    } catch (err) {
      if (isRefusal(err)) return { kind: 'refused', reason: (err as Error).message };
      if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
      return { kind: 'threw', message: `fit threw ${describeError(err)}` };
    }
  }
  if (restore) {
    const state = await savedState(plugin, ms);
    return 'threw' in state ? state.threw : restore(state.state);
  }
  const scored = await scoreEach(plugin, fleet, opts, ms);
  if (scored.kind !== 'scored' || !opts.batch || !plugin.scoreBatch) return scored;
  const records = fleet.dataset.systems;
  const derive: readonly DerivedFeature[] = plugin.derive ?? [];
  const all = await Promise.all(records.map((r) => r.loadSeries({ derive })));
  try {
    const batch = await withTimeout(
      (signal) =>
        plugin.scoreBatch!(all, { seed, signal, metadata: records.map((r) => r.metadata) }),
      ms,
      'scoreBatch',
    );
    return { ...scored, batch };
  } catch (err) {
    if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
    return { kind: 'threw', message: `scoreBatch threw ${describeError(err)}` };
  }
}

/** score() of every system, in the pass's order; the scores indexed like the fleet. */
async function scoreEach(
  scorer: ModelPlugin<object>,
  fleet: EdgeFleet,
  opts: PassOptions,
  ms: number,
): Promise<PassOutcome> {
  const records = fleet.dataset.systems;
  const derive: readonly DerivedFeature[] = scorer.derive ?? [];
  const scores: unknown[] = new Array(records.length);
  const order = records.map((_, i) => i);
  if (opts.order === 'reverse') order.reverse();
  for (const i of order) {
    const record = records[i]!;
    const series = await record.loadSeries({ derive });
    try {
      scores[i] = await withTimeout(
        (signal) => scorer.score(series, { seed: opts.seed, signal, metadata: record.metadata }),
        ms,
        `score(${record.systemId})`,
      );
    } catch (err) {
      if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
      return { kind: 'threw', message: `score(${record.systemId}) threw ${describeError(err)}` };
    }
  }
  return { kind: 'scored', scores };
}

/**
 * The fitted instance's `saveState()` as a worker would receive it (structured-cloned), or what
 * went wrong. Timed like every call: one that never settled hung the check.
 */
async function savedState(
  fitted: ModelPlugin<object>,
  ms: number,
): Promise<
  { readonly state: unknown } | { readonly threw: Extract<PassOutcome, { kind: 'threw' }> }
> {
  try {
    return {
      state: structuredClone(await withTimeout(() => fitted.saveState!(), ms, 'saveState')),
    };
  } catch (err) {
    if (err instanceof CallTimeout)
      return { threw: { kind: 'threw', message: err.message, hung: true } };
    return {
      threw: {
        kind: 'threw',
        message: `saveState() did not give data a worker can receive: ${describeError(err)}`,
      },
    };
  }
}
