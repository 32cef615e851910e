/**
 * `harness evaluate`: scores files joined with labels, evaluated, printed and plotted.
 */
export { evaluateFiles, evaluationJson, writeEvaluationPlots } from './evaluate-files.ts';
