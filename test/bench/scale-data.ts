/**
 * Seeded scores/labels/metadata CSVs for N synthetic systems: what `harness evaluate` judges in
 * the scale step of the bench. Same seed, same bytes. Anomalies score higher on average, so the
 * metrics are neither 0.5 nor 1, and every breakdown column has several strata.
 *
 *   tsx test/bench/scale-data.ts <dir> <systems> [seed]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../helpers/seeded.ts';
import { FAILURE_TYPES, OPERATIONAL_MODES, SCENARIO_TAGS, SEASONS } from '../../src/data/schema.ts';

/** Writes scores.csv, labels.csv and metadata.csv for `systems` systems into `dir`. */
export function writeScaleData(dir: string, systems: number, seed = 1): void {
  mkdirSync(dir, { recursive: true });
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const scores: string[] = ['system_id,score'];
  const labels: string[] = ['system_id,label,failure_type,lead_time_days,source,label_version'];
  const meta: string[] = [
    'system_id,source,operational_mode,season,chemistry,capacity_kwh,climate,scenario_tags',
  ];
  for (let i = 0; i < systems; i++) {
    const id = `sys-${String(i).padStart(7, '0')}`;
    const anomaly = r() < 0.1;
    const score = r() + (anomaly ? 0.4 * r() : 0);
    scores.push(`${id},${score.toFixed(6)}`);
    if (anomaly)
      labels.push(`${id},anomaly,${pick(FAILURE_TYPES)},${(r() * 120).toFixed(1)},synthetic,1`);
    else labels.push(`${id},normal,none,,synthetic,1`);
    const tags =
      r() < 0.7
        ? ''
        : r() < 0.5
          ? pick(SCENARIO_TAGS)
          : `${pick(SCENARIO_TAGS)};${pick(SCENARIO_TAGS)}`;
    const uniqueTags = [...new Set(tags.split(';'))].join(';');
    meta.push(
      `${id},synthetic,${pick(OPERATIONAL_MODES)},${pick(SEASONS)},${r() < 0.5 ? 'LFP' : 'NMC'},${(100 + Math.floor(r() * 900)).toString()},${pick(['temperate', 'hot', 'cold'])},${uniqueTags}`,
    );
  }
  writeFileSync(path.join(dir, 'scores.csv'), `${scores.join('\n')}\n`);
  writeFileSync(path.join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
  writeFileSync(path.join(dir, 'metadata.csv'), `${meta.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, systems, seed] = process.argv.slice(2);
  if (!dir || !systems)
    throw new Error('usage: tsx test/bench/scale-data.ts <dir> <systems> [seed]');
  writeScaleData(dir, Number(systems), seed === undefined ? 1 : Number(seed));
}
