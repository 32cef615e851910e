/**
 * The plugin contract check: property-based tests of a model plugin over generated edge-case
 * fleets (`edgeFleetArb`), one fast-check property per rule so each rule reports its own shrunk
 * counterexample with the seed and path that replay it.
 *
 * The rules (a fresh plugin instance per pass; each pass fits on the whole fleet, labels
 * included, and scores every system with the same `ctx.seed`):
 * - `throws`: fit and every score (and scoreBatch) return without throwing. `fit` may refuse a
 *   training set (see `isRefusal`): the fleet is then skipped and counted as refused.
 * - `non_finite`: every score (and every scoreBatch entry) is a finite number.
 * - `wrong_system`: scoring the systems in reverse order gives each system the score it gets in
 *   forward order, bit for bit; scoreBatch returns one score per system, in order, equal to score().
 * - `nondeterministic`: a fresh instance and a fresh twin (see twin.ts: from a module instance
 *   of its own, as another worker has) with the same seed give the same scores, bit for bit.
 * - `state_roundtrip`: only when the plugin has `saveState` and `restoreState`; a twin that never
 *   fitted, restored from the fitted instance's state (structured-cloned, as a scoring worker
 *   receives it), gives every system the fitted instance's score, bit for bit.
 * - `time_shift` / `unit_scale`: only when the plugin declares `invariantTo`; shifting every
 *   timestamp by Δ, or scaling every sensor value by c, in training and scored data alike, leaves
 *   every score within {@link INVARIANCE_TOLERANCE} (and keeps a refusal a refusal). Fleets
 *   with a subnormal reading (before or after scaling) are skipped by `unit_scale`: scaling a
 *   subnormal drops significant bits, so it is not a change of unit.
 * A fleet on which a pass throws is skipped by the rules other than `throws`, so one bug is
 * reported once. Exact rules compare bits because the same inputs run through the same code;
 * the invariance rules compare with a tolerance because the transformed inputs round differently.
 */
import fc from 'fast-check';
import { edgeFleetArb, type EdgeFleet } from '../arbitraries/index.ts';
import { formatDuration, formatNumber, renderFleet } from './render.ts';
import { fitAndScorePass, type PassOutcome, type PluginFactory } from './calls.ts';
import { sameModuleTwin, type Twin } from './twin.ts';
import { scaleFleet, shiftFleet, TIME_SHIFTS_MS, UNIT_FACTORS } from './transform.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import {
  CONTRACT_RULES,
  type CheckOptions,
  type ContractReport,
  type RuleResult,
  type Violation,
  type ViolationKind,
} from './types.ts';

/** Default fleets per rule: a full check of a baseline takes a few seconds. */
export const DEFAULT_CHECK_RUNS = 100;
/**
 * Default fleets per rule for a process model: each fleet makes fresh instances, each instance
 * starts its own process, and a Python model's imports alone take a second or two (scikit-learn
 * about 2 s), so 100 fleets × 5 rules would take most of an hour.
 */
export const DEFAULT_PROCESS_CHECK_RUNS = 10;
/** Default seed: fixed, so that two runs check the same fleets; printed with every report. */
export const DEFAULT_CHECK_SEED = 20_240_601;
/** Per-call timeout when neither the plugin nor the caller gives one. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/**
 * Scores of transformed data must match to 1e-9 relative or 1e-12 absolute. The transforms are
 * exact for timestamps (whole ms below 2^53) and round once per reading for unit scales, so a
 * model that really is invariant stays many orders of magnitude inside this (zscore: ~1e-15).
 * It is the same for every plugin: a plugin that needs a looser one is not invariant enough to
 * declare it (pca, for instance, declares timeShift only, see plugins/pca/README.md).
 */
export const INVARIANCE_TOLERANCE = { relative: 1e-9, absolute: 1e-12 } as const;

/** Thrown by a rule's property: a broken rule on this fleet. */
class RuleFailure extends Error {}

function fail(message: string): never {
  throw new RuleFailure(message);
}

/** Bit-for-bit (0 and −0 alike, NaN equal to NaN: a NaN is `non_finite`'s to report). */
function sameScore(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (a !== a && b !== b);
  return Object.is(a, b);
}

function closeScore(a: unknown, b: unknown): boolean {
  if (sameScore(a, b)) return true;
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  const { relative, absolute } = INVARIANCE_TOLERANCE;
  return Math.abs(a - b) <= Math.max(relative * Math.max(Math.abs(a), Math.abs(b)), absolute);
}

function show(v: unknown): string {
  return typeof v === 'number'
    ? formatNumber(v)
    : v === undefined
      ? 'undefined'
      : `${typeof v} ${JSON.stringify(v) ?? String(v)}`;
}

const ids = (fleet: EdgeFleet): string[] => fleet.systems.map((s) => s.series.systemId);

/**
 * Skips the fleet when `ok` is false, recording why in `ctx.skips`: a rule that could not be
 * exercised says why its fleets were skipped, not always "fit refused".
 */
function skipUnless(ctx: RuleContext, ok: boolean, why: string): void {
  if (ok) return;
  ctx.skips.add(why);
  fc.pre(false);
}

const FIT_REFUSED = 'fit refused';
const PLUGIN_THREW = 'the plugin threw, see rule throws';

/** Skips a fleet on which the pass did not score (refused, or threw: `throws` reports that). */
function scored(ctx: RuleContext, p: PassOutcome): Extract<PassOutcome, { kind: 'scored' }> {
  skipUnless(ctx, p.kind !== 'refused', FIT_REFUSED);
  skipUnless(ctx, p.kind === 'scored', PLUGIN_THREW);
  return p as Extract<PassOutcome, { kind: 'scored' }>;
}

interface RuleContext {
  readonly make: PluginFactory;
  readonly twin: Twin;
  readonly seed: string;
  readonly timeoutMs: number;
  readonly refusals: Set<string>;
  /** Why the current rule skipped fleets (cleared before each rule). */
  readonly skips: Set<string>;
  /**
   * The rule in which a call ran past its timeout, once one did. The check stops there: a plugin
   * that hung once hangs again, and every later pass (every shrink, every run of every rule)
   * waited out the timeout: 470 passes, 80 minutes at the default 10 s.
   */
  hung?: ViolationKind;
}

/** The fast-check property of each rule, over its arbitrary; the counterexample's first entry is the fleet. */
function ruleProperty(
  kind: ViolationKind,
  ctx: RuleContext,
  fleets: fc.Arbitrary<EdgeFleet>,
): fc.IAsyncPropertyWithHooks<[EdgeFleet, number]> {
  // Where a pass's instances come from: here, or the twin's module instance (`twin` fits and
  // scores there; `restored` fits here and scores with a twin restored from the state).
  type Where = 'here' | 'twin' | 'restored';
  const pass = async (
    fleet: EdgeFleet,
    order: 'forward' | 'reverse' = 'forward',
    batch = false,
    where: Where = 'here',
  ): Promise<PassOutcome> => {
    // After a hang nothing is called again: the shrinks skip, so the fleet that hung is the one shown.
    fc.pre(ctx.hung === undefined);
    const opts = { seed: ctx.seed, timeoutMs: ctx.timeoutMs, order, batch };
    const p =
      where === 'twin'
        ? await ctx.twin.pass(fleet, opts)
        : await fitAndScorePass(
            ctx.make,
            fleet,
            opts,
            where === 'restored'
              ? (state) => ctx.twin.restored(fleet, state, { ...opts, batch: false })
              : undefined,
          );
    if (p.kind === 'threw' && p.hung) {
      ctx.hung = kind;
      fail(`${p.message}; the check stops here (each later call would wait out the timeout too)`);
    }
    return p;
  };
  const noParam: fc.Arbitrary<number> = fc.constant(0);
  switch (kind) {
    case 'throws':
      return fc.asyncProperty<[EdgeFleet, number]>(fleets, noParam, async (fleet) => {
        const p = await pass(fleet, 'forward', true);
        if (p.kind === 'refused') {
          ctx.refusals.add(p.reason);
          skipUnless(ctx, false, FIT_REFUSED);
        }
        if (p.kind === 'threw') fail(p.message);
      });
    case 'non_finite':
      return fc.asyncProperty<[EdgeFleet, number]>(fleets, noParam, async (fleet) => {
        const p = scored(ctx, await pass(fleet, 'forward', true));
        p.scores.forEach((v, i) => {
          if (typeof v !== 'number' || !Number.isFinite(v))
            fail(`score(${ids(fleet)[i]}) returned ${show(v)}; a score must be a finite number`);
        });
        if (Array.isArray(p.batch)) {
          p.batch.forEach((v: unknown, i) => {
            if (typeof v !== 'number' || !Number.isFinite(v))
              fail(
                `scoreBatch returned ${show(v)} for ${ids(fleet)[i] ?? `entry ${i}`}; a score must be a finite number`,
              );
          });
        }
      });
    case 'wrong_system':
      return fc.asyncProperty<[EdgeFleet, number]>(fleets, noParam, async (fleet) => {
        const fwd = scored(ctx, await pass(fleet, 'forward', true));
        const rev = scored(ctx, await pass(fleet, 'reverse'));
        const names = ids(fleet);
        if (names.some((_, i) => !sameScore(fwd.scores[i], rev.scores[i]))) {
          // Scores that change from one forward pass to the next are `nondeterministic`'s to report.
          const again = scored(ctx, await pass(fleet));
          skipUnless(
            ctx,
            names.every((_, i) => sameScore(fwd.scores[i], again.scores[i])),
            'the scores changed between passes, see rule nondeterministic',
          );
        }
        names.forEach((id, i) => {
          if (!sameScore(fwd.scores[i], rev.scores[i])) {
            fail(
              `score(${id}) depends on the other systems scored before it: ${show(fwd.scores[i])} in order ${names.join(', ')} but ` +
                `${show(rev.scores[i])} in order ${[...names].reverse().join(', ')} (fresh instances, same fit)`,
            );
          }
        });
        if (fwd.batch === undefined) return;
        if (!Array.isArray(fwd.batch) || fwd.batch.length !== names.length) {
          fail(
            `scoreBatch returned ${Array.isArray(fwd.batch) ? `${fwd.batch.length} scores` : show(fwd.batch)} for ${names.length} systems; it must return one score per system, in order`,
          );
        }
        (fwd.batch as unknown[]).forEach((v, i) => {
          if (!sameScore(v, fwd.scores[i]))
            fail(
              `scoreBatch gave ${names[i]} ${show(v)} but score(${names[i]}) gave ${show(fwd.scores[i])}; scoreBatch must equal score(), in order`,
            );
        });
      });
    case 'nondeterministic':
      return fc.asyncProperty<[EdgeFleet, number]>(fleets, noParam, async (fleet) => {
        const a = scored(ctx, await pass(fleet));
        const b = scored(ctx, await pass(fleet, 'forward', false, 'twin'));
        ids(fleet).forEach((id, i) => {
          if (!sameScore(a.scores[i], b.scores[i])) {
            fail(
              `score(${id}) is ${show(a.scores[i])} from one instance and ${show(b.scores[i])} from ${ctx.twin.describe} with the same ctx.seed "${ctx.seed}"; draw random numbers from ctx.seed, and keep no state in the module (another worker imports it afresh)`,
            );
          }
        });
      });
    case 'state_roundtrip':
      return fc.asyncProperty<[EdgeFleet, number]>(fleets, noParam, async (fleet) => {
        const a = scored(ctx, await pass(fleet));
        const b = await pass(fleet, 'forward', false, 'restored');
        if (b.kind === 'threw') fail(b.message);
        skipUnless(ctx, b.kind === 'scored', FIT_REFUSED);
        const sb = (b as Extract<PassOutcome, { kind: 'scored' }>).scores;
        ids(fleet).forEach((id, i) => {
          if (!sameScore(a.scores[i], sb[i])) {
            fail(
              `score(${id}) is ${show(a.scores[i])} from the fitted instance but ${show(sb[i])} from ${ctx.twin.describe} restored from its saveState(); the state must hold everything score reads (a worker restores it into a fresh import of the module)`,
            );
          }
        });
      });
    case 'time_shift':
    case 'unit_scale': {
      const shift = kind === 'time_shift';
      const params = shift ? fc.constantFrom(...TIME_SHIFTS_MS) : fc.constantFrom(...UNIT_FACTORS);
      return fc.asyncProperty<[EdgeFleet, number]>(fleets, params, async (fleet, param) => {
        const what = shift
          ? `every timestamp shifted by ${formatShift(param)}`
          : `every sensor value × ${formatNumber(param)}`;
        const transformed = shift ? shiftFleet(fleet, param) : scaleFleet(fleet, param);
        // A subnormal reading keeps only a few significant bits and loses more when scaled: the
        // scaled fleet is then not the same data in another unit, so such fleets are skipped.
        if (!shift)
          skipUnless(
            ctx,
            !hasSubnormal(fleet) && !hasSubnormal(transformed),
            'readings were subnormal numbers',
          );
        const a = await pass(fleet);
        const b = await pass(transformed);
        skipUnless(ctx, !(a.kind === 'refused' && b.kind === 'refused'), FIT_REFUSED);
        skipUnless(ctx, a.kind !== 'threw' && b.kind !== 'threw', PLUGIN_THREW);
        if (a.kind === 'refused' || b.kind === 'refused') {
          const reason = a.kind === 'refused' ? a.reason : (b as { reason: string }).reason;
          fail(
            `fit ${a.kind === 'refused' ? 'refused the original fleet but accepted it with' : 'accepted the original fleet but refused it with'} ${what}: ${reason}`,
          );
        }
        const sa = (a as Extract<PassOutcome, { kind: 'scored' }>).scores;
        const sb = (b as Extract<PassOutcome, { kind: 'scored' }>).scores;
        ids(fleet).forEach((id, i) => {
          if (!closeScore(sa[i], sb[i])) {
            fail(
              `score(${id}) is ${show(sa[i])}, but ${show(sb[i])} with ${what}; the plugin declares invariantTo.${shift ? 'timeShift' : 'unitScale'}`,
            );
          }
        });
      });
    }
  }
}

/** What the first run of a property gave: in a replay, the run of the counterexample at the path. */
interface FirstRun {
  outcome?: 'held' | 'failed' | 'skipped';
}

/** The property, recording in `first` what its first run gave. */
function watchFirstRun<T>(
  property: fc.IAsyncPropertyWithHooks<T>,
  first: FirstRun,
): fc.IAsyncPropertyWithHooks<T> {
  return new Proxy(property, {
    get(target, key) {
      if (key !== 'run') {
        const v: unknown = Reflect.get(target, key);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return async (...args: Parameters<typeof target.run>) => {
        const r = await target.run(...args);
        first.outcome ??=
          r === null ? 'held' : fc.PreconditionFailure.isFailure(r) ? 'skipped' : 'failed';
        return r;
      };
    },
  });
}

/**
 * Runs fast-check; for a replay, a path that names no counterexample of this seed and rule (a
 * typo, or a path of another rule) is the caller's error, not a rule that held on no fleet.
 */
async function replayable<T>(
  opts: CheckOptions,
  kind: ViolationKind,
  check: () => Promise<fc.RunDetails<T>>,
): Promise<fc.RunDetails<T>> {
  const noSuchPath = (): Error =>
    new Error(
      `--path ${opts.path}: the seed ${opts.seed} has no fleet at that path for rule ${kind} (copy the seed, path and rule of one replay line)`,
    );
  let out: fc.RunDetails<T>;
  try {
    out = await check();
  } catch (err) {
    if (opts.path !== undefined && err instanceof Error && /(wrong|invalid) path/.test(err.message))
      throw noSuchPath();
    throw err;
  }
  if (opts.path !== undefined && out.numRuns === 0 && out.numSkips === 0) throw noSuchPath();
  return out;
}

/** Whether any sensor reading of the fleet is subnormal (nonzero, below 2.2250738585072014e-308 in magnitude). */
function hasSubnormal(fleet: EdgeFleet): boolean {
  for (const s of fleet.systems) {
    for (const col of Object.values(s.series.sensors)) {
      if (!col) continue;
      for (const v of col) if (v !== 0 && Math.abs(v) < 2.2250738585072014e-308) return true;
    }
  }
  return false;
}

function formatShift(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${formatDuration(ms)}`;
}

/** The counterexample as text: the fleet, and the transformation for the invariance rules. */
function renderCounterexample(kind: ViolationKind, [fleet, param]: [EdgeFleet, number]): string {
  const text = renderFleet(fleet);
  if (kind === 'time_shift') return `${text}\ntransformed: every timestamp ${formatShift(param)}`;
  if (kind === 'unit_scale')
    return `${text}\ntransformed: every sensor value × ${formatNumber(param)}`;
  return text;
}

/** A word for the shell: quoted only when it needs to be. */
function shellWord(s: string): string {
  return /^[\w./@:+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that replays one counterexample. */
export function replayCommand(
  target: string,
  kind: ViolationKind,
  seed: number,
  path: string,
  assume?: CheckOptions['assume'],
  suite?: string,
): string {
  const assumed = Object.entries(assume ?? {})
    .filter(([, v]) => v)
    .map(([k]) => k);
  const from = suite === undefined ? '' : ` --suite ${shellWord(suite)}`;
  return `harness check ${shellWord(target)}${from}${assumed.length ? ` --assume ${assumed.join(',')}` : ''} --seed ${seed} --path ${shellWord(path)} --rule ${kind}`;
}

/** Why a rule does not apply to this plugin (it makes no such promise), or null when it does. */
function undeclaredNote(kind: ViolationKind, probe: ModelPlugin<object>): string | null {
  if (kind === 'time_shift' && probe.invariantTo?.timeShift !== true)
    return 'the plugin does not declare invariantTo.timeShift';
  if (kind === 'unit_scale' && probe.invariantTo?.unitScale !== true)
    return 'the plugin does not declare invariantTo.unitScale';
  if (kind === 'state_roundtrip' && !(probe.saveState && probe.restoreState))
    return 'the plugin has no saveState/restoreState (workers fit it again)';
  return null;
}

/**
 * Checks a model plugin against the contract (see the module comment). `makePlugin` must return
 * a fresh instance on every call (a factory, as plugin modules export). The second instances
 * come from `makePlugin` too, which cannot see state kept in the plugin's module: the CLI and
 * the runner check with a twin from another import ({@link checkContractWithTwin}). Errors of
 * the factory itself propagate: they are the caller's to report, not a rule's.
 */
export function checkContract(
  makePlugin: PluginFactory,
  opts: CheckOptions,
): Promise<ContractReport> {
  return checkContractWithTwin(makePlugin, opts, sameModuleTwin(makePlugin));
}

/** {@link checkContract} with the second instances made by `twin` (see twin.ts). */
export async function checkContractWithTwin(
  makePlugin: PluginFactory,
  opts: CheckOptions,
  twin: Twin,
): Promise<ContractReport> {
  const probe = await makePlugin();
  const numRuns = opts.numRuns ?? DEFAULT_CHECK_RUNS;
  const rules = opts.rules ?? CONTRACT_RULES;
  if (opts.path !== undefined && rules.length !== 1) {
    throw new Error(
      `checkContract: a path replays one rule's counterexample; give exactly one rule (got ${rules.length})`,
    );
  }
  const ctx: RuleContext = {
    make: makePlugin,
    twin,
    seed: `check:${opts.seed}`,
    timeoutMs: opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    refusals: new Set(),
    skips: new Set(),
  };
  const target = opts.target ?? probe.name;
  const fleets = edgeFleetArb();
  const results: RuleResult[] = [];
  const violations: Violation[] = [];
  let refused = 0;
  for (const kind of rules) {
    if (ctx.hung !== undefined) {
      results.push({
        kind,
        status: 'inconclusive',
        runs: 0,
        skipped: 0,
        shrinks: 0,
        note: `not run: the plugin hung in ${ctx.hung} (a call ran past its timeout)`,
      });
      continue;
    }
    const undeclared = undeclaredNote(kind, probe);
    if (undeclared) {
      results.push({
        kind,
        status: 'not_declared',
        runs: 0,
        skipped: 0,
        shrinks: 0,
        note: undeclared,
      });
      continue;
    }
    ctx.skips.clear();
    const first: FirstRun = {};
    const property = ruleProperty(kind, ctx, fleets);
    const out = await replayable(opts, kind, () =>
      fc.check(opts.path === undefined ? property : watchFirstRun(property, first), {
        seed: opts.seed,
        numRuns,
        // pca refuses fleets with fewer than 2 normals (most of them): keep drawing until numRuns are checked.
        maxSkipsPerRun: 50,
        ...(opts.path !== undefined ? { path: opts.path } : {}),
      }),
    );
    if (kind === 'throws') refused = out.numSkips;
    const base = { kind, runs: out.numRuns, skipped: out.numSkips, shrinks: out.numShrinks };
    // A replay judges the counterexample at its path alone: fast-check goes on to the fleets
    // after it (the next shrinks, the next runs), which hold or fail whatever that one does.
    if (opts.path !== undefined && first.outcome !== 'failed') {
      results.push({
        ...base,
        status: 'not_reproduced',
        note: `the counterexample at --path ${opts.path} no longer fails: ${
          first.outcome === 'held'
            ? 'the rule holds on it'
            : `it was skipped (${[...ctx.skips].join('; ') || 'fit refused, or the plugin threw'})`
        }`,
      });
      continue;
    }
    if (!out.failed) {
      results.push({ ...base, status: 'held' });
      continue;
    }
    if (out.counterexample === null || out.counterexamplePath === null) {
      results.push({
        ...base,
        status: 'inconclusive',
        note: `skipped ${out.numSkips} fleets (${[...ctx.skips].join('; ') || 'fit refused, or the plugin threw'}) and checked only ${out.numRuns}: the rule could not be exercised`,
      });
      continue;
    }
    const err = out.errorInstance;
    const message =
      err instanceof RuleFailure
        ? err.message
        : `the check itself failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    results.push({ ...base, status: 'violated' });
    violations.push({
      kind,
      message,
      fixture: renderCounterexample(kind, out.counterexample),
      seed: out.seed,
      path: out.counterexamplePath,
      replay: replayCommand(
        target,
        kind,
        out.seed,
        out.counterexamplePath,
        opts.assume,
        opts.suite,
      ),
    });
  }
  return {
    model: probe.name,
    version: probe.version,
    runs: numRuns,
    seed: opts.seed,
    refused,
    refusals: [...ctx.refusals].slice(0, 3),
    rules: results,
    violations,
  };
}
