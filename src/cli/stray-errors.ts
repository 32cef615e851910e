/**
 * Errors thrown in the CLI's process outside any plugin call (from a timer a suite module set,
 * or a promise nobody awaited), as main.ts hears them: each makes the exit code 2. The run
 * command hands them to the run, so that its reports say exit 2 too, not a green run.
 */
export const strayErrors: string[] = [];
