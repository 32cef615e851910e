/**
 * The columnar readers of labels, metadata and scores (the byte path with the exact path behind
 * it) against the row readers they replace in `harness evaluate`: the same rows for every file
 * the row readers accept, the same HarnessError (code, message, every file:line:column problem)
 * for every file they reject, on the conformance fixtures, a generated fleet and one mutation per
 * rule.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelRowAt, readLabelColumns } from '../../../src/data/label-columns.ts';
import { readLocatedLabels } from '../../../src/data/load-labels.ts';
import { readLocatedMetadata } from '../../../src/data/load-metadata.ts';
import { readScoresFile } from '../../../src/data/load-scores.ts';
import { metadataRowAt, readMetadataColumns } from '../../../src/data/metadata-columns.ts';
import { readScoreColumns, scoreRowAt } from '../../../src/data/score-columns.ts';
import type { Source } from '../../../src/data/schema.ts';
import { tablePathCounts } from '../../../src/data/table-columns.ts';
import { HarnessError } from '../../../src/errors.ts';
import { writeScaleData } from '../../bench/scale-data.ts';

const conformance = path.resolve(import.meta.dirname, '../../fixtures/conformance');
const tmp = mkdtempSync(path.join(tmpdir(), 'table-columns-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a reader did: its rows, or its error as data. */
async function outcome<T>(read: () => Promise<T>): Promise<T | { error: unknown }> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof HarnessError)) throw err;
    return { error: { code: err.code, message: err.message, problems: err.problems } };
  }
}

const oldLabels = (file: string, folderSource?: Source) =>
  outcome(async () => (await readLocatedLabels(file, folderSource ? { folderSource } : {})).map((r) => ({ row: r.row, line: r.line })));
const newLabels = (file: string, folderSource?: Source) =>
  outcome(async () => {
    const c = await readLabelColumns(file, folderSource);
    return Array.from({ length: c.n }, (_, i) => ({ row: labelRowAt(c, i), line: c.lines[i] }));
  });
const oldMetadata = (file: string, folderSource?: Source) =>
  outcome(async () => (await readLocatedMetadata(file, folderSource)).map((r) => ({ row: r.row, line: r.line })));
const newMetadata = (file: string, folderSource?: Source) =>
  outcome(async () => {
    const c = await readMetadataColumns(file, folderSource);
    return Array.from({ length: c.n }, (_, i) => ({ row: metadataRowAt(c, i), line: c.lines[i] }));
  });
const oldScores = (file: string) => outcome(() => readScoresFile(file));
const newScores = (file: string) =>
  outcome(async () => {
    const c = await readScoreColumns(file);
    return Array.from({ length: c.n }, (_, i) => scoreRowAt(c, i));
  });

/** Every labels.csv and metadata.csv of the conformance fixtures, with the source its folder names. */
function fixtureTables(name: 'labels.csv' | 'metadata.csv'): { file: string; folderSource?: Source }[] {
  const out: { file: string; folderSource?: Source }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) {
        if (e !== 'raw') walk(p);
      } else if (e === name) {
        const parent = path.basename(path.dirname(p));
        out.push(parent === 'synthetic' || parent === 'real' ? { file: p, folderSource: parent } : { file: p });
      }
    }
  };
  walk(conformance);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

describe('columnar readers on the conformance fixtures', () => {
  const labels = fixtureTables('labels.csv');
  const metadata = fixtureTables('metadata.csv');
  it('find the fixture tables', () => {
    expect(labels.length).toBeGreaterThan(20);
    expect(metadata.length).toBeGreaterThan(20);
  });
  it.each(labels.map((t) => [path.relative(conformance, t.file), t] as const))('labels %s: same rows or same problems', async (_, t) => {
    expect(await newLabels(t.file, t.folderSource)).toEqual(await oldLabels(t.file, t.folderSource));
  });
  it.each(metadata.map((t) => [path.relative(conformance, t.file), t] as const))('metadata %s: same rows or same problems', async (_, t) => {
    expect(await newMetadata(t.file, t.folderSource)).toEqual(await oldMetadata(t.file, t.folderSource));
  });
});

describe('columnar readers on a generated fleet', () => {
  const dir = path.join(tmp, 'fleet');
  writeScaleData(dir, 3000, 5);
  it('read every table by the byte path, with the row readers’ rows', async () => {
    const before = { ...tablePathCounts };
    const labels = await newLabels(path.join(dir, 'labels.csv'));
    const metadata = await newMetadata(path.join(dir, 'metadata.csv'));
    const scores = await newScores(path.join(dir, 'scores.csv'));
    expect(tablePathCounts.bytes - before.bytes).toBe(3);
    expect(tablePathCounts.exact - before.exact).toBe(0);
    expect(labels).toEqual(await oldLabels(path.join(dir, 'labels.csv')));
    expect(metadata).toEqual(await oldMetadata(path.join(dir, 'metadata.csv')));
    expect(scores).toEqual(await oldScores(path.join(dir, 'scores.csv')));
    expect((scores as unknown[]).length).toBe(3000);
  });
});

/** A copy of `text` with `line` (1-based) replaced by `f(line text)`. */
function mutate(text: string, line: number, f: (s: string) => string): string {
  const lines = text.split('\n');
  lines[line - 1] = f(lines[line - 1]!);
  return lines.join('\n');
}

const LABELS = [
  'system_id,label,failure_type,lead_time_days,source,label_version,confidence,notes,labeler,labeled_at',
  's1,normal,none,,synthetic,1,0.9,fine,ana,2026-01-01',
  's2,anomaly,internal_short,12.5,synthetic,2,,,,',
  's3,anomaly,thermal_runaway,0,real,1,1,,,',
  's1,normal,none,,real,3,,,,',
  '',
].join('\n');
const METADATA = [
  'system_id,source,operational_mode,season,chemistry,capacity_kwh,climate,scenario_tags,parent_system_id',
  's1,synthetic,arbitrage,winter,LFP,250,hot,spike;subtle,',
  's2,synthetic,backup,summer,,,,,s1',
  's3,real,unknown,autumn,NaS,1e3,cold, noisy_normal ;;,',
  '',
].join('\n');
const SCORES = ['system_id,score,source', 's1,0.5,synthetic', 's2,-1.25,synthetic', 's1,3e-5,real', ''].join('\n');

/** Each case: a name and the file's text; the columnar reader must do what the row reader does. */
const cases: { what: string; kind: 'labels' | 'metadata' | 'scores'; text: string; folderSource?: Source }[] = [
  // Files the byte path reads or hands over, valid all the same.
  { what: 'valid labels', kind: 'labels', text: LABELS },
  { what: 'CRLF line ends', kind: 'labels', text: LABELS.replace(/\n/g, '\r\n') },
  { what: 'a BOM and blank lines', kind: 'labels', text: `\uFEFF${LABELS.replace('\ns2', '\n\n\ns2')}` },
  { what: 'a quoted note with a comma and a line break', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace('fine', '"fine, ""really""\nfine"')) },
  { what: 'a non-ASCII note', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace('fine', 'température élevée')) },
  { what: 'a lead time with an exponent', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('12.5', '1.25e1')) },
  { what: 'no final newline', kind: 'labels', text: LABELS.trimEnd() },
  { what: 'valid metadata', kind: 'metadata', text: METADATA },
  { what: 'valid scores', kind: 'scores', text: SCORES },
  { what: 'scores with spaces and long mantissas', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('0.5', ' 0.12345678901234567 ')) },
  // Every rule of the labels reader.
  { what: 'an unsafe id', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace('s1', '../s1')) },
  { what: 'an empty id', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('s2', '')) },
  { what: 'an unknown label', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace('normal', 'Normal')) },
  { what: 'an unknown failure type', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('internal_short', 'short')) },
  { what: 'a negative lead time', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('12.5', '-1')) },
  { what: 'a lead time that is not a number', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('12.5', '12 days')) },
  { what: 'a normal with a lead time', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace(',,synthetic', ',3,synthetic')) },
  { what: 'an anomaly without a lead time', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('12.5', '')) },
  { what: 'an anomaly of failure type none', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('internal_short', 'none')) },
  { what: 'a bad label_version', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace(',2,', ',02,')) },
  { what: 'a bad confidence', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace('0.9', '1.5')) },
  { what: 'an unknown source', kind: 'labels', text: mutate(LABELS, 2, (s) => s.replace('synthetic', 'synth')) },
  { what: 'a row of another source folder', kind: 'labels', text: LABELS, folderSource: 'synthetic' },
  { what: 'a system labelled twice in one source', kind: 'labels', text: mutate(LABELS, 5, (s) => s.replace('real', 'synthetic')) },
  { what: 'a ragged row', kind: 'labels', text: mutate(LABELS, 3, (s) => `${s},extra`) },
  { what: 'an unclosed quote', kind: 'labels', text: mutate(LABELS, 3, (s) => s.replace('s2', '"s2')) },
  { what: 'an unknown column', kind: 'labels', text: LABELS.replace('labeler', 'labeller') },
  { what: 'a missing column', kind: 'labels', text: LABELS.replace('label_version', 'version') },
  // Every rule of the metadata reader.
  { what: 'an unknown mode', kind: 'metadata', text: mutate(METADATA, 2, (s) => s.replace('arbitrage', 'arbitrary')) },
  { what: 'mode unknown for a synthetic system', kind: 'metadata', text: mutate(METADATA, 2, (s) => s.replace('arbitrage', 'unknown')) },
  { what: 'an unknown season', kind: 'metadata', text: mutate(METADATA, 2, (s) => s.replace('winter', 'wet')) },
  { what: 'a capacity of 0', kind: 'metadata', text: mutate(METADATA, 2, (s) => s.replace('250', '0')) },
  { what: 'an unknown tag', kind: 'metadata', text: mutate(METADATA, 2, (s) => s.replace('subtle', 'subtel')) },
  { what: 'a duplicate system', kind: 'metadata', text: mutate(METADATA, 3, (s) => s.replace('s2', 's1')) },
  { what: 'an unsafe parent', kind: 'metadata', text: mutate(METADATA, 3, (s) => s.replace(',s1', ',/s1')) },
  { what: 'a row of another source folder', kind: 'metadata', text: METADATA, folderSource: 'synthetic' },
  // Every rule of the scores reader.
  { what: 'an empty score', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('0.5', '')) },
  { what: 'a NaN score', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('0.5', 'NaN')) },
  { what: 'an overflowing score', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('0.5', '1e999')) },
  { what: 'a hexadecimal score', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('0.5', '0x10')) },
  { what: 'a system scored twice', kind: 'scores', text: mutate(SCORES, 4, (s) => s.replace('real', 'synthetic')) },
  { what: 'an unknown source', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('synthetic', 'Synthetic')) },
  { what: 'an unsafe id', kind: 'scores', text: mutate(SCORES, 2, (s) => s.replace('s1', 's 1')) },
  { what: 'a typo in the header', kind: 'scores', text: SCORES.replace('score,', 'scroe,') },
  { what: 'a ragged row', kind: 'scores', text: mutate(SCORES, 3, (s) => s.replace(',synthetic', '')) },
];

describe('columnar readers against the row readers, rule by rule', () => {
  it.each(cases.map((c, i) => [c.kind, c.what, c, i] as const))('%s, %s', async (kind, _, c, i) => {
    const file = path.join(tmp, `case-${i}-${kind}.csv`);
    writeFileSync(file, c.text);
    const [oldRead, newRead] =
      kind === 'labels' ? [oldLabels, newLabels] : kind === 'metadata' ? [oldMetadata, newMetadata] : [(f: string) => oldScores(f), (f: string) => newScores(f)];
    const expected = await oldRead(file, c.folderSource);
    expect(await newRead(file, c.folderSource)).toEqual(expected);
  });

  it('reject what the row readers reject, located as file:line:column', async () => {
    const file = path.join(tmp, 'bad-lead.csv');
    writeFileSync(file, mutate(LABELS, 3, (s) => s.replace('12.5', '-1')));
    const got = (await newLabels(file)) as { error: { problems: { line: number; column: number; message: string }[] } };
    expect(got.error.problems).toEqual([{ file, line: 3, column: 4, message: 'lead_time_days -1 out of range: expected a number of days from 0 to 3650 (ten years)' }]);
  });

  it('read CRLF, BOM and blank lines by the byte path, and hand a quoted field to the exact path', async () => {
    const crlf = path.join(tmp, 'crlf.csv');
    writeFileSync(crlf, `\uFEFF${LABELS.replace('\ns2', '\n\ns2').replace(/\n/g, '\r\n')}`);
    let before = { ...tablePathCounts };
    await newLabels(crlf);
    expect(tablePathCounts.bytes - before.bytes).toBe(1);
    const quoted = path.join(tmp, 'quoted.csv');
    writeFileSync(quoted, mutate(LABELS, 2, (s) => s.replace('fine', '"fine"')));
    before = { ...tablePathCounts };
    await newLabels(quoted);
    expect(tablePathCounts.exact - before.exact).toBe(1);
  });
});
