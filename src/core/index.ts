/**
 * The harness API the CLI and the public index use: createHarness.
 */
export {
  createHarness,
  type Harness,
  type HarnessOptions,
  type HarnessRun,
  type HarnessRunOptions,
  type RunFilter,
} from './harness.ts';
