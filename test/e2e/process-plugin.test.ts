/**
 * Models as processes speaking the process protocol (docs/process-protocol.md): a Python model
 * served by bess_harness is measured beside a TypeScript baseline, and a process that writes
 * garbage, crashes or hangs errors only its own case, with the tail of its stderr.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { harnessEnv, makeProject, REPO_ROOT, runHarness } from '../helpers/run-harness.ts';

const PY = path.join(REPO_ROOT, '.venv-python', 'bin', 'python');
const MODELS = path.join(REPO_ROOT, 'python', 'tests');
const config = `export default {
  workers: 1,
  models: {
    'py-mean-temp': { command: [${JSON.stringify(PY)}, '-m', 'example_models.mean_temp'], cwd: ${JSON.stringify(MODELS)}, version: '3' },
    'py-bad-batch': { command: [${JSON.stringify(PY)}, '-m', 'example_models.mean_temp', 'bad-batch'], cwd: ${JSON.stringify(MODELS)} },
    'py-garbage': { command: [${JSON.stringify(PY)}, '-c', 'print("not a frame " * 10)'] },
    'py-crash': { command: [${JSON.stringify(PY)}, '-c', 'import sys; sys.stderr.write("model failed to load its weights\\\\n"); sys.exit(3)'] },
    'py-hang': { command: [${JSON.stringify(PY)}, '-c', 'import time; time.sleep(120)'], timeoutMs: 1500 },
  },
};
`;
const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'process',
  dataset: { scenario: { name: 'tiny', systems: 24, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['py-mean-temp', 'zscore', 'py-bad-batch', 'py-garbage', 'py-crash', 'py-hang'],
});
`;

let project: Awaited<ReturnType<typeof makeProject>>;
beforeAll(async () => {
  project = await makeProject({ 'harness.config.ts': config, 'suites/s.suite.ts': SUITE });
});
afterAll(() => project.cleanup());

it('a Python model is scored beside zscore; garbage, a crash and a hang error their own cases only: exit 2', async () => {
  const r = await runHarness(['run', '--reporter', 'plain', '--no-cache'], { cwd: project.dir });
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stdout).toMatch(/py-mean-temp\s+roc_auc \d\.\d{3}/);
  expect(r.stdout).toMatch(/zscore\s+roc_auc \d\.\d{3}/);
  expect(r.stdout).toMatch(
    /py-bad-batch.*errored: .*score.*length|py-bad-batch.*errored: .*scores? for \d+ systems/,
  );
  expect(r.stdout).toMatch(/py-garbage.*errored: .*wrote garbage on stdout/);
  expect(r.stdout).toMatch(
    /py-crash.*errored: .*exited with code 3 before it answered; its stderr ended with:/,
  );
  expect(r.stdout + r.stderr).toContain('model failed to load its weights');
  expect(r.stdout).toMatch(
    /py-hang.*errored: .*(ran past its 1500 ms timeout|stopped at its timeout)/,
  );
  expect(r.stdout).toMatch(/run recorded: /);
  // The suite has no assertion and no baseline: the log says it gates nothing.
  expect(r.stderr).toContain(
    'warning: suite "process" (suites/s.suite.ts) checks nothing: no assertion and no baseline',
  );
}, 180_000);

it('harness check on a process model: the rules it keeps hold, exit 0', async () => {
  // Three fleets, not the default ten: each makes two model processes (fitted and restored).
  const r = await runHarness(
    ['check', 'py-mean-temp', '--rule', 'state_roundtrip', '--runs', '3'],
    { cwd: project.dir },
  );
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('harness check: py-mean-temp v3, seed 20240601, 3 fleets per rule');
  expect(r.stdout).toMatch(/✓ state_roundtrip\s+held on 3 fleets/);
}, 180_000);

it('harness check finds what a process model gets wrong: NaN on an all-NaN sensor, shrunk, with its replay line, exit 1', async () => {
  const r = await runHarness(['check', 'py-mean-temp', '--rule', 'throws'], { cwd: project.dir });
  expect(r.code, r.stdout + r.stderr).toBe(1);
  // A process model's default: 10 fleets per rule (the violation is in the ninth).
  expect(r.stdout).toContain('harness check: py-mean-temp v3, seed 20240601, 10 fleets per rule');
  expect(r.stdout).toMatch(/✗ throws: score\(sys-0\) threw .*score for system sys-0 is nan/);
  expect(r.stdout).toContain('temp_cell_max_c: all NaN');
  expect(r.stdout).toMatch(
    /replay: harness check py-mean-temp --seed 20240601 --path \S+ --rule throws/,
  );
}, 180_000);

/** Whether a process is running (a zombie nobody has reaped yet is not). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(0) said it is there
  }
}

/** A Python model that starts `popen` in fit (its pid appended to the file argv[1]) and runs `onScore` in score. */
const spawner = (
  onScore: string,
  popen = 'subprocess.Popen(["sleep", "300"])',
) => `import os, subprocess, sys
from bess_harness import Model, serve
class Spawner(Model):
    name = "spawner"
    version = "1"
    def fit(self, train):
        child = ${popen}
        with open(sys.argv[1], "a") as f:
            f.write(f"{child.pid}\\n")
    def score(self, series, metadata):
        ${onScore}
if __name__ == "__main__":
    serve(Spawner())
`;

it('a Python model whose teardown raises or hangs errors its case, as a TypeScript one does: exit 2, not a pass', async () => {
  const model = (teardown: string) => `from bess_harness import Model, serve
import time
class M(Model):
    name = "m"
    version = "1"
    def score(self, series, metadata):
        return float(len(series))
    def teardown(self):
        ${teardown}
if __name__ == "__main__":
    serve(M())
`;
  const p = await makeProject({
    'models/raises.py': model('raise RuntimeError("could not flush the model cache")'),
    'models/hangs.py': model('time.sleep(60)'),
    'harness.config.ts': `export default {
  workers: 1,
  models: {
    'py-raises': { command: [${JSON.stringify(PY)}, 'models/raises.py'], shipState: false },
    'py-hangs': { command: [${JSON.stringify(PY)}, 'models/hangs.py'], shipState: false },
  },
};
`,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'teardown',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['py-raises', 'py-hangs', 'zscore'],
  expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeWithin(0, 1)],
});
`,
  });
  try {
    const r = await runHarness(['run', '--reporter', 'plain', '--no-cache', '--no-history'], {
      cwd: p.dir,
    });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/py-raises.*errored: .*teardown.*could not flush the model cache/);
    expect(r.stdout).toMatch(/py-hangs.*errored: .*teardown was stopped at its timeout/);
    expect(r.stdout).toMatch(/zscore\s+roc_auc \d/);
  } finally {
    await p.cleanup();
  }
}, 120_000);

it('a model that leaves a child running is not waited for: it is scored, or errors when it exits, and the child is ended', async () => {
  // Each model starts `sleep 300` in fit, as a model starting a helper or a worker pool would;
  // the child holds the model's stderr. The harness once waited for the pipes to close: the
  // run stood still until the child ended.
  const p = await makeProject({
    'models/scores.py': spawner('return float(len(series))'),
    'models/exits.py': spawner('os._exit(0)'),
    'harness.config.ts': `export default {
  workers: 1,
  models: {
    'py-scores': { command: [${JSON.stringify(PY)}, 'models/scores.py', 'pids'], shipState: false },
    'py-exits': { command: [${JSON.stringify(PY)}, 'models/exits.py', 'pids'], shipState: false, timeoutMs: 120_000 },
  },
};
`,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'children',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['py-scores', 'py-exits'],
});
`,
  });
  try {
    const r = await runHarness(['run', '--reporter', 'plain', '--no-cache'], { cwd: p.dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/py-scores\s+roc_auc \d/);
    expect(r.stdout).toMatch(/py-exits.*errored: .*exited with code 0 before it answered/);
    const pids = readFileSync(path.join(p.dir, 'pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
  } finally {
    await p.cleanup();
  }
}, 240_000);

it('a child that left the group (setsid) is ended with its model; one that also cleared its environment is not waited for', async () => {
  // A daemon or a cluster runtime (Ray) starts its processes in sessions of their own, out of
  // the model's process group. They held the pipes open: teardown waited for its timeout and
  // errored a model that had scored, and a model that exited was noticed only at its timeout.
  const session = 'subprocess.Popen(["sleep", "300"], start_new_session=True)';
  const hidden = 'subprocess.Popen(["env", "-i", "sleep", "300"], start_new_session=True)';
  const p = await makeProject({
    'models/scores.py': spawner('return float(len(series))', session),
    'models/exits.py': spawner('os._exit(0)', session),
    'models/hidden.py': spawner('return float(len(series))', hidden),
    'harness.config.ts': `export default {
  workers: 1,
  timeoutMs: 600_000,
  models: {
    'py-scores': { command: [${JSON.stringify(PY)}, 'models/scores.py', 'pids'], shipState: false },
    'py-exits': { command: [${JSON.stringify(PY)}, 'models/exits.py', 'pids'], shipState: false },
    'py-hidden': { command: [${JSON.stringify(PY)}, 'models/hidden.py', 'hidden'], shipState: false },
  },
};
`,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'sessions',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['py-scores', 'py-exits', 'py-hidden'],
});
`,
  });
  const pidsIn = (file: string) =>
    readFileSync(path.join(p.dir, file), 'utf8').trim().split('\n').map(Number);
  try {
    const r = await runHarness(['run', '--reporter', 'plain', '--no-cache'], { cwd: p.dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/py-scores\s+roc_auc \d/);
    expect(r.stdout).toMatch(/py-exits.*errored: .*exited with code 0 before it answered/);
    expect(r.stdout).toMatch(/py-hidden\s+roc_auc \d/);
    expect(pidsIn('pids')).toHaveLength(2);
    expect(pidsIn('pids').filter(running)).toEqual([]);
  } finally {
    // The child that cleared its environment cannot be found: it is the test's to end.
    if (existsSync(path.join(p.dir, 'hidden')))
      for (const pid of pidsIn('hidden')) running(pid) && process.kill(pid);
    await p.cleanup();
  }
}, 60_000);

it("a harness stopped by a signal (Ctrl-C, a CI runner's SIGTERM) ends its model processes, which run in groups of their own", async () => {
  // The model loops forever in score, under a long timeout: only the signal can end the run.
  // It started a child in a session of its own first, which the group's kill does not reach.
  const p = await makeProject({
    'models/loops.py': `import os, subprocess, sys
from bess_harness import Model, serve
class Loops(Model):
    name = "loops"
    version = "1"
    def score(self, series, metadata):
        child = subprocess.Popen(["sleep", "300"], start_new_session=True)
        with open(sys.argv[1], "w") as f:
            f.write(f"{os.getpid()} {child.pid}")
        while True:
            pass
if __name__ == "__main__":
    serve(Loops())
`,
    'harness.config.ts': `export default {
  workers: 1,
  models: { 'py-loops': { command: [${JSON.stringify(PY)}, 'models/loops.py', 'pid'], timeoutMs: 600_000 } },
};
`,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'loops',
  dataset: { scenario: { name: 'tiny', systems: 6, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['py-loops'],
});
`,
  });
  const models: number[] = [];
  try {
    // SIGKILL leaves the harness no say: the model sees its request stream hang up and ends
    // itself and its children (serve()'s watchdog). It ran on at full CPU before.
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGKILL', null],
    ] as const) {
      const pidFile = path.join(p.dir, 'pid');
      const harness = spawn(
        process.execPath,
        [path.join(REPO_ROOT, 'bin', 'harness.js'), 'run', '--no-history', '--reporter', 'plain'],
        {
          cwd: p.dir,
          env: harnessEnv(),
          stdio: 'ignore',
        },
      );
      let ended = false;
      const exited = new Promise<number | null>((resolve) =>
        harness.on('exit', (c) => {
          ended = true;
          resolve(c);
        }),
      );
      while (!ended && (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === ''))
        await new Promise((r) => setTimeout(r, 50));
      expect(ended, 'the harness ended before its model scored').toBe(false);
      const [model, child] = readFileSync(pidFile, 'utf8').split(' ').map(Number) as [
        number,
        number,
      ];
      models.push(model, child);
      expect(running(model) && running(child)).toBe(true);
      harness.kill(signal);
      expect(await exited, signal).toBe(code);
      if (signal === 'SIGKILL') expect(harness.signalCode).toBe('SIGKILL');
      // SIGKILL is delivered at once; the kernel reaps the process right after.
      const gone = () => !running(model) && !running(child);
      for (let i = 0; i < 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(running(model), `the model process after ${signal}`).toBe(false);
      expect(running(child), `the model's child in a session of its own after ${signal}`).toBe(
        false,
      );
      await import('node:fs/promises').then((fs) => fs.rm(pidFile));
    }
  } finally {
    // Should the harness leave one behind (the bug this test is for), it must not spin on after.
    for (const pid of models) if (running(pid)) process.kill(pid, 'SIGKILL');
    await p.cleanup();
  }
}, 240_000);
