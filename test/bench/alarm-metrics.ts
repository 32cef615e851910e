/**
 * Speed of the alarm metrics on a synthetic fleet of N systems (default 1,000,000: 1 % failing,
 * one system in seven raising two alarms). Prints one JSON object of figures; not a test.
 *
 *   npx tsx test/bench/alarm-metrics.ts [systems]
 */
import { evaluateAlarms, type AlarmSystem } from '../../src/metrics/index.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const DAY = 86_400_000;
const systems: AlarmSystem[] = [];
for (let i = 0; i < N; i++) {
  const anomaly = i % 100 === 0;
  systems.push({
    systemId: `s${i}`,
    failureType: anomaly ? 'thermal_runaway' : 'none',
    anomaly,
    alarms: Float64Array.from(i % 7 === 0 ? [5 * DAY, 9 * DAY] : []),
    failureAt: anomaly ? 20 * DAY : NaN,
    onsetAt: anomaly ? 4 * DAY : NaN,
    spanStart: 0,
    spanEnd: 18 * DAY,
  });
}
const t0 = performance.now();
const r = evaluateAlarms(systems);
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ step: 'alarm_metrics', systems: N, ms: Math.round(ms), rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20), ci_methods: Object.fromEntries(Object.entries(r.ci).map(([k, v]) => [k, v?.method ?? null])) }, null, 2)}\n`,
);
