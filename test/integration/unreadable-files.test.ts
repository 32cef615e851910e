/**
 * Files that exist but cannot be read as data: a folder, a symlink loop, a FIFO (which would
 * block a reader forever). Each is a located problem with exit 2, never a stack trace or a hang.
 * So is an output folder that cannot be made (under a file): one line naming the path.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir, type RunResult } from '../helpers/run-harness.ts';

let t: Awaited<ReturnType<typeof tempDir>>;
const fleet = (name: string) => path.join(t.dir, name);

beforeAll(async () => {
  t = await tempDir();
  const gen = await runHarness(
    ['generate', '--systems', '4', '--days', '1', '--interval', '1h', '--out', 'base'],
    { cwd: t.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
  for (const name of ['folder', 'loop', 'fifo', 'rawfifo'])
    execFileSync('cp', ['-rL', fleet('base'), fleet(name)]);
  await rm(path.join(fleet('folder'), 'labels.csv'));
  await mkdir(path.join(fleet('folder'), 'labels.csv'));
  await rm(path.join(fleet('loop'), 'labels.csv'));
  await symlink('loop-b', path.join(fleet('loop'), 'labels.csv'));
  await symlink('labels.csv', path.join(fleet('loop'), 'loop-b'));
  await rm(path.join(fleet('fifo'), 'labels.csv'));
  execFileSync('mkfifo', [path.join(fleet('fifo'), 'labels.csv')]);
  const raw = (await readdir(path.join(fleet('rawfifo'), 'raw')))[0]!;
  await rm(path.join(fleet('rawfifo'), 'raw', raw));
  execFileSync('mkfifo', [path.join(fleet('rawfifo'), 'raw', raw)]);
  execFileSync('mkfifo', [path.join(t.dir, 'scores-fifo.csv')]);
  await writeFile(path.join(t.dir, 'a-file'), 'x');
});
afterAll(() => t.cleanup());

const clean = (r: RunResult) => expect(r.stderr).not.toMatch(/\n\s+at |internal error/);

describe('data files that are not regular files', () => {
  it('validate reports each at file:1:0 and exits 2: a folder, a symlink loop, a FIFO as labels or as a series', async () => {
    const v = (d: string) => runHarness(['validate', '--data', d], { cwd: t.dir });
    const [folder, loop, fifo, rawfifo] = await Promise.all([
      v('folder'),
      v('loop'),
      v('fifo'),
      v('rawfifo'),
    ]);
    expect(folder.stderr).toContain('folder/labels.csv:1:0: is a folder, not a file');
    expect(loop.stderr).toContain('loop/labels.csv:1:0: is a loop of symbolic links');
    expect(fifo.stderr).toContain(
      'fifo/labels.csv:1:0: is not a regular file (a FIFO, socket or device)',
    );
    expect(rawfifo.stderr).toMatch(/rawfifo\/raw\/\S+\.csv:1:0: is not a regular file/);
    for (const r of [folder, loop, fifo, rawfifo]) {
      expect(r.code).toBe(2);
      clean(r);
    }
  });

  it('evaluate refuses a FIFO as --scores and a file as --plots, before doing any work', async () => {
    const [scores, plots] = await Promise.all([
      runHarness(['evaluate', '--scores', 'scores-fifo.csv', '--data', 'base'], { cwd: t.dir }),
      runHarness(
        ['evaluate', '--scores', 'scores-fifo.csv', '--data', 'base', '--plots', 'a-file'],
        { cwd: t.dir },
      ),
    ]);
    expect(scores.code).toBe(2);
    expect(scores.stderr).toContain('scores-fifo.csv:1:0: is not a regular file');
    expect(plots.code).toBe(2);
    expect(plots.stderr).toContain('--plots a-file is a file: give a folder');
    for (const r of [scores, plots]) clean(r);
  });

  it('an output folder under a file is a one-line error naming the path, exit 2, not an internal error', async () => {
    const [plots, labels] = await Promise.all([
      runHarness(['plots', '--out-dir', 'a-file/plots'], { cwd: t.dir }),
      runHarness(['labels', '--data', 'base', '--out-dir', 'a-file/labels'], { cwd: t.dir }),
    ]);
    for (const [r, dir] of [
      [plots, 'plots'],
      [labels, 'labels'],
    ] as const) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `cannot create the folder \\S*a-file/${dir}: a part of the path is a file, not a folder \\(ENOTDIR\\)`,
        ),
      );
      clean(r);
    }
  });
});
