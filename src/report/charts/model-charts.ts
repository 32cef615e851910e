/**
 * The chart set of one model's scores: ROC, precision–recall, score distribution and one
 * breakdown chart per column. `harness evaluate --plots`, the MLflow case artifacts and the HTML
 * report all draw this set; each only picks the breakdown columns, the subtitles and the curve
 * resolution. Like the rest of this folder it reads only metrics, never the runner or the CLI.
 */
import type { TopLevelSpec } from 'vega-lite';
import { averagePrecision, type JsonCell, prCurve, rocAuc, rocCurve } from '../../metrics/index.ts';
import { breakdownChart } from './breakdown-chart.ts';
import { prChart } from './pr-chart.ts';
import { rocChart, type RocChartInput } from './roc-chart.ts';
import { scoreDistributionChart } from './score-distribution-chart.ts';

/** What a chart of the set shows. */
export type ModelChartKind = 'roc' | 'pr' | 'scores' | 'breakdown';

/** One chart of a model's set. */
export interface ModelChart {
  readonly kind: ModelChartKind;
  /** The breakdown column of a `breakdown` chart. */
  readonly column?: string;
  readonly spec: TopLevelSpec;
}

/** What a model's chart set is drawn from. */
export interface ModelChartsInput {
  /** 1 = anomaly, 0 = normal, aligned with `scores`. */
  readonly y: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  /** Systems and anomalies among them, for the PR chart's chance line. */
  readonly n: number;
  readonly positives: number;
  /** The ROC AUC's CI, drawn in the ROC chart's title. */
  readonly rocAucCi: RocChartInput['ci'];
  /** The score distribution's threshold rule; null draws none. */
  readonly threshold: number | null;
  /** Breakdown cells per column, a chart each, in this order. */
  readonly breakdown: readonly (readonly [column: string, cells: readonly JsonCell[]])[];
  readonly subtitle: string;
  /** The breakdown charts' subtitle; default `subtitle`. */
  readonly breakdownSubtitle?: string;
  /** The `too_few` cut-off, for the breakdown captions. */
  readonly minPositives?: number;
  /** Points a drawn curve keeps; default the chart modules'. */
  readonly maxPoints?: number;
}

/** ROC, PR, score distribution, then a breakdown chart per `breakdown` entry. */
export function modelCharts(input: ModelChartsInput): ModelChart[] {
  const { y, scores, subtitle, maxPoints } = input;
  const prevalence = input.n > 0 ? input.positives / input.n : 0;
  const charts: ModelChart[] = [
    {
      kind: 'roc',
      spec: rocChart({
        curve: rocCurve(y, scores),
        auc: rocAuc(y, scores),
        ci: input.rocAucCi,
        subtitle,
        maxPoints,
      }),
    },
    {
      kind: 'pr',
      spec: prChart({
        curve: prCurve(y, scores),
        averagePrecision: averagePrecision(y, scores),
        prevalence,
        subtitle,
        maxPoints,
      }),
    },
    {
      kind: 'scores',
      spec: scoreDistributionChart({ y, scores, threshold: input.threshold, subtitle }),
    },
  ];
  const breakdownSubtitle = input.breakdownSubtitle ?? subtitle;
  for (const [column, cells] of input.breakdown) {
    charts.push({
      kind: 'breakdown',
      column,
      spec: breakdownChart({
        column,
        cells,
        subtitle: breakdownSubtitle,
        minPositives: input.minPositives,
      }),
    });
  }
  return charts;
}

/** The SVG file name of a chart of the set: `roc.svg`, `pr.svg`, `score-distribution.svg`, `breakdown-<column>.svg`. */
/** True for a file name {@link modelChartFileName} gives to some chart of the set. */
export function isModelChartFile(name: string): boolean {
  return /^(?:roc|pr|score-distribution|breakdown-[^/]*)\.svg$/.test(name);
}

export function modelChartFileName(chart: ModelChart): string {
  if (chart.kind === 'breakdown') return `breakdown-${chart.column ?? ''}.svg`;
  return chart.kind === 'scores' ? 'score-distribution.svg' : `${chart.kind}.svg`;
}
