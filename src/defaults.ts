/**
 * Defaults that several commands share. Constants only, importing nothing, so that any layer
 * (the generator, the runner, the CLI) can read them without pulling in config loading.
 */

/** The seed of splits, models, samples and generated fleets when neither the command line nor the config names one. */
export const DEFAULT_SEED = 'bess';

/**
 * The longest time a plugin call may be given, in ms (24 hours): Node caps a longer timer to
 * 1 ms (TimeoutOverflowWarning past 2^31 − 1), so a larger timeout would time every call out
 * at once. The `--timeout` flag and the config's `timeoutMs` fields stop here.
 */
export const MAX_TIMEOUT_MS = 86_400_000;

/**
 * The most worker threads a run may have: the `--workers` flag's and the config's `workers`
 * limit (past it a run spends its memory on threads, not on models).
 */
export const MAX_WORKERS = 256;

/** Where reporters write their files when neither the config nor --out-dir says. */
export const DEFAULT_OUT_DIR = '.harness/last-run';
