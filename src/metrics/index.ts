/**
 * The metrics engine: pure functions over labels (1 = anomaly) and scores (higher = more
 * anomalous). No I/O. Undefined metrics are `{ value: null, code, reason }`, never a fake number.
 */
export * from './types.ts';
export { argsortDescending, rankScores, tieBlockEnds, type Ranking } from './sort.ts';
export { erfc, normalCdf, normalQuantile, twoSidedZ } from './normal.ts';
export {
  averagePrecision,
  binaryClfCurve,
  precisionAtK,
  prCurve,
  recallAtFpr,
  rocAuc,
  rocCurve,
  type ClfCurve,
  type PrCurveOptions,
  type RecallAtFpr,
  type RocAucOptions,
  type RocCurveOptions,
  type WeightOptions,
} from './ranking.ts';
export {
  chooseThreshold,
  confusionAt,
  nextUp,
  thresholdMetrics,
  type ThresholdChoice,
  type ThresholdContext,
  type ThresholdMetricOptions,
  type ThresholdMetrics,
  type ThresholdSpec,
  type ZeroDivision,
} from './threshold.ts';
export {
  delongAuc,
  delongPairedTest,
  MIN_DELONG_CLASS,
  type DelongAuc,
  type DelongOptions,
  type DelongPairedTest,
} from './delong.ts';
export { wilsonInterval } from './wilson.ts';
export {
  bootstrapCi,
  quantileType7,
  rocAucMetric,
  type BootstrapCi,
  type BootstrapMetric,
  type BootstrapOptions,
} from './bootstrap.ts';
export {
  evaluateCell,
  type CellInput,
  type CellComparison,
  type StratumCell,
  type StratumMetrics,
} from './cell.ts';
export {
  caughtWithWarning,
  leadTimeMetrics,
  type LeadTimeBucket,
  type LeadTimeCell,
  type LeadTimeInput,
} from './lead-time.ts';
export {
  breakdown,
  breakdownCoded,
  codeStrata,
  type CodedStrata,
  MISSING_STRATUM,
  type BreakdownOptions,
  type BreakdownRow,
} from './breakdown.ts';
export {
  evaluateScores,
  type EvaluateInput,
  type EvaluationSummary,
  type JsonCell,
  type JsonCi,
  type StrataColumn,
} from './evaluate.ts';
export { rankSet, type RankedSet } from './ranked-set.ts';
export {
  BOOTSTRAP_MAX_UNITS,
  evaluateAlarms,
  MONTH_DAYS,
  WARNING_HORIZONS_DAYS,
} from './alarms.ts';
export {
  judgeSystemAlarms,
  nabScaledSigmoid,
  nabTruePositiveWeight,
  type JudgeOptions,
  type SystemAlarmResult,
} from './alarm-events.ts';
export type * from './alarm-types.ts';
export {
  alarmBreakdown,
  type AlarmStratumCell,
  type AlarmStratumValue,
} from './alarm-breakdown.ts';
export {
  alarmsFromScores,
  alarmThreshold,
  cooldownDaysOf,
  debouncedPeak,
  DEFAULT_COOLDOWN_DAYS,
  DEFAULT_MIN_DURATION,
  momentsOf,
  type Debounce,
  type ScoreSeries,
} from './alarms-from-scores.ts';
export {
  groupRacks,
  mergeRackAlarms,
  rackAlarmSystems,
  rackWindowLabel,
  rackStratumValue,
  type RackGroup,
  type RackOf,
  type RackTimeline,
  type RackUnit,
  type RackWindowLabel,
} from './alarm-racks.ts';
export { metricDirection, type MetricDirection } from './metric-direction.ts';
