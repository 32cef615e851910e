import type { EvaluationSummary } from '../metrics/index.ts';

/** Which number of a metric an assertion reads: its value, or a bound of its confidence interval. */
export type CiSide = 'low' | 'high';

/** A reference to one metric of one model, optionally of one breakdown column. */
export interface MetricRef {
  readonly model: string;
  /** A key of `EvaluationSummary.metrics` (roc_auc, average_precision, recall, f1, …). */
  readonly metric: string;
  /** A breakdown column (failure_type, operational_mode, season, lead_time_bucket, …). */
  readonly by?: string;
  /** One stratum of `by`; without it an assertion on `by` needs `.each`. */
  readonly stratum?: string;
  /** Read a CI bound instead of the value (CIs exist for roc_auc). */
  readonly ci?: CiSide;
}

/** Where an assertion was written: `file:line:column` of the suite, for messages. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The comparison an assertion makes. */
export type Comparison =
  | { readonly op: 'gt' | 'lt'; readonly than: number | MetricRef }
  | { readonly op: 'close'; readonly to: number; readonly tolerance: number }
  | { readonly op: 'within'; readonly lo: number; readonly hi: number }
  /** The metric's CI contains the value (e.g. a random model's AUC covers 0.5). */
  | { readonly op: 'covers'; readonly value: number }
  /** The metric is undefined (null with a reason), e.g. AUC on an all-normal set. */
  | { readonly op: 'undefined' };

/** The metamorphic laws a model can be held to (see src/runner/laws.ts for how each is measured). */
export type LawName = 'severity_monotonicity' | 'dropout_robustness' | 'label_shuffle';

/** Settings of a law; each law reads the ones that concern it. */
export interface LawOptions {
  /** severity_monotonicity: a mean score may fall by at most this much from one severity to the next. Default 0. */
  readonly tolerance?: number;
  /** dropout_robustness: the false-alarm rate may rise by at most this much. Default 0.1. */
  readonly maxIncrease?: number;
  /** dropout_robustness: share of readings emptied (plus as many rows removed in gaps). Default 0.05. */
  readonly rate?: number;
  /**
   * label_shuffle (the id-shuffle law): the one-sided alpha at which a lower AUC under shuffled
   * ids is a failure. Default 0.01.
   */
  readonly alpha?: number;
}

/** What the runner measured for one law and one model; graded by src/assert/laws.ts. */
export type LawOutcome =
  | {
      readonly law: 'severity_monotonicity';
      /** Mean score per injected severity, ascending severity, pooled over failure types. */
      readonly levels: readonly { readonly severity: number; readonly mean: number }[];
      /** The same per failure type, for the message. */
      readonly byType: Readonly<Record<string, readonly number[]>>;
      readonly systems: number;
    }
  | {
      readonly law: 'dropout_robustness';
      readonly farClean: number;
      readonly farDropout: number;
      readonly normals: number;
      readonly rate: number;
    }
  | {
      /** The id-shuffle law: the test series scored again under each other's system ids. */
      readonly law: 'label_shuffle';
      /** AUC of the run's scores (each series under its own id). */
      readonly aucReal: number;
      /** AUC of the scores each series got under another test system's id, against its own label. */
      readonly aucShuffled: number;
      /** One-sided p of the paired DeLong test that aucShuffled is lower; 1 when no score changed. */
      readonly pValue: number;
      /** How many series scored differently under another id. */
      readonly changed: number;
      readonly systems: number;
      readonly anomalies: number;
      readonly normals: number;
    }
  /** The law could not be measured (e.g. severity needs a scenario dataset). */
  | { readonly law: LawName; readonly error: string };

/** An assertion as data: built by the suite's `expect`, graded after every model has run. */
export type AssertionSpec = (
  | {
      readonly kind: 'metric';
      readonly subject: MetricRef;
      readonly comparison: Comparison;
      /** Apply to every stratum of `subject.by` (strata marked too_few are skipped and listed). */
      readonly each: boolean;
      readonly location?: SourceLocation;
    }
  | {
      readonly kind: 'beats';
      readonly model: string;
      readonly other: string;
      /** Only roc_auc supports a paired test. */
      readonly on: string;
      /** `delong`: paired DeLong test, one-sided at alpha; `none`: plain comparison of values. */
      readonly test: 'delong' | 'none';
      readonly alpha: number;
      readonly location?: SourceLocation;
    }
  | {
      readonly kind: 'contract';
      readonly model: string;
      /** Check as if the plugin declared these invariances (to document a limitation with `fails`). */
      readonly assume?: { readonly timeShift?: boolean; readonly unitScale?: boolean };
      /** Fleets per rule. Default 100. */
      readonly runs?: number;
      readonly location?: SourceLocation;
    }
  | {
      readonly kind: 'law';
      readonly law: LawName;
      readonly model: string;
      readonly options: LawOptions;
      readonly location?: SourceLocation;
    }
) & {
  /**
   * Set by `fails(spec, because)`: a known limitation, documented in the suite. The assertion
   * passes when the check fails, and fails (loudly) when the check starts to hold.
   */
  readonly expectedFailure?: string;
  /** Why the spec cannot be graded, found when it was built (an unknown option): it grades as errored. */
  readonly problem?: string;
};

/** One stratum's outcome inside an `.each` assertion. */
export interface StratumOutcome {
  readonly stratum: string;
  readonly state: 'passed' | 'failed' | 'skipped';
  readonly actual: number | null;
  readonly reason?: string;
}

/** A graded assertion: data, never a throw. */
export interface AssertionResult {
  /** Stable id within the suite (its index), for reporters and baselines. */
  readonly id: number;
  /** `passed`, `failed` (the model did not meet it) or `errored` (it could not be graded: unknown model or metric, a case that crashed). */
  readonly state: 'passed' | 'failed' | 'errored';
  /** A sentence a person can read, e.g. `zscore roc_auc (0.83) > random roc_auc (0.51)`. */
  readonly message: string;
  /** What was measured (a number, null when undefined, or per-stratum values for `.each`). */
  readonly actual: number | null | Readonly<Record<string, number | null>>;
  /** What was required, in words and numbers: `> 0.51`, `0.5 ± 0.1`, `in [0.4, 0.6]`. */
  readonly expected: string;
  readonly strata?: readonly StratumOutcome[];
  /** For `beats` with a test: the p-value of the paired test. */
  readonly pValue?: number;
  readonly location?: SourceLocation;
  readonly spec: AssertionSpec;
}

/** What grading sees of one model's case. */
export type GradedCase =
  | {
      readonly state: 'scored';
      readonly summary: EvaluationSummary;
      /** Test labels (1 = anomaly) and this model's scores, aligned, for paired tests. */
      readonly y: Float64Array;
      readonly scores: Float64Array;
      readonly systemIds: readonly string[];
    }
  | { readonly state: 'errored'; readonly error: string };

/** The builder a suite's `expect` receives. */
export interface ExpectApi {
  metric(
    model: string,
    metric: string,
    options?: { by?: string; stratum?: string; ci?: CiSide },
  ): MetricExpectation;
  model(name: string): ModelExpectation;
  /** Marks an assertion as an expected failure: a known, documented limitation (like vitest's `test.fails`). */
  fails(spec: AssertionSpec, because: string): AssertionSpec;
}

/** Matchers on one metric; each returns the assertion as data. */
export interface MetricMatchers {
  toBeGreaterThan(than: number | MetricExpectation): AssertionSpec;
  toBeLessThan(than: number | MetricExpectation): AssertionSpec;
  toBeCloseTo(to: number, tolerance?: number): AssertionSpec;
  toBeWithin(lo: number, hi: number): AssertionSpec;
  /** The metric's confidence interval contains `value`. */
  toCover(value: number): AssertionSpec;
  /** The metric is undefined on this data (null with a reason). */
  toBeUndefined(): AssertionSpec;
}

/** `metric(model, name)` in a suite's expect: the matchers, and `.each` for every stratum. */
export interface MetricExpectation extends MetricMatchers {
  readonly ref: MetricRef;
  /** The same matchers, applied to every stratum of the `by` column. */
  readonly each: MetricMatchers;
}

/** `model(name)` in a suite's expect: comparisons, laws and the contract. */
export interface ModelExpectation {
  toBeat(
    other: string,
    options?: { on?: string; test?: 'delong' | 'none'; alpha?: number },
  ): AssertionSpec;
  /** Severity monotonicity: injecting a stronger fault into the same system must not lower its mean score. Needs a scenario dataset. */
  toBeMonotoneInSeverity(options?: Pick<LawOptions, 'tolerance'>): AssertionSpec;
  /** Dropout robustness: emptying readings of normal systems must not raise the false-alarm rate by more than `maxIncrease`. */
  toTolerateDropouts(options?: Pick<LawOptions, 'maxIncrease' | 'rate'>): AssertionSpec;
  /**
   * The id-shuffle leak check (the name is historical): the test series are scored again under
   * each other's system ids (a seeded permutation; readings, metadata and labels stay with each
   * series), and the AUC must not drop (paired DeLong, one-sided, `alpha` default 0.01). A
   * model whose answer comes from the id (an answer key read from disk, a feature table joined
   * on system_id) fails. With fewer than 15 (MIN_DELONG_CLASS) anomalies or normals and
   * scores that changed, it fails as "cannot tell".
   */
  toBeChanceOnShuffledLabels(options?: Pick<LawOptions, 'alpha'>): AssertionSpec;
  /** The plugin contract of `harness check` (generated edge fleets, shrunk counterexamples). */
  toHonorContract(options?: {
    readonly assume?: { readonly timeShift?: boolean; readonly unitScale?: boolean };
    readonly runs?: number;
  }): AssertionSpec;
}
