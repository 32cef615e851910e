import path from 'node:path';
import { writeFileAtomic } from '../data/index.ts';
import type { RunResult } from '../runner/types.ts';
import type { Reporter } from '../runner/index.ts';
import { REPORT_FILES } from './report-files.ts';

/** Options of the json reporter. */
export interface JsonReporterOptions {
  /** File name inside the run's out dir, or an absolute path. Default `results.json`. */
  readonly file?: string;
}

/** Version of the results.json layout: other tools read it, so a change bumps it. */
export const RESULTS_SCHEMA_VERSION = 1;

/**
 * Writes `results.json`, the contract for other tools: per suite and model the metrics, CIs
 * and breakdowns, and every assertion with `state`, `actual` and `expected`. Per-system scores
 * are left out (they can be millions of numbers); the evaluation summary holds what reports need.
 */
export function jsonReporter(options: JsonReporterOptions = {}): Reporter {
  let outDir = process.cwd();
  return {
    onInit(ctx) {
      outDir = ctx.outDir;
    },
    async onRunEnd({ result: run }) {
      const file = path.resolve(outDir, options.file ?? REPORT_FILES.json);
      await writeFileAtomic(file, resultsJsonText(run));
    },
  };
}

/** The bytes of results.json: the json reporter and the run store (src/track/) both write exactly these. */
export function resultsJsonText(run: RunResult): string {
  return JSON.stringify(toJson(run), null, 2) + '\n';
}

/** results.json as other tools read it (the local run store's compare reads it back). */
export type ResultsJson = ReturnType<typeof toJson>;

/** The run as results.json holds it: JSON values only, undefined metrics as null. */
export function toJson(run: RunResult) {
  return {
    schema: RESULTS_SCHEMA_VERSION,
    harness_version: run.harnessVersion,
    started_at: run.startedAt,
    seed: run.seed,
    summary: run.summary,
    // The run's own errors (a reporter that failed, an exception from a timer): each makes
    // summary.exitCode 2 whatever the suites say.
    errors: run.errors ?? [],
    suites: run.suites.map((s) => ({
      name: s.name,
      file: s.file,
      dataset: s.dataset,
      threshold: s.threshold,
      error: s.error ?? null,
      // Assertions `--model` left out (they name models that did not run): checked nothing.
      left_out: s.leftOut ?? null,
      baseline: s.baseline ?? null,
      duration_ms: s.durationMs,
      cases: s.cases.map((c) =>
        c.state === 'errored'
          ? {
              model: c.model,
              version: c.version,
              options: c.options,
              seed: c.seed,
              state: c.state,
              error: c.error,
            }
          : {
              model: c.model,
              version: c.version,
              options: c.options,
              seed: c.seed,
              state: c.state,
              cached: c.cached ?? false,
              timings_ms: c.timings,
              ...c.summary,
              ...(c.sources ? { sources: c.sources } : {}),
              // The alarm evaluation (scoreOverTime models); an unreachable threshold (Infinity) is null.
              ...(c.alarms ? { alarms: c.alarms } : {}),
            },
      ),
      assertions: s.assertions.map((a) => ({
        id: a.id,
        state: a.state,
        pass: a.state === 'passed',
        message: a.message,
        actual: a.actual,
        expected: a.expected,
        ...(a.strata ? { strata: a.strata } : {}),
        ...(a.pValue !== undefined ? { p_value: a.pValue } : {}),
        ...(a.location ? { location: a.location } : {}),
        spec: a.spec,
      })),
    })),
  };
}
