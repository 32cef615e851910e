/**
 * `npm run bench`: the harness against pandas + numpy + scikit-learn on the same fleet, step by
 * step, each step in its own child process (its peak RSS is its own, read by /usr/bin/time),
 * each time the median of `--reps` runs. Writes test/bench/results.json and prints a table.
 *
 *   npm run bench -- [--systems 1000] [--days 30] [--reps 3] [--rss-systems 4000] [--no-python]
 *                    [--protocol-systems 200] [--protocol-only] [--parquet-only]
 *                    [--scale-only] [--scale-systems 1000000] [--run-sizes 1000,3000,10000]
 *   --scale-only: only the fleet-scale steps (issue 6/7, see {@link scaleSteps}), into results.json;
 *   --no-scale: every step but those.
 *   (or BENCH_SYSTEMS, BENCH_DAYS, BENCH_REPS, BENCH_RSS_SYSTEMS; --rss-systems 0 skips the scale check)
 *
 * The Python side is installed by the bench itself into .bench-venv/ on first use. The protocol
 * step (a Python model through the process protocol against the same model on pd.read_csv, see
 * {@link protocolStep}) uses the repository's .venv-python/ (made by .ci/setup-python, which
 * installs ./python), with PYTHONPATH at ./python so that it runs this checkout's bess_harness.
 */
import { frameFigure, frameLine } from './frame-bench.ts';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parquetLine, parquetStep } from './parquet-bench.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = path.join(ROOT, 'test', 'bench');
const WORK = path.join(ROOT, '.harness', 'bench');
const VENV = path.join(ROOT, '.bench-venv');
const PY = path.join(VENV, 'bin', 'python');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const HARNESS = path.join(ROOT, 'bin', 'harness.js');
const PY_HARNESS = path.join(ROOT, '.venv-python', 'bin', 'python');

const { values: flags } = parseArgs({
  options: {
    systems: { type: 'string', default: process.env['BENCH_SYSTEMS'] ?? '1000' },
    days: { type: 'string', default: process.env['BENCH_DAYS'] ?? '30' },
    reps: { type: 'string', default: process.env['BENCH_REPS'] ?? '3' },
    'rss-systems': { type: 'string', default: process.env['BENCH_RSS_SYSTEMS'] ?? '4000' },
    'no-python': { type: 'boolean', default: false },
    'protocol-systems': { type: 'string', default: process.env['BENCH_PROTOCOL_SYSTEMS'] ?? '200' },
    'protocol-only': { type: 'boolean', default: false },
    'parquet-only': { type: 'boolean', default: false },
    'scale-only': { type: 'boolean', default: false },
    'no-scale': { type: 'boolean', default: false },
    'scale-systems': { type: 'string', default: process.env['BENCH_SCALE_SYSTEMS'] ?? '1000000' },
    'run-sizes': { type: 'string', default: process.env['BENCH_RUN_SIZES'] ?? '1000,3000,10000' },
  },
});
const SYSTEMS = Number(flags.systems);
const DAYS = Number(flags.days);
const REPS = Math.max(1, Number(flags.reps));
const RSS_SYSTEMS = Number(flags['rss-systems']);
const PYTHON = !flags['no-python'];
const PROTOCOL_SYSTEMS = Number(flags['protocol-systems']);
/** The most the protocol side may cost, as a multiple of the pandas side (issue 4/7, point 5). */
const PROTOCOL_MAX_RATIO = 1.3;

interface Sample {
  readonly ms: number;
  readonly wallMs: number;
  readonly rssMb: number;
  readonly out: Record<string, unknown>;
}

/** Runs a command under /usr/bin/time; `ms` is what the child reports (its work), else the wall time. */
function measure(
  cmd: string,
  args: readonly string[],
  cwd = ROOT,
  env: Readonly<Record<string, string>> = {},
): Sample {
  const timeFile = path.join(WORK, 'time.txt');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1', ...env },
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

/**
 * Installs this repository in `project` as `bess-harness` (a symlink, as a user's `npm install`
 * would give a package): its suites import the package by name, and so share the CLI's compiled
 * copy of the harness instead of loading its source a second time.
 */
function installHarness(project: string): void {
  const link = path.join(project, 'node_modules', 'bess-harness');
  mkdirSync(path.dirname(link), { recursive: true });
  rmSync(link, { recursive: true, force: true });
  symlinkSync(ROOT, link, 'dir');
}

/** A project whose one suite is the smoke suite's main case on the bench fleet. */
function benchProject(dir: string): string {
  const project = path.join(WORK, `project-${path.basename(dir)}`);
  mkdirSync(path.join(project, 'suites'), { recursive: true });
  installHarness(project);
  writeFileSync(
    path.join(project, 'suites', 'bench.suite.ts'),
    `import { defineSuite } from 'bess-harness';
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

/** The repository's Python env (bess_harness and pandas), made by .ci/setup-python when missing. */
function ensurePythonPackage(): void {
  if (spawnSync(path.join(ROOT, '.ci', 'setup-python'), ['--check'], { cwd: ROOT }).status === 0)
    return;
  log('bench: making .venv-python/ (bess_harness, pandas, pyarrow) with .ci/setup-python …');
  const r = spawnSync(path.join(ROOT, '.ci', 'setup-python'), [], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('.ci/setup-python failed');
}

/** One process of features_model.py, as it logged itself at teardown. */
interface ModelLog {
  readonly restores: number;
  readonly batches: number;
  readonly scores: Record<string, number>;
}

function modelLogs(dir: string): ModelLog[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ModelLog);
}

/**
 * A Python model (test/bench/features_model.py: per-column statistics and quantiles of every
 * series, a fixed formula) scoring the fleet two ways, alternated in each rep so that both see the
 * same machine:
 *
 * - protocol: a real `harness run --no-cache --workers 1` of a suite with only that process model.
 *   The figure is its case's wall time, from `onCaseStart` to `onCaseResult` (test/bench/case-timer.ts):
 *   the fit request (a Python process started, hello, no fit as the model has none, save_state),
 *   the score request (a second Python process, restore_state, every series read by the harness's
 *   loader, sent as Arrow IPC in batches, turned into DataFrames and scored), teardown, and the
 *   case's metrics and CIs. Not counted: the harness's own start, collecting the suite, reading
 *   the metadata and labels, and the assertions and reporters after the case.
 * - pandas: the wall time of `python features_pandas.py`, a whole process (Python's start and the
 *   imports included, as one of the two starts above is): `pd.read_csv` of each series the
 *   harness scored (its training normals and test split), then `model.score` per system.
 *
 * The ratio is the median over reps of protocol / pandas, the two run one after the other in each
 * rep. Both sides' scores must agree (same model, same data), and the model's log shows the
 * fitted state shipped once to the scoring process, however many batches it then scored.
 */
function protocolStep(): { step: Step; summary: Record<string, unknown> } {
  ensurePythonPackage();
  const systems = PROTOCOL_SYSTEMS;
  const dir = fleetDir(systems);
  if (!existsSync(path.join(dir, 'labels.csv'))) generate(systems, 1);
  const project = path.join(WORK, `project-protocol-${path.basename(dir)}`);
  const logDir = path.join(project, 'model-log');
  mkdirSync(path.join(project, 'suites'), { recursive: true });
  installHarness(project);
  const pythonEnv = { PYTHONPATH: path.join(ROOT, 'python') };
  writeFileSync(
    path.join(project, 'harness.config.ts'),
    `export default {
  models: {
    'py-features': {
      command: ${JSON.stringify([PY_HARNESS, path.join(BENCH, 'features_model.py')])},
      env: ${JSON.stringify({ ...pythonEnv, BENCH_MODEL_LOG: logDir })},
      version: '1',
    },
  },
};
`,
  );
  writeFileSync(
    path.join(project, 'suites', 'protocol.suite.ts'),
    `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'protocol',
  dataset: { path: ${JSON.stringify(dir)} },
  split: { test: 0.5, seed: 7 },
  models: ['py-features'],
});
`,
  );
  writeFileSync(
    path.join(project, 'package.json'),
    '{ "name": "bench-protocol", "private": true, "type": "module" }\n',
  );
  const outDir = path.join(project, 'out');
  const run = (): { sample: Sample; caseMs: number; perSystemMs: number; logs: ModelLog[] } => {
    rmSync(logDir, { recursive: true, force: true });
    mkdirSync(logDir, { recursive: true });
    const sample = measure(
      'node',
      [
        HARNESS,
        'run',
        '--no-cache',
        '--no-history',
        '--workers',
        '1',
        '--reporter',
        'json',
        '--reporter',
        path.join(BENCH, 'case-timer.ts'),
        '--out-dir',
        outDir,
      ],
      project,
    );
    const r = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')) as {
      suites: { cases: { state: string; error?: string }[] }[];
    };
    const c = r.suites[0]?.cases[0];
    if (c?.state !== 'scored') throw new Error(`the protocol case did not score: ${c?.error}`);
    const times = JSON.parse(readFileSync(path.join(outDir, 'case-times.json'), 'utf8')) as Record<
      string,
      { caseMs: number; firstChunkMs: number; firstChunkSystems: number; systems: number }
    >;
    const t = times['protocol/py-features']!;
    return {
      sample,
      caseMs: t.caseMs,
      // After the first chunk: the fixed costs (two Python starts, the worker's set-up) are behind.
      perSystemMs: (t.caseMs - t.firstChunkMs) / (t.systems - t.firstChunkSystems),
      logs: modelLogs(logDir),
    };
  };
  const idsFile = path.join(project, 'ids.json');
  const pandasScores = path.join(project, 'pandas-scores.json');
  const protocol: Sample[] = [];
  const pandas: Sample[] = [];
  let maxDiff = 0;
  let scored = 0;
  let lastLogs: ModelLog[] = [];
  for (let k = 0; k < REPS; k++) {
    const h = run();
    lastLogs = h.logs;
    const harnessScores = Object.assign({}, ...h.logs.map((l) => l.scores)) as Record<
      string,
      number
    >;
    scored = Object.keys(harnessScores).length;
    writeFileSync(idsFile, JSON.stringify(Object.keys(harnessScores)));
    const p = measure(
      PY_HARNESS,
      [path.join(BENCH, 'features_pandas.py'), dir, idsFile, pandasScores],
      ROOT,
      pythonEnv,
    );
    const ps = JSON.parse(readFileSync(pandasScores, 'utf8')) as Record<string, number>;
    for (const [id, v] of Object.entries(harnessScores)) {
      const d = Math.abs(v - (ps[id] ?? NaN));
      maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    }
    protocol.push({
      ...h.sample,
      ms: h.caseMs,
      out: { caseMs: h.caseMs, runMs: h.sample.wallMs, perSystemMs: h.perSystemMs },
    });
    pandas.push({ ...p, ms: p.wallMs });
  }
  // Shipping (one worker here; test/integration/process-ship-state.test.ts has two): the
  // scoring process got the fitted state once, before all its batches.
  const scoring = lastLogs.filter((l) => l.batches > 0);
  const statePerWorker = scoring.map((l) => ({ restores: l.restores, batches: l.batches }));
  const shippedOnce = scoring.length > 0 && scoring.every((l) => l.restores === 1 && l.batches > 1);
  const protocolMs = median(protocol.map((s) => s.ms));
  const pandasMs = median(pandas.map((s) => s.ms));
  // The two sides of a rep ran one after the other: their ratio sees the same machine load.
  const ratios = protocol.map((s, k) => s.ms / pandas[k]!.ms);
  const ratio = median(ratios);
  const pandasWorkMs = median(pandas.map((s) => s.out['ms'] as number));
  // The cost of one more system: the harness's case after its first chunk, pandas's reading and
  // scoring without Python's start and imports.
  const protocolPerSystemMs = median(protocol.map((s) => s.out['perSystemMs'] as number));
  const pandasPerSystemMs = median(pandas.map((s) => (s.out['ms'] as number) / scored));
  const summary = {
    systems,
    scored,
    protocolMs,
    pandasMs,
    pandasWorkMs,
    ratio,
    ratios,
    protocolPerSystemMs,
    pandasPerSystemMs,
    perSystemRatio: protocolPerSystemMs / pandasPerSystemMs,
    maxRatio: PROTOCOL_MAX_RATIO,
    withinMaxRatio: ratio <= PROTOCOL_MAX_RATIO,
    maxScoreDiff: maxDiff,
    statePerWorker,
    stateShippedOncePerWorker: shippedOnce,
  };
  return {
    step: {
      step: `py model: protocol vs pd.read_csv`,
      harness: {
        ms: protocolMs,
        rssMb: Math.max(...protocol.map((s) => s.rssMb)),
        samples: protocol,
      },
      python: { ms: pandasMs, rssMb: Math.max(...pandas.map((s) => s.rssMb)), samples: pandas },
      note: `${scored} of ${systems} systems; protocol/pandas ${ratio.toFixed(2)}× (at most ${PROTOCOL_MAX_RATIO}×${ratio <= PROTOCOL_MAX_RATIO ? '' : ': TOO SLOW'}), per rep ${ratios.map((r) => r.toFixed(2)).join(', ')}; pandas work alone ${f(pandasWorkMs)}; per system ${protocolPerSystemMs.toFixed(1)} vs ${pandasPerSystemMs.toFixed(1)} ms; scores differ by ≤ ${maxDiff.toExponential(1)}; restore_state per scoring process ${JSON.stringify(statePerWorker)}`,
    },
    summary,
  };
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

  let protocol: ReturnType<typeof protocolStep> | null = null;
  if (PYTHON) {
    log(`bench: protocol step (${PROTOCOL_SYSTEMS} systems)`);
    protocol = protocolStep();
    steps.push(protocol.step);
  }

  const fleetScale = flags['no-scale'] ? null : scaleSteps();
  if (fleetScale) steps.push(...fleetScale.steps);

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

  // The Parquet layout against CSV on the default fleet (parquet-bench.ts).
  const parquet = await parquetStep(WORK, REPS, log);
  // A model's large state read off its stdout (frame-bench.ts).
  const frames = frameFigure();

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
    protocol: protocol?.summary ?? null,
    frames,
    parquet,
    fleetScale: fleetScale?.scale ?? null,
  };
  writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2));

  const out = table(steps);
  if (scale)
    out.push(
      '',
      `peak RSS ${SYSTEMS} → ${RSS_SYSTEMS} systems: load ${(scale['loadRatio'] as number).toFixed(2)}×, harness run ${(scale['runRatio'] as number).toFixed(2)}× (${JSON.stringify(scale)})`,
    );
  out.push(
    '',
    `py/harness > 1: the harness is faster. ${SYSTEMS} systems × ${DAYS} days × 5 min, ${mb.toFixed(0)} MB, ${availableParallelism()} cores, median of ${REPS}.`,
  );
  if (protocol) out.push(protocolLine(protocol.summary));
  out.push(frameLine(frames));
  out.push(parquetLine(parquet));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The steps as a Markdown table, one line per row. */
function table(steps: readonly Step[]): string[] {
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
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function protocolLine(p: Record<string, unknown>): string {
  return `protocol step: a Python model scoring ${String(p['scored'])} systems of the ${String(p['systems'])}-system fleet costs ${f(p['protocolMs'] as number)} through the process protocol (a harness run's case) and ${f(p['pandasMs'] as number)} on pd.read_csv: ${(p['ratio'] as number).toFixed(2)}× (at most ${PROTOCOL_MAX_RATIO}×: ${p['withinMaxRatio'] ? 'ok' : 'TOO SLOW'}); state shipped once per worker: ${String(p['stateShippedOncePerWorker'])}.`;
}

/** The most `harness evaluate` and `harness validate` may take, as a multiple of Python's (issue 6/7). */
const SCALE_MAX_RATIO = 0.5;
/** The most `harness evaluate` on the scale fleet may hold in memory (issue 6/7). */
const SCALE_MAX_RSS_MB = 1024;

/** The sample of median time, with the highest peak RSS of all. */
function medianSample(samples: readonly Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  const mid = sorted[(sorted.length - 1) >> 1]!;
  return { ...mid, rssMb: Math.max(...samples.map((x) => x.rssMb)) };
}

/** A sample whose `ms` is the wall time of the whole process (startup included, on both sides). */
function wallSample(s: Sample): Sample {
  return { ...s, ms: s.wallMs };
}

/**
 * The fleet-scale steps (issue 6/7), one run each, side by side:
 * - `harness evaluate --json` on `--scale-systems` seeded systems (median of --reps) (scale-data.ts) against pandas
 *   read_csv + scikit-learn + a numpy DeLong (py_evaluate_scale.py), with and without the
 *   breakdowns on the Python side (the issue measured Python without them);
 * - `harness validate` (median of --reps) on the default fleet (the default scenario: 200 racks × 30 days × 5 min)
 *   against pandas read_csv + to_datetime(ISO8601) + a monotonic and limits check (py_bench.py);
 * - `harness run --no-cache --no-history` (random and zscore, 1 day at 15 min) at each of
 *   `--run-sizes`: wall time and peak RSS per size, to see whether time is linear and memory flat;
 *   then the smallest size with 10 days (10× the rows): series are streamed, so its memory must
 *   not follow the telemetry.
 * Python runs in the repository's .venv-python; every time is a whole process's wall time.
 */
function scaleSteps(): { steps: Step[]; scale: Record<string, unknown> } {
  const systems = Number(flags['scale-systems']);
  const dir = path.join(WORK, `scale-${systems}`);
  if (!existsSync(path.join(dir, 'metadata.csv'))) {
    log(`bench: writing scores, labels and metadata of ${systems} systems`);
    const r = spawnSync(TSX, [path.join(BENCH, 'scale-data.ts'), dir, String(systems)], {
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('scale-data.ts failed');
  }
  const steps: Step[] = [];
  const file = (name: string) => path.join(dir, name);
  log(`bench: evaluate ${systems} systems`);
  const evalArgs = ['evaluate', '--scores', file('scores.csv'), '--labels', file('labels.csv')];
  // The machine is shared: the median of --reps runs, harness and Python taking turns.
  const evaluates: Sample[] = [];
  const pyHeadlines: Sample[] = [];
  const pyScale = path.join(BENCH, 'py_evaluate_scale.py');
  for (let rep = 0; rep < REPS; rep++) {
    evaluates.push(
      wallSample(
        measure('node', [HARNESS, ...evalArgs, '--metadata', file('metadata.csv'), '--json']),
      ),
    );
    if (PYTHON) pyHeadlines.push(wallSample(measure(PY_HARNESS, [pyScale, dir, '--headline'])));
  }
  const evaluate = medianSample(evaluates);
  const pyHeadline = PYTHON ? medianSample(pyHeadlines) : null;
  const pyFull = PYTHON ? wallSample(measure(PY_HARNESS, [pyScale, dir])) : null;
  const one = (x: Sample | null) => x && { ms: x.ms, rssMb: x.rssMb, samples: [x] };
  const ratio = (h: Sample, p: Sample | null) => (p ? h.ms / p.ms : null);
  const evalRatio = ratio(evaluate, pyHeadline);
  steps.push({
    step: `evaluate ${systems} systems (breakdowns)`,
    harness: one(evaluate),
    python: one(pyHeadline),
    note: `python: read_csv + merge + sklearn + numpy DeLong, headline only (as the issue measured): harness/python ${evalRatio?.toFixed(2) ?? '–'} (at most ${SCALE_MAX_RATIO}); harness RSS ${evaluate.rssMb.toFixed(0)} MB (at most ${SCALE_MAX_RSS_MB}); wall time, the harness reading the metadata file in a second thread (python one thread)`,
  });
  steps.push({
    step: `evaluate ${systems} systems, python with breakdowns`,
    harness: one(evaluate),
    python: one(pyFull),
    note: 'python also breaks down by the six default columns, per stratum AUC, DeLong CI, AP, recall',
  });

  log('bench: validate the default fleet');
  const fleet = path.join(WORK, 'fleet-default');
  if (!existsSync(path.join(fleet, 'labels.csv')))
    measure('node', [HARNESS, 'generate', '--out', fleet]);
  const validates: Sample[] = [];
  const pyValidates: Sample[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    validates.push(wallSample(measure('node', [HARNESS, 'validate', '--data', fleet])));
    if (PYTHON)
      pyValidates.push(
        wallSample(measure(PY_HARNESS, [path.join(BENCH, 'py_bench.py'), 'validate', fleet])),
      );
  }
  const validate = medianSample(validates);
  const pyValidate = PYTHON ? medianSample(pyValidates) : null;
  const validateRatio = ratio(validate, pyValidate);
  steps.push({
    step: 'validate the default fleet',
    harness: one(validate),
    python: one(pyValidate),
    note: `python: read_csv + to_datetime(ISO8601) + monotonic + limits: harness/python ${validateRatio?.toFixed(2) ?? '–'} (at most ${SCALE_MAX_RATIO})`,
  });

  const sizes = String(flags['run-sizes'])
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const runs: { systems: number; days: number; ms: number; rssMb: number }[] = [];
  /** `harness run` (random + zscore) on n systems × `days` days at 15 min, generated once. */
  const runAt = (n: number, days: number) => {
    log(`bench: harness run at ${n} systems × ${days} d`);
    const fleetN = path.join(WORK, `fleet-${n}x${days}d-15m`);
    if (!existsSync(path.join(fleetN, 'labels.csv')))
      measure('node', [
        HARNESS,
        'generate',
        '--systems',
        String(n),
        '--days',
        String(days),
        '--interval',
        '15m',
        '--out',
        fleetN,
      ]);
    const project = runProject(fleetN);
    const r = wallSample(
      measure(
        'node',
        [
          HARNESS,
          'run',
          '--no-cache',
          '--no-history',
          '--reporter',
          'json',
          '--out-dir',
          path.join(project, 'out'),
        ],
        project,
      ),
    );
    steps.push({
      step: `harness run, ${n} systems × ${days} day${days === 1 ? '' : 's'} × 15 min`,
      harness: one(r),
      python: null,
      note: `random + zscore, --no-cache --no-history; ${(r.ms / n).toFixed(1)} ms per system`,
    });
    return { systems: n, days, ms: r.ms, rssMb: r.rssMb };
  };
  for (const n of sizes) runs.push(runAt(n, 1));
  // The same systems with 10× the telemetry: series are streamed, so memory must not follow it.
  const longer = sizes[0] ? runAt(sizes[0], 10) : null;
  const first = runs[0];
  const last = runs[runs.length - 1];
  return {
    steps,
    scale: {
      evaluate: {
        systems,
        harnessMs: evaluate.ms,
        harnessRssMb: evaluate.rssMb,
        pythonHeadlineMs: pyHeadline?.ms ?? null,
        pythonHeadlineWorkMs: pyHeadline?.out['ms'] ?? null,
        pythonBreakdownsMs: pyFull?.ms ?? null,
        ratioToHeadline: evalRatio,
        ratioToBreakdowns: ratio(evaluate, pyFull),
        withinMaxRatio: evalRatio === null ? null : evalRatio <= SCALE_MAX_RATIO,
        withinMaxRss: evaluate.rssMb <= SCALE_MAX_RSS_MB,
      },
      validate: {
        harnessMs: validate.ms,
        pythonMs: pyValidate?.ms ?? null,
        ratio: validateRatio,
        withinMaxRatio: validateRatio === null ? null : validateRatio <= SCALE_MAX_RATIO,
      },
      run: {
        sizes: runs,
        // Time per system and peak RSS of the largest size over the smallest: 1 = linear / flat.
        timePerSystemRatio:
          first && last ? last.ms / last.systems / (first.ms / first.systems) : null,
        rssRatio: first && last ? last.rssMb / first.rssMb : null,
        // What each more system costs at peak (its labels, metadata, score and V8's headroom).
        rssKbPerSystem:
          first && last && last.systems > first.systems
            ? ((last.rssMb - first.rssMb) * 1024) / (last.systems - first.systems)
            : null,
        // Peak RSS with 10× the rows per system over 1×: 1 = memory independent of telemetry.
        longerSeries: longer,
        rssRatioTenTimesTelemetry: first && longer ? longer.rssMb / first.rssMb : null,
      },
    },
  };
}

/** A project whose one suite runs random and zscore on `dir` (the run-at-scale step). */
function runProject(dir: string): string {
  const project = path.join(WORK, `project-${path.basename(dir)}`);
  mkdirSync(path.join(project, 'suites'), { recursive: true });
  installHarness(project);
  writeFileSync(
    path.join(project, 'suites', 'scale.suite.ts'),
    `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'scale',
  dataset: { path: ${JSON.stringify(dir)} },
  split: { test: 0.5, seed: 7 },
  models: ['random', 'zscore'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toCover(0.5)],
});
`,
  );
  writeFileSync(
    path.join(project, 'package.json'),
    '{ "name": "bench-scale-project", "private": true, "type": "module" }\n',
  );
  return project;
}

/** `--scale-only`: the fleet-scale steps alone, into results.json as `{ scale, steps }`. */
function scaleOnly(): void {
  mkdirSync(WORK, { recursive: true });
  log(`bench: fleet-scale steps only, ${availableParallelism()} cores`);
  const { steps, scale } = scaleSteps();
  writeFileSync(
    path.join(BENCH, 'results.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        only: 'scale',
        cores: availableParallelism(),
        steps,
        scale,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`${[...table(steps), '', JSON.stringify(scale)].join('\n')}\n`);
}

/** `--protocol-only`: the protocol step alone, into results.json as `{ protocol, steps }`. */
function protocolOnly(): void {
  mkdirSync(WORK, { recursive: true });
  log(
    `bench: protocol step only, ${PROTOCOL_SYSTEMS} systems × ${DAYS} days × 5 min, ${REPS} reps`,
  );
  const p = protocolStep();
  const frames = frameFigure();
  writeFileSync(
    path.join(BENCH, 'results.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        only: 'protocol',
        days: DAYS,
        reps: REPS,
        cores: availableParallelism(),
        steps: [p.step],
        protocol: p.summary,
        frames,
      },
      null,
      2,
    ),
  );
  process.stdout.write(
    `${[...table([p.step]), '', protocolLine(p.summary), frameLine(frames)].join('\n')}\n`,
  );
}

/** `--parquet-only`: the Parquet step alone, into results.json as `{ only: 'parquet', parquet }`. */
async function parquetOnly(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const parquet = await parquetStep(WORK, REPS, log);
  const results = {
    date: new Date().toISOString(),
    only: 'parquet',
    reps: REPS,
    cores: availableParallelism(),
    parquet,
  };
  writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`${parquetLine(parquet)}\n`);
}

if (flags['protocol-only']) protocolOnly();
else if (flags['parquet-only']) await parquetOnly();
else if (flags['scale-only']) scaleOnly();
else await main();
