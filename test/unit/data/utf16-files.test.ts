/**
 * A UTF-16 file (Excel's "Unicode text", Windows PowerShell 5's `>`) decoded as UTF-8 is NUL
 * bytes between letters: every column was "unknown" with the NULs printed raw to the terminal.
 * Each reader says once what the file is, located, whichever path reads it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelColumns } from '../../../src/data/label-columns.ts';
import { readLocatedLabels } from '../../../src/data/load-labels.ts';
import { readScoresFile } from '../../../src/data/load-scores.ts';
import { loadTimeseries } from '../../../src/data/load-timeseries.ts';
import { readScoreColumns } from '../../../src/data/score-columns.ts';
import { validateData } from '../../../src/data/validate.ts';
import { HarnessError } from '../../../src/errors.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'utf16-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, bytes: Buffer): string {
  const p = path.join(tmp, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, bytes);
  return p;
}
/** UTF-16 LE with its byte order mark, as PowerShell 5 and Excel write it. */
const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
/** UTF-16 BE without a byte order mark. */
const utf16beBare = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

async function problemsOf(read: () => Promise<unknown>): Promise<string[]> {
  try {
    await read();
  } catch (err) {
    if (err instanceof HarnessError) return err.problems.map((p) => `${path.relative(tmp, p.file)}:${p.line}:${p.column}: ${p.message}`);
    throw err;
  }
  return [];
}

const BOM_PROBLEM = 'is UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8';
const NUL_PROBLEM = 'holds a NUL byte in its first line: not UTF-8 text (UTF-16 without a byte order mark, or a binary file); save it as UTF-8';

describe('a UTF-16 file', () => {
  it('scores: one problem naming the encoding, from both score readers', async () => {
    write('a/scores.csv', utf16le('system_id,score\nS1,0.5\n'));
    const expected = [`a/scores.csv:1:0: ${BOM_PROBLEM}`];
    expect(await problemsOf(() => readScoresFile(path.join(tmp, 'a/scores.csv')))).toEqual(expected);
    expect(await problemsOf(() => readScoreColumns(path.join(tmp, 'a/scores.csv')))).toEqual(expected);
  });

  it('labels without a byte order mark: the NUL byte says it is not UTF-8', async () => {
    const file = write('b/labels.csv', utf16beBare('system_id,label,failure_type,lead_time_days,source,label_version\nS1,normal,none,,synthetic,1\n'));
    const expected = [`b/labels.csv:1:0: ${NUL_PROBLEM}`];
    expect(await problemsOf(() => readLocatedLabels(file))).toEqual(expected);
    expect(await problemsOf(() => readLabelColumns(file))).toEqual(expected);
  });

  it('a series: the loader and harness validate say the same', async () => {
    write('d/synthetic/raw/S1.csv', utf16le('timestamp,voltage_v\n2026-01-01T00:00:00Z,700\n'));
    write('d/synthetic/metadata.csv', Buffer.from('system_id,source,operational_mode,season\nS1,synthetic,backup,winter\n'));
    write('d/synthetic/labels.csv', Buffer.from('system_id,label,failure_type,lead_time_days,source,label_version\nS1,normal,none,,synthetic,1\n'));
    expect(await problemsOf(() => loadTimeseries('S1', { dataDir: path.join(tmp, 'd') }))).toEqual([`d/synthetic/raw/S1.csv:1:0: ${BOM_PROBLEM}`]);
    const report = await validateData(path.join(tmp, 'd'));
    expect(report.problems.map((p) => `${path.relative(tmp, p.file)}:${p.line}:${p.column}: ${p.message}`)).toEqual([`d/synthetic/raw/S1.csv:1:0: ${BOM_PROBLEM}`]);
  });
});

describe('a Latin-1 (or Windows-1252) file', () => {
  const NOT_UTF8 = (hex: string, ch: string) =>
    `not UTF-8 text: byte 0x${hex} ("${ch}" in Latin-1) is not valid UTF-8 here (a Latin-1 or Windows-1252 file?); save the file as UTF-8, e.g. iconv -f windows-1252 -t utf-8`;

  it('labels: refused at the byte\'s line and field by both label readers and validate, never loaded as "d\\uFFFDfekt"', async () => {
    // A quoted note holding the delimiter: the field is counted as CSV counts it.
    const labels = Buffer.concat([
      Buffer.from('system_id,label,failure_type,lead_time_days,source,label_version,notes\nS1,anomaly,internal_short,3,synthetic,1,"Zelle 3, d'),
      Buffer.from([0xe9]),
      Buffer.from('fekt"\n'),
    ]);
    const file = write('l1/synthetic/labels.csv', labels);
    write('l1/synthetic/metadata.csv', Buffer.from('system_id,source,operational_mode,season\nS1,synthetic,backup,winter\n'));
    write('l1/synthetic/raw/S1.csv', Buffer.from('timestamp,voltage_v\n2026-01-01T00:00:00Z,700\n'));
    const expected = [`l1/synthetic/labels.csv:2:7: ${NOT_UTF8('E9', 'é')}`];
    expect(await problemsOf(() => readLocatedLabels(file))).toEqual(expected);
    expect(await problemsOf(() => readLabelColumns(file))).toEqual(expected);
    const report = await validateData(path.join(tmp, 'l1'));
    expect(report.problems.map((p) => `${path.relative(tmp, p.file)}:${p.line}:${p.column}: ${p.message}`)).toEqual(expected);
  });

  it('a series: the loader and validate name the line and column; a U+FFFD the file spells is text like any other', async () => {
    write('l2/synthetic/metadata.csv', Buffer.from('system_id,source,operational_mode,season\nS1,synthetic,backup,winter\n'));
    write('l2/synthetic/labels.csv', Buffer.from('system_id,label,failure_type,lead_time_days,source,label_version,notes\nS1,normal,none,,synthetic,1,\uFFFD ok\n'));
    write('l2/synthetic/raw/S1.csv', Buffer.concat([Buffer.from('timestamp,voltage_v,temp_cell_max_c\n2026-01-01T00:00:00Z,700,25\n2026-01-01T01:00:00Z,701,25'), Buffer.from([0xb0]), Buffer.from('\n')]));
    const expected = [`l2/synthetic/raw/S1.csv:3:3: ${NOT_UTF8('B0', '°')}`];
    expect(await problemsOf(() => loadTimeseries('S1', { dataDir: path.join(tmp, 'l2') }))).toEqual(expected);
    const report = await validateData(path.join(tmp, 'l2'));
    expect(report.problems.map((p) => `${path.relative(tmp, p.file)}:${p.line}:${p.column}: ${p.message}`)).toEqual(expected);
    expect((await readLocatedLabels(path.join(tmp, 'l2/synthetic/labels.csv')))[0]?.row.notes).toBe('\uFFFD ok');
  });
});
