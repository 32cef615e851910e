/**
 * The score timelines of a run (`harness label --results results.json`): each scored case of a
 * model with `scoreOverTime` carries a few systems' timelines (`cases[].alarms.timelines`), and
 * the labeling app shows the ones of the system on screen, so a person labels with the model's
 * view of it in sight. Read once at start; a file that is not a run's results is an error.
 */
import { readFile } from 'node:fs/promises';
import { HarnessError, jsonProblem, type Problem } from '../errors.ts';
import type { ScoreTimeline } from '../metrics/index.ts';

/** One timeline of a system, with the case it came from. */
export interface SystemTimeline {
  readonly suite: string;
  readonly model: string;
  readonly timeline: ScoreTimeline;
}

/** The timelines of a results file by system id (results.json names no source). */
export interface TimelineIndex {
  readonly file: string;
  /** Timelines found, over all systems. */
  readonly count: number;
  of(systemId: string): readonly SystemTimeline[];
}

/** An index with nothing in it: the app without `--results`. */
export const NO_TIMELINES: TimelineIndex = { file: '', count: 0, of: () => [] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInstant = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why `v` is not a ScoreTimeline, or null when it is one. */
export function timelineProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not an object';
  if (typeof v['systemId'] !== 'string') return 'systemId is not a string';
  const t = v['t'];
  const score = v['score'];
  const alarms = v['alarms'];
  if (!Array.isArray(t) || !t.every(isInstant)) return 't is not a list of epoch milliseconds';
  if (!Array.isArray(score) || score.length !== t.length) return 'score is not a list as long as t';
  if (!score.every((s) => s === null || (typeof s === 'number' && Number.isFinite(s))))
    return 'score holds something other than numbers and nulls';
  if (!Array.isArray(alarms) || !alarms.every(isInstant))
    return 'alarms is not a list of epoch milliseconds';
  for (const k of ['failureAt', 'onsetAt'])
    if (v[k] !== null && v[k] !== undefined && !isInstant(v[k]))
      return `${k} is neither null nor epoch milliseconds`;
  if (!isInstant(v['threshold'])) return 'threshold is not a number';
  return null;
}

/**
 * Reads the timelines of a results.json. A missing or unreadable file, bad JSON (located) or a
 * file that is not a run's results is a HarnessError naming the file; a timeline of the wrong
 * shape is a located problem too, since a half-read file would hide a system's picture.
 */
export async function readTimelines(file: string): Promise<TimelineIndex> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HarnessError(
      'E_ARGS',
      `--results ${file}: ${code === 'ENOENT' ? 'no such file (run `harness run` first; it writes .harness/last-run/results.json)' : `cannot be read (${code ?? String(err)})`}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HarnessError('E_DATA', `--results ${file} is not valid JSON`, [
      jsonProblem(file, text, err),
    ]);
  }
  if (!isObject(json) || !Array.isArray(json['suites']))
    throw new HarnessError(
      'E_DATA',
      `--results ${file} is not the results.json of a run: it has no "suites" list`,
    );
  const bySystem = new Map<string, SystemTimeline[]>();
  const problems: Problem[] = [];
  let count = 0;
  json['suites'].forEach((suite: unknown, i: number) => {
    if (!isObject(suite) || !Array.isArray(suite['cases'])) return;
    const suiteName = typeof suite['name'] === 'string' ? suite['name'] : `#${i}`;
    suite['cases'].forEach((c: unknown, j: number) => {
      if (!isObject(c) || !isObject(c['alarms'])) return;
      const timelines = c['alarms']['timelines'];
      if (!Array.isArray(timelines)) return;
      const model = typeof c['model'] === 'string' ? c['model'] : `#${j}`;
      timelines.forEach((tl: unknown, k: number) => {
        const why = timelineProblem(tl);
        if (why !== null) {
          problems.push({
            file,
            line: 1,
            column: 1,
            message: `suites[${i}].cases[${j}].alarms.timelines[${k}] (${suiteName} · ${model}): ${why}`,
          });
          return;
        }
        const timeline = tl as ScoreTimeline;
        const list = bySystem.get(timeline.systemId) ?? [];
        list.push({ suite: suiteName, model, timeline });
        bySystem.set(timeline.systemId, list);
        count++;
      });
    });
  });
  if (problems.length > 0)
    throw new HarnessError(
      'E_DATA',
      `--results ${file}: ${problems.length} score timeline${problems.length === 1 ? ' is' : 's are'} not readable`,
      problems.slice(0, 20),
    );
  return { file, count, of: (id) => bySystem.get(id) ?? [] };
}
