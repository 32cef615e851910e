/**
 * What a run leaves in its out dir when the out dir cannot be written, or when another run writes
 * into it at the same time. The out dir holds the last run's reports only: a report or pointer
 * of an earlier run that stays must fail the run (before, it stayed silently, exit 0, or the
 * run exited 2 after plain had printed PASS), and two runs must not leave one's results.json
 * beside the other's run-record.json.
 *
 * A folder the harness may not write is a folder of root's, the run being nobody's, when the
 * tests run as root (who may write anything); else a folder of mode 0555.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withOutDirLock } from '../../src/core/out-dir-lock.ts';
import { harnessEnv, makeProject, REPO_ROOT, runHarness } from '../helpers/run-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');
const asRoot = process.getuid?.() === 0;

const FILES = {
  'harness.config.ts': `export default { workers: 1 };\n`,
  'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 's',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
});
`,
};

let project: { dir: string; cleanup: () => Promise<void> } | undefined;
afterEach(async () => {
  if (project) await chmod(path.join(project.dir, '.harness', 'last-run'), 0o755).catch(() => {});
  await project?.cleanup();
  project = undefined;
});

/** A project whose last run (`args`) left its reports in `.harness/last-run`, which is then made read-only to the next run. */
async function readOnlyOutDir(args: readonly string[]): Promise<{ dir: string; out: string }> {
  project = await makeProject(FILES);
  const { dir } = project;
  const first = await runHarness(['run', ...args], { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  const out = path.join(dir, '.harness', 'last-run');
  if (asRoot) {
    await chownTree(dir);
    await chown(out, 0, 0);
    await chmod(out, 0o755);
  } else await chmod(out, 0o555);
  return { dir, out };
}

async function chownTree(dir: string): Promise<void> {
  await chown(dir, 65534, 65534);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p);
    else await chown(p, 65534, 65534);
  }
}

/** `harness run …` in `dir` as the user that may not write the out dir. */
function runAsOther(dir: string, args: readonly string[]) {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: harnessEnv(asRoot ? { HOME: dir, TMPDIR: dir } : {}),
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DENIED = 'permission denied \\(EACCES\\)';

describe('an out dir the run may not write', () => {
  it('a report of the last run that this one does not write stays: exit 2 naming it, before anything runs', async () => {
    // It stayed, and the run exited 0: a CI step read the last run's results.json as this one's.
    const { dir, out } = await readOnlyOutDir(['--reporter', 'json', '--reporter', 'plain']);
    const r = runAsOther(dir, ['--reporter', 'plain']);
    expect(r.stderr).toMatch(
      new RegExp(
        `^harness: cannot remove ${path.join(out, 'results.json')}: ${DENIED}: it is an earlier run's, and would be read as this run's`,
        'm',
      ),
    );
    expect(r.stdout).not.toMatch(/PASS|ERROR/);
    expect(r.code).toBe(2);
  }, 120_000);

  it.each([
    ['recorded', []],
    ['not recorded', ['--no-history']],
  ] as const)(
    "%s: the last run's pointer stays, so plain renders the run again with ERROR, exit 2",
    async (_, flags) => {
      // Recorded, the run exited 0, its record unnamed and the last run's named as its own;
      // not recorded, it exited 2 after plain had printed PASS, and nothing said ERROR.
      const { dir, out } = await readOnlyOutDir(['--reporter', 'plain']);
      const pointer = path.join(out, 'run-record.json');
      const before = await readFile(pointer, 'utf8');
      const r = runAsOther(dir, ['--reporter', 'plain', ...flags]);
      expect(r.stdout).toMatch(/^PASS {2}Assertions 1 passed/m);
      expect(r.stdout).toMatch(
        new RegExp(
          `✗ harness error: cannot remove ${pointer}: ${DENIED}: it is an earlier run's, and would be read as this run's`,
        ),
      );
      expect(r.stdout).toMatch(/ERROR {2}Assertions 1 passed.*Harness errors 1/);
      expect(r.code, r.stderr).toBe(2);
      expect(await readFile(pointer, 'utf8')).toBe(before);
    },
    120_000,
  );
});

describe('two runs with one out dir', () => {
  it('a run waits, saying so, while another writes there, writes nothing meanwhile, then leaves its whole set', async () => {
    // Nothing serialized the runs' writes: one's results.json stayed beside the other's
    // run-record.json. This test holds the out dir's lock as another run's end does.
    project = await makeProject(FILES);
    const { dir } = project;
    const out = path.join(dir, '.harness', 'last-run');
    const args = ['run', '--reporter', 'plain', '--reporter', 'json', '--reporter', 'junit'];
    let stdout = '';
    let stderr = '';
    let exited!: Promise<number | null>;
    let ended = false;
    await withOutDirLock(
      out,
      async () => {
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: dir,
          env: harnessEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        exited = new Promise((resolve) =>
          child.on('close', (code) => {
            ended = true;
            resolve(code);
          }),
        );
        while (!ended && !stderr.includes('harness: waiting for another run'))
          await new Promise((r) => setTimeout(r, 20));
        expect(ended, `the run did not wait for the out dir: ${stdout}${stderr}`).toBe(false);
        expect(stderr).toContain(
          `harness: waiting for another run to finish writing to .harness/last-run (one run's reports at a time)\n`,
        );
        // Only the lock (a dot-file): no report of the waiting run.
        expect((await readdir(out)).filter((f) => !f.startsWith('.'))).toEqual([]);
      },
      { create: true },
    );
    expect(await exited, stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['junit.xml', 'results.json', 'run-record.json']);
    const pointer = JSON.parse(await readFile(path.join(out, 'run-record.json'), 'utf8'));
    const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8'));
    expect(stdout).toContain(`run recorded: .harness/runs/${pointer.run_id}\n`);
    expect(results.started_at).toBe(pointer.started_at);
  }, 120_000);
});
