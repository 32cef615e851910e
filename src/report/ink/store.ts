import type { CaseResult, CollectedSuite, RunResult, SuiteResult } from '../../runner/types.ts';

/** An item printed once, above the live area (Ink's `<Static>`): the run's title or a finished suite. */
export type FinishedItem =
  | { readonly key: string; readonly kind: 'title'; readonly suites: number }
  | { readonly key: string; readonly kind: 'suite'; readonly suite: SuiteResult };

/** One model of the running suite. */
export interface ModelProgress {
  readonly model: string;
  /** Systems scored so far, of `total`, in the current pass (`fold`). */
  readonly done: number;
  readonly total: number;
  /** 1-based pass: a k-fold suite fits and scores each model once per fold. */
  readonly fold: number;
  readonly state: 'running' | 'scored' | 'errored';
  readonly error?: string;
}

/** The suite being run: its models' progress, in the order they started. */
export interface RunningSuite {
  readonly name: string;
  readonly models: readonly ModelProgress[];
}

/** What the Ink app shows: everything it needs, replaced (never mutated) on every event. */
export interface InkState {
  /** Names of the collected suites, in run order. */
  readonly suites: readonly string[];
  /** Append-only: `<Static>` prints each item once. */
  readonly finished: readonly FinishedItem[];
  /** Suites finished so far. */
  readonly suitesDone: number;
  /** The suite whose models are being scored, once its first model started. */
  readonly running: RunningSuite | null;
  /** Set at the end of the run: the live area then shows the summary only. */
  readonly run: RunResult | null;
}

const INITIAL: InkState = { suites: [], finished: [], suitesDone: 0, running: null, run: null };

/**
 * The reporter's hooks push events here; the Ink app subscribes (`useSyncExternalStore`) and
 * re-renders. Every event replaces the state object, so a snapshot is cheap to compare.
 */
export class InkStore {
  #state: InkState = INITIAL;
  readonly #listeners = new Set<() => void>();

  /** Subscribe to changes; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The current state (the same object until the next event). */
  readonly getSnapshot = (): InkState => this.#state;

  /** The suites were collected: print the run's title. */
  collected(suites: readonly CollectedSuite[]): void {
    this.#set({
      suites: suites.map((s) => s.spec.name),
      finished: [...this.#state.finished, { key: 'title', kind: 'title', suites: suites.length }],
    });
  }

  /** A model starts a pass over `total` systems (a second start of the same model is the next fold). */
  caseStart(suite: string, model: string, total: number): void {
    const running =
      this.#state.running?.name === suite ? this.#state.running : { name: suite, models: [] };
    const prev = running.models.find((m) => m.model === model);
    const next: ModelProgress = {
      model,
      done: 0,
      total,
      fold: prev ? prev.fold + 1 : 1,
      state: 'running',
    };
    const models = prev
      ? running.models.map((m) => (m === prev ? next : m))
      : [...running.models, next];
    this.#set({ running: { name: suite, models } });
  }

  /** `done` of `total` systems scored. */
  caseProgress(suite: string, model: string, done: number, total: number): void {
    this.#updateModel(suite, model, (m) => ({ ...m, done, total }));
  }

  /** A model's case is in: scored (its bar fills) or errored. */
  caseResult(c: CaseResult): void {
    this.#updateModel(c.suite, c.model, (m) =>
      c.state === 'scored'
        ? { ...m, done: m.total, state: 'scored' }
        : { ...m, state: 'errored', error: c.error },
    );
  }

  /** A suite finished: print it once, and clear the live area. */
  suiteResult(s: SuiteResult): void {
    const n = this.#state.suitesDone;
    this.#set({
      finished: [...this.#state.finished, { key: `suite-${n}`, kind: 'suite', suite: s }],
      suitesDone: n + 1,
      running: null,
    });
  }

  /** The run ended: the live area becomes the summary. */
  runEnd(run: RunResult): void {
    this.#set({ run, running: null });
  }

  #updateModel(suite: string, model: string, f: (m: ModelProgress) => ModelProgress): void {
    const running = this.#state.running;
    if (!running || running.name !== suite) return;
    if (!running.models.some((m) => m.model === model)) return;
    this.#set({
      running: { name: suite, models: running.models.map((m) => (m.model === model ? f(m) : m)) },
    });
  }

  #set(patch: Partial<InkState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l();
  }
}
