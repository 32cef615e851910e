/**
 * What a `harness import` killed in the middle of its swap leaves beside data/real, finished by
 * the next reader or writer (swap-journal.ts). The states are laid out on disk as the import
 * leaves them at that point; test/e2e/import-kill.test.ts kills real imports at every step.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLabelsCsv, formatMetadataCsv } from '../../../src/data/csv-write.ts';
import { loadLabels } from '../../../src/data/load-labels.ts';
import { loadMetadata } from '../../../src/data/load-metadata.ts';
import { validateData } from '../../../src/data/validate.ts';
import { LabelStore } from '../../../src/label/store.ts';
import { labelRow, metaRow, tempDir, writeDataDir } from './fixture.ts';

const DEAD = 2_147_483_600; // past any pid_max: no such process

/** A data dir with real systems real-000, real-001, and the staging folder of an import by `pid` that adds real-002. */
async function halfImported(pid: number, opts: { journal: boolean; labels?: boolean }): Promise<{ dir: string; staging: string }> {
  const dir = await tempDir();
  await writeDataDir(dir, { real: 2 });
  const real = path.join(dir, 'real');
  const staging = path.join(dir, `.real.staging-${pid}-0badcafe`);
  await mkdir(path.join(staging, 'raw'), { recursive: true });
  for (const f of await readdir(path.join(real, 'raw'))) await writeFile(path.join(staging, 'raw', f), await readFile(path.join(real, 'raw', f)));
  await writeFile(path.join(staging, 'raw', 'real-002.csv'), await readFile(path.join(real, 'raw', 'real-001.csv')));
  await writeFile(path.join(staging, 'metadata.csv'), formatMetadataCsv(['real-000', 'real-001', 'real-002'].map((id) => metaRow(id, 'real'))));
  if (opts.labels) await writeFile(path.join(staging, 'labels.csv'), formatLabelsCsv(['real-000', 'real-001', 'real-002'].map((id, i) => labelRow(id, 'real', i))));
  if (opts.journal) await writeFile(path.join(staging, 'swap.json'), JSON.stringify({ renames: ['raw', 'metadata.csv'], writes: opts.labels ? ['labels.csv'] : [] }));
  return { dir, staging };
}

/** The kill landed after raw/ went to `.old/` and before the new one came in. */
async function killedAfterFirstRename(staging: string, dir: string): Promise<void> {
  await mkdir(path.join(staging, '.old'));
  await rename(path.join(dir, 'real', 'raw'), path.join(staging, '.old', 'raw'));
}

const realIds = async (dir: string): Promise<string[]> => (await loadMetadata({ dataDir: dir, source: 'real' })).map((m) => m.system_id);
const leftBeside = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((e) => e.startsWith('.real.'));

describe('a swap a kill cut off', () => {
  it('is finished by the next reader: raw/, metadata.csv and labels.csv all new, the staging folder gone', async () => {
    const { dir, staging } = await halfImported(DEAD, { journal: true, labels: true });
    await killedAfterFirstRename(staging, dir);
    expect(await realIds(dir)).toEqual(['real-000', 'real-001', 'real-002']);
    expect((await loadLabels({ dataDir: dir, source: 'real' })).map((l) => l.system_id)).toEqual(['real-000', 'real-001', 'real-002']);
    expect((await readdir(path.join(dir, 'real', 'raw'))).sort()).toEqual(['real-000.csv', 'real-001.csv', 'real-002.csv']);
    expect(await leftBeside(dir)).toEqual([]);
    expect((await validateData(dir)).problems).toEqual([]);
  });

  it('that was never committed (no journal) leaves the old set and is removed', async () => {
    const { dir } = await halfImported(DEAD, { journal: false });
    expect((await validateData(dir)).problems).toEqual([]);
    expect(await realIds(dir)).toEqual(['real-000', 'real-001']);
    expect(await leftBeside(dir)).toEqual([]);
  });

  it("of an older harness (old entries in .old/, no journal) is finished, not lost", async () => {
    const { dir, staging } = await halfImported(DEAD, { journal: false });
    await killedAfterFirstRename(staging, dir);
    expect((await validateData(dir)).problems).toEqual([]);
    expect(await realIds(dir)).toEqual(['real-000', 'real-001', 'real-002']);
    expect(await leftBeside(dir)).toEqual([]);
  });

  it("of a running import is left to it", async () => {
    const { dir, staging } = await halfImported(process.ppid, { journal: false });
    await realIds(dir);
    expect(await leftBeside(dir)).toEqual([path.basename(staging)]);
  });

  it('is finished before a label save, so the save keeps the import\'s labels and survives', async () => {
    const { dir, staging } = await halfImported(DEAD, { journal: true, labels: true });
    await killedAfterFirstRename(staging, dir);
    const r = await new LabelStore(dir).save('real', 'real-002', { label: 'anomaly', failure_type: 'thermal_runaway', lead_time_days: 4, labeler: 'ann', expected_version: 1 });
    expect(r.status).toBe('saved');
    const labels = await loadLabels({ dataDir: dir, source: 'real' });
    expect(labels.map((l) => [l.system_id, l.labeler ?? ''])).toEqual([
      ['real-000', ''],
      ['real-001', ''],
      ['real-002', 'ann'],
    ]);
    expect(await leftBeside(dir)).toEqual([]);
  });
});
