/**
 * The data the chart specs draw, owned by charts so that charts stay a leaf: the modules that
 * compute these (report/label-distribution.ts, report/signatures.ts) import them from here.
 */

/** One bar: how many systems of a label fall in a category of a dimension. */
export interface DistributionBar {
  readonly category: string;
  readonly normal: number;
  readonly anomaly: number;
}

/** Counts per dimension, each with its categories in a fixed, meaningful order. */
export interface LabelDistribution {
  readonly total: number;
  readonly dimensions: readonly {
    readonly name: string;
    readonly bars: readonly DistributionBar[];
  }[];
}

/** One plotted point: a signal's value some days before the last sample, for one variant. */
export interface SignaturePoint {
  readonly daysBeforeEnd: number;
  readonly signal: string;
  readonly variant: string;
  readonly value: number | null;
}
