/**
 * Label servers of three projects that share one labels file through links: A's and B's
 * labels.csv link to a labels.csv kept apart (a repository of labels), and C's synthetic folder
 * links to B's. Every acknowledged save must be in the shared file's version count and in one
 * history beside it. A lock or history built from the link's name was one per project, and
 * the servers overwrote each other's saves.
 */
import { startLabelServer } from '../helpers/label-server.ts';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let t: Awaited<ReturnType<typeof tempDir>>;
const servers: { child: ChildProcess; url: string }[] = [];
const shared = (): string => path.join(t.dir, 'labels-repo', 'labels.csv');

async function generate(project: string): Promise<void> {
  const args = ['generate', '--systems', '4', '--days', '1', '--interval', '1h'];
  const gen = await runHarness([...args, '--data', path.join(t.dir, project, 'data')], {
    cwd: t.dir,
  });
  expect(gen.code, gen.stderr).toBe(0);
}

beforeAll(async () => {
  t = await tempDir();
  await generate('A');
  await generate('B');
  await mkdir(path.join(t.dir, 'C', 'data'), { recursive: true });
  await mkdir(path.dirname(shared()), { recursive: true });
  await copyFile(path.join(t.dir, 'A', 'data', 'synthetic', 'labels.csv'), shared());
  for (const p of ['A', 'B']) {
    const labels = path.join(t.dir, p, 'data', 'synthetic', 'labels.csv');
    await rm(labels);
    await symlink(path.relative(path.dirname(labels), shared()), labels);
  }
  await symlink(
    path.join(t.dir, 'B', 'data', 'synthetic'),
    path.join(t.dir, 'C', 'data', 'synthetic'),
  );
  servers.push(
    ...(await Promise.all(
      ['A', 'B', 'C'].map((p) => startLabelServer(path.join(t.dir, p, 'data'))),
    )),
  );
});
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  await t.cleanup();
});

describe('label servers on links to one labels file', () => {
  it('lose no acknowledged save and keep one history beside the shared file', async () => {
    const N = 120;
    const replies = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const r = await fetch(`${servers[i % 3]!.url}api/systems/synthetic/sys-0001/label`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ label: 'normal', labeler: `server-${i % 3}`, notes: `save ${i}` }),
        });
        return r.status;
      }),
    );
    expect(replies.filter((s) => s !== 200)).toEqual([]);
    const labels = await readFile(shared(), 'utf8');
    const header = labels.split('\n')[0]!.split(',');
    const row = labels
      .split('\n')
      .find((l) => l.startsWith('sys-0001,'))!
      .split(',');
    expect(Number(row[header.indexOf('label_version')])).toBe(1 + N);
    const history = (
      await readFile(path.join(path.dirname(shared()), 'labels.history.csv'), 'utf8')
    )
      .trim()
      .split('\n');
    expect(history).toHaveLength(N + 1);
    for (const p of ['A', 'B'])
      expect(existsSync(path.join(t.dir, p, 'data', 'synthetic', 'labels.history.csv'))).toBe(
        false,
      );
  }, 120_000);
});
