import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

// In a thread of its own: what a scoring worker does, on a heap this test controls.
const IN_A_WORKER = `
const { parentPort } = require('node:worker_threads');
const v8 = require('node:v8');
const vm = require('node:vm');
import('tsx/esm/api').then(({ register }) => {
  register();
  return import(${JSON.stringify(new URL('../../../src/runner/full-gc.ts', import.meta.url).href)});
}).then(({ fullGc }) => {
  let garbage = [];
  for (let i = 0; i < 300000; i++) garbage.push({ i, s: 'x' + i });
  garbage = null;
  const before = v8.getHeapStatistics().used_heap_size;
  const collected = fullGc();
  const after = v8.getHeapStatistics().used_heap_size;
  parentPort.postMessage({ collected, before, after, gcInNewContext: vm.runInNewContext('typeof gc') });
});
`;

describe('fullGc', () => {
  it('collects a worker thread’s dead objects, and leaves no gc global in later contexts', async () => {
    const reply = await new Promise<{
      collected: boolean;
      before: number;
      after: number;
      gcInNewContext: string;
    }>((resolve, reject) => {
      const w = new Worker(IN_A_WORKER, { eval: true });
      w.once('message', (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    expect(reply.collected).toBe(true);
    // 300k dead objects (about 20 MB) are gone after the collection.
    expect(reply.before - reply.after).toBeGreaterThan(10e6);
    expect(reply.gcInNewContext).toBe('undefined');
  });

  it('leaves this thread’s contexts without a gc global', async () => {
    const { fullGc } = await import('../../../src/runner/full-gc.ts');
    expect(fullGc()).toBe(true);
    expect(vm.runInNewContext('typeof gc')).toBe('undefined');
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    expect(v8.getHeapStatistics().used_heap_size).toBeGreaterThan(0);
  });
});
