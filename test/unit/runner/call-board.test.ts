import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CALL_BOARD_BYTES, CallBoard } from '../../../src/runner/call-board.ts';

describe('CallBoard', () => {
  it('shows the call under way, a new sequence number per call, and nothing once it ended', () => {
    const board = new CallBoard(new SharedArrayBuffer(CALL_BOARD_BYTES));
    expect(board.read()).toBeNull();
    board.start('score(sys-0042)', 1500);
    const first = board.read();
    expect(first).toMatchObject({ what: 'score(sys-0042)', timeoutMs: 1500 });
    board.end();
    expect(board.read()).toBeNull();
    board.start('fit', 30000);
    const second = board.read();
    expect(second).toMatchObject({ what: 'fit', timeoutMs: 30000 });
    expect(second?.seq).not.toBe(first?.seq);
  });

  it('names the plugin whose call it is, or none: a name cut short names no plugin', () => {
    const board = new CallBoard(new SharedArrayBuffer(CALL_BOARD_BYTES));
    board.start('score(sys-1)', 1000, 'busy-score');
    expect(board.read()).toMatchObject({ what: 'score(sys-1)', who: 'busy-score' });
    board.start('importing suites/a.suite.ts', 1000);
    expect(board.read()?.who).toBeUndefined();
    board.start('fit', 1000, 'x'.repeat(500));
    expect(board.read()?.who).toBeUndefined();
  });

  it('cuts a long description at a whole character', () => {
    const board = new CallBoard(new SharedArrayBuffer(CALL_BOARD_BYTES));
    board.start(`score(${'é'.repeat(400)})`, 10);
    const what = board.read()?.what ?? '';
    expect(what.startsWith('score(éé')).toBe(true);
    expect(what).not.toContain('\uFFFD');
    expect(Buffer.byteLength(what)).toBeLessThanOrEqual(CALL_BOARD_BYTES);
  });

  it('is read from another thread while the writing thread is stuck in a loop', async () => {
    const buffer = new SharedArrayBuffer(CALL_BOARD_BYTES);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    // The worker posts a call on the board, then spins without yielding until told to stop.
    const source = `
      const { workerData } = require('node:worker_threads');
      import('tsx/esm/api').then(({ register }) => {
        register();
        return import(${JSON.stringify(new URL('../../../src/runner/call-board.ts', import.meta.url).href)});
      }).then(({ CallBoard }) => {
        new CallBoard(workerData.buffer).start('score(sys-7)', 1000);
        const stop = new Int32Array(workerData.flag);
        while (Atomics.load(stop, 0) === 0) {}
      });
    `;
    const w = new Worker(source, { eval: true, workerData: { buffer, flag: flag.buffer } });
    const board = new CallBoard(buffer);
    let seen = null;
    for (let i = 0; i < 500 && seen === null; i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = board.read();
    }
    Atomics.store(flag, 0, 1);
    await w.terminate();
    expect(seen).toMatchObject({ what: 'score(sys-7)', timeoutMs: 1000 });
  });
});
