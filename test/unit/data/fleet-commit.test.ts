import { execFileSync, spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFolder, recoverMovedFolder, tidyBeside } from '../../../src/data/fleet-commit.ts';
import { writeFleet } from '../../../src/data/write-fleet.ts';
import { HarnessError } from '../../../src/errors.ts';
import { readRegularText } from '../../../src/data/read-file.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bess-commit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A complete folder `name` in `dir` whose metadata.csv says `tag`. */
async function ready(name: string, tag: string): Promise<string> {
  const folder = path.join(dir, name);
  await mkdir(path.join(folder, 'raw'), { recursive: true });
  await writeFile(path.join(folder, 'metadata.csv'), tag);
  await writeFile(path.join(folder, 'raw', 'sys-0001.csv'), `${tag}-series`);
  return folder;
}

const target = () => path.join(dir, 'synthetic');
const metadata = () => readFile(path.join(target(), 'metadata.csv'), 'utf8');

describe('committing a source folder in one rename', () => {
  it('makes the target a symlink to a version beside it, and replaces it whole on the next commit', async () => {
    expect(await commitFolder(await ready('.stage-a', 'A'), target())).toBeUndefined();
    const first = await readlink(target());
    expect(first).toMatch(/^\.synthetic\.v-[0-9a-f]+$/);
    expect(await metadata()).toBe('A');

    const replaced = await commitFolder(await ready('.stage-b', 'B'), target());
    expect(replaced).toBe(path.join(dir, first));
    expect(await metadata()).toBe('B');
    expect(await readFile(path.join(target(), 'raw', 'sys-0001.csv'), 'utf8')).toBe('B-series');
    // The replaced version is whole until the caller removes it: nothing was renamed out of it.
    expect(await readFile(path.join(replaced!, 'metadata.csv'), 'utf8')).toBe('A');
  });

  it('converts a target that is still a real folder, and returns it for removal', async () => {
    await ready('synthetic', 'OLD');
    const replaced = await commitFolder(await ready('.stage', 'NEW'), target());
    expect(path.basename(replaced!)).toMatch(/^\.synthetic\.v-moved-[0-9a-f]+$/);
    expect(await readFile(path.join(replaced!, 'metadata.csv'), 'utf8')).toBe('OLD');
    expect(await metadata()).toBe('NEW');
  });

  it('leaves a folder a user symlink pointed to alone', async () => {
    const own = await ready('elsewhere', 'MINE');
    await symlink(own, target());
    expect(await commitFolder(await ready('.stage', 'NEW'), target())).toBeUndefined();
    expect(await metadata()).toBe('NEW');
    expect(await readFile(path.join(own, 'metadata.csv'), 'utf8')).toBe('MINE');
  });

  it('refuses a target that is a file', async () => {
    await writeFile(target(), 'x');
    await expect(commitFolder(await ready('.stage', 'NEW'), target())).rejects.toThrow('is a file, not a folder');
  });
});

describe('the next start after a kill -9', () => {
  it('links back a folder a conversion moved aside when the kill came before the new link', async () => {
    await ready('synthetic', 'OLD');
    // The state a kill between the conversion's rename and its symlink leaves.
    await rename(target(), path.join(dir, '.synthetic.v-moved-0a1b2c'));
    expect(await recoverMovedFolder(target())).toBe(true);
    expect(await metadata()).toBe('OLD');
    expect(await recoverMovedFolder(target())).toBe(false);
  });

  it('removes versions no link points to and temp links of dead processes, and keeps the current one and a live temp link', async () => {
    await commitFolder(await ready('.stage', 'A'), target());
    const current = await readlink(target());
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await ready('.synthetic.v-0badc0ffee00', 'ORPHAN'); // renamed from staging, killed before the link swap
    await symlink(current, path.join(dir, `.synthetic.link-${dead}-abcdef`));
    await symlink(current, path.join(dir, '.synthetic.link-1-abcdef')); // pid 1 always runs
    await tidyBeside(target());
    expect((await readdir(dir)).sort()).toEqual([current, '.synthetic.link-1-abcdef', 'synthetic'].sort());
    expect(await metadata()).toBe('A');
  });
});

describe('reading through the symlinked folder', () => {
  it('reads a regular file reached through the link, and still refuses a FIFO and a folder there', async () => {
    await commitFolder(await ready('.stage', 'A'), target());
    expect(await readRegularText(path.join(target(), 'metadata.csv'))).toBe('A');
    const fifo = path.join(target(), 'raw', 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await expect(readRegularText(fifo)).rejects.toThrow('not a regular file');
    await expect(readRegularText(path.join(target(), 'raw'))).rejects.toThrow('is a folder');
  });
});

describe('what the old folder holds beside the fleet', () => {
  it('is carried into the new version: the labels history and a user file survive a commit', async () => {
    await ready('synthetic', 'OLD');
    await writeFile(path.join(target(), 'labels.history.csv'), 'changed_at,labeler\nx,y\n');
    await mkdir(path.join(target(), 'notes'));
    await writeFile(path.join(target(), 'notes', 'mine.txt'), 'keep me');
    const replaced = await commitFolder(await ready('.stage', 'NEW'), target());
    await rm(replaced!, { recursive: true });
    expect(await readFile(path.join(target(), 'labels.history.csv'), 'utf8')).toBe('changed_at,labeler\nx,y\n');
    expect(await readFile(path.join(target(), 'notes', 'mine.txt'), 'utf8')).toBe('keep me');
    expect(await metadata()).toBe('NEW');
    expect(await readFile(path.join(target(), 'raw', 'sys-0001.csv'), 'utf8')).toBe('NEW-series');
  });
});

describe('generate --out a folder that is not a fleet', () => {
  /** Every file under `root` with its text: what must come through a refused generate unchanged. */
  async function tree(root: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) out[path.relative(root, path.join(e.parentPath, e.name))] = await readFile(path.join(e.parentPath, e.name), 'utf8');
    }
    return out;
  }
  async function refusal(folder: string): Promise<string> {
    const before = await tree(dir);
    const err = await writeFleet({ kind: 'flat', dir: folder }, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    // Nothing moved, linked or written: the folder is still a folder with the same files.
    expect(await tree(dir)).toEqual(before);
    expect((await lstat(folder)).isDirectory()).toBe(true);
    expect((await readdir(dir)).length).toBe(1);
    return (err as Error).message;
  }

  it('refuses a real source folder: its labels, metadata and series were removed with exit 0', async () => {
    const real = path.join(dir, 'real');
    await mkdir(path.join(real, 'raw'), { recursive: true });
    await writeFile(path.join(real, 'metadata.csv'), 'system_id,source,operational_mode,season\nR1,real,backup,winter\n');
    await writeFile(path.join(real, 'labels.csv'), 'system_id,label,failure_type,lead_time_days,source,label_version\nR1,normal,none,,real,1\n');
    await writeFile(path.join(real, 'raw', 'R1.csv'), 'timestamp,voltage_v\n2026-01-01T00:00:00Z,700\n');
    expect(await refusal(real)).toContain(`--out ${real} holds data that is not synthetic (metadata.csv line 2: source "real")`);
  });

  it("refuses a folder set up for real data, whose files hold a header only (a fresh clone's data/real/)", async () => {
    const real = path.join(dir, 'real');
    await mkdir(path.join(real, 'raw'), { recursive: true });
    await writeFile(path.join(real, 'metadata.csv'), 'system_id,source,operational_mode,season\n');
    await writeFile(path.join(real, 'labels.csv'), 'system_id,label,failure_type,lead_time_days,source,label_version\n');
    expect(await refusal(real)).toContain(`--out ${real} holds a metadata.csv without rows, which generate did not write`);
  });

  it("refuses a user's link to a real folder (data/real -> a shared folder): the link became a synthetic fleet", async () => {
    const shared = path.join(dir, 'share', 'bess-real');
    await mkdir(path.join(shared, 'raw'), { recursive: true });
    await writeFile(path.join(shared, 'metadata.csv'), 'system_id,source,operational_mode,season\nR1,real,backup,winter\n');
    await mkdir(path.join(dir, 'data'));
    const real = path.join(dir, 'data', 'real');
    await symlink(shared, real);
    const err = await writeFleet({ kind: 'flat', dir: real }, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toContain(`--out ${real} holds data that is not synthetic (metadata.csv line 2: source "real")`);
    expect(await readlink(real)).toBe(shared);
    expect(await readdir(path.join(dir, 'data'))).toEqual(['real']);
  });

  it('refuses a project folder (--out .), which was moved aside and copied back as a version', async () => {
    const project = path.join(dir, 'project');
    await mkdir(path.join(project, 'src'), { recursive: true });
    await writeFile(path.join(project, 'src', 'model.ts'), 'export {};');
    await writeFile(path.join(project, 'package.json'), '{}');
    expect(await refusal(project)).toContain('is a folder of yours, not a generated fleet (it holds package.json, src)');
  });

  it('still converts an older harness fleet (every row synthetic) and an empty folder', async () => {
    const old = path.join(dir, 'old');
    await mkdir(path.join(old, 'raw'), { recursive: true });
    await writeFile(path.join(old, 'metadata.csv'), 'system_id,source,operational_mode,season\nS1,synthetic,backup,winter\n');
    await writeFile(path.join(old, 'notes.txt'), 'mine');
    await writeFleet({ kind: 'flat', dir: old }, []);
    expect(await readlink(old)).toMatch(/^\.old\.v-[0-9a-f]+$/);
    expect(await readFile(path.join(old, 'notes.txt'), 'utf8')).toBe('mine');
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    await writeFleet({ kind: 'flat', dir: empty }, []);
    expect(await readFile(path.join(empty, 'metadata.csv'), 'utf8')).toMatch(/^system_id,source/);
  });
});
