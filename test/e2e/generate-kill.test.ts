/**
 * kill -9 over `harness generate`, at seeded moments from its start and from when its staging
 * folder appears: after every kill the data folder validates and holds exactly the old fleet or
 * the new one (byte for byte), never a mix; the next generate removes what the kills left.
 */
import { mulberry32 } from '../helpers/seeded.ts';
import { spawn } from 'node:child_process';
import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateData } from '../../src/data/validate.ts';
import { harnessEnv, hashTree, REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');
const FLEET = ['--systems', '20', '--days', '3', '--interval', '5m'];
const KILLS = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let t: Awaited<ReturnType<typeof tempDir>>;
const fleets: Record<string, Record<string, string>> = {};
beforeAll(async () => {
  t = await tempDir();
  // The two fleets the loop alternates between, generated whole into folders of their own, and
  // the data folder the loop kills generates over, holding fleet a to start with.
  const generated = await Promise.all(
    ['ref-a', 'ref-b', 'data'].map((folder) =>
      runHarness([
        'generate',
        ...FLEET,
        '--seed',
        folder === 'ref-b' ? 'b' : 'a',
        '--data',
        path.join(t.dir, folder),
      ]),
    ),
  );
  for (const r of generated) expect(r.code, r.stderr).toBe(0);
  for (const seed of ['a', 'b'])
    fleets[seed] = await hashTree(path.join(t.dir, `ref-${seed}`, 'synthetic'));
  expect(fleets.a).not.toEqual(fleets.b);
});
afterAll(() => t.cleanup());

/** Which known fleet `dir` holds, or 'mix' when it is neither. */
async function whichFleet(dir: string): Promise<string> {
  const tree = await hashTree(dir);
  for (const [seed, hashes] of Object.entries(fleets))
    if (JSON.stringify(tree) === JSON.stringify(hashes)) return seed;
  return 'mix';
}

/** Polls until `ready` says yes or the child has exited. */
async function until(ready: () => Promise<boolean>, exited: () => boolean): Promise<void> {
  while (!exited() && !(await ready())) await sleep(3);
}

/** The files in the staging folder of a running generate in `data` (`raw/` counted by its files). */
async function stagedFiles(data: string): Promise<{ raw: number; done: boolean } | undefined> {
  const staging = (await readdir(data).catch(() => [] as string[])).find((e) =>
    e.startsWith('.synthetic.staging-'),
  );
  if (!staging) return undefined;
  const raw = (await readdir(path.join(data, staging, 'raw')).catch(() => [] as string[])).length;
  const done = (await readdir(path.join(data, staging)).catch(() => [] as string[])).includes(
    'labels.csv',
  );
  return { raw, done };
}

/**
 * The moments a kill lands at, in turn: a delay from the start (startup, tidying, writing); once
 * the staging folder holds k system files (writing); once its last file is written (fsync, the
 * lock, the commit); once the link points at a new version (removing the old one).
 */
type Moment = (
  data: string,
  exited: () => boolean,
  random: () => number,
  before: string,
) => Promise<void>;
const MOMENTS: readonly Moment[] = [
  async (_data, _exited, random) => sleep(random() * 2500),
  async (data, exited, random) => {
    const k = Math.floor(random() * 20);
    await until(async () => ((await stagedFiles(data))?.raw ?? -1) >= k, exited);
  },
  async (data, exited, random) => {
    await until(async () => (await stagedFiles(data))?.done === true, exited);
    await sleep(random() * 30);
  },
  async (data, exited, random, before) => {
    await until(
      async () => (await readlink(path.join(data, 'synthetic')).catch(() => before)) !== before,
      exited,
    );
    await sleep(random() * 10);
  },
];

describe('kill -9 over harness generate', () => {
  it('leaves the old fleet or the new one after every kill, and the next generate cleans up', async () => {
    const data = path.join(t.dir, 'data');
    let current = 'a';
    const random = mulberry32(20261202);
    const outcomes: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const next = current === 'a' ? 'b' : 'a';
      const child = spawn(
        process.execPath,
        [BIN, 'generate', ...FLEET, '--seed', next, '--data', data],
        { env: harnessEnv(), stdio: 'ignore' },
      );
      let exited = false;
      const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      void exit.then(() => (exited = true));
      const before = await readlink(path.join(data, 'synthetic'));
      await MOMENTS[i % MOMENTS.length]!(data, () => exited, random, before);
      child.kill('SIGKILL');
      await exit;

      const held = await whichFleet(path.join(data, 'synthetic'));
      expect(held, `after kill ${i + 1}`).not.toBe('mix');
      expect([current, next]).toContain(held);
      const validation = await validateData(data);
      expect(validation.problems, `after kill ${i + 1}`).toEqual([]);
      expect(validation.systems).toBe(20);
      outcomes.push(held === current ? 'old' : 'new');
      current = held;
    }

    const last = await runHarness(['generate', ...FLEET, '--seed', 'b', '--data', data]);
    expect(last.code, last.stderr).toBe(0);
    expect(await whichFleet(path.join(data, 'synthetic'))).toBe('b');
    const left = (await readdir(data)).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toMatch(/^\.synthetic\.v-[0-9a-f]+$/);
    expect(left[1]).toBe('synthetic');
    console.log(`kill -9 outcomes: ${outcomes.join(' ')}`);
  }, 120_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s mid-write removes the staging folder on the way out and keeps the old fleet',
    async (signal) => {
      // It stayed until the next generate (31 MB for a small fleet), though Ctrl+C is said to
      // remove the staging folder of the write in flight.
      const data = path.join(t.dir, 'data');
      const before = await readlink(path.join(data, 'synthetic'));
      const held = await whichFleet(path.join(data, 'synthetic'));
      const child = spawn(
        process.execPath,
        [BIN, 'generate', ...FLEET, '--seed', 'c', '--data', data],
        {
          env: harnessEnv(),
          stdio: 'ignore',
        },
      );
      let exited = false;
      const exit = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      void exit.then(() => (exited = true));
      await until(
        async () => ((await stagedFiles(data))?.raw ?? -1) >= 3,
        () => exited,
      );
      expect(exited).toBe(false);
      child.kill(signal);
      expect(await exit).toBe(signal === 'SIGINT' ? 130 : 143);
      expect((await readdir(data)).filter((e) => e.includes('staging'))).toEqual([]);
      expect(await readlink(path.join(data, 'synthetic'))).toBe(before);
      expect(await whichFleet(path.join(data, 'synthetic'))).toBe(held);
    },
    60_000,
  );
});
