/**
 * The Parquet layout against CSV on the default fleet (the default scenario: 200 systems, 30
 * days at 5 min, seed "bess"), generated both ways:
 *
 * - load: every series read by the loader (`loadDataset`, then `loadSeries` with 16 in flight,
 *   as the runner reads them), each layout in its own child process, alternated in each rep so
 *   both see the same machine; the figure is the child's own time (no startup), the median of
 *   `reps`; the two must load the same bits (a hash of every column);
 * - validate: the whole `harness validate` CLI on each;
 * - sizes: the bytes of raw/ in each layout;
 * - the floor: parquet-floor-child.js, in the same reps, does the least any reader must (the
 *   metadata, every part file read and its footer decoded, every column placed in a new
 *   Float64Array) with no decoding (`fill`), with a dictionary lookup per value (`gather`) and
 *   with a scaled integer divided per value (`divide`).
 *   CSV's time over the floor is the most any Parquet reader could reach on this machine.
 *
 *   npm run bench -- --parquet-only [--reps 3]   (the whole `npm run bench` runs it too)
 *
 * The load step's child is parquet-load-child.js, on the compiled harness.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCompiled } from '../../bin/compile.js';
import { DEFAULT_PARQUET_COMPRESSION } from '../../src/data/parquet-codecs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = path.join(ROOT, 'bin', 'harness.js');
const CHILD = path.join(ROOT, 'test', 'bench', 'parquet-load-child.js');
const FLOOR_CHILD = path.join(ROOT, 'test', 'bench', 'parquet-floor-child.js');
/** The goal: loading the fleet from Parquet at least this many times faster than from CSV. */
export const PARQUET_MIN_SPEEDUP = 5;

/** What the Parquet step measured. */
export interface ParquetSummary {
  readonly systems: number;
  readonly rows: number;
  readonly csvLoadMs: number;
  readonly parquetLoadMs: number;
  readonly loadSpeedup: number;
  readonly loadSpeedups: readonly number[];
  readonly minSpeedup: number;
  readonly meetsGoal: boolean;
  readonly sameSeries: boolean;
  readonly csvValidateMs: number;
  readonly parquetValidateMs: number;
  readonly csvRawBytes: number;
  readonly parquetRawBytes: number;
  readonly sizeRatio: number;
  readonly csvLoadRssMb: number;
  readonly parquetLoadRssMb: number;
  /** The floor with no decoding, and CSV's time over it: no reader of any encoding loads faster. */
  readonly floorFillMs: number;
  readonly ceilingSpeedup: number;
  /** The floor with one dictionary lookup per value (our writer's pages), and CSV's time over it. */
  readonly floorGatherMs: number;
  readonly dictionaryCeilingSpeedup: number;
  /** The floor with one scaled integer divided per value (decimals stored as integers). */
  readonly floorDivideMs: number;
  readonly scaledCeilingSpeedup: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Bytes of every file under `dir`. */
function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? treeBytes(p) : statSync(p).size;
  }
  return total;
}

/** A command's stdout's last line as JSON, its wall time, and its peak RSS (/usr/bin/time). */
function run(
  cmd: string,
  args: readonly string[],
  work: string,
): { out: Record<string, unknown>; wallMs: number; rssMb: number } {
  const timeFile = path.join(work, 'parquet-time.txt');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rssMb =
    Number(spawnSync('tail', ['-n', '1', timeFile], { encoding: 'utf8' }).stdout.trim()) / 1024;
  let out: Record<string, unknown> = {};
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    out = {};
  }
  return { out, wallMs, rssMb };
}

/** Generates the default fleet into `dir` in `format` unless it is there. */
function generate(dir: string, format: 'csv' | 'parquet', work: string): void {
  if (existsSync(path.join(dir, 'labels.csv'))) return;
  run('node', [HARNESS, 'generate', '--format', format, '--out', dir], work);
}

/** The Parquet step: see the module comment. `log` gets progress lines. */
export async function parquetStep(
  work: string,
  reps: number,
  log: (s: string) => void,
): Promise<ParquetSummary> {
  // The load children import dist/ directly: it must hold today's sources.
  await ensureCompiled();
  const csvDir = path.join(work, 'default-fleet-csv');
  // Named by the default codec: a fleet generated before the default changed is not measured as today's.
  const pqDir = path.join(work, `default-fleet-parquet-${DEFAULT_PARQUET_COMPRESSION}`);
  log('bench: parquet: generating the default fleet as CSV and as Parquet');
  generate(csvDir, 'csv', work);
  generate(pqDir, 'parquet', work);
  const csv: ReturnType<typeof run>[] = [];
  const pq: ReturnType<typeof run>[] = [];
  const fill: ReturnType<typeof run>[] = [];
  const gather: ReturnType<typeof run>[] = [];
  const divide: ReturnType<typeof run>[] = [];
  log(`bench: parquet: loading every series, ${reps} reps`);
  for (let k = 0; k < reps; k++) {
    csv.push(run('node', [CHILD, csvDir], work));
    pq.push(run('node', [CHILD, pqDir], work));
    fill.push(run('node', [FLOOR_CHILD, pqDir, 'fill'], work));
    gather.push(run('node', [FLOOR_CHILD, pqDir, 'gather'], work));
    divide.push(run('node', [FLOOR_CHILD, pqDir, 'divide'], work));
  }
  log('bench: parquet: validate');
  const csvValidate = Array.from(
    { length: reps },
    () => run('node', [HARNESS, 'validate', '--data', csvDir], work).wallMs,
  );
  const pqValidate = Array.from(
    { length: reps },
    () => run('node', [HARNESS, 'validate', '--data', pqDir], work).wallMs,
  );
  const ms = (xs: readonly ReturnType<typeof run>[]): number[] =>
    xs.map((x) => x.out['ms'] as number);
  const speedups = ms(csv).map((c, k) => c / (ms(pq)[k] as number));
  const csvRawBytes = treeBytes(path.join(csvDir, 'raw'));
  const parquetRawBytes = treeBytes(path.join(pqDir, 'raw'));
  const loadSpeedup = median(speedups);
  const csvLoadMs = median(ms(csv));
  return {
    systems: csv[0]?.out['systems'] as number,
    rows: csv[0]?.out['rows'] as number,
    csvLoadMs,
    parquetLoadMs: median(ms(pq)),
    loadSpeedup,
    loadSpeedups: speedups,
    minSpeedup: PARQUET_MIN_SPEEDUP,
    meetsGoal: loadSpeedup >= PARQUET_MIN_SPEEDUP,
    sameSeries: csv.every(
      (c, k) => c.out['hash'] === pq[k]?.out['hash'] && typeof c.out['hash'] === 'string',
    ),
    csvValidateMs: median(csvValidate),
    parquetValidateMs: median(pqValidate),
    csvRawBytes,
    parquetRawBytes,
    sizeRatio: csvRawBytes / parquetRawBytes,
    csvLoadRssMb: Math.max(...csv.map((c) => c.rssMb)),
    parquetLoadRssMb: Math.max(...pq.map((c) => c.rssMb)),
    floorFillMs: median(ms(fill)),
    ceilingSpeedup: csvLoadMs / median(ms(fill)),
    floorGatherMs: median(ms(gather)),
    dictionaryCeilingSpeedup: csvLoadMs / median(ms(gather)),
    floorDivideMs: median(ms(divide)),
    scaledCeilingSpeedup: csvLoadMs / median(ms(divide)),
  };
}

/** One line for the bench's printout. */
export function parquetLine(p: ParquetSummary): string {
  const f = (ms: number): string =>
    ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
  return (
    `parquet: loading the ${p.systems}-system default fleet (${p.rows.toLocaleString('en-US')} rows) takes ${f(p.parquetLoadMs)} from Parquet and ${f(p.csvLoadMs)} from CSV: ` +
    `${p.loadSpeedup.toFixed(2)}× (goal ≥ ${p.minSpeedup}×: ${p.meetsGoal ? 'met' : 'NOT MET'}; per rep ${p.loadSpeedups.map((s) => s.toFixed(2)).join(', ')}); same series: ${p.sameSeries}; ` +
    `raw/ ${(p.parquetRawBytes / 1e6).toFixed(1)} MB vs ${(p.csvRawBytes / 1e6).toFixed(1)} MB (${p.sizeRatio.toFixed(1)}× smaller); ` +
    `validate ${f(p.parquetValidateMs)} vs ${f(p.csvValidateMs)}; load peak RSS ${p.parquetLoadRssMb.toFixed(0)} vs ${p.csvLoadRssMb.toFixed(0)} MB. ` +
    `The floor (files read, columns placed, nothing decoded) is ${f(p.floorFillMs)}: no reader beats CSV by more than ${p.ceilingSpeedup.toFixed(2)}× here; ` +
    `with one dictionary lookup per value ${f(p.floorGatherMs)} (${p.dictionaryCeilingSpeedup.toFixed(2)}×), one scaled integer divided ${f(p.floorDivideMs)} (${p.scaledCeilingSpeedup.toFixed(2)}×).`
  );
}
