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

/** How a pass is made. */
export interface PassOptions {
  /** ctx.seed of every call. */
  readonly seed: string;
  /** Per-call timeout when the plugin declares none. */
  readonly timeoutMs: number;
  /** Order of the score() calls. */
  readonly order: 'forward' | 'reverse';
  /** Also call scoreBatch (if the plugin has one) on the whole fleet, after the score() calls. */
  readonly batch: boolean;
  /**
   * Score with a second fresh instance that never fitted, restored from the fitted one's
   * `saveState()` after a structured clone (what a scoring worker receives).
   */
  readonly restored?: boolean;
}

/**
 * One fresh plugin: fit on the whole fleet (labels included; unsupervised models pick the
 * normals themselves, as they do with a training split), then score every system.
 */
export async function fitAndScorePass(
  make: PluginFactory,
  fleet: EdgeFleet,
  opts: PassOptions,
): Promise<PassOutcome> {
  const plugin = await make();
  const ms = plugin.timeoutMs ?? opts.timeoutMs;
  // Every instance the pass makes (the fitted one, and its restored copy) is torn down after it.
  const made: ModelPlugin<object>[] = [plugin];
  let outcome: PassOutcome | undefined;
  try {
    outcome = await scorePass(make, plugin, made, fleet, opts, ms);
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

async function scorePass(
  make: PluginFactory,
  plugin: ModelPlugin<object>,
  made: ModelPlugin<object>[],
  fleet: EdgeFleet,
  opts: PassOptions,
  ms: number,
): Promise<PassOutcome> {
  const seed = opts.seed;
  const derive: readonly DerivedFeature[] = plugin.derive ?? [];
  const records = fleet.dataset.systems;
  if (plugin.fit) {
    try {
      await withTimeout((signal) => plugin.fit!(fleet.dataset, { seed, signal }), ms, 'fit');
    } catch (err) {
      if (isRefusal(err)) return { kind: 'refused', reason: (err as Error).message };
      if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
      return { kind: 'threw', message: `fit threw ${describeError(err)}` };
    }
  }
  const scorer = opts.restored ? await restoredCopy(make, plugin, made, ms) : plugin;
  if (!('score' in scorer)) return scorer;
  const scores: unknown[] = new Array(records.length);
  const order = records.map((_, i) => i);
  if (opts.order === 'reverse') order.reverse();
  for (const i of order) {
    const record = records[i]!;
    const series = await record.loadSeries({ derive });
    try {
      scores[i] = await withTimeout(
        (signal) => scorer.score(series, { seed, signal, metadata: record.metadata }),
        ms,
        `score(${record.systemId})`,
      );
    } catch (err) {
      if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
      return { kind: 'threw', message: `score(${record.systemId}) threw ${describeError(err)}` };
    }
  }
  if (!opts.batch || !plugin.scoreBatch) return { kind: 'scored', scores };
  const all = await Promise.all(records.map((r) => r.loadSeries({ derive })));
  try {
    const batch = await withTimeout(
      (signal) =>
        plugin.scoreBatch!(all, { seed, signal, metadata: records.map((r) => r.metadata) }),
      ms,
      'scoreBatch',
    );
    return { kind: 'scored', scores, batch };
  } catch (err) {
    if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
    return { kind: 'threw', message: `scoreBatch threw ${describeError(err)}` };
  }
}

/**
 * A fresh instance restored from `fitted`'s state as a worker would get it (added to `made`), or
 * what went wrong. saveState and restoreState are timed like every call: one that never settled
 * hung the check.
 */
async function restoredCopy(
  make: PluginFactory,
  fitted: ModelPlugin<object>,
  made: ModelPlugin<object>[],
  ms: number,
): Promise<ModelPlugin<object> | Extract<PassOutcome, { kind: 'threw' }>> {
  let state: unknown;
  try {
    state = structuredClone(await withTimeout(() => fitted.saveState!(), ms, 'saveState'));
  } catch (err) {
    if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
    return {
      kind: 'threw',
      message: `saveState() did not give data a worker can receive: ${describeError(err)}`,
    };
  }
  const copy = await make();
  made.push(copy);
  try {
    await withTimeout(() => copy.restoreState!(state), ms, 'restoreState');
  } catch (err) {
    if (err instanceof CallTimeout) return { kind: 'threw', message: err.message, hung: true };
    return { kind: 'threw', message: `restoreState threw ${describeError(err)}` };
  }
  return copy;
}
