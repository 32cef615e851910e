import type { TopLevelSpec } from 'vega-lite';
import type { SignaturePoint } from './types.ts';
import { CHART_CONFIG } from './chart-config.ts';

/** Healthy in grey, then warmer colours as the failure comes closer. */
const VARIANT_COLORS = ['#9ca3af', '#fcd34d', '#f97316', '#b91c1c'];

/**
 * Small multiples, one row per signal (each with its own y scale), x = days before the last
 * sample, one line per variant. Null values break the line: gaps stay visible as gaps.
 */
export function signatureChart(
  title: string,
  subtitle: string,
  points: readonly SignaturePoint[],
): TopLevelSpec {
  const variants = [...new Set(points.map((p) => p.variant))];
  const signals = [...new Set(points.map((p) => p.signal))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    config: CHART_CONFIG,
    data: { values: points as SignaturePoint[] },
    facet: {
      row: {
        field: 'signal',
        type: 'nominal',
        sort: signals,
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 640,
      height: 130,
      mark: { type: 'line', strokeWidth: 1.2, clip: true },
      encoding: {
        x: { field: 'daysBeforeEnd', type: 'quantitative', title: 'days before the last sample' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: {
          field: 'variant',
          type: 'nominal',
          sort: variants,
          scale:
            variants.length > 1
              ? { domain: variants, range: VARIANT_COLORS.slice(0, variants.length) }
              : { range: ['#2563eb'] },
          title: null,
          legend: variants.length > 1 ? { orient: 'top' } : null,
        },
      },
    },
  };
}
