/**
 * Ctrl+C (or SIGTERM) over `harness label` while it saves a label: the save finishes, and the
 * browser is told so before the server closes its connections. The server used to close every
 * connection as soon as the write was done, before the reply was sent: the label was in the file
 * but the page said "not saved", and saving again was refused as a conflict with itself.
 * The signal lands at the same point on every run: as the labels file's temp file is fsynced
 * (test/helpers/signal-at-fsync.mjs).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabelsFile } from '../../src/data/load-labels.ts';
import { startLabelServer } from '../helpers/label-server.ts';
import { REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

const AT_FSYNC = path.join(REPO_ROOT, 'test', 'helpers', 'signal-at-fsync.mjs');

describe('a signal during a label save', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the save is answered 200 and is in the labels file, and the server exits 0`, async () => {
      const t = await tempDir();
      let child: ChildProcess | undefined;
      try {
        const data = path.join(t.dir, 'data');
        const gen = await runHarness(
          ['generate', '--systems', '3', '--days', '1', '--interval', '1h', '--data', data],
          { cwd: t.dir },
        );
        expect(gen.code, gen.stderr).toBe(0);
        const server = await startLabelServer(data, {
          nodeArgs: ['--import', AT_FSYNC],
          env: {
            SIGNAL_AT_FSYNC: String.raw`labels\.csv\.tmp-`,
            SIGNAL_AT_FSYNC_SIGNAL: signal,
          },
        });
        child = server.child;
        const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve));
        const reply = await fetch(`${server.url}api/systems/synthetic/sys-0002/label`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            label: 'normal',
            failure_type: 'none',
            labeler: 'z',
            notes: signal,
          }),
        }).then(
          async (r) => ({ status: r.status, body: await r.text() }),
          (err: unknown) => ({ status: 0, body: String(err) }),
        );
        expect(reply.status, reply.body).toBe(200);
        expect(await exited, server.stderr()).toBe(0);
        const rows = await readLabelsFile(path.join(data, 'synthetic', 'labels.csv'), {
          folderSource: 'synthetic',
        });
        const row = rows.find((r) => r.system_id === 'sys-0002');
        expect(row?.notes).toBe(signal);
        expect(JSON.parse(reply.body)).toMatchObject({
          changed: true,
          row: { notes: signal, label_version: row?.label_version },
        });
      } finally {
        child?.kill('SIGKILL');
        await t.cleanup();
      }
    }, 60_000);
  }
});
