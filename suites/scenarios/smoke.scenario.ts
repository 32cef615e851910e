import { defineScenario } from 'bess-harness';

/** A small, fast fleet for tests: 24 systems × 7 days at 15 minutes (672 samples each). */
export default defineScenario({
  name: 'smoke',
  description: 'Small fleet for fast tests: six anomalies, one of each failure type.',
  systems: 24,
  days: 7,
  interval: '15m',
  seed: 'smoke',
  anomalyRate: 0.25,
  // Short lead times so the smoke fleet's anomalies are clearly visible.
  leadTimeDays: { kind: 'uniform', min: 0, max: 7 },
});
