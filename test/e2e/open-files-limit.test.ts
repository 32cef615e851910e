/**
 * The harness under a low limit of open files (`ulimit -n`, set here as the hard limit: Node raises
 * its soft limit to the hard one as it starts, so only that one bites). Node's ESM loader reads a
 * module graph in parallel, so at 64 the harness failed while loading its own modules, worded as a
 * bug ("internal error: EMFILE … please report it") or as a missing package ("Cannot find package
 * '…/d3-shape/index.js'", a package.json Node could not open), and at 24 it printed Node's stack
 * trace and exited 1, a failed assertion's code. Now each is exit 2 naming the limit. And
 * `harness runs` read every run's results.json at once: a long history ran out of descriptors and
 * listed sound runs without their AUCs, exit 0.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCommand, tempDir, type RunResult } from '../helpers/run-harness.ts';
import { syntheticRun, writeRunFolder } from '../helpers/run-record.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');

/** The harness bin run with `limit` as its hard (and soft) limit of open files. */
function harnessAtLimit(limit: number, args: readonly string[], cwd: string): Promise<RunResult> {
  return runCommand(
    'sh',
    ['-c', `ulimit -n ${limit} && exec "$@"`, 'sh', process.execPath, BIN, ...args],
    { cwd },
  );
}

/** The whole of stderr when the limit is named (root may raise it in place; anyone else is told where). */
const tooMany = (limit: number): RegExp =>
  new RegExp(
    `^harness: too many open files \\(the limit is ${limit}: raise it with \`ulimit -n 4096\`[^\\n]*\\)\\n$`,
  );

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('open-files-');
});
afterAll(() => tmp.cleanup());

describe('a limit too low for the harness to load its modules', () => {
  it('is exit 2 naming the limit, where loading the chart modules failed as an internal error or a missing package', async () => {
    const r = await harnessAtLimit(64, ['labels', '--data', 'nowhere'], tmp.dir);
    expect(r.stderr).toMatch(tooMany(64));
    expect(r.code).toBe(2);
  });

  it('is exit 2 naming the limit, where the CLI itself failed to load with a stack trace and exit 1', async () => {
    const r = await harnessAtLimit(24, ['validate', '--data', 'nowhere'], tmp.dir);
    expect(r.stderr).toMatch(tooMany(24));
    expect(r.code).toBe(2);
  });
});

describe('harness runs over a history longer than the limit', () => {
  const RUNS = 300;
  let runsDir = '';
  beforeAll(async () => {
    runsDir = path.join(tmp.dir, 'runs');
    const first = await writeRunFolder(runsDir, syntheticRun(), '/project');
    const id = path.basename(first);
    const record = await readFile(path.join(first, 'run.json'), 'utf8');
    for (let i = 1; i < RUNS; i++) {
      const other = `${id}-${String(i).padStart(3, '0')}`;
      await cp(first, path.join(runsDir, other), { recursive: true });
      await writeFile(path.join(runsDir, other, 'run.json'), record.replaceAll(id, other));
    }
    expect(await readdir(runsDir)).toHaveLength(RUNS);
  });

  it('lists every run with its AUCs, reading a few results.json at a time', async () => {
    const r = await harnessAtLimit(
      128,
      ['runs', '--limit', String(RUNS), '--json', '--runs-dir', runsDir],
      tmp.dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout) as { results_error: string | null; roc_auc: unknown[] }[];
    expect(shown).toHaveLength(RUNS);
    expect(shown.filter((o) => o.results_error !== null || o.roc_auc.length === 0)).toEqual([]);
  });
});
