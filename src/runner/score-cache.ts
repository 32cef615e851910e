/**
 * The score cache: one model's scores on one split of one dataset, stored under
 * `<cacheDir>/scores/`, keyed by everything that decides them (promptfoo's versioned keys):
 * `scores:v3:<plugin>@<version>:<hash(options)>:<hash(code)>:<hash(data)>:<hash(split)>:<seed>:t<timeout>:<harness>:<hash(env)>`.
 * A run whose inputs did not change reads its scores back instead of fitting and scoring. Errors
 * are never cached, so a flaky failure is retried on the next run. A stale hit is a false green
 * and a miss only costs time: what the key leaves out is listed in code-key.ts and the README.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDir, seriesFingerprint, writeFileAtomic } from '../data/index.ts';
import type { Dataset, SystemRecord } from '../data/types.ts';
import { optionsHash } from '../stable-json.ts';
import { pluginCodeKey } from './code-key.ts';
import type { ModelPlugin } from '../plugin/index.ts';
import type { OverTimeJson } from './over-time.ts';

/** Bump when what is stored or how it is keyed changes. */
const CACHE_VERSION = 'v3';

/** What is stored for one model on one split. */
export interface CachedScores {
  readonly testScores: readonly number[];
  readonly trainNormalScores: readonly number[];
  readonly fitMs: number;
  readonly scoreMs: number;
  /**
   * A plugin with `scoreOverTime`: its scores over time (test aligned, null where none), or null
   * when it declined to give any. Absent for a plugin without the capability.
   */
  readonly overTime?: {
    readonly test: readonly (OverTimeJson | null)[];
    readonly trainNormals: readonly OverTimeJson[];
  } | null;
}

/** Where scores are cached and the fingerprint of the data they were computed on. */
export interface ScoreCache {
  readonly dir: string;
  /** Hash of the dataset: its labels/metadata or scenario hash, and every series file's size, mtime, ctime and inode. */
  readonly dataKey: string;
  /**
   * Hash of the project's files and of what the suite's models reach outside it (code-key.ts):
   * an edited helper, weights file or linked package is a miss.
   */
  readonly codeKey: string;
  /** The harness's version and a hash of its code (harness-key.ts): an upgraded harness is a miss. */
  readonly harness: string;
  /** Hash of the config's `cacheEnv` variables' values ({@link envKeyOf}). */
  readonly env: string;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The data part of a key: the dataset's own hash (scenario fixture + generator, or labels and
 * metadata) and the size, mtime, ctime and inode of every series file (CSV, or each Parquet part),
 * so that an edited series is noticed without reading the telemetry, even one whose size and mtime
 * were put back (series-fingerprint.ts).
 */
export function dataKeyOf(dataset: Dataset, datasetHash: string): string {
  const h = createHash('sha256').update(datasetHash);
  for (const s of dataset.systems) {
    // The CSV file or the Parquet part files: a fleet of partition folders once hashed as all `missing`.
    h.update(
      `${s.source}\0${s.systemId}\0${seriesFingerprint(dataset.dataDir, s.source, s.systemId, dataset.snapshots?.[s.source])}\n`,
    );
  }
  return h.digest('hex');
}

/**
 * The environment's part of a key: the values of the variables the config's `cacheEnv` names
 * (a model reading MODEL_PATH or a feature flag). Only those: the whole environment changes on
 * every CI run (job ids, timestamps), and a key over it would never hit.
 */
export function envKeyOf(names: readonly string[]): string {
  const values = [...new Set(names)].sort().map((n) => [n, process.env[n] ?? null] as const);
  return sha(JSON.stringify(values)).slice(0, 16);
}

/**
 * The key of one model's scores on one split. `timeoutMs` is the plugin's time per call (its
 * own, else the run's): scores that took 8 s per call must not pass a run whose `--timeout` is 5 s.
 */
export function scoreKey(
  cache: ScoreCache,
  plugin: ModelPlugin,
  split: { readonly train: readonly SystemRecord[]; readonly test: readonly SystemRecord[] },
  seed: string,
  scoreTrainNormals: boolean,
  timeoutMs: number,
): string {
  const ids = (xs: readonly SystemRecord[]) => xs.map((s) => `${s.source}/${s.systemId}`).join(',');
  const splitHash = sha(`${ids(split.train)}|${ids(split.test)}|${scoreTrainNormals}`);
  const codeHash = sha(`${cache.codeKey}\0${pluginCodeKey(plugin)}`);
  return `scores:${CACHE_VERSION}:${plugin.name}@${plugin.version}:${optionsHash(plugin.options)}:${codeHash.slice(0, 16)}:${cache.dataKey.slice(0, 16)}:${splitHash.slice(0, 16)}:${seed}:t${timeoutMs}:${cache.harness}:${cache.env}`;
}

function fileOf(cache: ScoreCache, key: string): string {
  const name =
    key
      .split(':')[2]
      ?.replace(/[^A-Za-z0-9_.@-]/g, '_')
      .slice(0, 60) ?? 'model';
  return path.join(cache.dir, 'scores', `${name}-${sha(key).slice(0, 24)}.json`);
}

/** How many scores an entry must hold for the split it is read for. */
export interface CachedShape {
  /** Systems of the test split. */
  readonly test: number;
  /** Normal systems of the training split when they are scored (else 0). */
  readonly trainNormals: number;
}

/**
 * The cached scores under `key`, or null (missing, unreadable, not written by this version, or
 * not a whole entry for `shape`). An entry cut short, with a null or a string among its scores,
 * or missing a field is a miss (the model is scored again), never used: its figures would be
 * wrong, or the run would crash on them.
 */
export async function readCachedScores(
  cache: ScoreCache,
  key: string,
  shape: CachedShape,
): Promise<CachedScores | null> {
  let stored: unknown;
  try {
    stored = JSON.parse(await readFile(fileOf(cache, key), 'utf8'));
  } catch {
    return null;
  }
  if (!isObject(stored) || stored['key'] !== key) return null;
  return isCachedScores(stored['scores'], shape) ? stored['scores'] : null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isScores = (v: unknown, n: number): boolean =>
  Array.isArray(v) && v.length === n && v.every(isFiniteNumber);

function isOverTimeJson(v: unknown): v is OverTimeJson {
  if (!isObject(v)) return false;
  const t = v['t'];
  const score = v['score'];
  return (
    Array.isArray(t) &&
    t.every(isFiniteNumber) &&
    Array.isArray(score) &&
    score.length === t.length &&
    score.every((x) => x === null || isFiniteNumber(x)) &&
    (v['spanStart'] === null || isFiniteNumber(v['spanStart'])) &&
    (v['spanEnd'] === null || isFiniteNumber(v['spanEnd']))
  );
}

/** Every field of an entry, with the lengths the split expects. */
function isCachedScores(v: unknown, shape: CachedShape): v is CachedScores {
  if (!isObject(v)) return false;
  if (!isScores(v['testScores'], shape.test)) return false;
  if (!isScores(v['trainNormalScores'], shape.trainNormals)) return false;
  for (const f of ['fitMs', 'scoreMs'])
    if (!isFiniteNumber(v[f]) || (v[f] as number) < 0) return false;
  if (!('overTime' in v) || v['overTime'] === null) return true;
  const o = v['overTime'];
  if (!isObject(o)) return false;
  const test = o['test'];
  const trainNormals = o['trainNormals'];
  return (
    Array.isArray(test) &&
    test.length === shape.test &&
    test.every((x) => x === null || isOverTimeJson(x)) &&
    Array.isArray(trainNormals) &&
    trainNormals.length <= shape.trainNormals &&
    trainNormals.every(isOverTimeJson)
  );
}

/** Stores scores under `key` (atomically: a reader never sees half a file). */
export async function writeCachedScores(
  cache: ScoreCache,
  key: string,
  scores: CachedScores,
): Promise<void> {
  const file = fileOf(cache, key);
  await makeDir(path.dirname(file));
  await writeFileAtomic(file, JSON.stringify({ key, scores }));
}
