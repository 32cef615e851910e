import { HarnessError } from '../errors.ts';
import { readRunResults, type StoredRun } from './read-runs.ts';
import type { RunRecord } from './types.ts';

/** One line of `harness runs` (and one element of `harness runs --json`). */
export interface RunOverview {
  readonly run_id: string;
  readonly dir: string;
  readonly started_at: string;
  readonly exit_code: 0 | 1 | 2;
  readonly git: RunRecord['git'];
  readonly suites: number;
  readonly cases: { readonly scored: number; readonly errored: number };
  /** Headline ROC AUC of every case (null: undefined on its data, or the case errored). */
  readonly roc_auc: readonly {
    readonly suite: string;
    readonly model: string;
    readonly state: 'scored' | 'errored';
    readonly value: number | null;
  }[];
  /** Set when results.json could not be read: roc_auc is then empty. */
  readonly results_error: string | null;
  /** tracking.json's MLflow status, null when the run was never sent, unknown when tracking.json is damaged. */
  readonly tracking: 'synced' | 'failed' | 'unknown' | null;
  /** The server the run was sent to (tracking.json's uri); null when never sent or unknown. */
  readonly tracking_uri: string | null;
}

/** What `harness runs` shows of a run: run.json, the headline AUCs from results.json, tracking.json's status. */
export async function overviewOf(run: StoredRun): Promise<RunOverview> {
  const r = run.record;
  const cases = r.suites.flatMap((s) => s.cases);
  const errored = cases.filter((c) => c.state === 'errored').length;
  let roc: RunOverview['roc_auc'] = [];
  let resultsError: string | null = null;
  try {
    const results = await readRunResults(run.dir);
    roc = results.suites.flatMap((s) =>
      s.cases.map((c) => ({
        suite: s.name,
        model: c.model,
        state: c.state,
        value: c.state === 'scored' ? (c.metrics['roc_auc'] ?? null) : null,
      })),
    );
  } catch (err) {
    // One damaged results.json must not hide the rest of the history.
    if (!(err instanceof HarnessError)) throw err;
    resultsError = err.message;
  }
  return {
    run_id: r.run_id,
    dir: run.dir,
    started_at: r.started_at,
    exit_code: r.exit_code,
    git: r.git,
    suites: r.suites.length,
    cases: { scored: cases.length - errored, errored },
    roc_auc: roc,
    results_error: resultsError,
    tracking: run.trackingError !== undefined ? 'unknown' : (run.tracking?.mlflow?.status ?? null),
    tracking_uri: run.tracking?.mlflow?.uri ?? null,
  };
}
