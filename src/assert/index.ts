/**
 * Assertions: the `expect` builder suites use, and the grader the runner calls once every model
 * has been scored. Everything else in this folder is internal.
 */
export { createExpectApi } from './expect.ts';
export { gradeAssertions } from './grade.ts';
export type {
  AssertionResult,
  AssertionSpec,
  CiSide,
  Comparison,
  ExpectApi,
  GradedCase,
  MetricExpectation,
  MetricMatchers,
  MetricRef,
  ModelExpectation,
  SourceLocation,
  StratumOutcome,
} from './types.ts';
export { expectedText, given, predicateText, refLabel } from './format.ts';
export type { ContractOutcomes, LawOutcomes } from './grade.ts';
export { lawMeasureKey } from './laws.ts';
