import { defineScenario } from 'bess-harness';

/** The default fleet: every mode, season and failure type, realistic data-quality faults. */
export default defineScenario({
  name: 'default',
  description:
    '200 LFP racks over 30 days at 5-minute sampling; a quarter fail, mostly BOS/thermal/insulation faults.',
  systems: 200,
  days: 30,
  interval: '5m',
  seed: 'bess',
  year: 2025,
  modes: { frequency_regulation: 1, arbitrage: 1, peak_shaving: 1, solar_smoothing: 1, backup: 1 },
  seasons: { winter: 1, spring: 1, summer: 1, autumn: 1 },
  climates: { temperate: 0.5, hot: 0.25, cold: 0.25 },
  anomalyRate: 0.25,
  failureTypes: {
    cooling_failure: 0.24,
    insulation_fault: 0.24,
    cell_imbalance: 0.16,
    thermal_runaway: 0.14,
    capacity_fade: 0.12,
    internal_short: 0.1,
  },
  leadTimeDays: {
    kind: 'buckets',
    buckets: [
      { lo: 0, hi: 7, weight: 0.4 },
      { lo: 7, hi: 30, weight: 0.35 },
      { lo: 30, hi: 90, weight: 0.2 },
      { lo: 90, hi: 180, weight: 0.05 },
    ],
  },
  severity: { min: 0.5, max: 1 },
  subtleRate: 0.15,
  noise: 1,
  dataQuality: {
    sensorDropout: 0.1,
    stuckSensor: 0.05,
    spike: 0.08,
    timestampGap: 0.08,
    noisyNormal: 0.1,
  },
});
