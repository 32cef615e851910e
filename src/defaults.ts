/**
 * Defaults that several commands share. Constants only, importing nothing, so that any layer
 * (the generator, the runner, the CLI) can read them without pulling in config loading.
 */

/** The seed of splits, models, samples and generated fleets when neither the command line nor the config names one. */
export const DEFAULT_SEED = 'bess';
