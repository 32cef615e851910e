import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { handleApi } from '../../../src/label/api.ts';
import { LabelStore } from '../../../src/label/store.ts';
import { readTimelines, timelineProblem } from '../../../src/label/timelines.ts';
import type { ScoreTimeline } from '../../../src/metrics/index.ts';
import { runHarness, tempDir } from '../../helpers/run-harness.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function timeline(systemId: string, alarms: number[]): ScoreTimeline {
  const t = Array.from({ length: 10 }, (_, i) => T0 + i * DAY);
  return {
    systemId,
    failureType: 'thermal_runaway',
    anomaly: true,
    t,
    score: t.map((_, i) => (i === 3 ? null : i / 10)),
    alarms: alarms.map((d) => T0 + d * DAY),
    failureAt: T0 + 12 * DAY,
    onsetAt: T0 + 4 * DAY,
    threshold: 0.55,
  };
}

/** A results.json as `harness run` writes it, cut down to what the app reads. */
function results(cases: unknown[]): string {
  return JSON.stringify(
    {
      schema: 1,
      suites: [
        { name: 'smoke', cases: [{ model: 'random', state: 'scored', metrics: {} }, ...cases] },
      ],
    },
    null,
    2,
  );
}

describe('readTimelines', () => {
  let t: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    t = await tempDir('label-timelines-');
  });
  afterAll(async () => t.cleanup());
  const file = (name: string) => path.join(t.dir, name);

  it('indexes the timelines of every case by system id, with their suite and model', async () => {
    await writeFile(
      file('ok.json'),
      results([
        {
          model: 'zscore',
          alarms: { timelines: [timeline('sys-0001', [6, 7]), timeline('sys-0002', [])] },
        },
        { model: 'pca', alarms: { timelines: [timeline('sys-0001', [8])] } },
      ]),
    );
    const idx = await readTimelines(file('ok.json'));
    expect(idx.count).toBe(3);
    expect(idx.of('sys-0001').map((s) => [s.suite, s.model, s.timeline.alarms.length])).toEqual([
      ['smoke', 'zscore', 2],
      ['smoke', 'pca', 1],
    ]);
    expect(idx.of('sys-0002')).toHaveLength(1);
    expect(idx.of('sys-0009')).toEqual([]);
  });

  it('says where bad JSON is, that a file is not a run, and which timeline is malformed', async () => {
    await writeFile(file('bad.json'), '{\n  "suites": [\n    {,\n  ]\n}\n');
    const e1 = await readTimelines(file('bad.json')).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(HarnessError);
    expect((e1 as HarnessError).message).toContain('bad.json is not valid JSON');
    expect((e1 as HarnessError).problems[0]).toMatchObject({ file: file('bad.json'), line: 3 });

    await writeFile(file('other.json'), '{"systems": []}');
    await expect(readTimelines(file('other.json'))).rejects.toThrow(
      /not the results\.json of a run/,
    );
    await expect(readTimelines(file('none.json'))).rejects.toThrow(/no such file/);

    const broken = { ...timeline('sys-0001', [1]), score: [1, 2] };
    await writeFile(file('shape.json'), results([{ model: 'm', alarms: { timelines: [broken] } }]));
    const e2 = (await readTimelines(file('shape.json')).catch((e: unknown) => e)) as HarnessError;
    expect(e2.problems[0]?.message).toBe(
      'suites[0].cases[1].alarms.timelines[0] (smoke · m): score is not a list as long as t',
    );
  });

  it('checks a timeline field by field', () => {
    expect(timelineProblem(timeline('a', [1]))).toBeNull();
    expect(timelineProblem({ ...timeline('a', [1]), alarms: ['2026-01-01'] })).toMatch(/alarms/);
    expect(timelineProblem({ ...timeline('a', [1]), failureAt: 'x' })).toMatch(/failureAt/);
    expect(timelineProblem({ ...timeline('a', [1]), threshold: null })).toMatch(/threshold/);
  });
});

describe('GET /api/systems/:source/:id/timelines', () => {
  let t: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  beforeAll(async () => {
    t = await tempDir('label-timelines-api-');
    dataDir = path.join(t.dir, 'data');
    const gen = await runHarness(
      ['generate', '--systems', '3', '--days', '1', '--interval', '1h', '--data', dataDir],
      { cwd: t.dir },
    );
    expect(gen.code).toBe(0);
    await writeFile(
      path.join(t.dir, 'results.json'),
      results([{ model: 'zscore', alarms: { timelines: [timeline('sys-0002', [6, 7])] } }]),
    );
  });
  afterAll(async () => t.cleanup());

  it('gives the timelines of the system, none for another, and says which results file it serves', async () => {
    const store = new LabelStore(dataDir);
    const timelines = await readTimelines(path.join(t.dir, 'results.json'));
    const ctx = { dataDir: store.dataDir, store, timelines };
    const one = await handleApi(ctx, 'GET', '/api/systems/synthetic/sys-0002/timelines', undefined);
    expect(one?.status).toBe(200);
    expect(one?.body).toEqual({
      timelines: [{ suite: 'smoke', model: 'zscore', timeline: timeline('sys-0002', [6, 7]) }],
    });
    const none = await handleApi(
      ctx,
      'GET',
      '/api/systems/synthetic/sys-0001/timelines',
      undefined,
    );
    expect(none?.body).toEqual({ timelines: [] });
    const unknown = await handleApi(ctx, 'GET', '/api/systems/synthetic/nope/timelines', undefined);
    expect(unknown?.status).toBe(404);
    const list = await handleApi(ctx, 'GET', '/api/systems', undefined);
    expect(list?.body).toMatchObject({ results: { file: timelines.file, timelines: 1 } });
    // Without --results: no timelines, and the list says so.
    const plain = { dataDir: store.dataDir, store };
    expect((await handleApi(plain, 'GET', '/api/systems', undefined))?.body).toMatchObject({
      results: null,
    });
    expect(
      (await handleApi(plain, 'GET', '/api/systems/synthetic/sys-0002/timelines', undefined))?.body,
    ).toEqual({ timelines: [] });
  });
});
