import type { TopLevelSpec } from 'vega-lite';
import type {
  ConfidenceInterval,
  MetricValue,
  RocCurve,
  UndefinedMetric,
} from '../../metrics/types.ts';
import { CHART_CONFIG } from './chart-config.ts';

/** Most points a curve is drawn with: more only makes the SVG bigger, not the curve clearer. */
export const MAX_CURVE_POINTS = 2000;

/**
 * Indices of at most `max` points of a curve of `length` points: a uniform stride that always
 * keeps the first and the last point (the ends of a ROC or PR curve are where it is anchored).
 */
export function downsampleIndices(length: number, max = MAX_CURVE_POINTS): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const keep = Math.max(2, max);
  const stride = (length - 1) / (keep - 1);
  const out: number[] = [];
  for (let k = 0; k < keep; k++) out.push(Math.round(k * stride));
  out[keep - 1] = length - 1;
  return out;
}

/** Formats an AUC-like value and its CI for a title: `0.912 [0.801, 1.000]`. */
export function formatWithCi(
  value: number,
  ci: ConfidenceInterval | UndefinedMetric | null | undefined,
): string {
  const v = value.toFixed(3);
  if (!ci || ci.value === null) return v;
  return `${v} [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]`;
}

/** A point of a drawn ROC curve. */
export interface RocPoint {
  readonly i: number;
  readonly fpr: number;
  readonly tpr: number;
  /** `null` for the first point, whose threshold is +Infinity. */
  readonly threshold: number | null;
}

/** What a ROC chart is made of. */
export interface RocChartInput {
  readonly curve: RocCurve;
  readonly auc: MetricValue;
  readonly ci?: ConfidenceInterval | UndefinedMetric | null;
  /** Subtitle, e.g. the scores file and the number of systems. */
  readonly subtitle?: string;
  readonly maxPoints?: number;
}

/** The points a ROC chart draws (downsampled, NaN points left out). */
export function rocPoints(curve: RocCurve, maxPoints = MAX_CURVE_POINTS): RocPoint[] {
  return downsampleIndices(curve.fpr.length, maxPoints)
    .map((i) => ({
      i,
      fpr: curve.fpr[i]!,
      tpr: curve.tpr[i]!,
      threshold: Number.isFinite(curve.thresholds[i]!) ? curve.thresholds[i]! : null,
    }))
    .filter((p) => Number.isFinite(p.fpr) && Number.isFinite(p.tpr));
}

/** A ROC curve with the chance diagonal; the title carries the AUC and its CI (or why it is undefined). */
export function rocChart(input: RocChartInput): TopLevelSpec {
  const points = rocPoints(input.curve, input.maxPoints);
  const level =
    input.ci && input.ci.value !== null
      ? ` (${Math.round(input.ci.level * 100)}% ${input.ci.method === 'delong' ? 'DeLong' : 'bootstrap'} CI)`
      : '';
  const title =
    input.auc.value === null
      ? `ROC curve: AUC undefined (${input.auc.reason})`
      : `ROC curve: AUC ${formatWithCi(input.auc.value, input.ci)}${level}`;
  const x = {
    field: 'fpr',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title: 'false positive rate (normals flagged)',
  };
  const y = {
    field: 'tpr',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title: 'true positive rate (recall)',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: title, subtitle: input.subtitle } : title,
    config: CHART_CONFIG,
    width: 360,
    height: 360,
    layer: [
      {
        name: 'chance',
        data: {
          values: [
            { fpr: 0, tpr: 0 },
            { fpr: 1, tpr: 1 },
          ],
        },
        mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4] },
        encoding: { x, y },
      },
      {
        name: 'curve',
        data: { values: points },
        mark: { type: 'line', color: '#2563eb', strokeWidth: 2 },
        encoding: {
          x,
          y,
          order: { field: 'i', type: 'quantitative' },
        },
      },
    ],
  };
}
