/**
 * `compareSources: true` in a suite: each model's metrics on the synthetic and on the real
 * systems of the test split, side by side, and the gap (real − synthetic). The same scores and
 * the same threshold as the whole case: only the systems differ, so the gap says how far the
 * synthetic fleet is from the real one for this model.
 */
import type { Source } from '../data/index.ts';
import { evaluateScores, type JsonCi } from '../metrics/index.ts';
import type { CaseResult } from './types.ts';

/** The metrics compared per source. */
export const SOURCE_METRICS = [
  'roc_auc',
  'average_precision',
  'precision',
  'recall',
  'f1',
  'fpr',
] as const;
/** One of {@link SOURCE_METRICS}. */
export type SourceMetric = (typeof SOURCE_METRICS)[number];

/** One source's side of a comparison: its count and metrics. */
export interface SourceSide {
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly metrics: Readonly<Record<SourceMetric, number | null>>;
  /** ROC AUC's DeLong CI and the false-alarm rate's Wilson CI on this source's test systems. */
  readonly ci: { readonly roc_auc: JsonCi | null; readonly fpr: JsonCi | null };
  /** Metric → why it is undefined on this source (e.g. no anomalies among its test systems). */
  readonly undefined: Readonly<Record<string, string>>;
}

/** The per-case `sources` section of results.json. */
export interface SourceComparison {
  /** null when the test split holds no system of that source. */
  readonly synthetic: SourceSide | null;
  readonly real: SourceSide | null;
  /** real − synthetic, per metric; null when either side is undefined. */
  readonly gap: Readonly<Record<SourceMetric, number | null>>;
}

function side(
  c: Extract<CaseResult, { state: 'scored' }>,
  sources: readonly Source[],
  source: Source,
): SourceSide | null {
  const idx: number[] = [];
  sources.forEach((s, i) => s === source && idx.push(i));
  if (idx.length === 0) return null;
  const t = c.summary.threshold.value;
  const sum = evaluateScores({
    y: Float64Array.from(idx, (i) => c.y[i]!),
    scores: Float64Array.from(idx, (i) => c.scores[i]!),
    threshold: { kind: 'fixed', value: t ?? Infinity },
  });
  const metrics = Object.fromEntries(
    SOURCE_METRICS.map((m) => [m, sum.metrics[m] ?? null]),
  ) as Record<SourceMetric, number | null>;
  return {
    n: sum.n,
    positives: sum.positives,
    negatives: sum.negatives,
    metrics,
    ci: { roc_auc: sum.ci['roc_auc'] ?? null, fpr: sum.ci['fpr'] ?? null },
    undefined: sum.undefined,
  };
}

/** Per-source metrics of a scored case; `sources` is aligned with the case's systems. */
export function compareSources(
  c: Extract<CaseResult, { state: 'scored' }>,
  sources: readonly Source[],
): SourceComparison {
  const synthetic = side(c, sources, 'synthetic');
  const real = side(c, sources, 'real');
  const gap = Object.fromEntries(
    SOURCE_METRICS.map((m) => {
      const a = synthetic?.metrics[m];
      const b = real?.metrics[m];
      return [m, a === null || a === undefined || b === null || b === undefined ? null : b - a];
    }),
  ) as Record<SourceMetric, number | null>;
  return { synthetic, real, gap };
}

/** The case with its `sources` section when the suite asks for it (`compareSources: true`). */
export function withSources(
  c: CaseResult,
  enabled: boolean | undefined,
  sources: readonly Source[],
): CaseResult {
  if (!enabled || c.state !== 'scored') return c;
  return { ...c, sources: compareSources(c, sources) };
}
