import type { LawName, LawOptions, LawOutcome } from '../assert/types.ts';
import { lawMeasureKey, type LawOutcomes } from '../assert/index.ts';
import { type DerivedFeature, deriveFeature, FAILURE_TYPES } from '../data/index.ts';
import type { SystemRecord, SystemSeries } from '../data/types.ts';
import { delongPairedTest, rocAuc } from '../metrics/index.ts';
import { createRng, generateSystem, planFleet, type Rng, withDropouts } from '../synth/index.ts';
import type { ResolvedScenario } from '../synth/types.ts';
import { type ModelPlugin, withTimeout } from '../plugin/index.ts';
import { messageOf, modelMetadata, type ModelRun } from './score.ts';

/** Injected severities of the severity law, ascending. */
const SEVERITIES = [0.25, 0.5, 1] as const;
/** Healthy test systems the severity law injects faults into (each gets every type at every severity). */
const SEVERITY_SYSTEMS = 6;
/** Lead time of the injected faults, in days: close enough that the signature is visible. */
const SEVERITY_LEAD_DAYS = 2;

/** One law to measure for one model. */
export interface LawRequest {
  readonly model: string;
  readonly law: LawName;
  readonly options: LawOptions;
}

export interface LawContext {
  readonly seed: string;
  readonly seedFor: (model: string) => string;
  readonly timeoutMs: number;
  /** The test systems of the split the fitted models belong to, and their scores by model. */
  readonly test: readonly SystemRecord[];
  readonly runs: readonly ModelRun[];
  /** The decision threshold of each model (dropout law). */
  readonly thresholdOf: (run: ModelRun) => number;
  /** The scenario the dataset was generated from (severity law); absent for real or folder data. */
  readonly scenario?: ResolvedScenario;
}

/**
 * Measures the metamorphic laws a suite asks for, with the fitted models (before teardown).
 * Each law's measurement is deterministic for the run's seed. A model that throws here gets the
 * law marked as not measurable with its message.
 */
export async function measureLaws(
  requests: readonly LawRequest[],
  ctx: LawContext,
): Promise<LawOutcomes> {
  const out: Record<string, Record<string, LawOutcome>> = {};
  for (const req of requests) {
    const run = ctx.runs.find((r) => r.plugin.name === req.model);
    if (!run || run.error !== null) continue;
    const key = lawMeasureKey(req.law, req.options);
    // Two assertions that read one measurement (other grading options) share it.
    if (out[req.model]?.[key]) continue;
    let outcome: LawOutcome;
    try {
      if (req.law === 'label_shuffle') outcome = await idShuffle(ctx, run);
      else if (req.law === 'dropout_robustness') outcome = await dropout(ctx, run, req.options);
      else outcome = await severity(ctx, run);
    } catch (err) {
      outcome = {
        law: req.law,
        error: `the model failed while the law was measured: ${messageOf(err)}`,
      };
    }
    (out[req.model] ??= {})[key] = outcome;
  }
  return out;
}

const labelsOf = (test: readonly SystemRecord[]): Float64Array =>
  Float64Array.from(test, (s) => (s.label.label === 'anomaly' ? 1 : 0));

/**
 * The id-shuffle law (`toBeChanceOnShuffledLabels`): every test series is scored again under
 * another test system's id, a seeded cyclic permutation so that no series keeps its own; its
 * readings, metadata and label stay with it. An honest model's scores follow the series, and
 * its AUC against the series' labels does not move. A model whose answer comes from the id (an
 * answer key read from disk, a feature table joined on system_id, ids that encode the label)
 * loses it.
 *
 * Shuffling the labels against fixed scores, as this law once did, measured nothing of the
 * model: the mean AUC over label permutations is 0.5 for any scores, so a model that read
 * labels.csv passed. Refitting on shuffled training labels cannot work either: most models here
 * are unsupervised (their AUC does not depend on the labels), and a model that reads the answer
 * key from disk never sees the labels it is given.
 */
async function idShuffle(ctx: LawContext, run: ModelRun): Promise<LawOutcome> {
  const test = ctx.test;
  const y = labelsOf(test);
  const real = rocAuc(y, run.testScores);
  if (real.value === null)
    return { law: 'label_shuffle', error: `AUC is undefined on this test set: ${real.reason}` };
  const wears = cyclicPermutation(
    test.length,
    createRng(`${ctx.seed}:id-shuffle:${run.plugin.name}`),
  );
  const shuffled = new Float64Array(test.length);
  for (const [i, s] of test.entries()) {
    const id = test[wears[i]!]!.systemId;
    const series = await s.loadSeries({ derive: run.plugin.derive ?? [] });
    shuffled[i] = await scoreOnce(run.plugin, { ...series, systemId: id }, s, ctx, id);
  }
  let changed = 0;
  for (let i = 0; i < test.length; i++) if (shuffled[i] !== run.testScores[i]) changed++;
  const anomalies = y.reduce((a, v) => a + v, 0);
  const counts = { changed, systems: test.length, anomalies, normals: test.length - anomalies };
  // No score moved, or they moved but every anomaly/normal pair is ordered as before (the same
  // AUC with zero variance): nothing came from the id.
  const t = changed === 0 ? null : delongPairedTest(y, shuffled, run.testScores);
  if (t === null || (t.value === null && t.code === 'zero_variance'))
    return {
      law: 'label_shuffle',
      aucReal: real.value,
      aucShuffled: real.value,
      pValue: 1,
      ...counts,
    };
  if (t.value === null)
    return { law: 'label_shuffle', error: `the paired DeLong test is undefined: ${t.reason}` };
  // One-sided: only a loss of AUC under other ids is evidence that the score came from the id.
  const pValue = t.diff < 0 ? t.pValue / 2 : 1 - t.pValue / 2;
  return { law: 'label_shuffle', aucReal: t.aucB, aucShuffled: t.aucA, pValue, ...counts };
}

/**
 * A uniformly drawn cyclic permutation of 0..n−1 (Sattolo's algorithm): `wears[i]` is the system
 * whose id series i is scored under, never i itself (n ≥ 2).
 */
function cyclicPermutation(n: number, rng: Rng): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i - 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Dropout robustness: the false-alarm rate of the test normals before and after emptying readings. */
async function dropout(ctx: LawContext, run: ModelRun, o: LawOptions): Promise<LawOutcome> {
  const rate = o.rate ?? 0.05;
  const threshold = ctx.thresholdOf(run);
  const normals = ctx.test.map((s, i) => ({ s, i })).filter(({ s }) => s.label.label === 'normal');
  if (normals.length === 0)
    return { law: 'dropout_robustness', error: 'the test split holds no normal systems' };
  let clean = 0;
  let dropped = 0;
  for (const { s, i } of normals) {
    if (run.testScores[i]! >= threshold) clean++;
    const series = await s.loadSeries();
    const rng = createRng(`${ctx.seed}:dropout:${s.source}:${s.systemId}`);
    const d = withDropouts(
      series.timestamps,
      series.sensors as Record<string, Float64Array>,
      rate,
      rng,
    );
    const score = await scoreOnce(
      run.plugin,
      withDerived({ ...series, ...d, sensors: d.columns }, run.plugin.derive),
      s,
      ctx,
    );
    if (score >= threshold) dropped++;
  }
  return {
    law: 'dropout_robustness',
    farClean: clean / normals.length,
    farDropout: dropped / normals.length,
    normals: normals.length,
    rate,
  };
}

/** Severity monotonicity: the same healthy systems with each failure type injected at rising severity. */
async function severity(ctx: LawContext, run: ModelRun): Promise<LawOutcome> {
  if (!ctx.scenario)
    return {
      law: 'severity_monotonicity',
      error: 'needs a scenario dataset (the law injects faults with the generator)',
    };
  const plans = new Map(planFleet(ctx.scenario).map((p) => [p.systemId, p]));
  const hosts = ctx.test
    .filter((s) => s.label.label === 'normal' && plans.has(s.systemId))
    .slice(0, SEVERITY_SYSTEMS);
  if (hosts.length === 0)
    return {
      law: 'severity_monotonicity',
      error: 'the test split holds no normal systems to inject faults into',
    };
  const byType: Record<string, number[]> = {};
  const pooled = SEVERITIES.map(() => 0);
  for (const type of FAILURE_TYPES) {
    byType[type] = [];
    for (const [k, sev] of SEVERITIES.entries()) {
      let sum = 0;
      for (const host of hosts) {
        const plan = {
          ...plans.get(host.systemId)!,
          tags: [],
          failure: { type, leadTimeDays: SEVERITY_LEAD_DAYS, severity: sev },
        };
        const g = generateSystem(plan, ctx.scenario);
        const series: SystemSeries = {
          systemId: host.systemId,
          source: host.source,
          timestamps: g.timestamps,
          sensors: g.columns,
        };
        sum += await scoreOnce(run.plugin, withDerived(series, run.plugin.derive), host, ctx);
      }
      byType[type].push(sum / hosts.length);
      pooled[k]! += sum / hosts.length / FAILURE_TYPES.length;
    }
  }
  return {
    law: 'severity_monotonicity',
    levels: SEVERITIES.map((severity, k) => ({ severity, mean: pooled[k]! })),
    byType,
    systems: hosts.length,
  };
}

function withDerived(
  series: SystemSeries,
  derive: readonly DerivedFeature[] | undefined,
): SystemSeries {
  if (!derive || derive.length === 0) return series;
  const sensors: Record<string, Float64Array | undefined> = { ...series.sensors };
  for (const f of derive) sensors[f] = deriveFeature(series, f);
  return { ...series, sensors };
}

/** Scores one series with the host's metadata; `asId` scores it under another system's id (series and metadata). */
async function scoreOnce(
  plugin: ModelPlugin,
  series: SystemSeries,
  host: SystemRecord,
  ctx: LawContext,
  asId?: string,
): Promise<number> {
  const metadata = modelMetadata(host.metadata);
  const v = await withTimeout(
    (signal) =>
      plugin.score(series, {
        seed: ctx.seedFor(plugin.name),
        signal,
        metadata: asId === undefined ? metadata : { ...metadata, system_id: asId },
      }),
    plugin.timeoutMs ?? ctx.timeoutMs,
    'score',
    plugin.name,
  );
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(
      `score(${host.systemId}${asId === undefined ? '' : ` under the id ${asId}`}) returned ${String(v)}`,
    );
  return v;
}
