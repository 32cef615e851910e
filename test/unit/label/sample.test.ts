import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQueue, writeQueue, queuePath } from '../../../src/label/queue.ts';
import { largestRemainder, sampleUnlabelled } from '../../../src/label/sample.ts';
import { HarnessError } from '../../../src/errors.ts';

describe('largestRemainder', () => {
  it('allocates exactly n seats in proportion, rounding by the largest remainder', () => {
    expect(largestRemainder([50, 30, 20], 10)).toEqual([5, 3, 2]);
    expect(largestRemainder([10, 10, 10], 10)).toEqual([4, 3, 3]); // tie: earliest
    expect(largestRemainder([7, 2, 1], 5)).toEqual([4, 1, 0]); // 3.5, 1.0, 0.5 → the larger group wins the tie
    expect(largestRemainder([3, 1], 10)).toEqual([3, 1]);
    expect(largestRemainder([], 3)).toEqual([]);
    for (const [sizes, n] of [
      [[13, 7, 5, 1], 9],
      [[1, 1, 1, 1, 1], 3],
      [[100, 1], 50],
    ] as const) {
      const seats = largestRemainder(sizes, n);
      expect(seats.reduce((a, b) => a + b, 0)).toBe(n);
      seats.forEach((s, i) => expect(s).toBeLessThanOrEqual(sizes[i]!));
    }
  });
});

describe('sampleUnlabelled', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sample-'));
    await mkdir(path.join(dir, 'real', 'raw'), { recursive: true });
    const meta = ['system_id,source,operational_mode,season'];
    // 60 arbitrage (30 summer, 30 winter), 30 backup/summer, 10 peak_shaving/winter
    for (let i = 0; i < 100; i++) {
      const mode = i < 60 ? 'arbitrage' : i < 90 ? 'backup' : 'peak_shaving';
      const season = i < 30 || (i >= 60 && i < 90) ? 'summer' : 'winter';
      meta.push(`r-${String(i).padStart(3, '0')},real,${mode},${season}`);
    }
    await writeFile(path.join(dir, 'real', 'metadata.csv'), `${meta.join('\n')}\n`);
    // r-000…r-004 are labelled already; a synthetic label with a real id must not count
    const header = 'system_id,label,failure_type,lead_time_days,source,label_version';
    const labels = [header];
    for (let i = 0; i < 5; i++) labels.push(`r-00${i},normal,none,,real,1`);
    await writeFile(path.join(dir, 'real', 'labels.csv'), `${labels.join('\n')}\n`);
    await mkdir(path.join(dir, 'synthetic'));
    await writeFile(
      path.join(dir, 'synthetic', 'labels.csv'),
      `${header}\nr-050,normal,none,,synthetic,1\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('draws only unlabelled real systems, stratified by largest remainder', async () => {
    const r = await sampleUnlabelled({
      dataDir: dir,
      n: 19,
      by: ['operational_mode', 'season'],
      seed: 's',
    });
    expect(r.available).toBe(95);
    expect(r.strata).toEqual([
      { key: 'arbitrage|summer', size: 25, seats: 5 },
      { key: 'arbitrage|winter', size: 30, seats: 6 },
      { key: 'backup|summer', size: 30, seats: 6 },
      { key: 'peak_shaving|winter', size: 10, seats: 2 },
    ]);
    expect(r.queue.systems).toHaveLength(19);
    expect(new Set(r.queue.systems).size).toBe(19);
    for (const id of r.queue.systems) expect(Number(id.slice(2))).toBeGreaterThanOrEqual(5);
    expect(r.queue.strata).toEqual({
      'arbitrage|summer': 5,
      'arbitrage|winter': 6,
      'backup|summer': 6,
      'peak_shaving|winter': 2,
    });
  });

  it('is deterministic for a seed and changes with it', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const a = await sampleUnlabelled({
      dataDir: dir,
      n: 10,
      by: ['operational_mode'],
      seed: 'x',
      now,
    });
    const b = await sampleUnlabelled({
      dataDir: dir,
      n: 10,
      by: ['operational_mode'],
      seed: 'x',
      now,
    });
    const c = await sampleUnlabelled({
      dataDir: dir,
      n: 10,
      by: ['operational_mode'],
      seed: 'y',
      now,
    });
    expect(b.queue).toEqual(a.queue);
    expect(c.queue.systems).not.toEqual(a.queue.systems);
    expect(a.queue).toMatchObject({
      created_at: '2026-01-01T00:00:00.000Z',
      seed: 'x',
      by: ['operational_mode'],
    });
  });

  it('takes everything when n exceeds the unlabelled systems; rejects unknown columns', async () => {
    expect(
      (await sampleUnlabelled({ dataDir: dir, n: 500, seed: 's' })).queue.systems,
    ).toHaveLength(95);
    await expect(sampleUnlabelled({ dataDir: dir, n: 5, by: ['mode'], seed: 's' })).rejects.toThrow(
      /--by mode: not a metadata column/,
    );
    // A column --by does not take is named as such, with the ones it takes, not "did you mean" it.
    const own = await sampleUnlabelled({ dataDir: dir, n: 5, by: ['system_id'], seed: 's' }).catch(
      (e: unknown) => (e as Error).message,
    );
    expect(own).toBe(
      '--by system_id: a metadata column, but not one to stratify by; --by takes operational_mode, season, chemistry, climate, capacity_kwh',
    );
  });

  it('round-trips through the queue file the labeling app reads', async () => {
    expect(await readQueue(dir)).toBeNull();
    const r = await sampleUnlabelled({ dataDir: dir, n: 4, seed: 'q' });
    await writeQueue(queuePath(dir), r.queue);
    expect(await readQueue(dir)).toEqual(r.queue);
    await writeFile(queuePath(dir), JSON.stringify({ ...r.queue, systems: ['../x'] }));
    const err = await readQueue(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toContain('systems[0]');
  });
});
