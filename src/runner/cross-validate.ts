import type { SystemRecord } from '../data/types.ts';
import {
  alarmThreshold,
  DEFAULT_MIN_DURATION,
  type Debounce,
  type ThresholdSpec,
} from '../metrics/index.ts';
import {
  overTimeFromJson,
  overTimeToJson,
  type OverTime,
  type OverTimeStore,
} from './over-time.ts';
import { thresholdValue, trainFprOf } from './threshold-value.ts';
import type { PluginLaws } from './worker-protocol.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import { readCachedScores, scoreKey, writeCachedScores, type ScoreCache } from './score-cache.ts';
import { fitAndScore, timeoutOf, type ModelRun, type ScoreOptions } from './score.ts';
import type { SuiteThreshold } from './suite.ts';

/** One model's scores over every test system of a suite, and the threshold to judge them at. */
export interface PooledRun {
  readonly plugin: ModelPlugin;
  readonly error: string | null;
  /** Aligned with `test` of {@link scoreSplits}. */
  readonly scores: Float64Array;
  readonly threshold: number | ThresholdSpec;
  readonly fitMs: number;
  readonly scoreMs: number;
  /** True when every split's scores came from the score cache (nothing was fitted or scored). */
  readonly cached: boolean;
  /** The metamorphic laws measured with the first split's fitted plugin. */
  readonly laws?: PluginLaws;
  /** The plugin's scores over time on the test systems and the threshold its alarms fire at (scoreOverTime). */
  readonly alarmInput?: AlarmInput;
}

/** What the alarms of a case are raised from. */
export interface AlarmInput {
  /** Aligned with `test` of {@link scoreSplits}; with k folds, margins over each fold's threshold. */
  readonly overTime: readonly (OverTime | null)[];
  readonly threshold: number;
}

/**
 * The train-FPR share an alarm threshold is set at: the suite's `train_fpr`, or 5 % for a
 * `top_k` or `best_f1` threshold (both read test scores: an alarm model has none to rank).
 */
const ALARM_FPR_DEFAULT = 0.05;

/** The score an instant must reach for a model's alarms on one split (see alarms-from-scores.ts). */
function splitAlarmThreshold(
  store: OverTimeStore,
  threshold: SuiteThreshold,
  minDuration: number,
): number {
  if (typeof threshold === 'number') return threshold;
  if (threshold.kind === 'fixed') return threshold.value;
  const fpr = threshold.kind === 'train_fpr' ? threshold.fpr : ALARM_FPR_DEFAULT;
  return alarmThreshold(store.trainNormals, fpr, minDuration);
}

/** True when the training normals must be scored: a train-FPR threshold, or alarms whose threshold reads them. */
function needsTrainNormals(
  plugins: readonly ModelPlugin[],
  threshold: SuiteThreshold,
  alarms: boolean,
): boolean {
  if (trainFprOf(threshold) !== null) return true;
  const fixed = typeof threshold === 'number' || threshold.kind === 'fixed';
  return alarms && !fixed && plugins.some((p) => typeof p.scoreOverTime === 'function');
}

/**
 * Fits and scores every model on each split (one train/test split, or k folds where each
 * system is scored once by the model fit on the other folds).
 *
 * Thresholds: with one split, a train-FPR threshold comes from that split's training normals.
 * With k folds every fold has its own threshold, so each out-of-fold score is reported as its
 * margin over its fold's threshold (score − threshold) and judged at 0: pooled ranking metrics
 * then compare systems of different folds at their folds' common operating point rather than
 * on raw scales that differ from fit to fit.
 */
export async function scoreSplits(
  plugins: readonly ModelPlugin[],
  splits: readonly {
    readonly train: readonly SystemRecord[];
    readonly test: readonly SystemRecord[];
  }[],
  threshold: SuiteThreshold,
  opts: Omit<ScoreOptions, 'scoreTrainNormals'> & {
    /** Read and write scores here (never with `laws`, which need fitted plugins; they are measured on the first split). */
    readonly cache?: ScoreCache;
    /**
     * Raise alarms from scores over time with this debounce (its minDuration sets their
     * threshold): the plugins with `scoreOverTime` are scored over time too. Absent: no alarms.
     */
    readonly alarms?: Debounce;
  },
): Promise<{ test: SystemRecord[]; runs: PooledRun[] }> {
  const test = splits.flatMap((s) => s.test);
  const trainFpr = trainFprOf(threshold);
  const pooled = plugins.map((plugin) => ({
    plugin,
    error: null as string | null,
    scores: new Float64Array(test.length),
    fitMs: 0,
    scoreMs: 0,
    cached: true,
    thresholds: [] as number[],
    trainNormals: [] as number[],
    laws: undefined as PluginLaws | undefined,
    overTime: new Array<OverTime | null>(test.length).fill(null) as (OverTime | null)[] | null,
    /** The alarm threshold of the one split (with k folds each fold's is folded into margins). */
    alarmThreshold: Infinity,
  }));
  const minDuration = opts.alarms?.minDuration ?? DEFAULT_MIN_DURATION;
  let offset = 0;
  for (const [f, split] of splits.entries()) {
    const laws = f === 0 ? opts.laws : undefined;
    const overTime = opts.alarms !== undefined;
    const scoreTrainNormals = needsTrainNormals(plugins, threshold, overTime);
    const cache = opts.laws ? undefined : opts.cache;
    const keys = plugins.map((p) =>
      cache
        ? scoreKey(cache, p, split, opts.seedFor(p.name), scoreTrainNormals, timeoutOf(p, opts))
        : '',
    );
    // What a whole entry for this split holds: a shorter or longer one is a miss.
    const shape = {
      test: split.test.length,
      trainNormals: scoreTrainNormals
        ? split.train.filter((s) => s.label.label === 'normal').length
        : 0,
    };
    const hits = await Promise.all(
      keys.map(async (k, m) => {
        const hit = cache ? await readCachedScores(cache, k, shape) : null;
        // An entry written without scores over time cannot serve a plugin that has them.
        return hit && overTime && plugins[m]!.scoreOverTime && hit.overTime === undefined
          ? null
          : hit;
      }),
    );
    const todo = plugins.filter((_, m) => !hits[m]);
    const par = opts.parallel;
    const fresh =
      todo.length === 0
        ? []
        : await fitAndScore(todo, split.train, split.test, {
            ...opts,
            scoreTrainNormals,
            overTime,
            ...(par
              ? { parallel: { ...par, origins: par.origins.filter((_, m) => !hits[m]) } }
              : {}),
            laws,
          });
    const runs: ModelRun[] = plugins.map((plugin, m) => {
      const hit = hits[m];
      if (!hit) return fresh[todo.indexOf(plugin)]!;
      return {
        plugin,
        error: null,
        testScores: Float64Array.from(hit.testScores),
        trainNormalScores: [...hit.trainNormalScores],
        fitMs: hit.fitMs,
        scoreMs: hit.scoreMs,
        ...(overTime && hit.overTime
          ? {
              overTime: {
                test: hit.overTime.test.map((o) => (o ? overTimeFromJson(o) : null)),
                trainNormals: hit.overTime.trainNormals.map(overTimeFromJson),
              },
            }
          : {}),
      };
    });
    if (cache) {
      for (const [m, run] of runs.entries()) {
        // Errors are never cached: the next run tries again.
        if (hits[m] || run.error !== null) continue;
        await writeCachedScores(cache, keys[m]!, {
          testScores: Array.from(run.testScores),
          trainNormalScores: run.trainNormalScores,
          fitMs: run.fitMs,
          scoreMs: run.scoreMs,
          ...(overTime && plugins[m]!.scoreOverTime
            ? {
                overTime: run.overTime
                  ? {
                      test: run.overTime.test.map((o) => (o ? overTimeToJson(o) : null)),
                      trainNormals: run.overTime.trainNormals.map(overTimeToJson),
                    }
                  : null,
              }
            : {}),
        });
      }
    }
    runs.forEach((run, m) => {
      const p = pooled[m]!;
      p.fitMs += run.fitMs;
      p.scoreMs += run.scoreMs;
      if (!hits[m]) p.cached = false;
      if (f === 0) p.laws = run.laws;
      if (p.error !== null) return;
      if (run.error !== null) {
        p.error = splits.length > 1 ? `fold ${f + 1}: ${run.error}` : run.error;
        return;
      }
      const thr = trainFpr !== null ? thresholdValue(run, threshold) : 0;
      p.thresholds.push(thr);
      if (splits.length === 1) p.trainNormals = run.trainNormalScores;
      const margin = splits.length > 1 && trainFpr !== null;
      if (margin && !Number.isFinite(thr)) {
        p.error = `fold ${f + 1}: no training normals to set the ${trainFpr * 100} % FPR threshold on`;
        return;
      }
      run.testScores.forEach((v, i) => (p.scores[offset + i] = margin ? v - thr : v));
      if (!run.overTime || !p.overTime) {
        p.overTime = null;
        return;
      }
      // Alarms as scores: one threshold per fold; with k folds, margins over it judged at 0.
      const alarmThr = splitAlarmThreshold(run.overTime, threshold, minDuration);
      // A fold without training normals has no alarm threshold: its margins would all be
      // -Infinity, its systems silently never alarming, and "0 false alarms" would pass a gate.
      // The one-score path errors the case for the same fold (above); so do alarms.
      if (splits.length > 1 && !Number.isFinite(alarmThr)) {
        p.error = `fold ${f + 1}: no training normals to set the alarm threshold on (alarms fire at a train-FPR threshold of the training normals' scores over time)`;
        return;
      }
      p.alarmThreshold = alarmThr;
      run.overTime.test.forEach((o, i) => {
        p.overTime![offset + i] =
          o && splits.length > 1 ? { ...o, score: o.score.map((v) => v - alarmThr) } : o;
      });
    });
    offset += split.test.length;
  }
  return {
    test,
    runs: pooled.map((p) => {
      let thr: number | ThresholdSpec;
      if (trainFpr === null) thr = threshold as number | ThresholdSpec;
      else if (splits.length > 1) thr = { kind: 'fixed', value: 0 };
      else if (p.trainNormals.length > 0)
        thr = { kind: 'train_fpr', fpr: trainFpr, trainNormalScores: p.trainNormals };
      // No training normals (an all-anomaly set): no honest threshold exists; flag nothing.
      else thr = Infinity;
      return {
        plugin: p.plugin,
        error: p.error,
        scores: p.scores,
        threshold: thr,
        fitMs: p.fitMs,
        scoreMs: p.scoreMs,
        cached: p.cached && p.error === null,
        ...(p.laws ? { laws: p.laws } : {}),
        ...(p.overTime && p.error === null
          ? {
              alarmInput: {
                overTime: p.overTime,
                threshold: splits.length > 1 ? 0 : p.alarmThreshold,
              },
            }
          : {}),
      };
    }),
  };
}
