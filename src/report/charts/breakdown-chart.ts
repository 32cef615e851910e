import type { TopLevelSpec } from 'vega-lite';
import type { JsonCell } from '../../metrics/index.ts';
import { CHART_CONFIG } from './chart-config.ts';

/** One bar of a breakdown chart. `auc` is null when the stratum's AUC is undefined. */
export interface BreakdownBar {
  readonly stratum: string;
  readonly auc: number | null;
  /** CI whisker; null when the CI is undefined (e.g. too few anomalies for a variance). */
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly positives: number;
  readonly too_few: boolean;
  /** `within` the stratum, or the stratum's anomalies `vs_all_normals`. */
  readonly comparison: string;
  /** Why the AUC is undefined; empty when it is defined. */
  readonly reason: string;
}

/** The bars of a breakdown chart, one per cell, in the cells' order. */
export function breakdownBars(cells: readonly JsonCell[]): BreakdownBar[] {
  return cells.map((c) => ({
    stratum: c.stratum,
    auc: c.metrics.roc_auc,
    low: c.ci.roc_auc?.low ?? null,
    high: c.ci.roc_auc?.high ?? null,
    n: c.n,
    positives: c.positives,
    too_few: c.too_few,
    comparison: c.comparison,
    reason: c.undefined['roc_auc'] ?? '',
  }));
}

/** What a breakdown chart is made of. */
export interface BreakdownChartInput {
  /** The column the cells break the metrics down by, e.g. `failure_type`. */
  readonly column: string;
  readonly cells: readonly JsonCell[];
  /** The `too_few` cut-off, for the caption. */
  readonly minPositives?: number;
  readonly subtitle?: string;
}

/**
 * ROC AUC per stratum of one breakdown column: a bar per stratum with its CI as a whisker, a
 * rule at 0.5 (chance), `too few` strata faded and undefined ones marked `n/a`.
 */
export function breakdownChart(input: BreakdownChartInput): TopLevelSpec {
  const bars = breakdownBars(input.cells);
  const order = bars.map((b) => b.stratum);
  const level = input.cells.find((c) => c.ci.roc_auc)?.ci.roc_auc?.level ?? 0.95;
  const faded =
    input.minPositives !== undefined
      ? `faded: fewer than ${input.minPositives} anomalies`
      : 'faded: too few anomalies';
  const caption = `whiskers: ${Math.round(level * 100)}% DeLong CI · ${faded} · dashed: chance (0.5)`;
  const y = {
    field: 'stratum',
    type: 'nominal' as const,
    sort: order,
    title: input.column.replaceAll('_', ' '),
  };
  const x = {
    field: 'auc',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title: 'ROC AUC',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `ROC AUC by ${input.column.replaceAll('_', ' ')}`,
      subtitle: input.subtitle ? [input.subtitle, caption] : caption,
    },
    config: CHART_CONFIG,
    width: 420,
    data: { values: bars },
    layer: [
      {
        name: 'bars',
        transform: [{ filter: 'datum.auc != null' }],
        mark: { type: 'bar', color: '#2563eb', tooltip: true },
        encoding: {
          y,
          x,
          opacity: { condition: { test: 'datum.too_few', value: 0.3 }, value: 0.85 },
        },
      },
      {
        name: 'whiskers',
        transform: [{ filter: 'datum.low != null && datum.high != null' }],
        mark: { type: 'rule', color: '#111827', strokeWidth: 1.5 },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative', scale: { domain: [0, 1] }, title: 'ROC AUC' },
          x2: { field: 'high' },
          opacity: { condition: { test: 'datum.too_few', value: 0.35 }, value: 1 },
        },
      },
      {
        name: 'undefined',
        transform: [{ filter: 'datum.auc == null' }],
        mark: { type: 'text', align: 'left', dx: 4, color: '#6b7280', text: 'n/a' },
        encoding: { y, x: { datum: 0, type: 'quantitative' } },
      },
      {
        name: 'chance',
        data: { values: [{ auc: 0.5 }] },
        mark: { type: 'rule', color: '#9ca3af', strokeDash: [4, 4] },
        encoding: { x },
      },
    ],
  };
}
