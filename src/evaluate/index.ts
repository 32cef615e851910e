/**
 * `harness evaluate`: scores files joined with labels, evaluated, printed and plotted.
 */
export { evaluateFiles, evaluationJson, writeEvaluationPlots } from './evaluate-files.ts';
export { EVALUATE_DEFAULT_THRESHOLD } from './evaluate-options.ts';
export {
  evaluateAlarmFiles,
  writeAlarmPlots,
  WARNING_TIME_SVG,
  type EvaluateAlarmsOptions,
  type AlarmsEvaluation,
} from './evaluate-alarms.ts';
export { alarmsJson, alarmsText } from './alarms-report.ts';
