import { describe, expect, it } from 'vitest';
import { recordOf } from '../../../src/data/in-memory.ts';
import type { Dataset, LabelRow } from '../../../src/data/types.ts';
import { labelProvenance, type ResolvedDataset } from '../../../src/runner/dataset.ts';

const label = (
  id: string,
  source: 'synthetic' | 'real',
  version: number,
  l: 'normal' | 'anomaly' = 'normal',
): LabelRow => ({
  system_id: id,
  label: l,
  failure_type: l === 'normal' ? 'none' : 'cell_imbalance',
  lead_time_days: l === 'normal' ? null : 3,
  source,
  label_version: version,
});

const resolved = (
  kind: ResolvedDataset['kind'],
  labels: readonly LabelRow[],
  selector: Dataset['source'] = 'all',
): ResolvedDataset => ({
  kind,
  name: 'x',
  hash: 'h',
  generated: false,
  dataset: {
    dataDir: '(memory)',
    source: selector,
    systems: labels.map((l) =>
      recordOf(
        l,
        {
          system_id: l.system_id,
          source: l.source,
          operational_mode: 'arbitrage',
          season: 'summer',
          scenario_tags: [],
        },
        () => {
          throw new Error('no series needed');
        },
      ),
    ),
  },
});

describe('labelProvenance', () => {
  it('keeps the highest label_version and a hash that changes with any label row', () => {
    const rows = [label('a', 'real', 1), label('b', 'real', 3), label('c', 'real', 2, 'anomaly')];
    const p = labelProvenance(resolved('path', rows));
    expect(p.labelVersion).toBe(3);
    expect(p.labelsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(
      labelProvenance(
        resolved(
          'path',
          rows.map((r) => ({ ...r })),
        ),
      ).labelsHash,
    ).toBe(p.labelsHash);
    // Relabelled without a version bump: the hash still tells.
    const relabelled = [
      rows[0]!,
      rows[1]!,
      {
        ...rows[2]!,
        label: 'normal' as const,
        failure_type: 'none' as const,
        lead_time_days: null,
      },
    ];
    expect(labelProvenance(resolved('path', relabelled)).labelsHash).not.toBe(p.labelsHash);
    expect(labelProvenance(resolved('path', [])).labelVersion).toBeNull();
  });

  it('data source: synthetic for a scenario, the selector for a source, what the systems are for a path', () => {
    const syn = [label('a', 'synthetic', 1)];
    const mixed = [label('a', 'synthetic', 1), label('b', 'real', 1)];
    expect(labelProvenance(resolved('scenario', syn)).dataSource).toBe('synthetic');
    expect(labelProvenance(resolved('source', syn, 'all')).dataSource).toBe('all');
    expect(labelProvenance(resolved('source', [label('b', 'real', 1)], 'real')).dataSource).toBe(
      'real',
    );
    expect(labelProvenance(resolved('path', [label('b', 'real', 1)])).dataSource).toBe('real');
    expect(labelProvenance(resolved('path', mixed)).dataSource).toBe('all');
  });
});
