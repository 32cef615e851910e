/**
 * How often the paired DeLong test calls a win that is not there, by class count: the
 * simulation behind MIN_DELONG_CLASS (src/metrics/delong.ts). Not part of the test suite.
 *
 *   npx tsx test/bench/delong-calibration.ts [reps] [alphas, e.g. 0.05,0.01] [anomaly counts, e.g. 2,5,10]
 *
 * Under H0 a scorer with no information (uniform scores) is compared, one-sided as toBeat does,
 * with a constant scorer and with another independent uniform scorer. A calibrated test passes
 * in `alpha` of the draws; the DeLong variance is underestimated on few anomalies, so it passes
 * more often there.
 */
import seedrandom from 'seedrandom';
import { delongPairedTest } from '../../src/metrics/delong.ts';

const reps = Number(process.argv[2] ?? 20000);
const alphas = (process.argv[3] ?? '0.05,0.01').split(',').map(Number);
const counts = (process.argv[4] ?? '2,3,5,8,10,12,15,20,25,30,40').split(',').map(Number);
const rng = seedrandom.alea('delong-calibration');

/** Share of draws where A "beats" B one-sided at alpha. */
function falsePass(m: number, n: number, alpha: number, other: 'constant' | 'random'): number {
  const y = Float64Array.from({ length: m + n }, (_, i) => (i < m ? 1 : 0));
  let wins = 0;
  for (let r = 0; r < reps; r++) {
    const a = Float64Array.from(y, () => rng());
    const b = Float64Array.from(y, () => (other === 'constant' ? 0 : rng()));
    const t = delongPairedTest(y, a, b);
    if (t.value === null || !(t.diff > 0)) continue;
    if (t.pValue / 2 < alpha) wins++;
  }
  return wins / reps;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
for (const alpha of alphas) {
  console.log(`\nalpha ${alpha} (one-sided): false-pass rate`);
  console.log('  m  | n=m: const  random | n=3m: const random | n=500: const random');
  for (const m of counts) {
    const cells = [m, 3 * m, 500].flatMap((n) => [
      pct(falsePass(m, n, alpha, 'constant')),
      pct(falsePass(m, n, alpha, 'random')),
    ]);
    console.log(`  ${String(m).padStart(2)} | ${cells.join('  ')}`);
  }
}
