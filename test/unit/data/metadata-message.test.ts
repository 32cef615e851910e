/**
 * A metadata table posted between threads (its arrays moved, its string columns coded) and the
 * metadata read in a worker thread: the same table as the one read here, and null, never a
 * throw, when the thread cannot read the file (the caller then reads it and reports why).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetadataColumns, readMetadataColumns } from '../../../src/data/index.ts';
import { metadataFromMessage, metadataMessage } from '../../../src/data/metadata-message.ts';
import { prefetchMetadata } from '../../../src/data/metadata-prefetch.ts';

// Ids out of order (the column then builds its hash index), optional columns full and empty.
const CSV = [
  'system_id,source,operational_mode,season,chemistry,capacity_kwh,climate,scenario_tags,parent_system_id',
  'sys-b,synthetic,backup,autumn,LFP,651,cold,,',
  'sys-a,synthetic,peak_shaving,winter,,322,,subtle;spike,sys-b',
  'sys-c,real,unknown,summer,NMC,,hot,noisy_normal,',
  'sys-d,real,arbitrage,spring,LFP,100,cold,,',
].join('\n');

/** Everything a reader of the columns sees, as plain values. */
function view(c: MetadataColumns) {
  const rows = Array.from({ length: c.n }, (_, i) => i);
  return {
    file: c.file,
    n: c.n,
    ids: rows.map((i) => c.ids.at(i)),
    found: rows.map((i) => [c.ids.findRow(c.ids, i, 0), c.ids.findRow(c.ids, i, 1)]),
    increasing: c.ids.increasing,
    source: Array.from(c.source),
    mode: Array.from(c.mode),
    season: Array.from(c.season),
    chemistry: rows.map((i) => c.chemistry[i]),
    capacity: Array.from(c.capacity),
    climate: rows.map((i) => c.climate[i]),
    tagStart: Array.from(c.tagStart),
    tags: Array.from(c.tags),
    parent: rows.map((i) => c.parent[i]),
    lines: Array.from(c.lines),
  };
}

describe('metadata between threads', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'metadata-message-'));
    file = path.join(dir, 'metadata.csv');
    await writeFile(file, `${CSV}\n`);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips through a structured clone with its buffers transferred', async () => {
    const read = await readMetadataColumns(file);
    const want = view(read);
    expect(want.increasing).toBe(false);
    expect(want.chemistry).toEqual(['LFP', undefined, 'NMC', 'LFP']);
    const { message, transfer } = metadataMessage(read);
    expect(transfer.length).toBeGreaterThan(0);
    const cloned = structuredClone(message, { transfer });
    // Moved, not copied: the sender's arrays are detached.
    expect(read.source.length).toBe(0);
    expect(view(metadataFromMessage(cloned))).toEqual(want);
  });

  it('round-trips a table without its optional columns', async () => {
    const bare = path.join(dir, 'bare.csv');
    await writeFile(bare, 'system_id,source,operational_mode,season\nsys-1,synthetic,backup,autumn\n');
    const read = await readMetadataColumns(bare);
    const want = view(read);
    expect(want.chemistry).toEqual([undefined]);
    const { message, transfer } = metadataMessage(read);
    expect(view(metadataFromMessage(structuredClone(message, { transfer })))).toEqual(want);
  });

  it('reads a file in a worker thread into the same columns', async () => {
    const got = await prefetchMetadata(file).take();
    expect(got).not.toBeNull();
    expect(view(got!)).toEqual(view(await readMetadataColumns(file)));
  });

  it('answers null for a file with a problem or no file, so that the caller reads it itself', async () => {
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, `${CSV.replace('autumn', 'monsoon')}\n`);
    await expect(readMetadataColumns(bad)).rejects.toMatchObject({
      code: 'E_DATA',
      problems: expect.arrayContaining([expect.objectContaining({ file: bad, line: 2 })]),
    });
    expect(await prefetchMetadata(bad).take()).toBeNull();
    expect(await prefetchMetadata(path.join(dir, 'none.csv')).take()).toBeNull();
  });

  it('stops a thread nobody waits for', async () => {
    const p = prefetchMetadata(file);
    p.stop();
    // A stopped thread answers nothing: take() gives null, and the caller reads the file.
    expect(await p.take()).toBeNull();
  });
});
