/**
 * Two `harness label` servers (two processes) on one data folder, saving the same system at the
 * same time: every acknowledged save must be in the labels file's version count and in the
 * history. Without a lock shared across processes, one server overwrites the other's saves.
 */
import { startLabelServer } from '../helpers/label-server.ts';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let t: Awaited<ReturnType<typeof tempDir>>;
const servers: { child: ChildProcess; url: string }[] = [];

beforeAll(async () => {
  t = await tempDir();
  const gen = await runHarness(
    [
      'generate',
      '--systems',
      '4',
      '--days',
      '1',
      '--interval',
      '1h',
      '--data',
      path.join(t.dir, 'data'),
    ],
    { cwd: t.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
  servers.push(
    ...(await Promise.all([
      startLabelServer(path.join(t.dir, 'data')),
      startLabelServer(path.join(t.dir, 'data')),
    ])),
  );
});
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  await t.cleanup();
});

describe('two label servers on one folder', () => {
  it('lose no acknowledged save: 200 saves of one system, half through each, all counted', async () => {
    const N = 200;
    const replies = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const r = await fetch(`${servers[i % 2]!.url}api/systems/synthetic/sys-0001/label`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ label: 'normal', labeler: `server-${i % 2}`, notes: `save ${i}` }),
        });
        return r.status;
      }),
    );
    expect(replies.every((s) => s === 200)).toBe(true);
    const labels = await readFile(path.join(t.dir, 'data', 'synthetic', 'labels.csv'), 'utf8');
    const header = labels.split('\n')[0]!.split(',');
    const row = labels
      .split('\n')
      .find((l) => l.startsWith('sys-0001,'))!
      .split(',');
    const before = 1; // generated labels start at version 1
    expect(Number(row[header.indexOf('label_version')])).toBe(before + N);
    const history = (
      await readFile(path.join(t.dir, 'data', 'synthetic', 'labels.history.csv'), 'utf8')
    )
      .trim()
      .split('\n');
    expect(history).toHaveLength(N + 1);
  }, 120_000);
});
