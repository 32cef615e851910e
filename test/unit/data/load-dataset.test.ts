import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLayout, seriesPath } from '../../../src/data/layout.ts';
import { loadDataset } from '../../../src/data/load-dataset.ts';
import { loadLabels, readLabelsFile } from '../../../src/data/load-labels.ts';
import { loadMetadata } from '../../../src/data/load-metadata.ts';
import { HarnessError } from '../../../src/errors.ts';
import { tempDir, writeDataDir, writeFlatDir } from './fixture.ts';

describe('layouts', () => {
  it('describes a data dir (only existing sources) and a flat folder (source from metadata)', async () => {
    const dataDir = await tempDir();
    await writeDataDir(dataDir, { real: 2 });
    const d = describeLayout(dataDir);
    expect(d.kind).toBe('data-dir');
    expect(d.sources.map((s) => s.source)).toEqual(['real']);
    expect(d.sources[0]?.metadataPath).toBe(path.join(dataDir, 'real', 'metadata.csv'));
    expect(d.sources[0]?.labelsPath).toBe(path.join(dataDir, 'real', 'labels.csv'));
    expect(d.legacyLabelsPath).toBeUndefined();
    expect(seriesPath(dataDir, 'real', 'r1')).toBe(path.join(dataDir, 'real', 'raw', 'r1.csv'));

    const flat = await tempDir();
    await writeFlatDir(flat, 2, 'real');
    const f = describeLayout(flat);
    expect(f.kind).toBe('flat');
    expect(f.sources).toEqual([
      { source: 'real', dir: flat, rawDir: path.join(flat, 'raw'), metadataPath: path.join(flat, 'metadata.csv'), labelsPath: path.join(flat, 'labels.csv') },
    ]);
    expect(seriesPath(flat, 'synthetic', 'r1')).toBe(path.join(flat, 'raw', 'r1.csv'));
  });

  it('loads a flat folder as written by generate --out', async () => {
    const flat = await tempDir();
    await writeFlatDir(flat, 3);
    const ds = await loadDataset({ dataDir: flat });
    expect(ds.systems.map((s) => s.systemId)).toEqual(['syn-000', 'syn-001', 'syn-002']);
    const series = await ds.systems[2]!.loadSeries();
    expect(series.timestamps.length).toBe(12);
    expect(series.source).toBe('synthetic');
    await expect(loadDataset({ dataDir: flat, source: 'real' })).rejects.toThrow(/no real data: .* holds synthetic data/);
  });
});

describe('loadDataset', () => {
  it('joins labels and metadata and filters by source', async () => {
    const dir = await tempDir();
    await writeDataDir(dir, { synthetic: 3, real: 2 });
    const all = await loadDataset({ dataDir: dir });
    expect(all.systems.map((s) => `${s.source}/${s.systemId}`)).toEqual([
      'synthetic/syn-000', 'synthetic/syn-001', 'synthetic/syn-002', 'real/real-000', 'real/real-001',
    ]);
    const r1 = all.systems[4]!;
    expect(r1.label).toMatchObject({ system_id: 'real-001', label: 'anomaly', lead_time_days: 12.5, source: 'real' });
    expect(r1.metadata.operational_mode).toBe('arbitrage');
    const s = await r1.loadSeries({ derive: ['temp_spread_c'] });
    expect(s.source).toBe('real');
    expect(s.sensors.temp_spread_c?.length).toBe(12);

    expect((await loadDataset({ dataDir: dir, source: 'synthetic' })).systems.map((x) => x.systemId)).toEqual(['syn-000', 'syn-001', 'syn-002']);
    expect((await loadDataset({ dataDir: dir, source: 'real' })).systems.map((x) => x.systemId)).toEqual(['real-000', 'real-001']);
    expect((await loadLabels({ dataDir: dir, source: 'real' })).length).toBe(2);
    expect((await loadMetadata({ dataDir: dir, source: 'synthetic' })).length).toBe(3);
  });

  it('lists systems with labels but no metadata and vice versa', async () => {
    const dir = await tempDir();
    await writeDataDir(dir, { synthetic: 3 });
    const labels = path.join(dir, 'synthetic', 'labels.csv');
    await writeFile(
      labels,
      'system_id,label,failure_type,lead_time_days,source,label_version\n' +
        'syn-000,normal,none,,synthetic,1\nsyn-001,normal,none,,synthetic,1\nghost,normal,none,,synthetic,1\n',
    );
    const err = await loadDataset({ dataDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    const h = err as HarnessError;
    expect(h.message).toMatch(/1 labelled system\(s\) have no metadata: ghost/);
    expect(h.message).toMatch(/1 system\(s\) in metadata have no label: syn-002/);
    expect(h.message).toMatch(/harness validate/);
    expect(h.problems).toEqual([
      { file: path.join(dir, 'synthetic', 'metadata.csv'), line: 4, column: 0, message: expect.stringMatching(/syn-002 .* no label/) },
      { file: labels, line: 4, column: 0, message: 'system ghost (synthetic) has a label but no metadata' },
    ]);
  });

  it('fails clearly on a missing data folder, a missing labels file and a bad row', async () => {
    const dir = await tempDir();
    await expect(loadDataset({ dataDir: path.join(dir, 'nope') })).rejects.toThrow(/data folder .*nope not found/);
    await writeDataDir(dir, { synthetic: 1 });
    await writeFile(path.join(dir, 'synthetic', 'metadata.csv'), 'system_id,source,operational_mode,season\nsyn-000,synthetic,arbitrag,summer\n');
    const err = (await loadMetadata({ dataDir: dir }).catch((e: unknown) => e)) as HarnessError;
    expect(err.problems[0]).toMatchObject({ line: 2, column: 3, message: expect.stringContaining('did you mean "arbitrage"') });
    await rm(path.join(dir, 'synthetic', 'labels.csv'));
    await expect(loadLabels({ dataDir: dir })).rejects.toThrow(/synthetic\/labels\.csv: file not found/);
    expect(await readLabelsFile(path.join(dir, 'synthetic', 'labels.csv'), { allowMissing: true })).toEqual([]);
  });

  it('reads a real/ of header rows only as no real systems, and says so when real systems are asked for', async () => {
    const dir = await tempDir();
    await writeDataDir(dir, { synthetic: 2, real: 0 });
    await writeFile(path.join(dir, 'real', 'labels.csv'), 'system_id,label,failure_type,lead_time_days,source,label_version\n');
    expect((await loadDataset({ dataDir: dir })).systems.map((s) => s.systemId)).toEqual(['syn-000', 'syn-001']);
    expect(await loadLabels({ dataDir: dir, source: 'real' })).toEqual([]);
    expect(await loadMetadata({ dataDir: dir, source: 'real' })).toEqual([]);
    const err = (await loadDataset({ dataDir: dir, source: 'real' }).catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.message).toBe(`no real systems in ${dir}: ${path.join(dir, 'real', 'metadata.csv')} lists none (import real telemetry with \`harness import\`)`);
    // A missing real labels file is no labels yet, not an error.
    await rm(path.join(dir, 'real', 'labels.csv'));
    expect(await loadLabels({ dataDir: dir })).toHaveLength(2);
  });

  it('takes a real labels.csv that is there but cannot be read (a loop of links, a folder) for an error naming it, not for no labels yet', async () => {
    // Taken for absent, `harness run` said "the 2 real system(s) have no label yet".
    const dir = await tempDir();
    await writeDataDir(dir, { real: 2 });
    const labels = path.join(dir, 'real', 'labels.csv');
    await rm(labels);
    await symlink('loop-b', labels);
    await symlink('labels.csv', path.join(dir, 'real', 'loop-b'));
    for (const load of [() => loadDataset({ dataDir: dir, source: 'real' }), () => loadLabels({ dataDir: dir })]) {
      const err = (await load().catch((e: unknown) => e)) as HarnessError;
      expect(err).toBeInstanceOf(HarnessError);
      expect(err.message).toBe(`${labels}: is a loop of symbolic links`);
    }
    await rm(labels);
    await rm(path.join(dir, 'real', 'loop-b'));
    await mkdir(labels);
    const err = (await loadDataset({ dataDir: dir, source: 'real' }).catch((e: unknown) => e)) as HarnessError;
    expect(err.message).toBe(`${labels}: is a folder, not a file`);
  });

  it('refuses a legacy labels.csv at the top of a data dir, naming it and what to do', async () => {
    const dir = await tempDir();
    await writeDataDir(dir, { synthetic: 2 });
    const legacy = path.join(dir, 'labels.csv');
    await writeFile(legacy, 'system_id,label,failure_type,lead_time_days,source,label_version\n');
    expect(describeLayout(dir).legacyLabelsPath).toBe(legacy);
    for (const load of [() => loadDataset({ dataDir: dir }), () => loadLabels({ dataDir: dir }), () => loadMetadata({ dataDir: dir })]) {
      const err = (await load().catch((e: unknown) => e)) as HarnessError;
      expect(err).toBeInstanceOf(HarnessError);
      expect(err.message).toMatch(new RegExp(`^${legacy.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: labels now live in each source folder`));
      expect(err.message).toContain(`Move its real rows (source real) to ${path.join(dir, 'real', 'labels.csv')}`);
    }
  });

  it('preserves optional label columns', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'labels.csv');
    await writeFile(
      file,
      'system_id,label,failure_type,lead_time_days,source,label_version,confidence,notes,labeler,labeled_at\n' +
        'r1,anomaly,internal_short,0,real,3,0.8,"seen at site, twice",ana,2026-02-01T10:00:00Z\n',
    );
    expect(await readLabelsFile(file)).toEqual([
      { system_id: 'r1', label: 'anomaly', failure_type: 'internal_short', lead_time_days: 0, source: 'real', label_version: 3, confidence: 0.8, notes: 'seen at site, twice', labeler: 'ana', labeled_at: '2026-02-01T10:00:00Z' },
    ]);
  });
});
