import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/errors.ts';
import {
  appendLabelHistory,
  type HistoryEntry,
  parseLabelHistory,
} from '../../../src/data/label-history.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-history-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const HEADER = 'changed_at,labeler,source,system_id,before,after';
const row = (version: number) => ({
  system_id: 'r1',
  label: 'normal' as const,
  failure_type: 'none' as const,
  lead_time_days: null,
  source: 'real' as const,
  label_version: version,
});
const change = (version: number): HistoryEntry => ({
  changed_at: '2026-01-01T00:00:00Z',
  labeler: 'ann',
  source: 'real',
  system_id: 'r1',
  before: version > 1 ? row(version - 1) : null,
  after: row(version),
});

describe('the label history', () => {
  it('names each damaged line and field', () => {
    const problems: Problem[] = [];
    const text = [
      HEADER,
      '2026-01-01T00:00:00Z,ann,real,r1,,"{""label"":""normal""}"',
      '2026-01-01T00:00:00Z,ann,real,r1,,{not json}',
      'yesterday,ann,real,r1,,"{}"',
      '2026-01-01T00:00:00Z,ann,both,r1,,"{}"',
      '2026-01-01T00:00:00Z,ann,real,r1,,',
      '=======',
    ].join('\n');
    const entries = parseLabelHistory(`${text}\n`, 'h.csv', (p) => problems.push(p));
    expect(entries.map((e) => e.line)).toEqual([2]);
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`).sort()).toEqual([
      '3:6: after is not empty nor the JSON of a label row',
      '4:1: changed_at is not an ISO 8601 UTC timestamp: "yesterday"',
      '5:3: source must be synthetic or real, found "both"',
      '6:5: before and after are both empty',
      '7:2: row has 1 field but the header has 6',
    ]);
  });

  it('refuses to append to a history damaged above what this process last wrote, naming the line', async () => {
    const file = path.join(dir, 'labels.history.csv');
    await appendLabelHistory(file, [change(1)]);
    await appendLabelHistory(file, [change(2)]);
    // A merge that changed line 2 in place: the file is as long as before, its start is not.
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[1] = (lines[1] as string).replace('"{', '{');
    await writeFile(file, lines.join('\n'));
    const damaged = await readFile(file, 'utf8');
    await expect(appendLabelHistory(file, [change(3)])).rejects.toThrow(
      new RegExp(`^${file}:2:\\d+: .*The label history is damaged`),
    );
    expect(await readFile(file, 'utf8')).toBe(damaged);
  });
});
