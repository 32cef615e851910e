/**
 * The charts of the HTML report, as Vega-Lite specs built by the shared chart modules (the same
 * ones `harness evaluate --plots` and `harness labels` render to SVG): per scored model ROC, PR,
 * score distribution and breakdown bars; per suite the label distribution of its test systems.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FAILURE_TYPES, LEAD_TIME_BUCKETS, OPERATIONAL_MODES, SEASONS } from '../../data/index.ts';
import type { EvaluationSummary } from '../../metrics/index.ts';
import type { CaseResult, SuiteResult } from '../../runner/types.ts';
import { labelDistributionChart } from '../charts/label-distribution-chart.ts';
import { modelCharts, type ModelChartKind } from '../charts/model-charts.ts';
import type { DistributionBar, LabelDistribution } from '../label-distribution.ts';

/** What a chart shows; also its `data-chart` attribute in the page. */
export type ChartKind = ModelChartKind | 'labels' | 'warning-time' | 'timeline';

/** One chart of the report: its spec and what it belongs to. */
export interface ReportChart {
  readonly kind: ChartKind;
  /** The model of a per-model chart. */
  readonly model?: string;
  /** The breakdown (or label distribution) column; the system of a `timeline`. */
  readonly column?: string;
  /** The Vega-Lite spec, without `$schema` (the page must not name a URL, even one never fetched). */
  readonly spec: TopLevelSpec;
}

/** A case that has scores. */
export type ScoredCase = Extract<CaseResult, { state: 'scored' }>;

/** The breakdown columns the report draws, in this order, when the suite computed them. */
export const REPORT_COLUMNS = [
  'failure_type',
  'operational_mode',
  'season',
  'lead_time_bucket',
] as const;

/**
 * Points a drawn curve keeps. A report holds a curve per model and suite, so it keeps fewer
 * than a standalone chart; 1000 points are still far finer than the 360 px the chart is wide.
 */
export const REPORT_CURVE_POINTS = 1000;

/** The spec without its `$schema` URL. */
export function withoutSchema(spec: TopLevelSpec): TopLevelSpec {
  const copy: TopLevelSpec & { $schema?: string } = { ...spec };
  delete copy.$schema;
  return copy;
}

/** ROC, PR, score distribution and one breakdown chart per {@link REPORT_COLUMNS} column the summary has. */
export function caseCharts(c: ScoredCase): ReportChart[] {
  const { summary } = c;
  const charts = modelCharts({
    y: c.y,
    scores: c.scores,
    n: summary.n,
    positives: summary.positives,
    rocAucCi: summary.ci['roc_auc'] ?? null,
    threshold: summary.threshold.value,
    breakdown: REPORT_COLUMNS.flatMap((column) => {
      const cells = summary.breakdown[column];
      return cells && cells.length > 0 ? [[column, cells] as const] : [];
    }),
    subtitle: `${c.model} · ${summary.n} systems (${summary.positives} anomalies)`,
    breakdownSubtitle: c.model,
    maxPoints: REPORT_CURVE_POINTS,
  });
  return charts.map((ch) => ({ ...ch, model: c.model, spec: withoutSchema(ch.spec) }));
}

const KNOWN_CATEGORIES: Readonly<Record<(typeof REPORT_COLUMNS)[number], readonly string[]>> = {
  failure_type: ['none', ...FAILURE_TYPES],
  operational_mode: OPERATIONAL_MODES,
  season: SEASONS,
  lead_time_bucket: LEAD_TIME_BUCKETS.map((b) => b.name),
};

/**
 * The label distribution of the systems an evaluation summary covers, from its breakdown cells
 * (each cell counts its stratum's own anomalies and normals). Matches `labelDistribution`: known
 * categories always listed (zeros too), others appended; lead-time buckets count anomalies only.
 * A system in several strata of a multi-valued column is counted in each.
 */
export function labelDistributionFromSummary(summary: EvaluationSummary): LabelDistribution {
  const dimensions: { name: string; bars: DistributionBar[] }[] = [
    {
      name: 'label',
      bars: [
        { category: 'normal', normal: summary.negatives, anomaly: 0 },
        { category: 'anomaly', normal: 0, anomaly: summary.positives },
      ],
    },
  ];
  for (const column of REPORT_COLUMNS) {
    const cells = summary.breakdown[column];
    if (!cells) continue;
    const counts = new Map<string, { normal: number; anomaly: number }>(
      KNOWN_CATEGORIES[column].map((k) => [k, { normal: 0, anomaly: 0 }]),
    );
    for (const cell of cells) {
      // Normals have no lead time: their `none` stratum is not a bucket.
      if (column === 'lead_time_bucket' && cell.positives === 0 && !counts.has(cell.stratum))
        continue;
      counts.set(cell.stratum, { normal: cell.negatives, anomaly: cell.positives });
    }
    dimensions.push({
      name: column,
      bars: [...counts].map(([category, n]) => ({ category, ...n })),
    });
  }
  return { total: summary.n, dimensions };
}

/**
 * The suite's label distribution charts: one per breakdown column its test systems were broken
 * down by (every scored case of a suite covers the same test systems, so the first one serves),
 * or the plain normal/anomaly split when there is no such column. None without a scored case.
 */
export function suiteLabelCharts(suite: SuiteResult): ReportChart[] {
  const first = suite.cases.find((c): c is ScoredCase => c.state === 'scored');
  if (!first) return [];
  const dist = labelDistributionFromSummary(first.summary);
  const columns = dist.dimensions.map((d) => d.name).filter((n) => n !== 'label');
  return (columns.length > 0 ? columns : ['label']).map((column) => ({
    kind: 'labels',
    column,
    spec: withoutSchema(labelDistributionChart(dist, column)),
  }));
}
