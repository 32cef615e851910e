import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from './chart-config.ts';

const LABEL_COLORS = { domain: ['normal', 'anomaly'], range: ['#16a34a', '#dc2626'] };

/** One bar of a score histogram: the share of one label's systems whose score is in [start, end). */
export interface ScoreBin {
  readonly label: 'normal' | 'anomaly';
  readonly start: number;
  readonly end: number;
  readonly count: number;
  /** count / systems with this label, so a rare class is as visible as a common one. */
  readonly share: number;
}

/**
 * Equal-width histograms of the scores of normals and of anomalies over one shared range (the
 * last bin is closed). Bins empty for a label are left out. O(n).
 */
export function scoreHistogram(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = 30,
): ScoreBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) continue;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  if (lo > hi) return [];
  const k = hi > lo ? Math.max(1, Math.floor(bins)) : 1;
  const width = hi > lo ? (hi - lo) / k : 1;
  const counts = { normal: new Array<number>(k).fill(0), anomaly: new Array<number>(k).fill(0) };
  const totals = { normal: 0, anomaly: 0 };
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) continue;
    const label = y[i] === 1 ? 'anomaly' : 'normal';
    const b = Math.min(k - 1, Math.floor((s - lo) / width));
    counts[label][b]!++;
    totals[label]++;
  }
  const out: ScoreBin[] = [];
  for (const label of ['normal', 'anomaly'] as const) {
    counts[label].forEach((count, b) => {
      if (count > 0)
        out.push({
          label,
          start: lo + b * width,
          end: b === k - 1 && hi > lo ? hi : lo + (b + 1) * width,
          count,
          share: count / totals[label],
        });
    });
  }
  return out;
}

/** What a score distribution chart is made of. */
export interface ScoreDistributionInput {
  /** 1 = anomaly, 0 = normal. */
  readonly y: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  /** Drawn as a vertical rule when given. */
  readonly threshold?: number | null;
  readonly bins?: number;
  readonly subtitle?: string;
}

/**
 * Overlaid histograms of the scores of normals and anomalies (each as a share of its own label,
 * so the classes compare whatever their sizes), with the decision threshold as a rule.
 */
export function scoreDistributionChart(input: ScoreDistributionInput): TopLevelSpec {
  const hist = scoreHistogram(input.y, input.scores, input.bins);
  let anomalies = 0;
  for (let i = 0; i < input.y.length; i++) if (input.y[i] === 1) anomalies++;
  const title = `Score distribution by label (${input.y.length - anomalies} normal, ${anomalies} anomaly)`;
  const x = {
    field: 'start',
    type: 'quantitative' as const,
    title: 'score (higher = more anomalous)',
  };
  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      name: 'histogram',
      data: { values: hist },
      mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
      encoding: {
        x,
        x2: { field: 'end' },
        y: {
          field: 'share',
          type: 'quantitative',
          stack: null,
          scale: { zero: true },
          title: 'share of the label’s systems',
        },
        y2: { datum: 0 },
        color: { field: 'label', type: 'nominal', scale: LABEL_COLORS, title: 'label' },
      },
    },
  ];
  if (
    input.threshold !== undefined &&
    input.threshold !== null &&
    Number.isFinite(input.threshold)
  ) {
    layer.push({
      name: 'threshold',
      data: { values: [{ start: input.threshold, text: `threshold ${input.threshold}` }] },
      mark: { type: 'rule', color: '#111827', strokeDash: [4, 3] },
      encoding: { x },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.subtitle ? { text: title, subtitle: input.subtitle } : title,
    config: CHART_CONFIG,
    width: 420,
    height: 240,
    layer,
  };
}
