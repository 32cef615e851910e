/**
 * A loaded dataset reads every series from the version of its source folder that its labels and
 * metadata came from (source-snapshot.ts). A run that overlapped a `harness generate` once scored
 * the new fleet's series against the old fleet's labels, and reported the mix as metrics.
 */
import { execFileSync } from 'node:child_process';
import { cp, readFile, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { loadDataset } from '../../../src/data/load-dataset.ts';
import { seriesFingerprint } from '../../../src/data/series-fingerprint.ts';
import { seriesHash } from '../../../src/runner/dataset.ts';
import { harnessEnv, REPO_ROOT, runHarness } from '../../helpers/run-harness.ts';
import { tempDir, writeDataDir } from './fixture.ts';

const FLEET = ['--systems', '4', '--days', '1', '--interval', '1h'];
const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');

/** A data dir whose synthetic folder `harness generate` made (a link to a version), with seed `seed`. */
async function generated(seed: string): Promise<string> {
  const dir = await tempDir();
  const r = await runHarness(['generate', ...FLEET, '--seed', seed, '--data', dir]);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/** Points `link` at a new folder beside it in one rename, as a generate's commit does, and returns that folder. */
async function repoint(link: string, version: string): Promise<void> {
  const temp = `${link}.tmp-link`;
  await symlink(version, temp);
  await rename(temp, link);
}

describe('a dataset reads one version of each source folder', () => {
  it('reads its series from the version it was loaded from after the link moved on', async () => {
    const dir = await generated('a');
    const synthetic = path.join(dir, 'synthetic');
    const ds = await loadDataset({ dataDir: dir });
    const before = await Promise.all(ds.systems.map((s) => s.loadSeries()));
    const fingerprints = ds.systems.map((s) => seriesFingerprint(dir, s.source, s.systemId, ds.snapshots?.[s.source]));
    const hash = await seriesHash(ds);

    // Another fleet under the link (its version left in place, as a generate does until it removes the old one).
    const other = `.synthetic.v-${'0'.repeat(12)}`;
    await cp(path.join(dir, await readlink(synthetic)), path.join(dir, other), { recursive: true });
    const first = ds.systems[0]!.systemId;
    const file = path.join(dir, other, 'raw', `${first}.csv`);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/,(\d)/, ',9$1'));
    await repoint(synthetic, other);

    const after = await Promise.all(ds.systems.map((s) => s.loadSeries()));
    expect(after.map((s) => s.sensors)).toEqual(before.map((s) => s.sensors));
    expect(ds.systems.map((s) => seriesFingerprint(dir, s.source, s.systemId, ds.snapshots?.[s.source]))).toEqual(fingerprints);
    expect(await seriesHash(ds)).toBe(hash);
  });

  it('refuses to read a series once a generate removed that version, and says so', async () => {
    const dir = await generated('a');
    const ds = await loadDataset({ dataDir: dir });
    const r = await runHarness(['generate', ...FLEET, '--seed', 'b', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    const err = await ds.systems[0]!.loadSeries().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toMatch(/synthetic was replaced by `harness generate` while this dataset was in use/);
    await expect(seriesHash(ds)).rejects.toThrow(/replaced by `harness generate`/);
  });

  it('reads its tables again, all from the new version, when a generate lands while they are read', async () => {
    const dir = await generated('a');
    const want = await loadDataset({ dataDir: await generated('b') });
    // The load takes its snapshot and starts reading before its first await; the generate then
    // runs (the event loop blocked) while the thread pool opens and reads what the load asked for.
    const loading = loadDataset({ dataDir: dir });
    execFileSync(process.execPath, [BIN, 'generate', ...FLEET, '--seed', 'b', '--data', dir], { env: harnessEnv(), stdio: 'ignore' });
    const ds = await loading;
    expect(ds.systems.map((s) => [s.metadata, s.label])).toEqual(want.systems.map((s) => [s.metadata, s.label]));
    const series = await Promise.all(ds.systems.map((s) => s.loadSeries()));
    expect(series.map((s) => s.sensors)).toEqual((await Promise.all(want.systems.map((s) => s.loadSeries()))).map((s) => s.sensors));
  });

  it('refuses a series read after an import replaced real/raw/', async () => {
    const dir = await tempDir();
    await writeDataDir(dir, { real: 2 });
    const ds = await loadDataset({ dataDir: dir, source: 'real' });
    const raw = path.join(dir, 'real', 'raw');
    // What `harness import` does: a new raw/ (same files, other inode) renamed over the old one.
    await cp(raw, `${raw}.new`, { recursive: true });
    await rename(raw, `${raw}.old`);
    await rename(`${raw}.new`, raw);
    await expect(ds.systems[0]!.loadSeries()).rejects.toThrow(/real\/raw was replaced by `harness import` while this dataset was in use/);
  });

  it('names a bad series file by the folder link, not the version folder', async () => {
    const dir = await generated('a');
    const ds = await loadDataset({ dataDir: dir });
    const id = ds.systems[0]!.systemId;
    const file = path.join(dir, 'synthetic', 'raw', `${id}.csv`);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/\n([^,\n]+),[^,\n]+/, '\n$1,oops'));
    const err = (await ds.systems[0]!.loadSeries().catch((e: unknown) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.problems[0]?.file).toBe(file);
    expect(err.message).not.toMatch(/\.synthetic\.v-/);
  });
});
