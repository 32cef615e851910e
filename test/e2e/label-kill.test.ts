/**
 * kill -9 over a `harness label` server while it saves: after every kill the labels file parses,
 * and after the last one every save the server acknowledged (HTTP 200) is in it. Each system's
 * saves are sent one after another (the next only after the reply), so the labels file must hold
 * the last acknowledged save of each system, or the one save the kill cut off after it was written.
 */
import { startLabelServer } from '../helpers/label-server.ts';
import { mulberry32 } from '../helpers/seeded.ts';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelsFile } from '../../src/data/load-labels.ts';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

const SYSTEMS = ['sys-0001', 'sys-0002', 'sys-0003', 'sys-0004', 'sys-0005', 'sys-0006'];
const WORKERS = 3; // worker w saves systems w, w + 3, … in turn
const KILLS = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let t: Awaited<ReturnType<typeof tempDir>>;
let child: ChildProcess | undefined;
beforeAll(async () => {
  t = await tempDir();
  const gen = await runHarness([
    'generate',
    '--systems',
    String(SYSTEMS.length),
    '--days',
    '1',
    '--interval',
    '1h',
    '--data',
    path.join(t.dir, 'data'),
  ]);
  expect(gen.code, gen.stderr).toBe(0);
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await t.cleanup();
});

/**
 * What was sent for one system: how many saves were acknowledged and how many cut off by a kill
 * (written or not), the notes of the last acknowledged save and of the ones cut off after it.
 */
interface Sent {
  acked: number;
  cutOff: number;
  lastAcked?: string;
  cutOffSince: string[];
}

describe('kill -9 over label saves', () => {
  it('loses no acknowledged save, and the labels file parses after every kill', async () => {
    const data = path.join(t.dir, 'data');
    const labelsFile = path.join(data, 'synthetic', 'labels.csv');
    const sent = new Map<string, Sent>(
      SYSTEMS.map((id) => [id, { acked: 0, cutOff: 0, cutOffSince: [] }]),
    );
    const random = mulberry32(7091);
    let n = 0;
    for (let round = 0; round < KILLS; round++) {
      const server = await startLabelServer(data);
      child = server.child;
      let killed = false;
      const exited = new Promise<void>((resolve) => server.child.on('exit', () => resolve()));
      const worker = async (w: number): Promise<void> => {
        const mine = SYSTEMS.filter((_, i) => i % WORKERS === w);
        for (let k = 0; !killed; k++) {
          const id = mine[k % mine.length]!;
          const notes = `save ${n++}`;
          const s = sent.get(id)!;
          const status = await fetch(`${server.url}api/systems/synthetic/${id}/label`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              label: k % 2 === 0 ? 'normal' : 'anomaly',
              failure_type: k % 2 === 0 ? 'none' : 'capacity_fade',
              lead_time_days: k % 2 === 0 ? null : 3,
              labeler: `round-${round}`,
              notes,
            }),
          }).then(
            (r) => r.status,
            () => 0, // the server died before it replied
          );
          if (status === 200) {
            s.acked++;
            s.lastAcked = notes;
            s.cutOffSince = [];
          } else if (status === 0) {
            s.cutOff++;
            s.cutOffSince.push(notes);
          } else throw new Error(`save ${notes} of ${id} answered ${status}`);
        }
      };
      const workers = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      await sleep(100 + random() * 900);
      killed = true;
      server.child.kill('SIGKILL');
      await exited;
      await workers;
      child = undefined;
      // Parses after every kill: a save writes through a temp file and a rename.
      const rows = await readLabelsFile(labelsFile, { folderSource: 'synthetic' });
      expect(rows.map((r) => r.system_id).sort(), `after kill ${round + 1}`).toEqual(SYSTEMS);
    }

    const rows = await readLabelsFile(labelsFile, { folderSource: 'synthetic' });
    const acked = [...sent.values()].reduce((sum, s) => sum + s.acked, 0);
    expect(acked).toBeGreaterThan(0);
    for (const row of rows) {
      const s = sent.get(row.system_id)!;
      // Generated labels start at version 1; each applied save adds one, a cut-off one maybe.
      expect(row.label_version - 1 - s.acked, row.system_id).toBeGreaterThanOrEqual(0);
      expect(row.label_version - 1 - s.acked, row.system_id).toBeLessThanOrEqual(s.cutOff);
      if (s.lastAcked !== undefined)
        expect([s.lastAcked, ...s.cutOffSince], row.system_id).toContain(row.notes);
    }
    const history = await readFile(path.join(data, 'synthetic', 'labels.history.csv'), 'utf8');
    for (const s of sent.values()) if (s.lastAcked) expect(history).toContain(s.lastAcked);
    console.log(`acknowledged saves: ${acked}`);
  }, 120_000);
});
