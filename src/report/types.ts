import type { ResolvedConfig } from '../config/types.ts';
import type { CaseResult, CollectedSuite, RunResult, SuiteResult } from '../runner/types.ts';

/**
 * A reporter: optional hooks, one per event of a run, named `on<Subject><Event>` as in vitest.
 * Every hook may be async; the runner awaits them in order.
 */
export interface Reporter {
  onInit?(ctx: { readonly config: ResolvedConfig; readonly outDir: string }): void | Promise<void>;
  onSuiteCollected?(suites: readonly CollectedSuite[]): void | Promise<void>;
  onCaseStart?(suite: string, model: string, total: number): void | Promise<void>;
  onCaseProgress?(suite: string, model: string, done: number, total: number): void | Promise<void>;
  onCaseResult?(result: CaseResult): void | Promise<void>;
  onSuiteResult?(result: SuiteResult): void | Promise<void>;
  onRunEnd?(result: RunResult): void | Promise<void>;
}
