/**
 * The twin: where the check makes the instances it compares with the first one, the second
 * instance of `nondeterministic` and the restored copy of `state_roundtrip`. The runner's
 * workers each import the plugin's module on their own, so an instance there shares nothing
 * with one in another worker: a plugin that keeps its fitted state in a module variable, or
 * draws `Math.random()` once at import, scores differently with 1 and 2 workers, or from one run
 * to the next. A twin made from the same module instance would share that state and hide it;
 * the check therefore takes its twin from a module instance of its own (a worker of its own,
 * `runner/check-twin.ts`) whenever the plugin has an origin that can be imported again.
 */
import type { EdgeFleet } from '../arbitraries/index.ts';
import {
  fitAndScorePass,
  type PassOptions,
  type PassOutcome,
  type PluginFactory,
  restoredPass,
} from './calls.ts';

/** Passes made by instances of a separate module instance of the plugin. */
export interface Twin {
  /** What the twins are, for messages: `a fresh import of the plugin (another worker)`. */
  readonly describe: string;
  /** A fit-and-score pass by a fresh twin instance. */
  pass(fleet: EdgeFleet, opts: PassOptions): Promise<PassOutcome>;
  /** Scores the fleet with a twin instance restored from `state` (structured-cloned already). */
  restored(fleet: EdgeFleet, state: unknown, opts: PassOptions): Promise<PassOutcome>;
}

/**
 * Twins from the same factory, hence the same module instance: for a plugin object with no
 * origin (a suite's inline plugin when there is no worker to import it in). It cannot see state
 * kept in the module.
 */
export function sameModuleTwin(make: PluginFactory): Twin {
  return {
    describe: 'another instance',
    pass: (fleet, opts) => fitAndScorePass(make, fleet, opts),
    restored: (fleet, state, opts) => restoredPass(make, fleet, state, opts),
  };
}
