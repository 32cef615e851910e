/**
 * A process model that is not Python's serve (any program speaking the protocol) answering with
 * the wrong shape: the plugin refuses the answer, it never takes part of it as a score.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import type { MetadataRow, SystemSeries } from '../../src/data/types.ts';
import { createProcessPlugin } from '../../src/plugin/process/process-plugin.ts';
import { REPO_ROOT } from '../helpers/run-harness.ts';

/** A model in Node that answers hello, then every score request with `scores`. */
const answering = (scores: unknown) => `
let buf = Buffer.alloc(0);
const send = (h) => { const j = Buffer.from(JSON.stringify(h)); const n = Buffer.alloc(4); n.writeUInt32LE(j.length); process.stdout.write(Buffer.concat([n, j])); };
process.stdin.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    if (buf.length < 4) return;
    const n = buf.readUInt32LE(0);
    if (buf.length < 4 + n) return;
    const h = JSON.parse(buf.subarray(4, 4 + n).toString());
    const p = h.payload_bytes ?? 0;
    if (buf.length < 4 + n + p) return;
    buf = buf.subarray(4 + n + p);
    if (h.type === 'hello') send({ type: 'hello', protocol: 1, name: 'two', version: '1', capabilities: { fit: false, state: false } });
    else if (h.type === 'score') send({ type: 'scores', scores: ${JSON.stringify(scores)} });
    else if (h.type === 'teardown') { send({ type: 'ok' }); process.exit(0); }
  }
});
`;

const series = {
  systemId: 'sys-1',
  source: 'synthetic',
  timestamps: Float64Array.from([0, 3_600_000]),
  sensors: { temp_cell_max_c: Float64Array.from([20, 21]) },
} as SystemSeries;
const metadata = {
  system_id: 'sys-1',
  source: 'synthetic',
  operational_mode: 'arbitrage',
  season: 'winter',
  scenario_tags: [],
} as unknown as MetadataRow;

it('score() answered with two scores for its one system is an error, not the first of them', async () => {
  const plugin = createProcessPlugin(
    'two',
    { command: [process.execPath, '-e', answering([0.5, 0.9])] },
    {},
    { root: REPO_ROOT, harnessVersion: 'test' },
  );
  try {
    await expect(
      plugin.score(series, { seed: 's', signal: new AbortController().signal, metadata }),
    ).rejects.toThrow(/"two" .*answered score with 2 scores for 1 system/s);
  } finally {
    await plugin.teardown?.();
  }
});

it('a model entry whose cwd does not exist says so, not that the program is missing', async () => {
  const plugin = createProcessPlugin(
    'nowhere',
    { command: [process.execPath, '-e', answering([0.5])], cwd: 'models/not-there' },
    {},
    { root: REPO_ROOT, harnessVersion: 'test' },
  );
  try {
    await expect(
      plugin.score(series, { seed: 's', signal: new AbortController().signal, metadata }),
    ).rejects.toThrow(
      `could not be started: its cwd ${path.join(REPO_ROOT, 'models/not-there')} does not exist (the model entry's cwd is relative to the config's folder)`,
    );
  } finally {
    await plugin.teardown?.();
  }
});
