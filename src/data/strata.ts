import type { EvaluationSummary } from '../metrics/index.ts';
import { LEAD_TIME_BUCKETS, leadTimeBucket } from './schema.ts';
import type { LabelRow, MetadataRow } from './types.ts';

/**
 * The columns a breakdown can be made by, and which file each comes from. One definition for
 * `harness evaluate` and `harness run`, so both break results down the same way.
 */
export const BREAKDOWN_COLUMNS = {
  failure_type: 'labels',
  operational_mode: 'metadata',
  season: 'metadata',
  lead_time_bucket: 'labels',
  scenario_tags: 'metadata',
  source: 'labels',
  chemistry: 'metadata',
  climate: 'metadata',
} as const;
/** A column a suite's metrics can be broken down by (`breakdown`, `--by`). */
export type BreakdownColumn = keyof typeof BREAKDOWN_COLUMNS;
export const KNOWN_BREAKDOWN_COLUMNS = Object.keys(BREAKDOWN_COLUMNS) as BreakdownColumn[];
export const DEFAULT_BREAKDOWN: readonly BreakdownColumn[] = ['failure_type', 'operational_mode', 'season', 'lead_time_bucket', 'scenario_tags', 'source'];

/** The stratum of a normal in label-derived columns, and of a system without tags (`(missing)` means "no metadata row"). */
export const NO_STRATUM = 'none';

export function isBreakdownColumn(name: string): name is BreakdownColumn {
  return Object.hasOwn(BREAKDOWN_COLUMNS, name);
}

/** A system's stratum in a column: a value, several (scenario tags), or null when its metadata is missing. */
export function stratumOf(column: BreakdownColumn, label: LabelRow, meta: MetadataRow | undefined): string | readonly string[] | null {
  switch (column) {
    case 'failure_type':
      return label.failure_type;
    case 'source':
      return label.source;
    case 'lead_time_bucket':
      return label.label === 'normal' ? NO_STRATUM : (leadTimeBucket(label.lead_time_days) ?? null);
    case 'scenario_tags':
      if (!meta) return null;
      return meta.scenario_tags.length > 0 ? meta.scenario_tags : [NO_STRATUM];
    default:
      if (!meta) return null;
      return meta[column] === undefined ? null : String(meta[column]);
  }
}

/** Where a lead-time stratum goes: the buckets in order ([0,7), [7,30), …), then `none`, then anything else. */
export function leadTimeStratumRank(name: string): number {
  const i = LEAD_TIME_BUCKETS.findIndex((b) => b.name === name);
  return i >= 0 ? i : LEAD_TIME_BUCKETS.length + (name === NO_STRATUM ? 0 : 1);
}

/** Lead-time strata in bucket order ([0,7), [7,30), …, then none) rather than by name. */
export function inBucketOrder(sum: EvaluationSummary): EvaluationSummary {
  const cells = sum.breakdown['lead_time_bucket'];
  if (!cells) return sum;
  const sorted = [...cells].sort((a, b) => leadTimeStratumRank(a.stratum) - leadTimeStratumRank(b.stratum));
  return { ...sum, breakdown: { ...sum.breakdown, lead_time_bucket: sorted } };
}
