import {
  DERIVED_FEATURES,
  deriveFeature,
  FAILURE_TYPES,
  type FailureType,
  isOneOf,
  OPERATIONAL_MODES,
  type OperationalMode,
} from '../data/index.ts';
import { generateSystem, planFleet, resolveScenario } from '../synth/index.ts';
import type {
  GeneratedSystem,
  ResolvedScenario,
  ScenarioSpec,
  SystemPlan,
} from '../synth/types.ts';
import type { SignaturePoint } from './charts/types.ts';

export type { SignaturePoint } from './charts/types.ts';

/** What to plot for each failure type: the signals its precursor shows in, and the mode it runs in. */
const FAILURE_VIEW: Readonly<
  Record<FailureType, { signals: readonly string[]; mode: OperationalMode }>
> = {
  thermal_runaway: {
    signals: ['temp_cell_max_c', 'cell_voltage_min_v', 'soc_pct'],
    mode: 'solar_smoothing',
  },
  internal_short: {
    signals: ['cell_delta_v_mv', 'cell_voltage_min_v', 'soc_pct'],
    mode: 'arbitrage',
  },
  cell_imbalance: { signals: ['cell_delta_v_mv', 'soc_pct'], mode: 'arbitrage' },
  capacity_fade: { signals: ['soc_pct', 'voltage_v', 'temp_cell_max_c'], mode: 'arbitrage' },
  cooling_failure: {
    signals: ['temp_cell_max_c', 'temp_ambient_c', 'temp_spread_c'],
    mode: 'peak_shaving',
  },
  insulation_fault: { signals: ['insulation_resistance_kohm', 'temp_ambient_c'], mode: 'backup' },
};

const MODE_SIGNALS = ['current_a', 'soc_pct', 'voltage_v', 'temp_cell_max_c'] as const;

/** Lead times shown side by side: the signature must grow as the failure comes closer. */
export const SIGNATURE_LEAD_TIMES = [45, 14, 1] as const;

/** The scenario behind the documentation plots: a clean fleet (no data-quality faults) at 10-minute sampling. */
const PLOT_SCENARIO: ScenarioSpec = {
  name: 'signature-plots',
  systems: 20,
  days: 30,
  interval: '10m',
  seed: 'signatures',
  dataQuality: { sensorDropout: 0, stuckSensor: 0, spike: 0, timestampGap: 0, noisyNormal: 0 },
};

/**
 * The points of a failure type's signature plot: the same system healthy and failing at
 * 45, 14 and 1 days of lead time, over the last `days` of its series.
 */
export function failureSignature(type: FailureType, days = 6): SignaturePoint[] {
  const { scenario, base } = basePlan(FAILURE_VIEW[type].mode, 'summer');
  const variants: [string, SystemPlan][] = [
    ['healthy', { ...base, failure: null }],
    ...SIGNATURE_LEAD_TIMES.map((lead): [string, SystemPlan] => [
      `fails in ${lead} d`,
      { ...base, failure: { type, leadTimeDays: lead, severity: 1 } },
    ]),
  ];
  return variants.flatMap(([variant, plan]) =>
    points(plan, scenario, FAILURE_VIEW[type].signals, variant, days),
  );
}

/** The points of an operational mode's plot: a healthy system's current, SOC, voltage and temperature. */
export function modeProfile(mode: OperationalMode, days = 4): SignaturePoint[] {
  const { scenario, base } = basePlan(mode, 'summer');
  return points({ ...base, failure: null }, scenario, MODE_SIGNALS, mode, days);
}

export const SIGNATURE_FAILURE_TYPES = FAILURE_TYPES;
export const SIGNATURE_MODES = OPERATIONAL_MODES;

function basePlan(
  mode: OperationalMode,
  season: SystemPlan['season'],
): { scenario: ResolvedScenario; base: SystemPlan } {
  const scenario = resolveScenario(PLOT_SCENARIO);
  const plans = planFleet(scenario);
  const first =
    plans.find((p) => p.mode === mode && p.season === season) ??
    plans.find((p) => p.mode === mode) ??
    plans[0];
  if (!first) throw new Error('the signature scenario planned no systems');
  return { scenario, base: { ...first, mode, tags: [] } };
}

function points(
  plan: SystemPlan,
  scenario: ResolvedScenario,
  signals: readonly string[],
  variant: string,
  days: number,
): SignaturePoint[] {
  const sys = generateSystem(plan, scenario);
  const n = sys.timestamps.length;
  const end = sys.timestamps[n - 1] ?? 0;
  const from = end - days * 86_400_000;
  const out: SignaturePoint[] = [];
  for (const signal of signals) {
    const column = signalColumn(sys, signal);
    for (let i = 0; i < n; i++) {
      const t = sys.timestamps[i] ?? 0;
      if (t < from) continue;
      const v = column[i] ?? NaN;
      out.push({
        daysBeforeEnd: Math.round(((t - end) / 86_400_000) * 1e4) / 1e4,
        signal,
        variant,
        value: Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null,
      });
    }
  }
  return out;
}

/** A raw sensor, or one of the derived features, computed as the loader computes it. */
function signalColumn(sys: GeneratedSystem, signal: string): Float64Array {
  if (isOneOf(DERIVED_FEATURES, signal)) {
    return deriveFeature(
      {
        systemId: sys.plan.systemId,
        source: 'synthetic',
        timestamps: sys.timestamps,
        sensors: sys.columns,
      },
      signal,
    );
  }
  return sys.columns[signal] ?? new Float64Array(sys.timestamps.length).fill(NaN);
}
