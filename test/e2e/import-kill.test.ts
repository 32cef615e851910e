/**
 * A kill at every step of `harness import`'s swap of data/real (raw/, metadata.csv, labels.csv):
 * the next harness command must find the whole old set or the whole new one. It left data/real
 * without raw/ (validate: "raw folder not found", the next import: "3 kept" with the series gone)
 * or without metadata.csv (after SIGKILL the next import wrote one holding only its own system).
 *
 * strace injects the signal at an exact system call: SIGKILL with the call failed (the kill lands
 * before rename or unlink number k), SIGINT and SIGTERM after it (the process dies as it returns).
 * UV_THREADPOOL_SIZE=1 puts every file call on one thread, so strace's per-thread count is the
 * process's. Skipped where strace is missing or may not trace.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  harnessEnv,
  hashTree,
  makeProject,
  REPO_ROOT,
  runHarness,
} from '../helpers/run-harness.ts';
import { lockPathOf } from '../../src/data/file-lock.ts';
import { SENSORS } from '../../src/data/schema.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');
const STRACE = '/usr/bin/strace';
const RENAMES = 'rename,renameat,renameat2';
const PY = path.join(REPO_ROOT, '.venv-python', 'bin', 'python');
const UNLINKS = 'unlink,unlinkat';

function straceWorks(): boolean {
  try {
    return spawnSync(STRACE, ['-f', '-qq', '-o', '/dev/null', 'true']).status === 0;
  } catch {
    return false;
  }
}

const MAPPING = JSON.stringify({
  timestamp: { column: 'timestamp', format: 'iso' },
  system: { column: 'rack', prefix: 's9' },
  columns: Object.fromEntries(SENSORS.map((c) => [c, c])),
  metadata: { operational_mode: 'arbitrage' },
});
const IMPORT = ['import', 'exports/r4.csv', '--mapping', 'map.json', '--labels', 'labels-in.csv'];

describe.skipIf(!straceWorks())(
  'a kill at any step of harness import',
  { timeout: 300_000 },
  () => {
    let dir = '';
    let cleanup: () => Promise<void> = async () => undefined;
    const data = (): string => path.join(dir, 'data');
    const base = (): string => path.join(dir, 'base');
    let before: Record<string, string> = {};
    let after: Record<string, string> = {};

    /**
     * data/real without its labels history (an import rolled back may leave its lines: a line for
     * a change the labels lack is allowed) and without the labels lock and the files it makes
     * beside itself (`*.csv.lock`, which git ignores): a kill while the import holds the lock,
     * before it staged anything, leaves them for the next writer to take over and remove.
     */
    const realTree = async (): Promise<Record<string, string>> => {
      const tree = await hashTree(path.join(data(), 'real'));
      delete tree['labels.history.csv'];
      for (const name of Object.keys(tree)) if (name.endsWith('.csv.lock')) delete tree[name];
      return tree;
    };
    const fresh = async (): Promise<void> => {
      await rm(data(), { recursive: true, force: true });
      await cp(base(), data(), { recursive: true, verbatimSymlinks: true });
    };
    /** `harness import` of r4 under strace, signal `signal` injected at call number `k` of `calls` (with `fail`, the call is not made). */
    const killedImport = (calls: string, k: number, signal: string, fail: boolean): number | null =>
      spawnSync(
        STRACE,
        [
          '-f',
          '-qq',
          '-o',
          '/dev/null',
          '-e',
          `trace=${calls}`,
          '-e',
          `inject=${calls}:${fail ? 'error=EIO:' : ''}signal=${signal}:when=${k}`,
          process.execPath,
          BIN,
          ...IMPORT,
        ],
        {
          cwd: dir,
          env: harnessEnv({ UV_THREADPOOL_SIZE: '1' }),
          stdio: 'ignore',
        },
      ).status;
    /** How many of `calls` a whole import makes. */
    const count = async (calls: string): Promise<number> => {
      const trace = path.join(dir, 'count.strace');
      execFileSync(
        STRACE,
        ['-f', '-qq', '-o', trace, '-e', `trace=${calls}`, process.execPath, BIN, ...IMPORT],
        { cwd: dir, env: harnessEnv({ UV_THREADPOOL_SIZE: '1' }), stdio: 'ignore' },
      );
      return (await readFile(trace, 'utf8'))
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.includes('resumed>')).length;
    };

    beforeAll(async () => {
      ({ dir, cleanup } = await makeProject({
        'harness.config.ts': 'export default { workers: 1 };\n',
        'map.json': MAPPING,
        'exports/.keep': '',
        'labels-in.csv':
          'system_id,label,failure_type,lead_time_days,source,label_version\ns9-r4,normal,none,,real,1\ns9-r1,normal,none,,real,2\n',
      }));
      const gen = await runHarness(
        ['generate', '--systems', '4', '--days', '2', '--interval', '1h', '--out', 'fleet'],
        { cwd: dir },
      );
      expect(gen.code, gen.stderr).toBe(0);
      const files = (await readdir(path.join(dir, 'fleet', 'raw'))).sort();
      for (const [i, f] of files.entries()) {
        const [header, ...rows] = (await readFile(path.join(dir, 'fleet', 'raw', f), 'utf8'))
          .trimEnd()
          .split('\n');
        const rack = `r${i + 1}`;
        await writeFile(
          path.join(dir, 'exports', `${rack}.csv`),
          [`rack,${header}`, ...rows.map((r) => `${rack},${r}`)].join('\n') + '\n',
        );
      }
      const first = await runHarness(
        ['import', 'exports/r1.csv', 'exports/r2.csv', 'exports/r3.csv', '--mapping', 'map.json'],
        { cwd: dir },
      );
      expect(first.code, first.stderr).toBe(0);
      await cp(data(), base(), { recursive: true, verbatimSymlinks: true });
      before = await realTree();
      const whole = await runHarness(IMPORT, { cwd: dir });
      expect(whole.code, whole.stderr).toBe(0);
      after = await realTree();
      expect(after).not.toEqual(before);
    });
    afterAll(() => cleanup());

    it('leaves the old set or the new one, whole, for the next command, and no staging folder', async () => {
      await fresh();
      const renames = await count(RENAMES);
      await fresh();
      const unlinks = await count(UNLINKS);
      expect(renames).toBeGreaterThanOrEqual(6);
      const cases: { calls: string; k: number; signal: string; fail: boolean }[] = [];
      for (let k = 1; k <= renames; k++) {
        cases.push({ calls: RENAMES, k, signal: 'SIGKILL', fail: true });
        cases.push({ calls: RENAMES, k, signal: k % 2 === 0 ? 'SIGINT' : 'SIGTERM', fail: false });
      }
      // The lock's side file, once the lock is linked; after the last rename: the staged
      // labels.csv, the journal, then the staging folder are removed.
      for (let k = 1; k <= Math.min(unlinks, 5); k++)
        cases.push({ calls: UNLINKS, k, signal: 'SIGKILL', fail: true });

      const outcomes: string[] = [];
      for (const [i, c] of cases.entries()) {
        await fresh();
        const status = killedImport(c.calls, c.k, c.signal, c.fail);
        const at = `${c.signal} at ${c.calls.split(',')[0]} ${c.k}`;
        expect(status, at).not.toBe(0);
        // The next command, in turn: validate, a run's loader, or an import (a dry run first, which writes nothing).
        const next = i % 3;
        if (next === 2) {
          const dry = await runHarness(
            ['import', 'exports/r4.csv', '--mapping', 'map.json', '--dry-run'],
            { cwd: dir },
          );
          expect(dry.code, `${at}: ${dry.stderr}`).toBe(0);
        } else if (next === 0) {
          const v = await runHarness(['validate'], { cwd: dir });
          expect(v.code, `${at}: ${v.stdout}${v.stderr}`).toBe(0);
        } else if (next === 1) {
          const { loadDataset } = await import('../../src/data/load-dataset.ts');
          await loadDataset({ dataDir: data(), source: 'real' }).catch((err: unknown) => {
            // Before the new set, no real system has a label: that is the old set, whole.
            if (!/no labelled systems/.test(String(err))) throw err;
          });
        }
        const tree = await realTree();
        const held =
          JSON.stringify(tree) === JSON.stringify(before)
            ? 'old'
            : JSON.stringify(tree) === JSON.stringify(after)
              ? 'new'
              : 'mix';
        expect(held, `${at}: ${JSON.stringify(Object.keys(tree))}`).not.toBe('mix');
        if (next === 2) {
          const again = await runHarness(['import', 'exports/r4.csv', '--mapping', 'map.json'], {
            cwd: dir,
          });
          expect(again.code, `${at}: ${again.stderr}`).toBe(0);
          expect(again.stdout, at).toContain('3 kept');
          expect(
            (await readFile(path.join(data(), 'real', 'metadata.csv'), 'utf8'))
              .split('\n')
              .filter(Boolean),
          ).toHaveLength(5);
        }
        expect(
          (await readdir(data())).filter((e) => e.includes('staging')),
          at,
        ).toEqual([]);
        outcomes.push(`${at}: ${held}`);
      }
      console.log(`import kill outcomes: ${outcomes.join(' · ')}`);
      expect(outcomes.some((o) => o.endsWith('old'))).toBe(true);
      expect(outcomes.some((o) => o.endsWith('new'))).toBe(true);
    });

    it("finishes a swap whose killed import's pid now names another process (after Python's loader sends the user to validate)", async () => {
      // A pid is handed out again: here the staging folder and the lock of an import killed in
      // the middle of its swap are made to name a live process, with the start the killed one
      // recorded in its lock. Before, its half swap was taken for running: every command waited
      // 30 s for the lock, nothing finished the swap, and the next import wrote over half of it.
      const renames = await (async () => {
        await fresh();
        return count(RENAMES);
      })();
      let staging = '';
      for (let k = 1; k <= renames && staging === ''; k++) {
        await fresh();
        killedImport(RENAMES, k, 'SIGKILL', true);
        const found = (await readdir(data())).find((e) => e.startsWith('.real.staging-'));
        const at = (...p: string[]): boolean =>
          found !== undefined && existsSync(path.join(data(), found, ...p));
        // The journal is in, the old raw/ moved aside, the new one not moved in yet.
        if (at('swap.json') && at('.old', 'raw') && at('raw')) staging = found!;
      }
      expect(staging).not.toBe('');
      const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
      try {
        const reused = staging.replace(/staging-\d+-/, `staging-${holder.pid}-`);
        await rename(path.join(data(), staging), path.join(data(), reused));
        const lock = lockPathOf(path.join(data(), 'real', 'labels.csv'));
        const [, ...rest] = (await readFile(lock, 'utf8')).trim().split(' ');
        await writeFile(lock, `${[holder.pid, ...rest].join(' ')}\n`);

        const load = `from bess_harness import load_dataset; print(len(load_dataset("real", ${JSON.stringify(data())})))`;
        const py = () =>
          spawnSync(PY, ['-c', load], {
            encoding: 'utf8',
            env: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, 'python') },
          });
        const refused = py();
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toContain('run `harness validate');
        const v = await runHarness(['validate'], { cwd: dir });
        expect(v.code, v.stdout + v.stderr).toBe(0);
        expect(await realTree()).toEqual(after);
        expect((await readdir(data())).filter((e) => e.includes('staging'))).toEqual([]);
        const loaded = py();
        expect(loaded.status, loaded.stderr).toBe(0);
        expect(loaded.stdout.trim()).toBe('2'); // the labelled systems of the new set
      } finally {
        holder.kill();
      }
    });
  },
);
