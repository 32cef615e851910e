import { defineScenario } from 'bess-harness';

/**
 * The hard cases: few anomalies, many of them subtle, long lead times, and heavy data-quality
 * faults on normals and anomalies alike. A model that keys on missing data or spikes fails here.
 */
export default defineScenario({
  name: 'hard-cases',
  description: 'Rare, subtle, far-ahead failures in messy telemetry.',
  systems: 200,
  days: 30,
  interval: '5m',
  seed: 'hard-cases',
  anomalyRate: 0.1,
  leadTimeDays: {
    kind: 'buckets',
    buckets: [
      { lo: 0, hi: 7, weight: 0.15 },
      { lo: 7, hi: 30, weight: 0.3 },
      { lo: 30, hi: 90, weight: 0.35 },
      { lo: 90, hi: 180, weight: 0.2 },
    ],
  },
  severity: { min: 0.3, max: 0.8 },
  subtleRate: 0.5,
  noise: 1.5,
  dataQuality: {
    sensorDropout: 0.35,
    stuckSensor: 0.25,
    spike: 0.3,
    timestampGap: 0.3,
    noisyNormal: 0.3,
  },
});
