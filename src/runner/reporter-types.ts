import type { ResolvedConfig } from '../config/types.ts';
import type { Awaitable } from '../plugin/index.ts';
import type { CaseResult, CollectedSuite, RunResult, SuiteResult } from './types.ts';

/** {@link Reporter.onInit}: before anything runs. */
export interface InitEvent {
  /** The run's config, defaults filled and paths absolute. */
  readonly config: ResolvedConfig;
  /** The folder a reporter writes its files into (`--out-dir`, else the config's `outDir`). */
  readonly outDir: string;
}

/** {@link Reporter.onSuiteCollected}: the suites that will run, in order, nothing run yet. */
export interface SuitesCollectedEvent {
  readonly suites: readonly CollectedSuite[];
}

/** {@link Reporter.onCaseStart}: a model starts on a suite. */
export interface CaseStartEvent {
  readonly suite: string;
  readonly model: string;
  /** Systems the model will score (the test split, plus the training normals for a train-FPR threshold). */
  readonly total: number;
}

/** {@link Reporter.onCaseProgress}: a model scored `done` of its `total` systems. */
export interface CaseProgressEvent extends CaseStartEvent {
  readonly done: number;
}

/** {@link Reporter.onCaseResult}: a model finished a suite (scored or errored). */
export interface CaseResultEvent {
  readonly result: CaseResult;
}

/** {@link Reporter.onSuiteResult}: a suite finished: its cases, graded assertions and gates. */
export interface SuiteResultEvent {
  readonly result: SuiteResult;
}

/** {@link Reporter.onRunEnd}: the run finished; `result` is what results.json holds. */
export interface RunEndEvent {
  readonly result: RunResult;
}

/**
 * A reporter: optional hooks, one per event of a run, named `on<Subject><Event>` as in vitest.
 * Each takes one event object (new fields can come without breaking a reporter). Every hook
 * may be async; the runner awaits them in order, so a reporter sees the events one at a time.
 */
export interface Reporter {
  /** Before anything runs: where to write files. */
  onInit?(event: InitEvent): Awaitable<void>;
  /** The suites about to run. */
  onSuiteCollected?(event: SuitesCollectedEvent): Awaitable<void>;
  /** A model starts on a suite. */
  onCaseStart?(event: CaseStartEvent): Awaitable<void>;
  /** A model's scoring progress (after each chunk of systems). */
  onCaseProgress?(event: CaseProgressEvent): Awaitable<void>;
  /** A model finished a suite. */
  onCaseResult?(event: CaseResultEvent): Awaitable<void>;
  /** A suite finished, assertions graded. */
  onSuiteResult?(event: SuiteResultEvent): Awaitable<void>;
  /**
   * The run finished. Called once more (never more) when an error of the run itself (another
   * reporter failed, a timer threw) came after it: `result.errors` then says why it is exit 2.
   */
  onRunEnd?(event: RunEndEvent): Awaitable<void>;
}

/** Every hook of {@link Reporter}, in the order a run calls them. */
export const REPORTER_HOOKS = [
  'onInit',
  'onSuiteCollected',
  'onCaseStart',
  'onCaseProgress',
  'onCaseResult',
  'onSuiteResult',
  'onRunEnd',
] as const satisfies readonly (keyof Reporter)[];
