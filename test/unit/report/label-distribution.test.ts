import { describe, expect, it } from 'vitest';
import type { LabelRow, MetadataRow } from '../../../src/data/types.ts';
import { labelDistribution } from '../../../src/report/label-distribution.ts';
import { renderDistributionBars } from '../../../src/report/terminal-bars.ts';

const label = (
  id: string,
  failure: LabelRow['failure_type'],
  lead: number | null,
  source: LabelRow['source'] = 'synthetic',
): LabelRow => ({
  system_id: id,
  label: failure === 'none' ? 'normal' : 'anomaly',
  failure_type: failure,
  lead_time_days: lead,
  source,
  label_version: 1,
});
const meta = (
  id: string,
  mode: MetadataRow['operational_mode'],
  season: MetadataRow['season'],
  source: MetadataRow['source'] = 'synthetic',
): MetadataRow => ({
  system_id: id,
  source,
  operational_mode: mode,
  season,
  scenario_tags: [],
});

describe('labelDistribution', () => {
  const labels = [
    label('a', 'none', null),
    label('b', 'thermal_runaway', 2.5),
    label('c', 'cooling_failure', 45),
    label('a', 'insulation_fault', 120, 'real'), // same id, other source: a different system
  ];
  const metadata = [
    meta('a', 'backup', 'winter'),
    meta('b', 'backup', 'summer'),
    meta('c', 'arbitrage', 'summer'),
    meta('a', 'peak_shaving', 'autumn', 'real'),
  ];
  const dist = labelDistribution(labels, metadata);
  const dim = (name: string) =>
    Object.fromEntries(
      dist.dimensions
        .find((d) => d.name === name)!
        .bars.map((b) => [b.category, [b.normal, b.anomaly]]),
    );

  it('counts every dimension, joining metadata by source and id', () => {
    expect(dist.total).toBe(4);
    expect(dim('label')).toEqual({ normal: [1, 0], anomaly: [0, 3] });
    expect(dim('operational_mode')).toMatchObject({
      backup: [1, 1],
      arbitrage: [0, 1],
      peak_shaving: [0, 1],
      solar_smoothing: [0, 0],
    });
    expect(dim('season')).toMatchObject({
      winter: [1, 0],
      summer: [0, 2],
      autumn: [0, 1],
      spring: [0, 0],
    });
    expect(dim('lead_time_bucket')).toEqual({
      '[0,7)': [0, 1],
      '[7,30)': [0, 0],
      '[30,90)': [0, 1],
      '90+': [0, 1],
    });
  });

  it('lists known categories even when empty, and unknown ones after them', () => {
    expect(Object.keys(dim('failure_type'))).toEqual([
      'none',
      'thermal_runaway',
      'internal_short',
      'cell_imbalance',
      'capacity_fade',
      'cooling_failure',
      'insulation_fault',
    ]);
    const orphan = labelDistribution([label('z', 'none', null)], []);
    expect(orphan.dimensions.find((d) => d.name === 'season')!.bars.at(-1)).toEqual({
      category: 'unknown',
      normal: 1,
      anomaly: 0,
    });
  });

  it('draws a bar for every non-zero count, even one too small to round to a cell', () => {
    const many = [
      ...Array.from({ length: 500 }, (_, i) => label(`n${i}`, 'none', null)),
      label('x', 'internal_short', 1),
    ];
    const text = renderDistributionBars(labelDistribution(many, []), 80);
    expect(text).toMatch(/internal_short\s+█ 1$/m);
    expect(text).toMatch(/cell_imbalance\s+ 0$/m);
  });
});
