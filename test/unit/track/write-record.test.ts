import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonReporter, resultsJsonText } from '../../../src/report/json.ts';
import { listRuns, readCaseScores, readRunRecord } from '../../../src/track/read-runs.ts';
import { parseScoresCsv } from '../../../src/track/scores-file.ts';
import { RUN_RECORD_SCHEMA, type RunRecord } from '../../../src/track/types.ts';
import { recordRun, STAGING_PREFIX, type RecordOptions } from '../../../src/track/write-record.ts';
import { tempDir } from '../../helpers/run-harness.ts';
import { dataset, errored, fleet, run, scored, scoresFor, suite } from './fixture.ts';

const F = fleet(12, 5);
const S = scoresFor(F, 0.5, 'w');

describe('recordRun', () => {
  let t: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => t?.cleanup());

  const options = (root: string, extra: Partial<RecordOptions> = {}): RecordOptions => ({
    runsDir: path.join(root, '.harness', 'runs'),
    root,
    configFile: null,
    argv: ['--seed', 'unit'],
    ownDirs: [],
    ...extra,
  });

  it('writes run.json, results.json (the json reporter’s bytes) and one scores CSV per scored case, in one folder named by the id', async () => {
    t = await tempDir();
    const config = path.join(t.dir, 'harness.config.ts');
    await writeFile(config, 'export default {};\n');
    const r = run([
      {
        ...suite(
          's',
          [scored('s', 'm', F, S, { cached: true }), errored('s', 'bad', 'fit: boom')],
          dataset(F),
        ),
        file: path.join(t.dir, 'suites', 's.suite.ts'),
      },
    ]);
    const rec = await recordRun(r, options(t.dir, { configFile: config }));
    expect(rec.runId).toMatch(/^20260301T100000Z-[0-9a-f]{6}$/);
    expect(rec.dir).toBe(path.join(t.dir, '.harness', 'runs', rec.runId));
    expect(await readdir(path.dirname(rec.dir))).toEqual([rec.runId]);
    expect((await readdir(rec.dir)).sort()).toEqual(['results.json', 'run.json', 'scores']);

    const results = await readFile(path.join(rec.dir, 'results.json'), 'utf8');
    expect(results).toBe(resultsJsonText(r));
    const out = path.join(t.dir, 'out');
    const reporter = jsonReporter();
    reporter.onInit?.({ config: undefined as never, outDir: out });
    await reporter.onRunEnd?.({ result: r });
    expect(results).toBe(await readFile(path.join(out, 'results.json'), 'utf8'));

    const record = JSON.parse(await readFile(path.join(rec.dir, 'run.json'), 'utf8')) as RunRecord;
    expect(record).toEqual(rec.record);
    expect(record).toMatchObject({
      schema: RUN_RECORD_SCHEMA,
      run_id: rec.runId,
      started_at: '2026-03-01T10:00:00.000Z',
      finished_at: '2026-03-01T10:00:01.500Z',
      duration_ms: 1500,
      exit_code: 2,
      harness_version: '0.1.0',
      argv: ['--seed', 'unit'],
      seed: 'unit',
      git: { commit: null, branch: null, dirty: null },
      config: {
        file: 'harness.config.ts',
        hash: createHash('sha256').update('export default {};\n').digest('hex'),
      },
    });
    const [s] = record.suites;
    expect(s).toMatchObject({
      name: 's',
      file: 'suites/s.suite.ts',
      error: null,
      threshold: 'fixed 0.5',
      dataset: {
        kind: 'scenario',
        name: 'unit-fleet',
        data_source: 'synthetic',
        scenario: 'unit-fleet',
        hash: 'a'.repeat(64),
        data_hash: 'b'.repeat(64),
        label_version: 1,
        labels_hash: 'c'.repeat(64),
        systems: 24,
        train: 12,
        test: 12,
      },
      split: { test: 0.5, folds: null, seed: 'unit' },
    });
    expect(s!.cases).toEqual([
      {
        model: 'm',
        version: '1',
        options: {},
        state: 'scored',
        error: null,
        seed: 'unit:s:m',
        cached: true,
        timings_ms: { fit: 5, score: 7 },
        scores_file: 'scores/s/m.csv',
      },
      {
        model: 'bad',
        version: '1',
        options: {},
        state: 'errored',
        error: 'fit: boom',
        seed: 'unit:s:bad',
        cached: false,
        timings_ms: null,
        scores_file: null,
      },
    ]);
    const csv = parseScoresCsv(
      await readFile(path.join(rec.dir, 'scores', 's', 'm.csv'), 'utf8'),
      'm.csv',
    );
    expect(csv.systemIds).toEqual(F.ids);
    expect(Array.from(csv.y)).toEqual(F.y);
    expect(Array.from(csv.scores)).toEqual(S);
  });

  it('makes file names of any suite and model name, inside the run folder and distinct', async () => {
    t = await tempDir();
    const r = run([
      suite(
        '../up',
        [
          scored('../up', '..', F, S),
          scored('../up', 'x y', F, S),
          scored('../up', 'x_y', F, S),
          scored('../up', 'X_Y', F, S),
        ],
        dataset(F),
      ),
    ]);
    const rec = await recordRun(r, options(t.dir));
    const files = rec.record.suites[0]!.cases.map((c) => c.scores_file);
    // `../up` → `.._up` → `_.._up` (no leading dot); `X_Y` collides with `x_y` on a case-insensitive disk.
    expect(files).toEqual([
      'scores/_.._up/_...csv',
      'scores/_.._up/x_y.csv',
      'scores/_.._up/x_y-2.csv',
      'scores/_.._up/X_Y-3.csv',
    ]);
    for (const f of files) expect((await readCaseScores(rec.dir, f!)).systemIds).toEqual(F.ids);
  });

  it('a write that fails half-way leaves no run folder and no staging folder behind', async () => {
    t = await tempDir();
    // results.json and the first scores file are written before the NaN score makes the writer throw.
    const r = run([suite('s', [scored('s', 'ok', F, S), scored('s', 'nan', F, S)], dataset(F))]);
    const c = r.suites[0]!.cases[1]!;
    if (c.state === 'scored') c.scores[3] = NaN;
    const o = options(t.dir);
    await expect(recordRun(r, o)).rejects.toThrow(/score of sys-003 is NaN/);
    expect(await readdir(o.runsDir)).toEqual([]);
    expect(await listRuns(o.runsDir)).toEqual({
      runsDir: o.runsDir,
      runs: [],
      unreadable: [],
      warnings: [],
    });
  });

  it('two runs started in the same second get different ids', async () => {
    t = await tempDir();
    const r = run([suite('s', [scored('s', 'm', F, S)], dataset(F))]);
    const [a, b] = [await recordRun(r, options(t.dir)), await recordRun(r, options(t.dir))];
    expect(a.runId.slice(0, 16)).toBe(b.runId.slice(0, 16));
    expect(a.runId).not.toBe(b.runId);
  });
});

describe('listRuns', () => {
  let t: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => t?.cleanup());

  it('lists the runs newest first, skips staging folders, reports unreadable ones, reads tracking.json', async () => {
    t = await tempDir();
    const runsDir = path.join(t.dir, 'runs');
    const o = { runsDir, root: t.dir, configFile: null, argv: [], ownDirs: [] };
    const at = (iso: string) => run([suite('s', [scored('s', 'm', F, S)], dataset(F))], iso);
    const older = await recordRun(at('2026-03-01T10:00:00.100Z'), o);
    const newest = await recordRun(at('2026-03-01T10:00:00.900Z'), o); // same second, later
    const middle = await recordRun(at('2026-03-01T10:00:00.500Z'), o);
    await mkdir(path.join(runsDir, `${STAGING_PREFIX}20260301T110000Z-abcdef`, 'scores'), {
      recursive: true,
    });
    await mkdir(path.join(runsDir, 'not-a-run'));
    await mkdir(path.join(runsDir, 'future'));
    await writeFile(
      path.join(runsDir, 'future', 'run.json'),
      JSON.stringify({ ...older.record, schema: 99 }),
    );
    await writeFile(path.join(runsDir, 'notes.txt'), 'a file, not a run\n');
    await writeFile(
      path.join(newest.dir, 'tracking.json'),
      JSON.stringify({
        mlflow: {
          uri: 'http://mlflow:5000',
          status: 'synced',
          at: '2026-03-01T10:01:00Z',
          runs: [],
        },
      }),
    );

    const list = await listRuns(runsDir);
    expect(list.runs.map((r) => r.record.run_id)).toEqual([
      newest.runId,
      middle.runId,
      older.runId,
    ]);
    expect(list.runs.map((r) => r.tracking?.mlflow?.status ?? null)).toEqual([
      'synced',
      null,
      null,
    ]);
    expect(list.unreadable.map((u) => [path.basename(u.dir), u.reason]).sort()).toEqual([
      [
        'future',
        `${path.join(runsDir, 'future', 'run.json')}: record schema 99, this harness reads schema 1`,
      ],
      ['not-a-run', `${path.join(runsDir, 'not-a-run', 'run.json')}: missing (not a recorded run)`],
    ]);
    expect(await listRuns(path.join(t.dir, 'none'))).toEqual({
      runsDir: path.join(t.dir, 'none'),
      runs: [],
      unreadable: [],
      warnings: [],
    });
  });

  it('a damaged tracking.json leaves the run listed (tracking unknown) and says so', async () => {
    t = await tempDir();
    const runsDir = path.join(t.dir, 'runs');
    const o = { runsDir, root: t.dir, configFile: null, argv: [], ownDirs: [] };
    const rec = await recordRun(run([suite('s', [scored('s', 'm', F, S)], dataset(F))]), o);
    await writeFile(path.join(rec.dir, 'tracking.json'), '{"mlflow":');
    const list = await listRuns(runsDir);
    expect(list.runs.map((r) => [r.record.run_id, r.tracking])).toEqual([[rec.runId, null]]);
    expect(list.runs[0]!.trackingError).toMatch(/tracking\.json: is not valid JSON/);
    expect(list.unreadable).toEqual([]);
    expect(list.warnings).toEqual([
      expect.stringMatching(
        /tracking\.json: is not valid JSON \(.*\); delete the file to upload the run again; the run is listed, its tracking status unknown$/,
      ),
    ]);
  });

  it('readRunRecord and readCaseScores name the file of a damaged record', async () => {
    t = await tempDir();
    await writeFile(path.join(t.dir, 'run.json'), '{ "schema": 1, ');
    await expect(readRunRecord(t.dir)).rejects.toThrow(
      `${path.join(t.dir, 'run.json')}: run.json is not valid JSON`,
    );
    await expect(readCaseScores(t.dir, '../elsewhere.csv')).rejects.toThrow(
      'scores_file "../elsewhere.csv" lies outside the run folder',
    );
    await expect(readCaseScores(t.dir, 'scores/s/m.csv')).rejects.toThrow(
      `${path.join(t.dir, 'scores', 's', 'm.csv')}: the record's scores cannot be read (ENOENT)`,
    );
  });
});
