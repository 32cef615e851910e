import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { mulberry32 } from '../helpers/seeded.ts';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

interface Label {
  readonly id: string;
  readonly anomaly: boolean;
  readonly failureType: string;
  readonly line: number;
}

interface EvalJson {
  n: number;
  positives: number;
  negatives: number;
  metrics: Record<string, number | null>;
  ci: Record<string, { method: string; level: number; low: number; high: number } | null>;
  undefined: Record<string, string>;
  breakdown: Record<
    string,
    {
      stratum: string;
      n: number;
      positives: number;
      metrics: Record<string, number | null>;
      ci: Record<string, unknown>;
    }[]
  >;
}

describe('harness evaluate', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let fleet: string;
  let labels: Label[];
  let labelsHeader: string;
  let labelsLines: string[];
  const file = (name: string): string => path.join(tmp.dir, name);
  const writeScores = async (name: string, rows: readonly string[]): Promise<string> => {
    await writeFile(file(name), `system_id,score\n${rows.join('\n')}\n`);
    return file(name);
  };
  const perfectRows = (): string[] => labels.map((l) => `${l.id},${l.anomaly ? 1 : 0}`);

  beforeAll(async () => {
    tmp = await tempDir();
    fleet = file('fleet');
    const g = await runHarness([
      'generate',
      '--systems',
      '40',
      '--days',
      '2',
      '--interval',
      '30m',
      '--out',
      fleet,
    ]);
    expect(g.code).toBe(0);
    [labelsHeader = '', ...labelsLines] = (await readFile(path.join(fleet, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n');
    labels = labelsLines.map((l, i) => {
      const [id = '', label, failureType = ''] = l.split(',');
      return { id, anomaly: label === 'anomaly', failureType, line: i + 2 };
    });
    expect(labels.some((l) => l.anomaly)).toBe(true);
  });
  afterAll(async () => tmp.cleanup());

  it('judges perfect scores: counts match labels.csv, roc_auc 1, breakdowns add up', async () => {
    const scores = await writeScores('perfect.csv', perfectRows());
    const r = await runHarness(['evaluate', '--scores', scores, '--data', fleet, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as EvalJson; // exactly one JSON object on stdout
    const anomalies = labels.filter((l) => l.anomaly).length;
    expect(out).toMatchObject({
      n: labels.length,
      positives: anomalies,
      negatives: labels.length - anomalies,
    });
    expect(out.metrics).toMatchObject({
      roc_auc: 1,
      average_precision: 1,
      precision: 1,
      recall: 1,
      f1: 1,
      threshold: 0.5,
    });
    expect(out.ci['roc_auc']).toMatchObject({ method: 'delong', level: 0.95 });
    expect(Object.keys(out.breakdown).sort()).toEqual([
      'failure_type',
      'lead_time_bucket',
      'operational_mode',
      'scenario_tags',
      'season',
      'source',
    ]);
    const ft = out.breakdown['failure_type']!;
    const anomalyStrata = ft.filter((c) => c.stratum !== 'none');
    expect(anomalyStrata.reduce((a, c) => a + c.n, 0)).toBe(anomalies);
    for (const c of anomalyStrata) {
      expect(c.n).toBe(labels.filter((l) => l.failureType === c.stratum).length);
      expect(c.positives).toBe(c.n);
      expect(c.metrics['roc_auc']).toBe(1);
    }
    expect(ft.find((c) => c.stratum === 'none')).toMatchObject({
      n: labels.length - anomalies,
      positives: 0,
      metrics: { roc_auc: null },
    });
    for (const column of ['operational_mode', 'season', 'source']) {
      expect(out.breakdown[column]!.reduce((a, c) => a + c.n, 0)).toBe(labels.length);
    }
  });

  it('judges seeded random scores: the text report shows the headline AUC, threshold and strata', async () => {
    const rand = mulberry32(42);
    const scores = await writeScores(
      'random.csv',
      labels.map((l) => `${l.id},${rand().toFixed(6)}`),
    );
    const json = JSON.parse(
      (
        await runHarness([
          'evaluate',
          '--scores',
          scores,
          '--data',
          fleet,
          '--json',
          '--threshold',
          '0.7',
        ])
      ).stdout,
    ) as EvalJson;
    const auc = json.metrics['roc_auc']!;
    expect(auc).toBeGreaterThan(0);
    expect(auc).toBeLessThan(1);
    expect(json.metrics['threshold']).toBe(0.7);
    const ci = json.ci['roc_auc']!;
    expect(ci.low).toBeLessThanOrEqual(auc);
    expect(ci.high).toBeGreaterThanOrEqual(auc);

    const r = await runHarness(['evaluate', '--scores', scores, '--data', fleet]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `ROC AUC\\s+${auc.toFixed(3)}\\s+\\[${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}\\]`,
      ),
    );
    expect(r.stdout).toContain('threshold 0.5 (the default');
    expect(r.stdout).toMatch(/^by failure_type$/m);
    expect(r.stdout).toMatch(/too few/);
  });

  it('reports undefined metrics as null with a reason when the labels hold only normals', async () => {
    const normals = labelsLines.filter((l) => l.split(',')[1] === 'normal');
    await writeFile(file('normals-labels.csv'), `${labelsHeader}\n${normals.join('\n')}\n`);
    const scores = await writeScores(
      'normals.csv',
      normals.map((l, i) => `${l.split(',')[0]},${(i / 100).toFixed(2)}`),
    );
    const r = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      file('normals-labels.csv'),
      '--data',
      fleet,
      '--json',
    ]);
    expect(r.code).toBe(0);
    // Not silent with --json either: stdout holds nulls, stderr says why.
    expect(r.stderr).toContain(
      `warning: all ${normals.length} evaluated systems are normal: ROC AUC is undefined (null) and average precision too; nothing was ranked`,
    );
    const out = JSON.parse(r.stdout) as EvalJson;
    expect(out).toMatchObject({ n: normals.length, positives: 0 });
    expect(out.metrics['roc_auc']).toBeNull();
    expect(out.metrics['average_precision']).toBeNull();
    expect(out.undefined['roc_auc']).toMatch(/no anomalies/);
    expect(out.ci['roc_auc']).toBeNull();
    const text = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      file('normals-labels.csv'),
      '--data',
      fleet,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/undefined metrics\n\s+roc_auc: .*no anomalies/);
  });

  it('exits 2 naming scores.csv:LINE for bad scores, never with a stack trace', async () => {
    const rows = perfectRows();
    rows[2] = `${labels[2]!.id},high`; // line 4
    rows[3] = `${labels[3]!.id},Infinity`; // line 5
    rows[4] = `${labels[4]!.id},NaN`; // line 6
    rows[5] = `${labels[1]!.id},0.25`; // line 7: duplicate of line 3
    const scores = await writeScores('scores.csv', rows);
    const r = await runHarness(['evaluate', '--scores', scores, '--data', fleet, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('scores.csv:4:2: score is not a number: "high"');
    expect(r.stderr).toMatch(/scores\.csv:5:2: score is not finite: "Infinity"/);
    expect(r.stderr).toMatch(/scores\.csv:6:2: score is not finite: "NaN"/);
    expect(r.stderr).toContain(
      `scores.csv:7:1: duplicate score for system ${labels[1]!.id}: lines 3 and 7`,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('exits 2 at the line of an integer score past 2^53 (read as a double, 2^53 + 1 tied with 2^53)', async () => {
    const rows = labels.map(
      (l) => `${l.id},${l.anomaly ? '9007199254740993' : '9007199254740992'}`,
    );
    const scores = await writeScores('scores-big-int.csv', rows);
    const r = await runHarness(['evaluate', '--scores', scores, '--data', fleet, '--json']);
    expect(r.code).toBe(2);
    const line = 2 + labels.findIndex((l) => l.anomaly);
    expect(r.stderr).toContain(
      `scores-big-int.csv:${line}:2: score 9007199254740993 is an integer past 2^53`,
    );
    // 2^53 itself, and the same value written as a double, are read as pandas reads them.
    const ok = await writeScores(
      'scores-2-53.csv',
      labels.map((l) => `${l.id},${l.anomaly ? '9007199254740992' : '9.007199254740993e15'}`),
    );
    expect((await runHarness(['evaluate', '--scores', ok, '--data', fleet, '--json'])).code).toBe(
      0,
    );
  });

  it('exits 2 for a flag given twice (a CI wrapper appending its own --labels judged against the last one)', async () => {
    const scores = await writeScores('scores-twice.csv', perfectRows());
    const labelsFile = path.join(fleet, 'labels.csv');
    const r = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--labels',
      labelsFile,
      '--labels',
      labelsFile,
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--labels is given twice (${JSON.stringify(labelsFile)} and ${JSON.stringify(labelsFile)}): give it once`,
    );
    expect(r.stdout).toBe('');
  });

  it('exits 2 for unmatched systems on either side, and --allow-missing drops them with a count', async () => {
    const rows = perfectRows().slice(0, -2); // the last two labels have no score
    rows.push('ghost-1,0.5'); // line rows.length + 1: a score without a label
    const scores = await writeScores('unmatched.csv', rows);
    const r = await runHarness(['evaluate', '--scores', scores, '--data', fleet]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `unmatched.csv:${rows.length + 1}:1: system ghost-1 has a score but no label`,
    );
    for (const l of labels.slice(-2))
      expect(r.stderr).toContain(
        `labels.csv:${l.line}:1: system ${l.id} (source synthetic) is labelled but has no score`,
      );
    expect(r.stderr).toContain('--allow-missing');

    const ok = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--json',
      '--allow-missing',
    ]);
    expect(ok.code).toBe(0);
    // Which labels were dropped is said: a scorer that skipped failing systems looks better.
    const a = labels.slice(-2).filter((l) => l.anomaly).length;
    expect(ok.stderr).toContain(
      `warning: dropped 1 score without a label and 2 labels without a score (${a} of them ${a === 1 ? 'an anomaly' : 'anomalies'}, ${2 - a} normal)\n`,
    );
    expect((JSON.parse(ok.stdout) as EvalJson).n).toBe(labels.length - 2);

    // --max-missing caps the share of labels dropped: 2 of them is over a cap of 1 label's share.
    const share = (k: number) => String(k / labels.length);
    const capped = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--allow-missing',
      '--max-missing',
      share(1),
    ]);
    expect(capped.code).toBe(2);
    expect(capped.stderr).toContain(
      `--allow-missing dropped 2 labels of ${labels.length} (${(200 / labels.length).toFixed(1)} %, ${a} of them ${a === 1 ? 'an anomaly' : 'anomalies'}): more than --max-missing ${share(1)}`,
    );
    const within = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--allow-missing',
      '--max-missing',
      share(2),
    ]);
    expect(within.code, within.stderr).toBe(0);
    for (const [args, says] of [
      [['--max-missing', '0.1'], '--max-missing caps what --allow-missing drops: pass both'],
      [
        ['--allow-missing', '--max-missing', '1.5'],
        '--max-missing is a share of the labels in [0, 1]',
      ],
    ] as const) {
      const bad = await runHarness(['evaluate', '--scores', scores, '--data', fleet, ...args]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(says);
    }
  });

  it('judges against the labels of every source folder of a data dir by default, naming the file of an unscored label', async () => {
    const data = file('data');
    await cp(fleet, path.join(data, 'synthetic'), { recursive: true });
    await mkdir(path.join(data, 'real', 'raw'), { recursive: true });
    await writeFile(
      path.join(data, 'real', 'metadata.csv'),
      'system_id,source,operational_mode,season\nsite9-rack3,real,arbitrage,summer\n',
    );
    await writeFile(
      path.join(data, 'real', 'raw', 'site9-rack3.csv'),
      'timestamp,voltage_v\n2026-01-01T00:00:00Z,801.5\n',
    );
    await writeFile(
      path.join(data, 'real', 'labels.csv'),
      // A real label that does not know when the failure happened: empty failure_at and onset_at.
      `${labelsHeader}\nsite9-rack3,anomaly,insulation_fault,12.5,real,3,,\n`,
    );
    const missing = await runHarness([
      'evaluate',
      '--scores',
      await writeScores('no-real.csv', perfectRows()),
      '--data',
      data,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `${path.join(data, 'real', 'labels.csv')}:2:1: system site9-rack3 (source real) is labelled but has no score`,
    );
    const r = await runHarness([
      'evaluate',
      '--scores',
      await writeScores('with-real.csv', [...perfectRows(), 'site9-rack3,1']),
      '--data',
      data,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as EvalJson & { files: { labels: string[] } };
    const anomalies = labels.filter((l) => l.anomaly).length;
    expect(out).toMatchObject({
      n: labels.length + 1,
      positives: anomalies + 1,
      metrics: { roc_auc: 1 },
    });
    expect(out.files.labels).toEqual([
      path.join(data, 'synthetic', 'labels.csv'),
      path.join(data, 'real', 'labels.csv'),
    ]);
  });

  it('says a --metadata file that --by gives no use is not read (a damaged one passed as if checked)', async () => {
    const scores = await writeScores('scores-meta-unused.csv', perfectRows());
    const meta = file('damaged-metadata.csv');
    await writeFile(meta, 'not,a,metadata,file\n');
    const evaluateBy = (by: string) =>
      runHarness([
        'evaluate',
        '--scores',
        scores,
        '--labels',
        path.join(fleet, 'labels.csv'),
        '--metadata',
        meta,
        '--by',
        by,
        '--json',
      ]);
    const r = await evaluateBy('failure_type');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`--metadata ${meta} is not read: --by names no metadata column`);
    const used = await evaluateBy('season');
    expect(used.code).toBe(2);
  });

  it('exits 2 for an unknown --by column, naming the known ones', async () => {
    const scores = await writeScores('by.csv', perfectRows());
    const r = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--by',
      'season,colour',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /unknown column "colour" \(known: failure_type, operational_mode, season/,
    );
    const ok = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--json',
      '--by',
      'season',
    ]);
    expect(Object.keys((JSON.parse(ok.stdout) as EvalJson).breakdown)).toEqual(['season']);
  });

  it('writes ROC, PR, score-distribution and breakdown SVGs with --plots', async () => {
    const rand = mulberry32(7);
    const scores = await writeScores(
      'plots.csv',
      labels.map((l) => `${l.id},${(rand() + (l.anomaly ? 0.5 : 0)).toFixed(4)}`),
    );
    const dir = file('plots');
    const r = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--json',
      '--by',
      'failure_type,season',
      '--plots',
      dir,
    ]);
    expect(r.code).toBe(0);
    const auc = (JSON.parse(r.stdout) as EvalJson).metrics['roc_auc']!;
    expect((await readdir(dir)).sort()).toEqual([
      'breakdown-failure_type.svg',
      'breakdown-season.svg',
      'pr.svg',
      'roc.svg',
      'score-distribution.svg',
    ]);
    const svg = async (name: string): Promise<string> => {
      const text = await readFile(path.join(dir, name), 'utf8');
      expect(text.startsWith('<svg')).toBe(true);
      return text;
    };
    const roc = await svg('roc.svg');
    expect(roc).toContain(`AUC ${auc.toFixed(3)}`);
    expect(roc).toContain('false positive rate');
    expect(await svg('pr.svg')).toMatch(/AP \d\.\d{3}/);
    expect(await svg('score-distribution.svg')).toContain('anomaly');
    const bd = await svg('breakdown-failure_type.svg');
    expect(bd).toContain('ROC AUC by failure type');
    expect(bd).toContain('cell_imbalance');

    // Again with one breakdown: the season chart of the first evaluation is not left beside it.
    const again = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--json',
      '--by',
      'failure_type',
      '--plots',
      dir,
    ]);
    expect(again.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([
      'breakdown-failure_type.svg',
      'pr.svg',
      'roc.svg',
      'score-distribution.svg',
    ]);

    // A chart that cannot be written (a folder in its place): exit 2, no report printed, and
    // the earlier charts untouched (none of the set was written).
    const blocked = file('plots-blocked');
    await mkdir(path.join(blocked, 'score-distribution.svg'), { recursive: true });
    await writeFile(path.join(blocked, 'roc.svg'), 'earlier');
    const r2 = await runHarness([
      'evaluate',
      '--scores',
      scores,
      '--data',
      fleet,
      '--json',
      '--plots',
      blocked,
    ]);
    expect(r2.code).toBe(2);
    expect(r2.stdout).toBe('');
    expect(r2.stderr).toContain(
      `cannot write chart ${path.join(blocked, 'score-distribution.svg')}: a folder is there; no chart was written`,
    );
    expect(await readFile(path.join(blocked, 'roc.svg'), 'utf8')).toBe('earlier');
    expect((await readdir(blocked)).sort()).toEqual(['roc.svg', 'score-distribution.svg']);
  });

  // Node's mkdir(…, { recursive: true }) spun forever here (100 % CPU, no exit): a hung CI job.
  it.runIf(process.platform === 'linux')(
    '--plots a folder that cannot be made (under /proc): exit 2 naming it, no stack',
    async () => {
      const scores = await writeScores(
        'plots-proc.csv',
        labels.map((l) => `${l.id},0.5`),
      );
      const r = await runHarness([
        'evaluate',
        '--scores',
        scores,
        '--data',
        fleet,
        '--plots',
        '/proc/bess-harness-plots',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'harness: cannot create the folder /proc/bess-harness-plots: no such file or folder (ENOENT)',
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
