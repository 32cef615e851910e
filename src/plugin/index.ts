/**
 * The plugin contract: what a model plugin is (ModelPlugin, defineModel and the contexts it is
 * called with), the timeout every plugin call runs under, and the guard against process.exit in
 * plugin code. It imports only data types, so the checker and the runner both build on it.
 */
export {
  type Awaitable,
  type ModelContext,
  type ModelPlugin,
  type ScoreContext,
  type ScoresOverTime,
  defineModel,
} from './model.ts';
export {
  DEFAULT_ROLLING,
  rollingScores,
  sliceSeries,
  trailingWindows,
  type RollingOptions,
  type TrailingWindow,
} from './rolling.ts';
export { CallTimeout, observeCalls, TEARDOWN_MIN_MS, withTimeout } from './timeout.ts';
export { forbidProcessExit } from './forbid-exit.ts';
export {
  createProcessPlugin,
  PROTOCOL_VERSION,
  type ProcessModelSpec,
} from './process/process-plugin.ts';
export { killProcessGroups, listenForProcessGroups } from './process/process-groups.ts';
