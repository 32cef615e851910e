/** fast-check arbitraries for users' property tests: edge-case series and fleets, scenarios, scores. */
export {
  edgeSeriesArb,
  columnShapeArb,
  materializeColumn,
  materializeTimestamps,
  strictlyIncreasing,
  EXTREME_VALUES,
} from './edge-series.ts';
export type { EdgeSeries, EdgeSeriesOptions, ColumnShape, TimestampOrder } from './edge-series.ts';
export { edgeFleetArb, edgeFleetOf, labelRowArb, metadataRowArb } from './edge-fleet.ts';
export type { EdgeFleet, EdgeFleetSystem, EdgeFleetOptions } from './edge-fleet.ts';
export { scenarioSpecArb, weightsArb } from './scenario-spec.ts';
export type { ScenarioSpecOptions } from './scenario-spec.ts';
export { scoresWithTiesArb, labelSetArb, labelledScoresArb, scoreArb } from './scores.ts';
