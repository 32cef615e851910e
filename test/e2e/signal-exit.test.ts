/**
 * A harness stopped by Ctrl+C (SIGINT) or a CI runner's SIGTERM: it exits with the signal's code
 * whatever listeners the project's modules added, and leaves no temp file or staging folder of a
 * write it was doing; those a kill -9 left are removed by the next write into their folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLabelServer } from '../helpers/label-server.ts';
import { harnessEnv, makeProject, REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');
const AT_FSYNC = path.join(REPO_ROOT, 'test', 'helpers', 'signal-at-fsync.mjs');
const AT_IMPORT = path.join(REPO_ROOT, 'test', 'helpers', 'signal-at-import.mjs');
const SCENARIO = `{ scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } }`;

/** Starts the harness in `cwd`; `exited` resolves to its exit code. */
function startHarness(
  args: readonly string[],
  cwd: string,
  opts: { nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
) {
  let stderr = '';
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    cwd,
    env: harnessEnv(opts.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      ended = true;
      resolve(code);
    }),
  );
  return { child, exited, ended: () => ended, stderr: () => stderr };
}

/** Every temp file of an atomic write and every staging folder of a record below `dir`. */
async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    if (rel.startsWith('node_modules')) continue;
    if (/\.tmp-\d+-[0-9a-f]{12}$/.test(e.name) || e.name.startsWith('.staging-')) found.push(rel);
  }
  return found;
}

describe('a signal ends the run with its own exit code', () => {
  it('130 for SIGINT, 143 for SIGTERM, though a module of the project listens to both', async () => {
    // The plugin flushes a log on either signal, as a logging library does. The harness used to
    // take any such listener for a command's own graceful stop and went on: the model finished
    // scoring (it waits for the flush) and the stopped run passed, exit 0.
    const p = await makeProject({
      'harness.config.ts': `export default { workers: 1, reporters: ['plain'], history: false };\n`,
      'plugins/flusher.ts': `import { existsSync, writeFileSync } from 'node:fs';
import { defineModel } from 'bess-harness';
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => writeFileSync('flushed-' + s, ''));
export default defineModel({
  name: 'flusher',
  version: '1',
  async score() {
    writeFileSync('scoring', '');
    while (!existsSync('flushed-SIGINT') && !existsSync('flushed-SIGTERM'))
      await new Promise((r) => setTimeout(r, 20));
    return 0.5;
  },
});
`,
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
import flusher from '../plugins/flusher.ts';
export default defineSuite({
  name: 's',
  dataset: ${SCENARIO},
  models: [flusher],
  expect: ({ metric }) => [metric('flusher', 'roc_auc').toBeWithin(0, 1)],
});
`,
    });
    try {
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const) {
        const h = startHarness(['run', '--no-cache'], p.dir);
        while (!h.ended() && !existsSync(path.join(p.dir, 'scoring')))
          await new Promise((r) => setTimeout(r, 20));
        expect(h.ended(), `the harness ended before its model scored: ${h.stderr()}`).toBe(false);
        h.child.kill(signal);
        expect(await h.exited, `${signal}: ${h.stderr()}`).toBe(code);
        // The plugin's own listener still ran.
        expect(existsSync(path.join(p.dir, `flushed-${signal}`)), signal).toBe(true);
        for (const f of ['scoring', `flushed-${signal}`]) await rm(path.join(p.dir, f));
      }
    } finally {
      await p.cleanup();
    }
  }, 120_000);
});

describe("a run stopped by a signal leaves no earlier run's reports", () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    "%s (exit %i): the last green run's junit.xml, results.json and run-record.json are removed, files of the user's own stay",
    async (signal, code) => {
      // A Jenkins `post { always { junit } }`, or load_results(), read the previous run's PASS
      // for a run that was stopped: the out dir kept its reports untouched.
      const p = await makeProject({
        'harness.config.ts': `export default { workers: 1 };\n`,
        'plugins/stalls.ts': `import { existsSync, writeFileSync } from 'node:fs';
import { defineModel } from 'bess-harness';
export default defineModel({
  name: 'stalls',
  version: '1',
  async score() {
    if (process.env.STALL) {
      writeFileSync('scoring', '');
      await new Promise(() => {});
    }
    return 0.5;
  },
});
`,
        'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
import stalls from '../plugins/stalls.ts';
export default defineSuite({
  name: 's',
  dataset: ${SCENARIO},
  models: [stalls],
  expect: ({ metric }) => [metric('stalls', 'roc_auc').toBeWithin(0, 1)],
});
`,
      });
      const args = [
        'run',
        '--reporter',
        'plain',
        '--reporter',
        'junit',
        '--reporter',
        'json',
        '--no-cache',
      ];
      const out = path.join(p.dir, '.harness', 'last-run');
      const reports = ['junit.xml', 'results.json', 'run-record.json'];
      try {
        const green = await runHarness(args, { cwd: p.dir });
        expect(green.code, green.stdout + green.stderr).toBe(0);
        for (const f of reports) expect(existsSync(path.join(out, f)), f).toBe(true);
        await writeFile(path.join(out, 'notes.md'), 'mine\n');
        await writeFile(path.join(out, 'summary.md'), '# my own summary\n');

        const h = startHarness(args, p.dir, { env: { STALL: '1' } });
        while (!h.ended() && !existsSync(path.join(p.dir, 'scoring')))
          await new Promise((r) => setTimeout(r, 20));
        expect(h.ended(), `the harness ended before its model scored: ${h.stderr()}`).toBe(false);
        h.child.kill(signal);
        expect(await h.exited, h.stderr()).toBe(code);
        expect((await readdir(out)).sort()).toEqual(['notes.md', 'summary.md']);
      } finally {
        await p.cleanup();
      }
    },
    120_000,
  );
});

describe("a run stopped before it has begun leaves no earlier run's reports", () => {
  // The removal was armed once the config had loaded: a Ctrl+C or SIGTERM while the harness
  // loaded its modules, or while the config's module ran, exited 143 with the last green run's
  // junit.xml, results.json and run-record.json in place.
  const reports = ['junit.xml', 'results.json', 'run-record.json'];
  const files = (config: string) => ({
    'harness.config.ts': config,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 's',
  dataset: ${SCENARIO},
  models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
});
`,
  });
  const args = ['run', '--reporter', 'json', '--reporter', 'junit'];

  it("SIGTERM while the config's module runs (exit 143): the reports of the out dir the config names are removed", async () => {
    // The config names its own out dir: only once it has loaded is it known. With WAIT set, the
    // config's module says it runs, then waits for the signal (its own listener hears it).
    const p = await makeProject(
      files(`import { existsSync, writeFileSync } from 'node:fs';
if (process.env.WAIT) {
  process.on('SIGTERM', () => writeFileSync('heard', ''));
  writeFileSync('loading', '');
  while (!existsSync('heard')) await new Promise((r) => setTimeout(r, 20));
}
export default { workers: 1, outDir: 'reports' };
`),
    );
    const out = path.join(p.dir, 'reports');
    try {
      const green = await runHarness(args, { cwd: p.dir });
      expect(green.code, green.stderr).toBe(0);
      for (const f of reports) expect(existsSync(path.join(out, f)), f).toBe(true);
      const h = startHarness(args, p.dir, { env: { WAIT: '1' } });
      while (!h.ended() && !existsSync(path.join(p.dir, 'loading')))
        await new Promise((r) => setTimeout(r, 20));
      expect(h.ended(), `the harness ended before its config loaded: ${h.stderr()}`).toBe(false);
      h.child.kill('SIGTERM');
      expect(await h.exited, h.stderr()).toBe(143);
      expect(await readdir(out)).toEqual([]);
    } finally {
      await p.cleanup();
    }
  }, 120_000);

  it('SIGINT while the harness loads its own modules (exit 130): the reports are removed', async () => {
    const p = await makeProject(files(`export default { workers: 1 };\n`));
    const out = path.join(p.dir, '.harness', 'last-run');
    try {
      const green = await runHarness(args, { cwd: p.dir });
      expect(green.code, green.stderr).toBe(0);
      for (const f of reports) expect(existsSync(path.join(out, f)), f).toBe(true);
      // As the run command's module is imported: the CLI's handlers are installed, the
      // command has not begun.
      const h = startHarness(args, p.dir, {
        nodeArgs: ['--import', AT_IMPORT],
        env: {
          SIGNAL_AT_IMPORT: String.raw`/dist/src/cli/commands/run\.js$`,
          SIGNAL_AT_IMPORT_SIGNAL: 'SIGINT',
        },
      });
      expect(await h.exited, h.stderr()).toBe(130);
      expect(await readdir(out)).toEqual([]);
    } finally {
      await p.cleanup();
    }
  }, 120_000);
});

describe("a signal after the reporters have written keeps this run's reports", () => {
  it("SIGTERM during the MLflow upload (exit 143): the failing run's junit.xml, results.json and run-record.json stay", async () => {
    // The removal of the previous run's reports stayed armed through the record and the upload:
    // a CI job that timed out on a hung MLflow server lost the failing run's junit.xml.
    const sockets: Socket[] = [];
    // A tracking server that accepts the upload's connections and never answers.
    const mlflow = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => mlflow.listen(0, '127.0.0.1', r));
    const port = (mlflow.address() as { port: number }).port;
    const p = await makeProject({
      'harness.config.ts': `export default { workers: 1 };\n`,
      'plugins/flat.ts': `import { defineModel } from 'bess-harness';
export default defineModel({ name: 'flat', version: '1', score: () => 0.5 });
`,
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
import flat from '../plugins/flat.ts';
export default defineSuite({
  name: 's',
  dataset: ${SCENARIO},
  models: [flat],
  expect: ({ metric }) => [metric('flat', 'roc_auc').toBeGreaterThan(0.9)],
});
`,
    });
    const out = path.join(p.dir, '.harness', 'last-run');
    try {
      const h = startHarness(
        ['run', '--reporter', 'plain', '--reporter', 'junit', '--reporter', 'json', '--no-cache'],
        p.dir,
        { env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` } },
      );
      while (!h.ended() && sockets.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(h.ended(), `the harness ended before its upload: ${h.stderr()}`).toBe(false);
      h.child.kill('SIGTERM');
      expect(await h.exited, h.stderr()).toBe(143);
      expect((await readdir(out)).sort()).toEqual(['junit.xml', 'results.json', 'run-record.json']);
      expect(await readFile(path.join(out, 'junit.xml'), 'utf8')).toContain('<failure');
      const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8'));
      expect(results.summary.exitCode).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => mlflow.close(r));
      await p.cleanup();
    }
  }, 120_000);
});

describe('a signal while a file is written leaves no temp file or staging folder', () => {
  const files = {
    'harness.config.ts': `export default { workers: 1 };\n`,
    'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 's',
  dataset: ${SCENARIO},
  models: ['random', 'zscore'],
  baseline: { allowUnderpowered: true },
});
`,
  };

  it.each([
    // the baseline, committed with the suites: a whole copy of it stayed beside it
    ['SIGINT', 130, String.raw`__baselines__/s\.json\.tmp-`, ['--update-baseline']],
    // a report of the out dir
    ['SIGTERM', 143, String.raw`report/index\.html\.tmp-`, ['--reporter', 'html']],
    // the run's record, a staging folder in the run store until its rename
    ['SIGINT', 130, String.raw`runs/\.staging-`, ['--update-baseline']],
  ] as const)(
    '%s (exit %i) as it fsyncs %s',
    async (signal, code, at, args) => {
      const p = await makeProject(files);
      try {
        const h = startHarness(['run', '--reporter', 'plain', '--no-cache', ...args], p.dir, {
          nodeArgs: ['--import', AT_FSYNC],
          env: { SIGNAL_AT_FSYNC: at, SIGNAL_AT_FSYNC_SIGNAL: signal },
        });
        expect(await h.exited, h.stderr()).toBe(code);
        expect(await leftovers(p.dir)).toEqual([]);
        // The write it stopped either happened whole or not at all.
        const baseline = path.join(p.dir, 'suites', '__baselines__', 's.json');
        if (existsSync(baseline)) JSON.parse(await readFile(baseline, 'utf8'));
      } finally {
        await p.cleanup();
      }
    },
    120_000,
  );

  it('what a process killed with -9 left is removed by the next write into its folder, the next record', async () => {
    const p = await makeProject(files);
    try {
      // A pid that ran and is gone (should the harness be given it again, its temp files are
      // still older than it, and as dead), and one that runs: this test's.
      const dead = spawnSync('true').pid!;
      const live = process.pid;
      const baselines = path.join(p.dir, 'suites', '__baselines__');
      const runs = path.join(p.dir, '.harness', 'runs');
      const left = {
        deadTemp: path.join(baselines, `s.json.tmp-${dead}-0123456789ab`),
        liveTemp: path.join(baselines, `s.json.tmp-${live}-0123456789ab`),
        deadStaging: path.join(runs, `.staging-${dead}-20260101T000000Z-0a1b2c`),
        liveStaging: path.join(runs, `.staging-${live}-20260101T000000Z-0a1b2c`),
      };
      await mkdir(baselines, { recursive: true });
      for (const f of [left.deadTemp, left.liveTemp]) await writeFile(f, '{"half":');
      for (const d of [left.deadStaging, left.liveStaging]) {
        await mkdir(d, { recursive: true });
        await writeFile(path.join(d, 'run.json'), '{}');
      }
      const r = await runHarness(['run', '--reporter', 'plain', '--update-baseline'], {
        cwd: p.dir,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(existsSync(left.deadTemp)).toBe(false);
      expect(existsSync(left.deadStaging)).toBe(false);
      expect(existsSync(left.liveTemp)).toBe(true);
      expect(existsSync(left.liveStaging)).toBe(true);
    } finally {
      await p.cleanup();
    }
  }, 120_000);
});

describe('a command that stops its own way', () => {
  it('the label server closes on Ctrl+C and exits 0, saying so', async () => {
    const t = await tempDir();
    try {
      const dataDir = path.join(t.dir, 'data');
      const gen = await runHarness(
        ['generate', '--systems', '4', '--days', '1', '--interval', '1h', '--data', dataDir],
        { cwd: t.dir },
      );
      expect(gen.code, gen.stderr).toBe(0);
      const { child } = await startLabelServer(dataDir);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toContain('harness label: stopped');
    } finally {
      await t.cleanup();
    }
  });
});
