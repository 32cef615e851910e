/** The synthetic fleet generator: public surface of src/synth. */
export { createRng, type Rng } from './random.ts';
export {
  defineScenario,
  resolveScenario,
  scenarioKeyProblem,
  parseInterval,
  DEFAULT_SCENARIO,
  DEFAULT_FAILURE_WEIGHTS,
  DEFAULT_LEAD_TIME,
  DEFAULT_DATA_QUALITY,
  DEFAULT_EVENTS,
  type ScenarioOverrides,
  type ScenarioSource,
} from './define.ts';
export {
  planFleet,
  allocateCounts,
  stratified,
  anomalyCount,
  systemId,
  drawLeadTime,
  seasonStartMs,
  CAPACITIES_KWH,
  SEASON_MONTHS,
} from './plan.ts';
export {
  ambientSeries,
  hourOfDay,
  dayOfYear,
  seasonalMeanC,
  CLIMATE_PROFILES,
  type AmbientSeries,
  type ClimateProfile,
} from './ambient.ts';
export {
  simulateOperation,
  SOC_LIMITS,
  type OperationInput,
  type OperationSeries,
  type StringTrip,
} from './operating-modes.ts';
export {
  gridFrequencySeries,
  gridFrequencyStepper,
  drawGridFrequency,
  droop,
  NOMINAL_HZ,
  type GridFrequencyParams,
} from './grid-frequency.ts';
export {
  EVENT_TAGS,
  drawEventTags,
  drawOperationEvents,
  applySocRecalibration,
  rowTimestamps,
  drawRepeatedRows,
  type OperationEvents,
} from './events.ts';
export {
  simulateCells,
  lfpOcv,
  LFP_OCV_POINTS,
  extremeCellGrid,
  gridCell,
  gridCandidates,
  type ExtremeCellGrid,
  type CellSeries,
  type CellModelInput,
} from './cell-model.ts';
export { CHEMISTRY_PROFILES, ocv, arrheniusFactor, type ChemistryProfile } from './chemistry.ts';
export {
  PACK_SIZES,
  PACK_NOMINAL_V,
  REFERENCE_PACK,
  drawPack,
  drawCellPopulation,
  type PackSize,
  type PackSpec,
  type CellPopulation,
} from './pack.ts';
export {
  failureIntensity,
  intensitySeries,
  failureModifiers,
  FAILURE_TIME_SCALES,
  type FailureModifiers,
} from './failures.ts';
export { applyMeasurementNoise, applySensorFaults, type Channels } from './sensor-faults.ts';
export {
  generateSystem,
  generateFleet,
  cleanChannels,
  planModifiers,
  planToMetadata,
  planToLabel,
} from './generate.ts';
export {
  CLEAN_BOUNDS,
  SENSOR_FULL_SCALE,
  SENSOR_NOISE_SD,
  SENSOR_RESOLUTION,
  CELL_VOLTAGE_LIMITS,
  INSULATION_SENSOR_MAX_KOHM,
  withinBounds,
  type Bound,
} from './bounds.ts';
export { CELLS_IN_SERIES, CELL_AH, MAX_CURRENT_A, MAX_C_RATE } from './rack.ts';
export type * from './types.ts';
export { GENERATOR_VERSION } from './version.ts';
export { withDropouts } from './perturb.ts';
export {
  systemParts,
  cutWindows,
  windowId,
  windowLabel,
  precursorHorizonDays,
  PRECURSOR_FLOOR,
  type SystemPart,
} from './windows.ts';
export { shuffled } from './random.ts';
export { failureTimes } from './failure-times.ts';
