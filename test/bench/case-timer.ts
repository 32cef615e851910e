/**
 * A reporter for `npm run bench`: the wall time of each case of a real `harness run`, from its
 * start (`onCaseStart`, before the fit) to its result (`onCaseResult`, scored and evaluated),
 * written to `case-times.json` in the run's out dir as `{ "<suite>/<model>": { caseMs, … } }`.
 * Usage: `harness run --reporter json --reporter ./case-timer.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter } from '../../src/index.ts';

interface Times {
  start: number;
  firstProgress?: number;
  caseMs?: number;
  /** From the start to the first chunk scored: the fit phase, the scoring process's start and the first chunk. */
  firstChunkMs?: number;
  /** Systems in that first chunk, and in the case. */
  firstChunkSystems?: number;
  systems: number;
}

export default function caseTimer(): Reporter {
  let outDir = process.cwd();
  const times: Record<string, Times> = {};
  return {
    onInit(e) {
      outDir = e.outDir;
    },
    onCaseStart(e) {
      times[`${e.suite}/${e.model}`] = { start: performance.now(), systems: e.total };
    },
    onCaseProgress(e) {
      const t = times[`${e.suite}/${e.model}`];
      if (t && t.firstProgress === undefined) {
        t.firstProgress = performance.now();
        t.firstChunkMs = t.firstProgress - t.start;
        t.firstChunkSystems = e.done;
      }
    },
    onCaseResult(e) {
      const t = times[`${e.result.suite}/${e.result.model}`];
      if (t) t.caseMs = performance.now() - t.start;
    },
    onRunEnd() {
      writeFileSync(path.join(outDir, 'case-times.json'), JSON.stringify(times, null, 2));
    },
  };
}
