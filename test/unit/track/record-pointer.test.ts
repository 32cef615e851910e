import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pointedRunId,
  RECORD_POINTER_FILE,
  RECORD_POINTER_SCHEMA,
  writeRecordPointer,
} from '../../../src/track/record-pointer.ts';
import { tempDir } from '../../helpers/run-harness.ts';

describe('writeRecordPointer', () => {
  let t: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => t?.cleanup());

  it('writes <outDir>/run-record.json naming the record relative to the out dir, creating the out dir', async () => {
    t = await tempDir();
    const outDir = path.join(t.dir, '.harness', 'last-run');
    const recordDir = path.join(t.dir, '.harness', 'runs', '20260301T100000Z-abcdef');
    const run = { runId: '20260301T100000Z-abcdef', startedAt: '2026-03-01T10:00:00.000Z' };
    const pointer = await writeRecordPointer(outDir, recordDir, run);
    expect(pointer).toEqual({
      schema: RECORD_POINTER_SCHEMA,
      run_id: run.runId,
      started_at: run.startedAt,
      record: '../runs/20260301T100000Z-abcdef',
    });
    const file = path.join(outDir, RECORD_POINTER_FILE);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(pointer);
    expect(path.resolve(outDir, pointer.record)).toBe(recordDir);
    expect(await readdir(outDir)).toEqual([RECORD_POINTER_FILE]);
  });

  it('replaces the pointer of an earlier run and leaves the other files of the out dir alone', async () => {
    t = await tempDir();
    const outDir = path.join(t.dir, 'out');
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, 'results.json'), '{}\n');
    await writeRecordPointer(outDir, path.join(t.dir, 'runs', 'a'), { runId: 'a', startedAt: 'x' });
    await writeRecordPointer(outDir, path.join(t.dir, 'runs', 'b'), { runId: 'b', startedAt: 'y' });
    const pointer = JSON.parse(await readFile(path.join(outDir, RECORD_POINTER_FILE), 'utf8'));
    expect(pointer).toMatchObject({ run_id: 'b', started_at: 'y', record: '../runs/b' });
    expect((await readdir(outDir)).sort()).toEqual(['results.json', RECORD_POINTER_FILE]);
    expect(await readFile(path.join(outDir, 'results.json'), 'utf8')).toBe('{}\n');
  });

  it('pointedRunId: the run the out dir names now; null without a pointer the harness wrote', async () => {
    t = await tempDir();
    const outDir = path.join(t.dir, 'out');
    expect(await pointedRunId(outDir)).toBeNull();
    await writeRecordPointer(outDir, path.join(t.dir, 'runs', 'a'), { runId: 'a', startedAt: 'x' });
    expect(await pointedRunId(outDir)).toBe('a');
    await writeFile(path.join(outDir, RECORD_POINTER_FILE), '{"mine": true}\n');
    expect(await pointedRunId(outDir)).toBeNull();
  });
});
