/**
 * evaluateFiles's options as code gives them: checked (a HarnessError naming the option, never
 * a TypeError from deep inside), with `harness evaluate`'s defaults for what is left out.
 */
import path from 'node:path';
import {
  type BreakdownColumn,
  DEFAULT_BREAKDOWN,
  isBreakdownColumn,
  KNOWN_BREAKDOWN_COLUMNS,
} from '../data/index.ts';
import { HarnessError, kindOf } from '../errors.ts';

/** `harness evaluate`'s threshold when none is given: flag a system whose score is at least 0.5. */
export const EVALUATE_DEFAULT_THRESHOLD = 0.5;

/** What {@link evaluateFiles} reads, and how it judges; only `scores` is required. */
export interface EvaluateFilesOptions {
  /** The scores file (system_id,score[,source]), a .parquet file or a folder of Parquet parts. */
  readonly scores: string;
  /** One labels file; default: the labels of every source folder of the data folder. */
  readonly labels?: string;
  /** One metadata file; default: the metadata of each source the labels name. */
  readonly metadata?: string;
  /**
   * The data folder, or a function giving it (called only when a default needs it). Default:
   * the `dataDir` of the project's config, looked up from the working directory.
   */
  readonly dataDir?: string | (() => Promise<string>);
  /** Flag a system when its score is at least this. Default 0.5. */
  readonly threshold?: number;
  /** Breakdown columns. Default: failure_type, operational_mode, season, lead_time_bucket, scenario_tags, source. */
  readonly columns?: readonly BreakdownColumn[];
  /** Missing metadata is an error, not a warning. Default: true when `columns` is given. */
  readonly columnsExplicit?: boolean;
  /** Drop scores without a label and labels without a score (a warning) instead of failing. Default false. */
  readonly allowMissing?: boolean;
  /** With allowMissing: the largest share of the labels that may be dropped (no score), in [0, 1]; more is an error. */
  readonly maxMissing?: number;
}

/** The options with every default filled: what the evaluation reads. */
export interface ResolvedEvaluateOptions {
  readonly scores: string;
  readonly labels?: string;
  readonly metadata?: string;
  readonly dataDir: () => Promise<string>;
  readonly threshold: number;
  readonly columns: readonly BreakdownColumn[];
  readonly columnsExplicit: boolean;
  readonly allowMissing: boolean;
  readonly maxMissing?: number;
}

const KEYS = [
  'scores',
  'labels',
  'metadata',
  'dataDir',
  'threshold',
  'columns',
  'columnsExplicit',
  'allowMissing',
  'maxMissing',
] as const;

const refuse = (message: string): never => {
  throw new HarnessError('E_ARGS', `evaluateFiles: ${message}`);
};

const isPath = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Checks evaluateFiles's options and fills `harness evaluate`'s defaults. */
export function resolveEvaluateOptions(opts: unknown): ResolvedEvaluateOptions {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    return refuse(
      `the options must be an object such as { scores: 'scores.csv' } (got ${kindOf(opts)})`,
    );
  const o = opts as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    refuse(
      `unknown option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (known: ${KEYS.join(', ')})`,
    );
  if (!isPath(o['scores']))
    refuse(`scores must be the path of a scores file (got ${kindOf(o['scores'])})`);
  for (const key of ['labels', 'metadata'] as const)
    if (o[key] !== undefined && !isPath(o[key]))
      refuse(`${key} must be a file path (got ${kindOf(o[key])})`);
  const threshold = o['threshold'] ?? EVALUATE_DEFAULT_THRESHOLD;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    refuse(`threshold must be a finite number (got ${kindOf(threshold)})`);
  for (const key of ['columnsExplicit', 'allowMissing'] as const)
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      refuse(`${key} must be true or false (got ${kindOf(o[key])})`);
  const allowMissing = o['allowMissing'] === true;
  const maxMissing = o['maxMissing'];
  if (maxMissing !== undefined) {
    if (typeof maxMissing !== 'number' || !(maxMissing >= 0 && maxMissing <= 1))
      refuse(
        `maxMissing is a share of the labels in [0, 1] (got ${kindOf(maxMissing)} ${String(maxMissing)})`,
      );
    if (!allowMissing) refuse('maxMissing caps what allowMissing drops: set allowMissing: true');
  }
  return {
    scores: o['scores'] as string,
    ...(o['labels'] !== undefined ? { labels: o['labels'] as string } : {}),
    ...(o['metadata'] !== undefined ? { metadata: o['metadata'] as string } : {}),
    dataDir: dataDirOf(o['dataDir']),
    threshold: threshold as number,
    columns: columnsOf(o['columns']),
    columnsExplicit: (o['columnsExplicit'] as boolean | undefined) ?? o['columns'] !== undefined,
    allowMissing,
    ...(maxMissing !== undefined ? { maxMissing: maxMissing as number } : {}),
  };
}

/** The data folder as a function asked once; a string is that folder, made absolute. */
function dataDirOf(v: unknown): () => Promise<string> {
  if (v === undefined) {
    let dir: Promise<string> | undefined;
    // Loaded only when a default needs the data folder, as `harness evaluate` does.
    return () =>
      (dir ??= import('../config/index.ts').then(async (c) => (await c.loadConfig()).dataDir));
  }
  if (isPath(v)) return () => Promise.resolve(path.resolve(v));
  if (typeof v === 'function')
    return async () => {
      const dir: unknown = await (v as () => unknown)();
      return isPath(dir)
        ? path.resolve(dir)
        : refuse(`dataDir() must give a folder path (gave ${kindOf(dir)})`);
    };
  return refuse(`dataDir must be a folder path or a function giving one (got ${kindOf(v)})`);
}

/** Known breakdown columns, each once; the default set when none is given. */
function columnsOf(v: unknown): readonly BreakdownColumn[] {
  if (v === undefined) return [...DEFAULT_BREAKDOWN];
  if (!Array.isArray(v) || v.length === 0)
    return refuse(
      `columns must be a non-empty list of breakdown columns (known: ${KNOWN_BREAKDOWN_COLUMNS.join(', ')}; got ${kindOf(v)})`,
    );
  const bad = v.filter((c: unknown) => typeof c !== 'string' || !isBreakdownColumn(c));
  if (bad.length > 0)
    refuse(
      `unknown column${bad.length === 1 ? '' : 's'} ${bad.map((b) => JSON.stringify(b)).join(', ')} (known: ${KNOWN_BREAKDOWN_COLUMNS.join(', ')})`,
    );
  return [...new Set(v as BreakdownColumn[])];
}
