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
import { HarnessError } from '../../../src/errors.ts';
import { fingerprintOf } from '../../../src/data/swap-fingerprint.ts';
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

/** A journal as `harness import` writes it: each entry with what the target holds now and what the staging folder puts there. */
async function writeJournal(staging: string, dir: string, labels: boolean): Promise<void> {
  const real = path.join(dir, 'real');
  const entry = async (name: string, follow: boolean) => ({
    name,
    before: await fingerprintOf(path.join(real, name), follow),
    after: await fingerprintOf(path.join(staging, name), follow),
  });
  const journal = {
    version: 2,
    renames: [await entry('raw', false), await entry('metadata.csv', false)],
    writes: labels ? [await entry('labels.csv', true)] : [],
  };
  await writeFile(path.join(staging, 'swap.json'), JSON.stringify(journal));
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

  it('of a pid that names a running process is finished all the same: an import holds the lock while its journal exists', async () => {
    // A killed import's pid handed to another process kept the swap "running": nothing finished
    // it, and the next import wrote over the half-swapped folder.
    const { dir, staging } = await halfImported(process.ppid, { journal: true, labels: true });
    await killedAfterFirstRename(staging, dir);
    expect(await realIds(dir)).toEqual(['real-000', 'real-001', 'real-002']);
    expect((await readdir(path.join(dir, 'real', 'raw'))).sort()).toEqual(['real-000.csv', 'real-001.csv', 'real-002.csv']);
    expect(await leftBeside(dir)).toEqual([]);
  });

  it('whose journal says what it found and what it brings is finished from any step', async () => {
    const { dir, staging } = await halfImported(DEAD, { journal: false, labels: true });
    await writeJournal(staging, dir, true);
    await killedAfterFirstRename(staging, dir);
    await rename(path.join(staging, 'raw'), path.join(dir, 'real', 'raw')); // raw/ is in, metadata.csv not yet
    expect((await validateData(dir)).problems).toEqual([]);
    expect(await realIds(dir)).toEqual(['real-000', 'real-001', 'real-002']);
    expect((await loadLabels({ dataDir: dir, source: 'real' })).map((l) => l.system_id)).toEqual(['real-000', 'real-001', 'real-002']);
    expect(await leftBeside(dir)).toEqual([]);
  });

  describe('is not rolled over what was written into the folder since: exit 2 naming the staging folder, nothing moved', () => {
    const refused = async (dir: string, staging: string): Promise<void> => {
      const before = JSON.stringify([await readdir(path.join(dir, 'real'), { recursive: true }), await readdir(staging, { recursive: true })]);
      const err = await validateData(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as Error).message).toContain(staging);
      expect((err as Error).message).toMatch(/then delete/);
      expect(JSON.stringify([await readdir(path.join(dir, 'real'), { recursive: true }), await readdir(staging, { recursive: true })])).toBe(before);
    };

    it('a new raw/ where the old one was moved aside', async () => {
      // What a later import wrote while the stopped one's swap was left half done.
      const { dir, staging } = await halfImported(DEAD, { journal: false, labels: true });
      await writeJournal(staging, dir, true);
      await killedAfterFirstRename(staging, dir);
      await mkdir(path.join(dir, 'real', 'raw'));
      await writeFile(path.join(dir, 'real', 'raw', 'real-007.csv'), await readFile(path.join(staging, 'raw', 'real-002.csv')));
      await writeFile(path.join(dir, 'real', 'metadata.csv'), formatMetadataCsv(['real-000', 'real-001', 'real-007'].map((id) => metaRow(id, 'real'))));
      await refused(dir, staging);
      expect(await readFile(path.join(dir, 'real', 'metadata.csv'), 'utf8')).toContain('real-007');
    });

    it('a metadata.csv rewritten before the first entry moved', async () => {
      const { dir, staging } = await halfImported(DEAD, { journal: false });
      await writeJournal(staging, dir, false);
      await writeFile(path.join(dir, 'real', 'metadata.csv'), formatMetadataCsv(['real-000'].map((id) => metaRow(id, 'real'))));
      await refused(dir, staging);
    });

    it('a labels.csv changed since the swap began', async () => {
      const { dir, staging } = await halfImported(DEAD, { journal: false, labels: true });
      await writeJournal(staging, dir, true);
      await killedAfterFirstRename(staging, dir);
      await rename(path.join(staging, 'raw'), path.join(dir, 'real', 'raw'));
      await rename(path.join(staging, 'metadata.csv'), path.join(dir, 'real', 'metadata.csv'));
      await writeFile(path.join(dir, 'real', 'labels.csv'), formatLabelsCsv(['real-000'].map((id, i) => labelRow(id, 'real', i))));
      await refused(dir, staging);
    });
  });
});
