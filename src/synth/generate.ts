/**
 * One system from its plan: weather → operation (current, SOC) → cells (voltages, temperatures,
 * insulation) with the failure's modifiers → measurement noise → data-quality faults. Each stage
 * draws from its own sub-stream of the system's seed, so changing a failure (or its lead time)
 * leaves the weather, the controller's decisions and the noise untouched: two plans that differ
 * only in the failure differ only by its signature.
 */
import type { LabelRow, MetadataRow } from '../data/types.ts';
import { SENSORS } from '../data/index.ts';
import { ambientSeries } from './ambient.ts';
import { simulateCells } from './cell-model.ts';
import {
  applySocRecalibration,
  drawOperationEvents,
  drawRepeatedRows,
  rowTimestamps,
} from './events.ts';
import { failureTimes, roundedLeadDays } from './failure-times.ts';
import { failureModifiers, intensitySeries, type FailureModifiers } from './failures.ts';
import { simulateOperation } from './operating-modes.ts';
import { planFleet } from './plan.ts';
import { createRng } from './random.ts';
import {
  applyMeasurementNoise,
  applySensorFaults,
  noiseMultiplier,
  type Channels,
} from './sensor-faults.ts';
import type { GeneratedSystem, ResolvedScenario, SystemPlan } from './types.ts';

/** The failure's physics modifiers for a plan (none for a normal system). */
export function planModifiers(plan: SystemPlan): FailureModifiers {
  if (!plan.failure) return {};
  const { type, leadTimeDays, severity } = plan.failure;
  return failureModifiers(
    type,
    intensitySeries(type, leadTimeDays, severity, plan.samples, plan.intervalSeconds),
  );
}

/** Noise-free, fault-free channels of a plan: the physics only. */
export function cleanChannels(plan: SystemPlan): Channels {
  const { samples: n, intervalSeconds: dt, startMs, seed } = plan;
  const modifiers = planModifiers(plan);
  const ambient = ambientSeries(plan.climate, startMs, n, dt, createRng(`${seed}:ambient`));
  const op = simulateOperation({
    mode: plan.mode,
    samples: n,
    intervalSeconds: dt,
    startMs,
    rng: createRng(`${seed}:operation`),
    pack: plan.pack,
    ...(modifiers.capacityFactor ? { capacityFactor: modifiers.capacityFactor } : {}),
    ...drawOperationEvents(plan, createRng(`${seed}:events`)),
  });
  const cells = simulateCells({
    current: op.current,
    soc: op.soc,
    ambientC: ambient.temperatureC,
    humidity: ambient.humidity,
    intervalSeconds: dt,
    modifiers,
    pack: plan.pack,
    rng: createRng(`${seed}:cells`),
  });
  // The cells above carry one rack's current; the bank's meter reads every rack's.
  const bankCurrent = plan.strings === 1 ? op.current : op.current.map((a) => a * plan.strings);
  return {
    voltage_v: cells.voltage,
    current_a: bankCurrent,
    soc_pct: op.soc,
    temp_cell_max_c: cells.tempMax,
    temp_cell_min_c: cells.tempMin,
    temp_ambient_c: ambient.temperatureC,
    cell_voltage_max_v: cells.cellVoltageMax,
    cell_voltage_min_v: cells.cellVoltageMin,
    insulation_resistance_kohm: cells.insulation,
  };
}

/**
 * Generates one system: columns keyed by every default sensor name, NaN for an empty field,
 * missing rows removed from timestamps and columns alike, timestamps strictly increasing
 * (jittered for `timestamp_jitter`), and the rows a file repeats for `repeated_rows`.
 */
export function generateSystem(plan: SystemPlan, scenario: ResolvedScenario): GeneratedSystem {
  const ch = cleanChannels(plan);
  const n = plan.samples;
  // The BMS's SOC estimate is what the log reports; the cells above saw the true SOC.
  if (plan.tags.includes('soc_recalibration'))
    applySocRecalibration(ch.soc_pct, plan.intervalSeconds, createRng(`${plan.seed}:soc-bms`));
  const noiseRng = createRng(`${plan.seed}:noise`);
  applyMeasurementNoise(ch, noiseMultiplier(plan.tags, scenario.noise, noiseRng), noiseRng);
  const keep = new Uint8Array(n).fill(1);
  applySensorFaults(ch, keep, plan.tags, plan.intervalSeconds, createRng(`${plan.seed}:faults`));

  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i] as number;
  const timingRng = createRng(`${plan.seed}:timing`);
  const timestamps = rowTimestamps(plan, keep, timingRng);
  const columns: Record<string, Float64Array> = {};
  for (const s of SENSORS) columns[s] = kept === n ? ch[s] : new Float64Array(kept);
  if (kept !== n)
    for (let i = 0, j = 0; i < n; i++) {
      if (!keep[i]) continue;
      for (const s of SENSORS) (columns[s] as Float64Array)[j] = ch[s][i] as number;
      j++;
    }
  const repeatRows = drawRepeatedRows(plan, kept, timingRng);
  return { plan, timestamps, columns, ...(repeatRows.length ? { repeatRows } : {}) };
}

/** Generates a fleet one system at a time (a generator), so memory stays bounded by one system. */
export function* generateFleet(
  scenario: ResolvedScenario,
): Generator<GeneratedSystem, void, undefined> {
  for (const plan of planFleet(scenario)) yield generateSystem(plan, scenario);
}

/** The metadata row of a planned system. */
export function planToMetadata(plan: SystemPlan): MetadataRow {
  return {
    system_id: plan.systemId,
    source: 'synthetic',
    operational_mode: plan.mode,
    season: plan.season,
    chemistry: plan.chemistry,
    capacity_kwh: plan.capacityKwh,
    climate: plan.climate,
    scenario_tags: [...plan.tags],
  };
}

/** The ground-truth label row of a planned system (label_version 1), with failure_at/onset_at for a failure. */
export function planToLabel(plan: SystemPlan): LabelRow {
  const f = plan.failure;
  return {
    system_id: plan.systemId,
    label: f ? 'anomaly' : 'normal',
    failure_type: f ? f.type : 'none',
    lead_time_days: f ? roundedLeadDays(f.leadTimeDays) : null,
    source: 'synthetic',
    label_version: 1,
    ...failureTimes(plan),
  };
}
