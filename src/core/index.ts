/**
 * The harness API the CLI and the public index use: createHarness.
 */
export { createHarness } from './harness.ts';
