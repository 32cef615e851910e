import {
  FAILURE_TYPES,
  LEAD_TIME_BUCKETS,
  OPERATIONAL_MODES,
  SEASONS,
  leadTimeBucket,
} from '../data/index.ts';
import type { LabelRow, MetadataRow } from '../data/types.ts';
import type { DistributionBar, LabelDistribution } from './charts/types.ts';

export type { DistributionBar, LabelDistribution } from './charts/types.ts';

/**
 * Counts labelled systems by label, failure type, operational mode, season and lead-time
 * bucket. Known categories are always listed (a zero bar is information: a missing failure
 * type is something to notice); unknown values are appended in order of appearance.
 */
export function labelDistribution(
  labels: readonly LabelRow[],
  metadata: readonly MetadataRow[],
): LabelDistribution {
  const meta = new Map(metadata.map((m) => [`${m.source}\u0000${m.system_id}`, m]));
  const dims: {
    name: string;
    known: readonly string[];
    of: (l: LabelRow) => string | undefined;
  }[] = [
    { name: 'label', known: ['normal', 'anomaly'], of: (l) => l.label },
    { name: 'failure_type', known: ['none', ...FAILURE_TYPES], of: (l) => l.failure_type },
    {
      name: 'operational_mode',
      known: OPERATIONAL_MODES,
      of: (l) => meta.get(`${l.source}\u0000${l.system_id}`)?.operational_mode ?? 'unknown',
    },
    {
      name: 'season',
      known: SEASONS,
      of: (l) => meta.get(`${l.source}\u0000${l.system_id}`)?.season ?? 'unknown',
    },
    {
      name: 'lead_time_bucket',
      known: LEAD_TIME_BUCKETS.map((b) => b.name),
      of: (l) =>
        l.label === 'anomaly' ? (leadTimeBucket(l.lead_time_days) ?? 'unknown') : undefined,
    },
  ];
  return {
    total: labels.length,
    dimensions: dims.map((d) => {
      const counts = new Map<string, { normal: number; anomaly: number }>(
        d.known.map((k) => [k, { normal: 0, anomaly: 0 }]),
      );
      for (const l of labels) {
        const c = d.of(l);
        if (c === undefined) continue;
        let slot = counts.get(c);
        if (!slot) counts.set(c, (slot = { normal: 0, anomaly: 0 }));
        slot[l.label] += 1;
      }
      return { name: d.name, bars: [...counts].map(([category, n]) => ({ category, ...n })) };
    }),
  };
}
