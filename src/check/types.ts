/** Types of the plugin contract check (`checkContract`, `harness check`). */

/** The contract rules; each is one property with its own shrunk counterexample. */
export const CONTRACT_RULES = [
  'throws',
  'non_finite',
  'wrong_system',
  'nondeterministic',
  'state_roundtrip',
  'time_shift',
  'unit_scale',
] as const;
/** One of {@link CONTRACT_RULES}. */
export type ViolationKind = (typeof CONTRACT_RULES)[number];

/** One broken rule, with the smallest fleet fast-check found that breaks it. */
export interface Violation {
  readonly kind: ViolationKind;
  /** What went wrong on the shrunk fixture, e.g. `score(sys-0) returned NaN`. */
  readonly message: string;
  /** The shrunk counterexample as readable text: systems, labels, per-sensor summaries, timestamps. */
  readonly fixture: string;
  /** fast-check seed of the run and the counterexample's path: together they replay it. */
  readonly seed: number;
  readonly path: string;
  /** The command that replays this counterexample. */
  readonly replay: string;
}

/**
 * What happened to one rule: `held` over every fleet tried, `violated`, `not_declared` (an
 * invariance the plugin does not claim), `inconclusive` (fit refused too many fleets for
 * the rule to be exercised), or `not_reproduced` (a replay, `path`, whose counterexample no
 * longer fails: it passed, or was skipped).
 */
export type RuleStatus = 'held' | 'violated' | 'not_declared' | 'inconclusive' | 'not_reproduced';

/** One rule's outcome. */
export interface RuleResult {
  readonly kind: ViolationKind;
  readonly status: RuleStatus;
  /** Fleets the rule was checked on (fast-check runs, refused fleets not counted). */
  readonly runs: number;
  /** Fleets skipped: fit refused them (or, for rules other than `throws`, the plugin threw). */
  readonly skipped: number;
  /** Shrink steps taken to the reported counterexample. */
  readonly shrinks: number;
  readonly note?: string;
}

/** The report of one contract check. */
export interface ContractReport {
  readonly model: string;
  readonly version: string;
  /** Runs asked for per rule. */
  readonly runs: number;
  readonly seed: number;
  /** Fleets `fit` refused in the `throws` rule (a refusal is allowed; see `checkContract`). */
  readonly refused: number;
  /** A few distinct refusal messages, so a reader sees why. */
  readonly refusals: readonly string[];
  readonly rules: readonly RuleResult[];
  readonly violations: readonly Violation[];
}

/** Options of `checkContract`. */
export interface CheckOptions {
  /** fast-check seed (a 32-bit integer). The same seed checks the same fleets. */
  readonly seed: number;
  /** Fleets per rule. Default 100. */
  readonly numRuns?: number;
  /** Per-call timeout in ms for fit, score and scoreBatch. Default: the plugin's `timeoutMs`, else 10 000. */
  readonly timeoutMs?: number;
  /** Only these rules (default: all). */
  readonly rules?: readonly ViolationKind[];
  /** Replay a counterexample path (from a report) instead of searching; needs exactly one rule. */
  readonly path?: string;
  /** How the replay command names the model (what the user typed). Default: the plugin's name. */
  readonly target?: string;
  /**
   * The suite the model was configured in (with its options), when the check is a suite's
   * contract assertion: the replay command names it (`--suite`), so that the replay checks that
   * model and not the plugin with its default options.
   */
  readonly suite?: string;
  /** Invariances checked as if declared (the caller wrapped the plugin); only named in the replay command. */
  readonly assume?: { readonly timeShift?: boolean; readonly unitScale?: boolean };
}
