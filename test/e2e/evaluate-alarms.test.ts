import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

const DAY = 86_400_000;

interface Row {
  readonly id: string;
  readonly anomaly: boolean;
  readonly failureType: string;
  readonly failureAt: number;
  readonly onsetAt: number;
  readonly first: number;
  readonly last: number;
}

describe('harness evaluate --alarms', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let fleet: string;
  let rows: Row[];

  beforeAll(async () => {
    tmp = await tempDir();
    fleet = path.join(tmp.dir, 'fleet');
    const g = await runHarness([
      'generate',
      '--systems',
      '24',
      '--days',
      '3',
      '--interval',
      '1h',
      '--seed',
      '11',
      '--out',
      fleet,
    ]);
    expect(g.code, g.stderr).toBe(0);
    const [header = '', ...lines] = (await readFile(path.join(fleet, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n');
    const col = header.split(',');
    rows = [];
    for (const line of lines) {
      const f = line.split(',');
      const get = (name: string): string => f[col.indexOf(name)] ?? '';
      const id = get('system_id');
      const series = (await readFile(path.join(fleet, 'raw', `${id}.csv`), 'utf8'))
        .trim()
        .split('\n');
      const ts = (l: string): number => Date.parse(l.slice(0, l.indexOf(',')));
      rows.push({
        id,
        anomaly: get('label') === 'anomaly',
        failureType: get('failure_type'),
        failureAt: get('failure_at') === '' ? NaN : Date.parse(get('failure_at')),
        onsetAt: get('onset_at') === '' ? NaN : Date.parse(get('onset_at')),
        first: ts(series[1]!),
        last: ts(series[series.length - 1]!),
      });
    }
  });
  afterAll(async () => tmp.cleanup());

  it('the generator writes failure_at and onset_at for every failure, and only for failures', () => {
    const failures = rows.filter((r) => r.anomaly);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    for (const r of failures) {
      expect(r.onsetAt).toBeLessThanOrEqual(r.failureAt);
      expect(r.onsetAt).toBeLessThanOrEqual(r.last); // within the series or before it
      expect(r.failureAt).toBeGreaterThan(r.last);
    }
    for (const r of rows.filter((x) => !x.anomaly)) expect(r.failureAt).toBeNaN();
  });

  it('reports warning days, caught with 7 d warning and false alarms per system-month from the alarms written', async () => {
    const failures = rows.filter((r) => r.anomaly);
    const normals = rows.filter((r) => !r.anomaly);
    const lines: string[] = [];
    const warnings: number[] = [];
    // Alarms from a source that watched the rack before its series starts (the onset may lie
    // before the first sample): counted, and the harness says how many.
    let beforeData = 0;
    failures.forEach((r, i) => {
      const lead = i % 3 === 0 ? 3 : i % 3 === 1 ? 10 : null; // the third failure of each three is missed
      if (lead === null) return;
      const t = r.failureAt - lead * DAY;
      lines.push(`${r.id},${new Date(t).toISOString()},0.9`);
      if (t >= r.onsetAt) warnings.push(lead); // an alarm before the onset detects nothing
      if (t < r.first) beforeData++;
    });
    // Normals: two alarms on each of the first three, the second repeated at the same instant (one alarm).
    let falseAlarms = 0;
    for (const r of normals.slice(0, 3)) {
      lines.push(`${r.id},${new Date(r.first + 3_600_000).toISOString()},0.7`);
      lines.push(`${r.id},${new Date(r.first + 7_200_000).toISOString()},0.8`);
      lines.push(`${r.id},${new Date(r.first + 7_200_000).toISOString()},`);
      falseAlarms += 2;
    }
    const alarms = path.join(tmp.dir, 'alarms.csv');
    await writeFile(alarms, `system_id,alarm_at,score\n${lines.join('\n')}\n`);
    const r = await runHarness(['evaluate', '--alarms', alarms, '--data', fleet, '--json']);
    if (beforeData === 0) expect(r.stderr).toBe('');
    else
      expect(r.stderr).toMatch(
        new RegExp(
          `^warning: ${beforeData} alarms? on failing systems before the first sample of their series [^\n]*\n$`,
        ),
      );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      metrics: Record<string, number | null>;
      breakdown: { failure_type: { stratum: string }[] } & Record<
        string,
        { stratum: string; systems: number; metrics: Record<string, number | null> }[]
      >;
    };
    const months = normals.reduce((a, n) => a + (n.last - n.first) / DAY, 0) / 30.44;
    expect(out.metrics['false_alarms_per_system_month']).toBeCloseTo(falseAlarms / months, 9);
    expect(out.metrics['caught_with_7d_warning']).toBeCloseTo(
      warnings.filter((w) => w >= 7).length / failures.length,
      12,
    );
    expect(warnings.length).toBeGreaterThan(0);
    expect(out.metrics['warning_days']).toBeCloseTo(
      warnings.reduce((a, b) => a + b, 0) / warnings.length,
      9,
    );
    expect(out.metrics['event_recall']).toBeCloseTo(warnings.length / failures.length, 12);
    expect(out.breakdown.failure_type.map((c) => c.stratum)).toEqual(
      [...new Set(failures.map((f) => f.failureType))].sort(),
    );

    // Every other default column is broken down too, each stratum on its own systems: the
    // false alarms per system-month of the normals in each operating mode, by hand.
    const [mh = '', ...mlines] = (await readFile(path.join(fleet, 'metadata.csv'), 'utf8'))
      .trim()
      .split('\n');
    const mcol = mh.split(',');
    const modeOf = new Map(
      mlines.map((l) => {
        const f = l.split(',');
        return [f[mcol.indexOf('system_id')]!, f[mcol.indexOf('operational_mode')]!];
      }),
    );
    const alarmed = new Set(normals.slice(0, 3).map((n) => n.id));
    const modes = out.breakdown.operational_mode!;
    expect(modes.map((c) => c.stratum)).toEqual([...new Set(modeOf.values())].sort());
    for (const cell of modes) {
      const mine = normals.filter((n) => modeOf.get(n.id) === cell.stratum);
      expect(cell.systems).toBe(rows.filter((x) => modeOf.get(x.id) === cell.stratum).length);
      const m = mine.reduce((a, n) => a + (n.last - n.first) / DAY, 0) / 30.44;
      const fa = mine.filter((n) => alarmed.has(n.id)).length * 2;
      if (mine.length === 0) expect(cell.metrics['false_alarms_per_system_month']).toBeNull();
      else expect(cell.metrics['false_alarms_per_system_month']).toBeCloseTo(fa / m, 9);
    }
    for (const column of ['season', 'lead_time_bucket', 'scenario_tags', 'source'])
      expect(out.breakdown[column], column).toBeDefined();

    // Options reach the metrics: a cooldown longer than the spacing merges each normal's two alarms.
    const merged = await runHarness([
      'evaluate',
      '--alarms',
      alarms,
      '--data',
      fleet,
      '--json',
      '--cooldown',
      '1',
      '--nab',
    ]);
    expect(merged.code).toBe(0);
    const m = JSON.parse(merged.stdout) as { metrics: Record<string, number | null> };
    expect(m.metrics['false_alarms_per_system_month']).toBeCloseTo(falseAlarms / 2 / months, 9);
    expect(m.metrics['event_recall_weighted']).toBeGreaterThan(0);
    expect(m.metrics['event_recall_weighted']).toBeLessThanOrEqual(m.metrics['event_recall']!);

    const text = await runHarness(['evaluate', '--alarms', alarms, '--data', fleet]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/false_alarms_per_system_month/);

    // --plots: the warning-time chart as SVG, one point per caught failure, each failure type named.
    const plots = path.join(tmp.dir, 'alarm-plots');
    const p = await runHarness([
      'evaluate',
      '--alarms',
      alarms,
      '--data',
      fleet,
      '--json',
      '--plots',
      plots,
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ kind: 'alarms' }); // stdout is still only the JSON
    expect(p.stderr).toContain('wrote 1 SVG chart to');
    expect(await readdir(plots)).toEqual(['warning-time.svg']);
    const svg = await readFile(path.join(plots, 'warning-time.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    const caught =
      /<g class="mark-symbol role-mark caught_marks"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1] ?? '';
    expect((caught.match(/<path/g) ?? []).length).toBe(warnings.length);
    for (const type of new Set(failures.map((f) => f.failureType)))
      expect(svg).toContain(`>${type}<`);
  });

  it('locates bad alarms and exits 2', async () => {
    const bad = path.join(tmp.dir, 'bad.csv');
    await writeFile(
      bad,
      `system_id,alarm_at\n${rows[0]!.id},2026-01-01 00:00:00\nno-such-system,2026-01-01T00:00:00Z\n`,
    );
    const r = await runHarness(['evaluate', '--alarms', bad, '--data', fleet]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:2: alarm_at is not an ISO 8601 UTC timestamp`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await writeFile(bad, `system_id,alarm_at\nno-such-system,2026-01-01T00:00:00Z\n`);
    const unlabelled = await runHarness(['evaluate', '--alarms', bad, '--data', fleet]);
    expect(unlabelled.code).toBe(2);
    expect(unlabelled.stderr).toContain(
      `${bad}:2:1: system no-such-system has an alarm but no label`,
    );
  });

  it('says the span is missing when only --labels is given', async () => {
    const alarms = path.join(tmp.dir, 'none.csv');
    await writeFile(alarms, 'system_id,alarm_at\n');
    const r = await runHarness([
      'evaluate',
      '--alarms',
      alarms,
      '--labels',
      path.join(fleet, 'labels.csv'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/observed span .* pass --data DIR/);
  });
});
