import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/data/csv-read.ts';
import { readLabelsFile } from '../../../src/data/load-labels.ts';
import { HarnessError } from '../../../src/errors.ts';
import { LabelStore, validateLabelInput, type SaveResult } from '../../../src/label/store.ts';
import { tempDir } from '../../helpers/run-harness.ts';

const HEADER = 'system_id,label,failure_type,lead_time_days,source,label_version,confidence,notes';
const INITIAL = [
  HEADER,
  'real-b,anomaly,internal_short,7.50,real,3,,"kept, as ""is"""',
  'sys-0001,normal,none,,synthetic,1,,',
  'sys-0002,anomaly,cell_imbalance,2.03,synthetic,1,,',
  'real-a,normal,none,,real,2,0.9,',
].join('\n');

const normal = (labeler = 'ann', extra: Record<string, unknown> = {}) => ({
  label: 'normal',
  labeler,
  ...extra,
});
const anomaly = (extra: Record<string, unknown> = {}) => ({
  label: 'anomaly',
  failure_type: 'thermal_runaway',
  lead_time_days: 4,
  labeler: 'bob',
  ...extra,
});

function saved(r: SaveResult) {
  if (r.status !== 'saved') throw new Error(`expected saved, got ${JSON.stringify(r)}`);
  return r;
}

async function historyRows(file: string): Promise<string[][]> {
  const table = parseCsv(await readFile(file, 'utf8'), file, (p) => {
    throw new Error(p.message);
  });
  expect(table.header).toEqual(['changed_at', 'labeler', 'source', 'system_id', 'before', 'after']);
  return table.records.map((r) => [...r.fields]);
}

describe('validateLabelInput', () => {
  const errorsOf = (body: unknown) => {
    const r = validateLabelInput(body);
    return r.ok ? [] : r.errors;
  };
  const fields = (body: unknown) => errorsOf(body).map((e) => e.field);

  it('accepts a normal and an anomaly, forcing a normal to failure_type none and no lead time', () => {
    const n = validateLabelInput({
      label: 'normal',
      failure_type: '',
      lead_time_days: '',
      confidence: '0.5',
      notes: 'ok',
      labeler: ' ann ',
    });
    expect(n).toEqual({
      ok: true,
      value: {
        label: 'normal',
        failure_type: 'none',
        lead_time_days: null,
        confidence: 0.5,
        notes: 'ok',
        labeler: 'ann',
        expected_version: undefined,
        failure_at: null,
        onset_at: null,
      },
    });
    const a = validateLabelInput({
      label: 'anomaly',
      failure_type: 'cooling_failure',
      lead_time_days: '0',
      labeler: 'bob',
      expected_version: 2,
    });
    expect(a.ok && a.value).toMatchObject({
      failure_type: 'cooling_failure',
      lead_time_days: 0,
      confidence: null,
      expected_version: 2,
    });
  });

  it('checks failure_at and onset_at with the rules of labels.csv', () => {
    expect(fields(anomaly({ failure_at: '2026-01-01 00:00:00' }))).toEqual(['failure_at']);
    expect(fields(anomaly({ failure_at: '2026-01-01T00:00:00+01:00' }))).toEqual(['failure_at']);
    expect(fields(anomaly({ onset_at: 5 }))).toEqual(['onset_at']);
    expect(errorsOf(anomaly({ onset_at: '2026-01-01T00:00:00Z', failure_at: '' }))).toEqual([
      { field: 'onset_at', message: 'onset_at needs a failure_at (the onset of which failure?)' },
    ]);
    expect(
      errorsOf(anomaly({ failure_at: '2026-01-01T00:00:00Z', onset_at: '2026-01-02T00:00:00Z' }))[0]
        ?.message,
    ).toMatch(/onset_at 2026-01-02T00:00:00Z is after failure_at 2026-01-01T00:00:00Z/);
    expect(errorsOf(normal('ann', { failure_at: '2026-01-01T00:00:00Z' }))).toEqual([
      {
        field: 'failure_at',
        message: 'a normal system did not fail: leave failure_at empty, found 2026-01-01T00:00:00Z',
      },
    ]);
    // Empty on a normal is fine (the form sends the empty field).
    expect(errorsOf(normal('ann', { failure_at: '', onset_at: null }))).toEqual([]);
    const ok = validateLabelInput(
      anomaly({ failure_at: '2026-01-02T00:00:00Z', onset_at: '2026-01-02T00:00:00Z' }),
    );
    expect(ok.ok && ok.value).toMatchObject({
      failure_at: '2026-01-02T00:00:00Z',
      onset_at: '2026-01-02T00:00:00Z',
    });
  });

  it('names every bad field with a message that says what is expected', () => {
    expect(fields({ labeler: 'x' })).toEqual(['label']);
    expect(errorsOf({ label: 'broken', labeler: 'x' })[0]?.message).toMatch(
      /normal or anomaly, got "broken"/,
    );
    expect(fields({ label: 'anomaly', labeler: 'x' })).toEqual(['failure_type', 'lead_time_days']);
    expect(
      errorsOf({ label: 'anomaly', failure_type: 'none', lead_time_days: 1, labeler: 'x' })[0]
        ?.message,
    ).toMatch(/an anomaly needs a failure type/);
    expect(
      errorsOf({ label: 'anomaly', failure_type: 'fire', lead_time_days: 1, labeler: 'x' })[0]
        ?.message,
    ).toMatch(/one of thermal_runaway/);
    expect(
      errorsOf({ label: 'anomaly', failure_type: 'fire', lead_time_days: 1, labeler: 'x' }).map(
        (e) => e.field,
      ),
    ).toEqual(['failure_type']);
    expect(
      errorsOf({
        label: 'anomaly',
        failure_type: 'capacity_fade',
        lead_time_days: -2,
        labeler: 'x',
      })[0],
    ).toEqual({
      field: 'lead_time_days',
      message:
        'lead_time_days must be from 0 to 3650 (days from the last sample to the failure; ten years at most), got -2',
    });
    // Seconds written as days: 2 days = 172800 s.
    expect(
      errorsOf({
        label: 'anomaly',
        failure_type: 'capacity_fade',
        lead_time_days: 172_800,
        labeler: 'x',
      }).map((e) => e.field),
    ).toEqual(['lead_time_days']);
    expect(
      fields({
        label: 'anomaly',
        failure_type: 'capacity_fade',
        lead_time_days: 'soon',
        labeler: 'x',
      }),
    ).toEqual(['lead_time_days']);
    // Number() reads these as numbers; a label must not (0x10 would be saved as 16 days)
    for (const odd of ['0x10', '0b11', '0o7', 'Infinity', '1_000']) {
      expect(
        fields({
          label: 'anomaly',
          failure_type: 'capacity_fade',
          lead_time_days: odd,
          labeler: 'x',
        }),
        odd,
      ).toEqual(['lead_time_days']);
    }
    expect(
      fields({
        label: 'anomaly',
        failure_type: 'capacity_fade',
        lead_time_days: '2.5e1',
        labeler: 'x',
        confidence: '.5',
      }),
    ).toEqual([]);
    expect(
      fields({ label: 'normal', failure_type: 'capacity_fade', lead_time_days: 3, labeler: 'x' }),
    ).toEqual(['failure_type', 'lead_time_days']);
    expect(errorsOf({ label: 'normal', confidence: 1.5, labeler: 'x' })[0]?.message).toBe(
      'confidence must be a number from 0 to 1, got 1.5',
    );
    expect(fields({ label: 'normal', confidence: 'high', labeler: 'x' })).toEqual(['confidence']);
    expect(fields({ label: 'normal', labeler: '  ' })).toEqual(['labeler']);
    expect(fields({ label: 'normal', labeler: 'a\nb' })).toEqual(['labeler']);
    expect(fields({ label: 'normal', labeler: 'x', notes: 'n'.repeat(5000) })).toEqual(['notes']);
    expect(fields({ label: 'normal', labeler: 'x', notes: 42 })).toEqual(['notes']);
    expect(fields({ label: 'normal', labeler: 'x', expected_version: -1 })).toEqual([
      'expected_version',
    ]);
    expect(fields({ label: 'normal', labeler: 'x', colour: 'red' })).toEqual(['colour']);
    expect(fields([1, 2])).toEqual(['']);
    expect(fields(null)).toEqual(['']);
  });

  it('refuses text with a lone surrogate, which UTF-8 cannot hold (the file would get U+FFFD instead)', () => {
    // JSON.parse('"\\ud800"') is a string no file can store: labels.csv would hold U+FFFD while
    // the reply and the history said the text was saved as sent.
    expect(fields({ label: 'normal', labeler: 'x', notes: 'before \ud800 after' })).toEqual([
      'notes',
    ]);
    expect(errorsOf({ label: 'normal', labeler: 'x', notes: '\udc00' })[0]?.message).toMatch(
      /lone surrogate/,
    );
    expect(fields({ label: 'normal', labeler: 'an\ud83dn' })).toEqual(['labeler']);
    // A whole pair (an emoji) is fine.
    expect(fields({ label: 'normal', labeler: 'ann \ud83d\ude00', notes: '🔥 hot' })).toEqual([]);
  });

  it('takes a labeler of one line only: no C0 or C1 control, DEL, or Unicode line separator', () => {
    for (const c of ['\n', '\t', '\u0085', '\u007f', '\u009b', '\u2028', '\u2029'])
      expect(errorsOf({ label: 'normal', labeler: `ann${c}bob` }), JSON.stringify(c)).toEqual([
        { field: 'labeler', message: 'labeler must be one line of text' },
      ]);
    expect(fields({ label: 'normal', labeler: 'Zoë Ångström 李' })).toEqual([]);
  });

  it('counts the characters of notes and labeler as a person does: an emoji is one', () => {
    expect(fields({ label: 'normal', labeler: 'x', notes: '🔥'.repeat(4000) })).toEqual([]);
    expect(errorsOf({ label: 'normal', labeler: 'x', notes: '🔥'.repeat(4001) })[0]?.message).toBe(
      'notes are limited to 4000 characters (got 4001)',
    );
    expect(fields({ label: 'normal', labeler: '🔥'.repeat(100) })).toEqual([]);
  });
});

// A flat folder (raw/ and labels.csv at its top): one labels file, whatever the sources of its rows.
describe('LabelStore', () => {
  let t: { dir: string; cleanup: () => Promise<void> };
  let labelsPath: string;
  let historyPath: string;
  let clock: number;
  const store = () =>
    new LabelStore(t.dir, { now: () => new Date(Date.UTC(2026, 0, 1) + clock++ * 1000) });

  beforeEach(async () => {
    t = await tempDir('label-store-');
    labelsPath = path.join(t.dir, 'labels.csv');
    historyPath = path.join(t.dir, 'labels.history.csv');
    clock = 0;
    await mkdir(path.join(t.dir, 'raw'));
    await writeFile(labelsPath, `${INITIAL}\n`);
  });
  afterEach(async () => t.cleanup());

  it("removes the temp files a killed save left (kill -9 before the rename), never a live process's", async () => {
    const dead = 2_147_483_600; // past any pid_max: no such process
    const temps = {
      deadLabels: `${labelsPath}.tmp-${dead}-0123456789ab`,
      deadHistory: `${historyPath}.tmp-${dead}-0123456789ab`,
      live: `${labelsPath}.tmp-${process.ppid}-0123456789ab`,
      other: `${labelsPath}.tmp-notes`,
    };
    for (const f of Object.values(temps)) await writeFile(f, 'x');
    saved(await store().save('synthetic', 'sys-0001', anomaly({ expected_version: 1 })));
    const left = await readdir(t.dir);
    expect(left).not.toContain(path.basename(temps.deadLabels));
    expect(left).not.toContain(path.basename(temps.deadHistory));
    expect(left).toEqual(
      expect.arrayContaining([path.basename(temps.live), path.basename(temps.other)]),
    );
  });

  it('bumps the version of a changed row in place, keeps every other row byte for byte, and logs the change', async () => {
    const r = saved(
      await store().save(
        'synthetic',
        'sys-0001',
        anomaly({ confidence: 0.7, notes: 'ΔV grows, "fast"', expected_version: 1 }),
      ),
    );
    expect(r.row).toEqual({
      system_id: 'sys-0001',
      label: 'anomaly',
      failure_type: 'thermal_runaway',
      lead_time_days: 4,
      source: 'synthetic',
      label_version: 2,
      confidence: 0.7,
      notes: 'ΔV grows, "fast"',
      labeler: 'bob',
      labeled_at: '2026-01-01T00:00:00.000Z',
    });
    const text = await readFile(labelsPath, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`${HEADER},labeler,labeled_at`);
    // Other rows: same order, same fields (7.50 stays 7.50, the quoted note stays quoted).
    expect(lines[1]).toBe('real-b,anomaly,internal_short,7.50,real,3,,"kept, as ""is""",,');
    expect(lines[2]).toBe(
      'sys-0001,anomaly,thermal_runaway,4,synthetic,2,0.7,"ΔV grows, ""fast""",bob,2026-01-01T00:00:00.000Z',
    );
    expect(lines[3]).toBe('sys-0002,anomaly,cell_imbalance,2.03,synthetic,1,,,,');
    expect(lines[4]).toBe('real-a,normal,none,,real,2,0.9,,,');
    expect(await readLabelsFile(labelsPath)).toHaveLength(4);

    const history = await historyRows(historyPath);
    expect(history).toHaveLength(1);
    const [changedAt, labeler, source, id, before, after] = history[0] ?? [];
    expect([changedAt, labeler, source, id]).toEqual([
      '2026-01-01T00:00:00.000Z',
      'bob',
      'synthetic',
      'sys-0001',
    ]);
    expect(JSON.parse(before ?? '')).toEqual({
      system_id: 'sys-0001',
      label: 'normal',
      failure_type: 'none',
      lead_time_days: null,
      source: 'synthetic',
      label_version: 1,
    });
    expect(JSON.parse(after ?? '')).toEqual(r.row);
  });

  it('keeps failure_at and onset_at of an anomaly it saves, and drops them when it becomes normal', async () => {
    await writeFile(
      labelsPath,
      `${HEADER},failure_at,onset_at\nreal-b,anomaly,internal_short,7.50,real,3,,,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z\n`,
    );
    const kept = saved(await store().save('real', 'real-b', anomaly({ expected_version: 3 })));
    expect(kept.row).toMatchObject({
      failure_at: '2026-02-01T00:00:00Z',
      onset_at: '2026-01-01T00:00:00Z',
    });
    const dropped = saved(
      await store().save('real', 'real-b', normal('ann', { expected_version: 4 })),
    );
    expect(dropped.row).not.toHaveProperty('failure_at');
    expect(dropped.row).not.toHaveProperty('onset_at');
    expect(await readLabelsFile(labelsPath)).toHaveLength(1); // still a valid file
  });

  it('sets, keeps, changes and clears failure_at and onset_at, and writes them to labels.csv', async () => {
    const s = store();
    const set = saved(
      await s.save(
        'real',
        'real-b',
        anomaly({
          expected_version: 3,
          failure_at: ' 2026-03-01T12:00:00Z ',
          onset_at: '2026-02-20T00:00:00.5Z',
        }),
      ),
    );
    expect(set.row).toMatchObject({
      failure_at: '2026-03-01T12:00:00Z',
      onset_at: '2026-02-20T00:00:00.5Z',
      label_version: 4,
    });
    const rows = await readLabelsFile(labelsPath);
    expect(rows.find((r) => r.system_id === 'real-b')).toMatchObject({
      failure_at: '2026-03-01T12:00:00Z',
      onset_at: '2026-02-20T00:00:00.5Z',
    });
    // The other rows keep empty instants: only real-b has them.
    expect(rows.find((r) => r.system_id === 'real-a')).not.toHaveProperty('failure_at');
    // Same instants again: nothing to write. Not sent: kept.
    expect(
      (
        await s.save(
          'real',
          'real-b',
          anomaly({
            expected_version: 4,
            failure_at: '2026-03-01T12:00:00Z',
            onset_at: '2026-02-20T00:00:00.5Z',
          }),
        )
      ).status,
    ).toBe('unchanged');
    expect(
      saved(await s.save('real', 'real-b', anomaly({ expected_version: 4, notes: 'n' }))).row,
    ).toMatchObject({ failure_at: '2026-03-01T12:00:00Z', onset_at: '2026-02-20T00:00:00.5Z' });
    // A kept failure_at before a new onset_at is caught on save.
    const late = await s.save(
      'real',
      'real-b',
      anomaly({ expected_version: 5, onset_at: '2026-03-02T00:00:00Z' }),
    );
    expect(late).toEqual({
      status: 'invalid',
      errors: [
        {
          field: 'onset_at',
          message:
            'onset_at 2026-03-02T00:00:00Z is after failure_at 2026-03-01T12:00:00Z: a precursor starts before its failure',
        },
      ],
    });
    // Cleared with an empty field (what the form sends): both gone, columns kept empty.
    const cleared = saved(
      await s.save(
        'real',
        'real-b',
        anomaly({ expected_version: 5, failure_at: '', onset_at: null }),
      ),
    );
    expect(cleared.row).not.toHaveProperty('failure_at');
    expect(cleared.row).not.toHaveProperty('onset_at');
    expect((await readFile(labelsPath, 'utf8')).split('\n')[0]).toMatch(/,failure_at,onset_at$/);
  });

  it('refuses a bad failure_at and writes nothing', async () => {
    const before = await readFile(labelsPath, 'utf8');
    const r = await store().save(
      'real',
      'real-b',
      anomaly({ expected_version: 3, failure_at: '2026-02-30T00:00:00Z' }),
    );
    expect(r).toEqual({
      status: 'invalid',
      errors: [
        {
          field: 'failure_at',
          message:
            'failure_at is not an ISO 8601 UTC timestamp: "2026-02-30T00:00:00Z" (expected e.g. 2026-01-01T00:00:00Z)',
        },
      ],
    });
    expect(await readFile(labelsPath, 'utf8')).toBe(before);
  });

  it('appends a new row at version 1 with an empty before, and writes nothing for an unchanged label', async () => {
    const s = store();
    const r = saved(
      await s.save('real', 'real-new', normal('cy', { notes: 'quiet', expected_version: 0 })),
    );
    expect(r.row.label_version).toBe(1);
    expect(r.before).toBeNull();
    const rows = await readLabelsFile(labelsPath);
    expect(rows.map((x) => `${x.source}/${x.system_id}`)).toEqual([
      'real/real-b',
      'synthetic/sys-0001',
      'synthetic/sys-0002',
      'real/real-a',
      'real/real-new',
    ]);
    const again = await s.save(
      'real',
      'real-new',
      normal('someone-else', { notes: 'quiet', expected_version: 1 }),
    );
    expect(again.status).toBe('unchanged');
    const history = await s.history();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      labeler: 'cy',
      source: 'real',
      system_id: 'real-new',
      before: null,
      after: r.row,
    });
  });

  it('creates labels.csv and the history when there is no labels file yet', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(labelsPath);
    const r = saved(await store().save('real', 'r1', anomaly({ lead_time_days: 0 })));
    expect(await readLabelsFile(labelsPath)).toEqual([r.row]);
    expect(await historyRows(historyPath)).toHaveLength(1);
  });

  it('keeps the BOM and CRLF line ends of a labels file saved on Windows, so only the changed row differs', async () => {
    const lines = [
      `${HEADER},labeler,labeled_at`,
      'real-b,anomaly,internal_short,7.50,real,3,,"two\r\nlines",ann,2025-01-01T00:00:00Z',
      'sys-0001,normal,none,,synthetic,1,,,,',
      'sys-0002,anomaly,cell_imbalance,2.03,synthetic,1,,,,',
    ];
    await writeFile(labelsPath, `\ufeff${lines.join('\r\n')}\r\n`);
    saved(await store().save('synthetic', 'sys-0001', anomaly()));
    const expected = [
      lines[0],
      lines[1],
      'sys-0001,anomaly,thermal_runaway,4,synthetic,2,,,bob,2026-01-01T00:00:00.000Z',
      lines[3],
    ];
    expect(await readFile(labelsPath, 'utf8')).toBe(`\ufeff${expected.join('\r\n')}\r\n`);
  });

  it('writes a labels.csv that is a symlink through to its target, keeping the link', async () => {
    // Labels kept in a repository of their own and linked into the data folder: a rename over
    // the link replaced it with a plain file, and the label never reached the linked file.
    const { lstat, readlink, rename, symlink } = await import('node:fs/promises');
    const repo = path.join(t.dir, 'labels-repo');
    await mkdir(repo);
    const target = path.join(repo, 'labels.csv');
    await rename(labelsPath, target);
    await symlink(path.relative(t.dir, target), labelsPath);
    const r = saved(
      await store().save('synthetic', 'sys-0001', normal('ann', { notes: 'linked' })),
    );
    expect((await lstat(labelsPath)).isSymbolicLink()).toBe(true);
    expect(await readlink(labelsPath)).toBe(path.join('labels-repo', 'labels.csv'));
    expect((await readLabelsFile(target)).find((x) => x.system_id === 'sys-0001')).toEqual(r.row);
  });

  it('rejects invalid input, unsafe ids and unknown sources without touching the files', async () => {
    const s = store();
    const bad = await s.save('synthetic', 'sys-0001', { label: 'anomaly', labeler: 'x' });
    expect(bad.status === 'invalid' && bad.errors.map((e) => e.field)).toEqual([
      'failure_type',
      'lead_time_days',
    ]);
    const unsafe = await s.save('synthetic', '../etc/passwd', normal());
    expect(unsafe.status === 'invalid' && unsafe.errors[0]?.message).toMatch(
      /unsafe system id "..\/etc\/passwd"/,
    );
    const source = await s.save('lab', 'x', normal());
    expect(source.status === 'invalid' && source.errors[0]?.field).toBe('source');
    expect(await readFile(labelsPath, 'utf8')).toBe(`${INITIAL}\n`);
    expect(await s.history()).toEqual([]);
  });

  it('refuses a stale edit: the client loaded an older version than the file holds', async () => {
    const s = store();
    saved(await s.save('synthetic', 'sys-0002', anomaly({ expected_version: 1 })));
    const stale = await s.save('synthetic', 'sys-0002', normal('ann', { expected_version: 1 }));
    expect(stale.status).toBe('conflict');
    expect(stale.status === 'conflict' && stale.current).toMatchObject({
      label: 'anomaly',
      label_version: 2,
      labeler: 'bob',
    });
    // someone created the label meanwhile: "I saw no label" (0) is stale too
    saved(await s.save('real', 'fresh', normal('ann', { expected_version: 0 })));
    expect((await s.save('real', 'fresh', anomaly({ expected_version: 0 }))).status).toBe(
      'conflict',
    );
    expect((await s.get('synthetic', 'sys-0002'))?.label_version).toBe(2);
    expect(await s.history()).toHaveLength(2);
  });

  it('refuses to rewrite a labels file it cannot read completely', async () => {
    await writeFile(labelsPath, `${INITIAL}\nsys-0003,sideways,none,,synthetic,1,,\n`);
    await expect(
      store().save('synthetic', 'sys-0001', normal('x', { notes: 'n' })),
    ).rejects.toThrow(/cannot read labels/);
    expect(await readFile(labelsPath, 'utf8')).toContain('sideways');
  });

  it('20 parallel saves on different systems (from two stores on the file) lose no row and log every change', async () => {
    const a = store();
    const b = store();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).save(
          i % 3 ? 'real' : 'synthetic',
          `p-${i}`,
          i % 4
            ? normal(`u${i}`, { notes: `n${i}` })
            : anomaly({ notes: `n${i}`, expected_version: 0 }),
        ),
      ),
    );
    expect(results.every((r) => r.status === 'saved')).toBe(true);
    const rows = await readLabelsFile(labelsPath);
    expect(rows).toHaveLength(4 + 20);
    expect(rows.slice(0, 4).map((r) => r.system_id)).toEqual([
      'real-b',
      'sys-0001',
      'sys-0002',
      'real-a',
    ]);
    for (let i = 0; i < 20; i++) {
      const row = rows.find((r) => r.system_id === `p-${i}`);
      expect(row, `p-${i}`).toMatchObject({
        notes: `n${i}`,
        label_version: 1,
        source: i % 3 ? 'real' : 'synthetic',
      });
    }
    const history = await a.history();
    expect(history).toHaveLength(20);
    expect(new Set(history.map((h) => h.system_id)).size).toBe(20);
  });

  it('20 parallel saves on one system apply in turn: versions 2…21, each before is the previous after', async () => {
    const s = store();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.save('synthetic', 'sys-0001', normal(`u${i}`, { notes: `take ${i}` })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill('saved'));
    const rows = await readLabelsFile(labelsPath);
    expect(rows).toHaveLength(4);
    const final = rows.find((r) => r.system_id === 'sys-0001');
    expect(final?.label_version).toBe(21);
    const history = await s.history({ source: 'synthetic', systemId: 'sys-0001' });
    expect(history).toHaveLength(20);
    history.forEach((h, i) => {
      expect(h.after?.label_version).toBe(i + 2);
      expect(h.before?.label_version).toBe(i + 1);
      if (i > 0) expect(h.before).toEqual(history[i - 1]?.after);
    });
    expect(history.at(-1)?.after).toEqual(final);
    // every take is in the history even though only the last is in labels.csv
    expect(history.map((h) => h.after?.notes).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `take ${i}`).sort(),
    );
  });

  it('20 parallel stale-checked saves of one loaded version: exactly one wins, the rest get the winner back', async () => {
    const s = store();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.save('synthetic', 'sys-0002', normal(`u${i}`, { expected_version: 1 })),
      ),
    );
    const won = results.filter((r) => r.status === 'saved');
    expect(won).toHaveLength(1);
    const winner = saved(won[0] as SaveResult).row;
    for (const r of results.filter((x) => x.status !== 'saved'))
      expect(r).toEqual({ status: 'conflict', current: winner, expected: 1 });
    expect(await s.history()).toHaveLength(1);
  });
});

describe('LabelStore in a data dir', () => {
  let t: { dir: string; cleanup: () => Promise<void> };
  let clock: number;
  const store = () =>
    new LabelStore(t.dir, { now: () => new Date(Date.UTC(2026, 0, 1) + clock++ * 1000) });
  const file = (...p: string[]) => path.join(t.dir, ...p);
  const SYNTHETIC = `${HEADER}\nsys-0001,normal,none,,synthetic,1,,\n`;
  const REAL = `${HEADER}\nreal-a,normal,none,,real,2,0.9,\n`;

  beforeEach(async () => {
    t = await tempDir('label-store-dir-');
    clock = 0;
    for (const [source, text] of [
      ['synthetic', SYNTHETIC],
      ['real', REAL],
    ] as const) {
      await mkdir(file(source, 'raw'), { recursive: true });
      await writeFile(file(source, 'labels.csv'), text);
    }
  });
  afterEach(async () => t.cleanup());

  it("writes each label, and its history, into the labels file of the system's source only", async () => {
    const s = store();
    expect(s.labelsPath('real')).toBe(file('real', 'labels.csv'));
    expect(s.historyPath('synthetic')).toBe(file('synthetic', 'labels.history.csv'));
    const r = saved(await s.save('real', 'real-b', anomaly()));
    expect(await readFile(file('synthetic', 'labels.csv'), 'utf8')).toBe(SYNTHETIC);
    expect((await readLabelsFile(file('real', 'labels.csv'))).map((x) => x.system_id)).toEqual([
      'real-a',
      'real-b',
    ]);
    expect(await historyRows(file('real', 'labels.history.csv'))).toHaveLength(1);
    const n = saved(await s.save('synthetic', 'sys-0001', normal('ann', { notes: 'seen' })));
    expect(await historyRows(file('synthetic', 'labels.history.csv'))).toHaveLength(1);
    expect((await s.rows()).map((x) => `${x.source}/${x.system_id}/${x.label_version}`)).toEqual([
      'synthetic/sys-0001/2',
      'real/real-a/2',
      'real/real-b/1',
    ]);
    expect((await s.history()).map((h) => h.after)).toEqual([r.row, n.row]);
    expect(await s.history({ source: 'real' })).toHaveLength(1);
    expect((await s.get('real', 'real-b'))?.label).toBe('anomaly');
  });

  it('refuses a labels file holding a row of the other source, and a legacy labels.csv at the top', async () => {
    await writeFile(file('real', 'labels.csv'), `${REAL}sys-0009,normal,none,,synthetic,1,,\n`);
    await expect(store().save('real', 'real-a', anomaly())).rejects.toThrow(/cannot read labels/);
    await writeFile(file('labels.csv'), `${HEADER}\n`);
    const err = (() => {
      try {
        return store();
      } catch (e) {
        return e;
      }
    })() as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.message).toMatch(/labels\.csv: labels now live in each source folder/);
  });
});
