/**
 * A run record that is valid JSON but misses a field the commands read (run.json without
 * `suites[0].cases`, results.json without a case's `metrics`). Before, `harness runs`,
 * `runs show` and `compare` crashed on it with "internal error", and `harness runs` listed
 * nothing at all. Now a damaged run.json is named on stderr and skipped, a damaged
 * results.json leaves its run listed without AUCs (named on stderr), and `compare` or
 * `runs show` on the damaged run is exit 2 naming the file and the field.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';
import { writeRunFolder } from '../helpers/run-record.ts';
import { dataset, fleet, run, scored, scoresFor, suite } from '../unit/track/fixture.ts';

const F = fleet(40, 16);
const strong = scoresFor(F, 3, 'strong');
const at = (day: number) => `2026-03-0${day}T10:00:00.000Z`;
const runOf = (day: number) =>
  run([suite('s', [scored('s', 'm', F, strong)], dataset(F))], at(day));

let tmp: { dir: string; cleanup: () => Promise<void> };
let base: string;
let older: string;
let newest: string;
beforeAll(async () => {
  tmp = await tempDir('runs-damaged-');
  base = path.join(tmp.dir, 'base');
  older = path.basename(await writeRunFolder(base, runOf(1), tmp.dir));
  newest = path.basename(await writeRunFolder(base, runOf(2), tmp.dir));
});
afterAll(() => tmp.cleanup());

/** A copy of the store with `file` of the newest run edited as JSON. */
async function damaged(name: string, file: string, edit: (j: any) => void): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await cp(base, dir, { recursive: true });
  const f = path.join(dir, newest, file);
  const json = JSON.parse(await readFile(f, 'utf8'));
  edit(json);
  await writeFile(f, JSON.stringify(json));
  return dir;
}
const noCrash = (r: { stderr: string }) => expect(r.stderr).not.toContain('internal error');

describe('run.json without suites[0].cases', () => {
  let dir: string;
  let runJson: string;
  beforeAll(async () => {
    dir = await damaged('no-cases', 'run.json', (j) => delete j.suites[0].cases);
    runJson = path.join(dir, newest, 'run.json');
  });

  it('harness runs lists the other runs and names the damaged one on stderr', async () => {
    const r = await runHarness(['runs', '--runs-dir', dir]);
    noCrash(r);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(older);
    expect(r.stdout).not.toContain(newest);
    expect(r.stderr).toContain(`${runJson}: suites[0].cases must be a list`);
  });

  it('compare and runs show on it are exit 2 naming the file and the field', async () => {
    for (const args of [['compare', older, newest], ['runs', 'show', newest], ['compare']]) {
      const r = await runHarness([...args, '--runs-dir', dir]);
      noCrash(r);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${runJson}: suites[0].cases must be a list`);
    }
  });
});

describe("results.json without a case's metrics", () => {
  let dir: string;
  let resultsJson: string;
  beforeAll(async () => {
    dir = await damaged('no-metrics', 'results.json', (j) => delete j.suites[0].cases[0].metrics);
    resultsJson = path.join(dir, newest, 'results.json');
  });

  it('harness runs lists it without its AUCs and says why on stderr', async () => {
    const r = await runHarness(['runs', '--runs-dir', dir]);
    noCrash(r);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(newest);
    expect(r.stdout).toContain('(results.json unreadable)');
    expect(r.stderr).toContain(`${resultsJson}: suites[0].cases[0].metrics must be an object`);
  });

  it('compare on it is exit 2 naming the file and the field', async () => {
    const r = await runHarness(['compare', older, newest, '--runs-dir', dir]);
    noCrash(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${resultsJson}: suites[0].cases[0].metrics must be an object`);
  });
});

describe('tracking.json that is JSON but not a tracking state', () => {
  let dir: string;
  let trackingJson: string;
  const tracking = (json: unknown) => writeFile(trackingJson, JSON.stringify(json));
  beforeAll(async () => {
    dir = path.join(tmp.dir, 'tracking');
    await cp(base, dir, { recursive: true });
    trackingJson = path.join(dir, newest, 'tracking.json');
  });

  it('runs show says the tracking status is unknown, naming the field; harness runs says unknown', async () => {
    // printed before as `mlflow undefined · undefined · function at() …` and `synced · 5 · undefined`
    for (const [json, field] of [
      [{ mlflow: 'x' }, 'mlflow must be an object'],
      [{ mlflow: { status: 'synced', uri: 5 } }, 'mlflow.uri must be a string'],
    ] as const) {
      await tracking(json);
      const r = await runHarness(['runs', 'show', newest, '--runs-dir', dir]);
      noCrash(r);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `  tracking  unknown: ${trackingJson}: ${field}; delete the file to upload the run again\n`,
      );
    }
    const list = await runHarness(['runs', '--runs-dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${newest} .* unknown\\n`));
    expect(list.stderr).toContain(`${trackingJson}: mlflow.uri must be a string`);
  });

  it('harness runs names the server a run was synced to when it is not the one set now', async () => {
    const at = '2026-03-02T10:00:00.000Z';
    await tracking({ mlflow: { uri: 'http://old:5000', status: 'synced', at, runs: [] } });
    const row = async (uri: string) => {
      const r = await runHarness(['runs', '--runs-dir', dir], {
        env: { MLFLOW_TRACKING_URI: uri },
      });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').find((l) => l.startsWith(newest))!;
    };
    expect(await row('http://new:5000')).toMatch(/ synced \(http:\/\/old:5000\)$/);
    expect(await row('http://old:5000')).toMatch(/ synced$/);
  });
});
