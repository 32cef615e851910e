/**
 * Which way a headline metric is better, for colouring a change (`harness compare`): most are
 * better higher (roc_auc, recall, event_recall, warning_days), a few lower (fpr, false alarms, a
 * detection's delay), and `threshold` has no better direction (it is where the alarm is set).
 */
export type MetricDirection = 'higher' | 'lower' | 'none';

/** Metrics where a smaller value is the better one. */
const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'fpr',
  'false_alarms_per_system_month',
  'detection_delay_days',
]);

/** Values that are not better either way. */
const NO_DIRECTION: ReadonlySet<string> = new Set(['threshold', 'n', 'positives', 'negatives']);

/** The better direction of metric `name` (any metric not listed as lower or none is higher-is-better). */
export function metricDirection(name: string): MetricDirection {
  if (LOWER_IS_BETTER.has(name)) return 'lower';
  if (NO_DIRECTION.has(name)) return 'none';
  return 'higher';
}
