import type { TopLevelSpec } from 'vega-lite';
import type { MetricValue, PrCurve } from '../../metrics/types.ts';
import { CHART_CONFIG } from './chart-config.ts';
import { downsampleIndices, MAX_CURVE_POINTS } from './roc-chart.ts';

/** A point of a drawn precision–recall curve. */
export interface PrPoint {
  readonly i: number;
  readonly recall: number;
  readonly precision: number;
}

/** What a PR chart is made of. */
export interface PrChartInput {
  readonly curve: PrCurve;
  readonly averagePrecision: MetricValue;
  /** Share of anomalies among the systems: the precision of a random ranking (the baseline). */
  readonly prevalence: number;
  readonly subtitle?: string;
  readonly maxPoints?: number;
}

/** The points a PR chart draws, in the curve's order (recall decreasing), downsampled. */
export function prPoints(curve: PrCurve, maxPoints = MAX_CURVE_POINTS): PrPoint[] {
  return downsampleIndices(curve.recall.length, maxPoints)
    .map((i) => ({ i, recall: curve.recall[i]!, precision: curve.precision[i]! }))
    .filter((p) => Number.isFinite(p.recall) && Number.isFinite(p.precision));
}

/**
 * A precision–recall curve drawn as steps (average precision is the step-wise area, not an
 * interpolated one) with the prevalence baseline; the title carries the AP.
 */
export function prChart(input: PrChartInput): TopLevelSpec {
  const points = prPoints(input.curve, input.maxPoints);
  const ap = input.averagePrecision;
  const title =
    ap.value === null
      ? `Precision–recall: AP undefined (${ap.reason})`
      : `Precision–recall: AP ${ap.value.toFixed(3)} (baseline = prevalence ${input.prevalence.toFixed(3)})`;
  const x = {
    field: 'recall',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title: 'recall (anomalies caught)',
  };
  const y = {
    field: 'precision',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title: 'precision (flagged that are anomalies)',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: title, subtitle: input.subtitle } : title,
    config: CHART_CONFIG,
    width: 360,
    height: 360,
    layer: [
      {
        name: 'baseline',
        data: {
          values: [
            { recall: 0, precision: input.prevalence },
            { recall: 1, precision: input.prevalence },
          ],
        },
        mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4] },
        encoding: { x, y },
      },
      {
        name: 'curve',
        data: { values: points },
        // In data order (recall decreasing), as scikit-learn's PrecisionRecallDisplay draws it.
        mark: { type: 'line', color: '#7c3aed', strokeWidth: 2, interpolate: 'step-after' },
        encoding: { x, y, order: { field: 'i', type: 'quantitative' } },
      },
    ],
  };
}
