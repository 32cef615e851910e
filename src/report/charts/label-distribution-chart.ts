import type { TopLevelSpec } from 'vega-lite';
import type { LabelDistribution } from './types.ts';
import { CHART_CONFIG } from './chart-config.ts';

const LABEL_COLORS = { domain: ['normal', 'anomaly'], range: ['#16a34a', '#dc2626'] };

/** A stacked bar chart (normal / anomaly) of one dimension of a label distribution. */
export function labelDistributionChart(dist: LabelDistribution, dimension: string): TopLevelSpec {
  const dim = dist.dimensions.find((d) => d.name === dimension);
  const order = dim?.bars.map((b) => b.category) ?? [];
  const values = (dim?.bars ?? []).flatMap((b) => [
    { category: b.category, label: 'normal', count: b.normal },
    { category: b.category, label: 'anomaly', count: b.anomaly },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Systems by ${dimension.replaceAll('_', ' ')} (n = ${dist.total})`,
    config: CHART_CONFIG,
    width: 420,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'category', type: 'nominal', sort: order, title: null },
      x: { field: 'count', type: 'quantitative', stack: 'zero', title: 'systems' },
      color: { field: 'label', type: 'nominal', scale: LABEL_COLORS, title: 'label' },
      order: { field: 'label', sort: 'descending' },
    },
  };
}
