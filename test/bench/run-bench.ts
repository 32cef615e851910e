/**
 * `npm run bench`: the harness against pandas + numpy + scikit-learn on the same fleet, step by
 * step, each step in its own child process (its peak RSS is its own, read by /usr/bin/time),
 * each time the median of `--reps` runs. Writes test/bench/results.json and prints a table.
 *
 *   npm run bench -- [--systems 1000] [--days 30] [--reps 3] [--rss-systems 4000] [--no-python]
 *   (or BENCH_SYSTEMS, BENCH_DAYS, BENCH_REPS, BENCH_RSS_SYSTEMS; --rss-systems 0 skips the scale check)
 *
 * The Python side is installed by the bench itself into .bench-venv/ on first use.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = path.join(ROOT, 'test', 'bench');
const WORK = path.join(ROOT, '.harness', 'bench');
const VENV = path.join(ROOT, '.bench-venv');
const PY = path.join(VENV, 'bin', 'python');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const HARNESS = path.join(ROOT, 'bin', 'harness.js');

const { values: flags } = parseArgs({
  options: {
    systems: { type: 'string', default: process.env['BENCH_SYSTEMS'] ?? '1000' },
    days: { type: 'string', default: process.env['BENCH_DAYS'] ?? '30' },
    reps: { type: 'string', default: process.env['BENCH_REPS'] ?? '3' },
    'rss-systems': { type: 'string', default: process.env['BENCH_RSS_SYSTEMS'] ?? '4000' },
    'no-python': { type: 'boolean', default: false },
  },
});
const SYSTEMS = Number(flags.systems);
const DAYS = Number(flags.days);
const REPS = Math.max(1, Number(flags.reps));
const RSS_SYSTEMS = Number(flags['rss-systems']);
const PYTHON = !flags['no-python'];

interface Sample {
  readonly ms: number;
  readonly wallMs: number;
  readonly rssMb: number;
  readonly out: Record<string, unknown>;
}

/** Runs a command under /usr/bin/time; `ms` is what the child reports (its work), else the wall time. */
function measure(cmd: string, args: readonly string[], cwd = ROOT): Sample {
  const timeFile = path.join(WORK, 'time.txt');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout.slice(-2000)}`,
    );
  const rssMb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024;
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let out: Record<string, unknown> = {};
  try {
    out = JSON.parse(last) as Record<string, unknown>;
  } catch {
    out = {};
  }
  return { ms: typeof out['ms'] === 'number' ? out['ms'] : wallMs, wallMs, rssMb, out };
}

const f = (ms: number): string =>
  ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Step {
  readonly step: string;
  readonly harness: {
    readonly ms: number;
    readonly rssMb: number;
    readonly samples: readonly Sample[];
  } | null;
  readonly python: {
    readonly ms: number;
    readonly rssMb: number;
    readonly samples: readonly Sample[];
  } | null;
  readonly note?: string;
}

function repeat(reps: number, f: () => Sample): { ms: number; rssMb: number; samples: Sample[] } {
  const samples = Array.from({ length: reps }, f);
  return {
    ms: median(samples.map((s) => s.ms)),
    rssMb: Math.max(...samples.map((s) => s.rssMb)),
    samples,
  };
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function ensureVenv(): void {
  if (existsSync(PY) && spawnSync(PY, ['-c', 'import pandas, numpy, sklearn, scipy']).status === 0)
    return;
  log('bench: installing pandas, numpy and scikit-learn into .bench-venv/ …');
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  };
  run('python3', ['-m', 'venv', VENV]);
  run(path.join(VENV, 'bin', 'pip'), ['install', '-q', 'pandas', 'numpy', 'scikit-learn']);
}

function fleetDir(systems: number): string {
  return path.join(WORK, `fleet-${systems}x${DAYS}d`);
}

function generate(systems: number, reps: number): { ms: number; rssMb: number; samples: Sample[] } {
  const dir = fleetDir(systems);
  return repeat(reps, () => {
    rmSync(dir, { recursive: true, force: true });
    return measure('node', [
      HARNESS,
      'generate',
      '--systems',
      String(systems),
      '--days',
      String(DAYS),
      '--interval',
      '5m',
      '--out',
      dir,
    ]);
  });
}

function rawBytes(dir: string): number {
  const raw = path.join(dir, 'raw');
  return readdirSync(raw).reduce((a, f) => a + statSync(path.join(raw, f)).size, 0);
}

/** A project whose one suite is the smoke suite's main case on the bench fleet. */
function benchProject(dir: string): string {
  const project = path.join(WORK, `project-${path.basename(dir)}`);
  mkdirSync(path.join(project, 'suites'), { recursive: true });
  const src = path.join(ROOT, 'src', 'index.ts');
  writeFileSync(
    path.join(project, 'suites', 'bench.suite.ts'),
    `import { defineSuite } from ${JSON.stringify(src)};
export default defineSuite({
  name: 'bench',
  dataset: { path: ${JSON.stringify(dir)} },
  split: { test: 0.5, seed: 7 },
  models: ['random', 'zscore', 'pca'],
  expect: ({ metric, model }) => [
    metric('random', 'roc_auc').toCover(0.5),
    metric('zscore', 'roc_auc').toBeGreaterThan(metric('random', 'roc_auc')),
    model('pca').toBeat('random'),
  ],
});
`,
  );
  writeFileSync(
    path.join(project, 'package.json'),
    '{ "name": "bench-project", "private": true, "type": "module" }\n',
  );
  return project;
}

/** A whole `harness run` (wall time of the process); `out.runMs` is the run's own duration (no startup). */
function harnessRun(project: string, extra: readonly string[]): Sample {
  const s = measure(
    'node',
    [HARNESS, 'run', '--reporter', 'json', '--out-dir', path.join(project, 'out'), ...extra],
    project,
  );
  const r = JSON.parse(readFileSync(path.join(project, 'out', 'results.json'), 'utf8')) as {
    summary: { durationMs: number };
  };
  return { ...s, out: { runMs: r.summary.durationMs } };
}

function runResults(project: string): unknown {
  const r = JSON.parse(readFileSync(path.join(project, 'out', 'results.json'), 'utf8')) as {
    suites: { cases: { model: string; summary?: { metrics: unknown; ci: unknown } }[] }[];
  };
  return r.suites.flatMap((s) =>
    s.cases.map((c) => ({ model: c.model, metrics: c.summary?.metrics, ci: c.summary?.ci })),
  );
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  if (PYTHON) ensureVenv();
  const steps: Step[] = [];
  const py = (reps: number, ...args: string[]) =>
    PYTHON ? repeat(reps, () => measure(PY, [path.join(BENCH, 'py_bench.py'), ...args])) : null;
  const ts = (reps: number, ...args: string[]) =>
    repeat(reps, () => measure(TSX, [path.join(BENCH, 'ts-step.ts'), ...args]));

  log(
    `bench: ${SYSTEMS} systems × ${DAYS} days × 5 min, ${REPS} reps, ${availableParallelism()} cores`,
  );
  const dir = fleetDir(SYSTEMS);
  const gen = generate(SYSTEMS, 1);
  const mb = rawBytes(dir) / 1e6;
  steps.push({
    step: 'generate',
    harness: gen,
    python: null,
    note: `${mb.toFixed(0)} MB of series (1 run: the same seed writes the same bytes)`,
  });
  log('bench: validate');
  steps.push({
    step: 'validate',
    harness: repeat(REPS, () => measure('node', [HARNESS, 'validate', '--data', dir])),
    python: py(REPS, 'validate', dir),
    note: 'harness: whole CLI incl. startup; python: timestamps + limits',
  });
  log('bench: load');
  const load = ts(REPS, 'load', dir);
  const pyLoad = py(REPS, 'load', dir);
  const pathCounts = load.samples[0]?.out['path'];
  steps.push({
    step: 'load every series',
    harness: load,
    python: pyLoad,
    note: `${(mb / (load.ms / 1000)).toFixed(0)} MB/s vs pandas.read_csv ${pyLoad ? (mb / (pyLoad.ms / 1000)).toFixed(0) : '–'} MB/s; paths ${JSON.stringify(pathCounts)}`,
  });
  const project = benchProject(dir);
  const suiteFile = path.join(project, 'suites', 'bench.suite.ts');
  for (const model of ['random', 'zscore', 'pca']) {
    log(`bench: score ${model}`);
    steps.push({
      step: `fit + score ${model}`,
      harness: ts(REPS, 'score', dir, model),
      python: py(REPS, 'score', dir, model),
      note: 'test split + training normals, in process',
    });
  }
  // Scoring from 1 to 2 workers: the pool fits pca once and ships its state; the score phase
  // (reading and scoring 875 series after the fit) is what the workers share.
  const scorePhase = (x: { samples: readonly Sample[] }) =>
    median(x.samples.map((s) => s.out['scorePhaseMs'] as number));
  const pool1 = ts(REPS, 'score', dir, 'pca', '1', suiteFile);
  const pool2 = ts(REPS, 'score', dir, 'pca', '2', suiteFile);
  const scoringSpeedup = scorePhase(pool1) / scorePhase(pool2);
  steps.push({
    step: 'fit + score pca, pool of 1',
    harness: pool1,
    python: null,
    note: `score phase ${f(scorePhase(pool1))}`,
  });
  steps.push({
    step: 'fit + score pca, pool of 2',
    harness: pool2,
    python: null,
    note: `score phase ${f(scorePhase(pool2))}: ${scoringSpeedup.toFixed(2)}× faster than 1 worker`,
  });
  log('bench: evaluate');
  steps.push({
    step: 'evaluate (CIs, breakdowns)',
    harness: ts(REPS, 'evaluate', dir),
    python: py(REPS, 'evaluate', dir),
    note: 'DeLong + 2000-rep stratified bootstrap + breakdowns',
  });
  steps.push({
    step: 'roc_auc + DeLong, 1M scores',
    harness: ts(REPS, 'auc1m'),
    python: py(REPS, 'auc1m'),
    note: 'harness: AUC + DeLong CI in one pass, as evaluate does (rocAucAloneMs: AUC only); python: roc_auc_score only',
  });
  steps.push({
    step: 'bootstrap 2000 reps, 10k',
    harness: ts(REPS, 'boot10k'),
    python: py(REPS, 'boot10k'),
  });

  log('bench: harness run');
  const w1 = repeat(REPS, () => harnessRun(project, ['--no-cache', '--workers', '1']));
  const res1 = runResults(project);
  const w2 = repeat(REPS, () => harnessRun(project, ['--no-cache', '--workers', '2']));
  const res2 = runResults(project);
  harnessRun(project, ['--workers', '2']); // fills the score cache
  const cached = repeat(REPS, () => harnessRun(project, []));
  const pyRun = PYTHON
    ? repeat(REPS, () => {
        const s = measure(PY, [path.join(BENCH, 'py_bench.py'), 'run', dir]);
        return { ...s, ms: s.wallMs };
      })
    : null;
  const wall = (x: { samples: readonly Sample[]; rssMb: number }) => ({
    ms: median(x.samples.map((s) => s.wallMs)),
    rssMb: x.rssMb,
    samples: x.samples,
  });
  steps.push({
    step: 'harness run, 1 worker',
    harness: wall(w1),
    python: pyRun && wall(pyRun),
    note: 'whole process: startup, load, fit, score, evaluate',
  });
  steps.push({
    step: 'harness run, 2 workers',
    harness: wall(w2),
    python: pyRun && wall(pyRun),
    note: `speed-up ${(median(w1.samples.map((s) => s.wallMs)) / median(w2.samples.map((s) => s.wallMs))).toFixed(2)}×; metrics identical: ${JSON.stringify(res1) === JSON.stringify(res2)}`,
  });
  const cachedRunMs = median(cached.samples.map((s) => s.out['runMs'] as number));
  steps.push({
    step: 'harness run, cached',
    harness: wall(cached),
    python: null,
    note: `nothing changed: scores from the cache; the run itself ${f(cachedRunMs)} after startup`,
  });

  let scale: Record<string, unknown> | null = null;
  if (RSS_SYSTEMS > 0 && RSS_SYSTEMS !== SYSTEMS) {
    log(`bench: peak RSS at ${RSS_SYSTEMS} systems`);
    const big = fleetDir(RSS_SYSTEMS);
    if (!existsSync(path.join(big, 'labels.csv'))) generate(RSS_SYSTEMS, 1);
    const bigLoad = measure(TSX, [path.join(BENCH, 'ts-step.ts'), 'load', big]);
    const bigRun = harnessRun(benchProject(big), ['--no-cache', '--workers', '2']);
    scale = {
      systems: [SYSTEMS, RSS_SYSTEMS],
      loadRssMb: [load.rssMb, bigLoad.rssMb],
      runRssMb: [w2.rssMb, bigRun.rssMb],
      loadRatio: bigLoad.rssMb / load.rssMb,
      runRatio: bigRun.rssMb / w2.rssMb,
    };
  }

  const results = {
    date: new Date().toISOString(),
    systems: SYSTEMS,
    days: DAYS,
    reps: REPS,
    cores: availableParallelism(),
    seriesMb: mb,
    steps,
    scale,
    scoringSpeedup,
    identicalAcrossWorkers: JSON.stringify(res1) === JSON.stringify(res2),
  };
  writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2));

  const rows = steps.map((s) => [
    s.step,
    s.harness ? f(s.harness.ms) : '–',
    s.harness ? s.harness.rssMb.toFixed(0) : '–',
    s.python ? f(s.python.ms) : '–',
    s.python ? s.python.rssMb.toFixed(0) : '–',
    s.harness && s.python ? `${(s.python.ms / s.harness.ms).toFixed(2)}×` : '–',
    s.note ?? '',
  ]);
  const head = ['step', 'harness', 'RSS MB', 'python', 'RSS MB', 'py/harness', 'note'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (scale)
    out.push(
      '',
      `peak RSS ${SYSTEMS} → ${RSS_SYSTEMS} systems: load ${(scale['loadRatio'] as number).toFixed(2)}×, harness run ${(scale['runRatio'] as number).toFixed(2)}× (${JSON.stringify(scale)})`,
    );
  out.push(
    '',
    `py/harness > 1: the harness is faster. ${SYSTEMS} systems × ${DAYS} days × 5 min, ${mb.toFixed(0)} MB, ${availableParallelism()} cores, median of ${REPS}.`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
