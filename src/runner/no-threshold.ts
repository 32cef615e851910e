import type { EvaluationSummary, JsonCell } from '../metrics/index.ts';

/** The metrics measured at the decision threshold, in the headline; a cell has `recall`. */
const AT_THRESHOLD = ['precision', 'recall', 'f1', 'fpr', 'specificity'] as const;

/**
 * A summary whose threshold could not be set: a train-FPR threshold on a split with no training
 * normal (`split: { test: 0.99 }` on a small fleet, a source split that trains on failures only).
 * The runner scored at an infinite threshold, flagging nothing, so `fpr` read 0 and
 * `specificity` 1: `fpr < 0.05` passed on a model that was never thresholded. Every metric at
 * the threshold is undefined here, with `reason`; ranking metrics (ROC AUC, AP) stand.
 */
export function withoutThreshold(summary: EvaluationSummary, reason: string): EvaluationSummary {
  const metrics: Record<string, number | null> = { ...summary.metrics };
  const undefinedWhy: Record<string, string> = { ...summary.undefined };
  const notes: Record<string, string> = { ...summary.notes };
  for (const m of AT_THRESHOLD) {
    metrics[m] = null;
    undefinedWhy[m] = reason;
    delete notes[m];
  }
  undefinedWhy['ci.fpr'] = reason;
  // The threshold itself is the one never set: its null said "no reason given".
  metrics['threshold'] = null;
  undefinedWhy['threshold'] = reason;
  delete notes['threshold'];
  const cell = <C extends JsonCell>(c: C): C => ({
    ...c,
    metrics: { ...c.metrics, recall: null },
    undefined: { ...c.undefined, recall: reason },
  });
  const breakdown = Object.fromEntries(
    Object.entries(summary.breakdown).map(([column, cells]) => [column, cells.map(cell)]),
  );
  return {
    ...summary,
    metrics,
    ci: { ...summary.ci, fpr: null },
    undefined: undefinedWhy,
    notes,
    breakdown,
    ...(summary.lead_time ? { lead_time: summary.lead_time.map(cell) } : {}),
    ...(summary.caught_with_warning
      ? {
          caught_with_warning: Object.fromEntries(
            Object.keys(summary.caught_with_warning).map((k) => [k, null]),
          ),
        }
      : {}),
  };
}
