/**
 * A labels.csv its user may not write (mode 0444; run as nobody when the tests run as root, who
 * may write anything). A label save and `harness import --labels` must refuse with a message
 * naming the file and write nothing. Before, each save appended a history line and then failed
 * with "internal error: EACCES" and a stack trace, so the history claimed labels the file lacked;
 * the import swapped in the new raw/ and metadata.csv and a history line, then exited 2.
 */
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabelServer } from '../helpers/label-server.ts';
import { harnessEnv, hashTree, REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';
import { hourlyExport, voltageMapping } from '../helpers/real-export.ts';

const LABELS = 'system_id,label,failure_type,lead_time_days,source,label_version';
const asRoot = process.getuid?.() === 0;

let t: Awaited<ReturnType<typeof tempDir>>;
const data = (): string => path.join(t.dir, 'data');
/** nobody's uid and gid when the tests run as root, and a HOME and TMPDIR it may write. */
const nobody = () =>
  asRoot ? { uid: 65534, gid: 65534, env: { HOME: t.dir, TMPDIR: t.dir } } : { env: {} };

async function chownTree(dir: string): Promise<void> {
  await chown(dir, 65534, 65534);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p);
    else await chown(p, 65534, 65534).catch(() => undefined);
  }
}

beforeAll(async () => {
  t = await tempDir('bess-labels-ro-');
  const gen = await runHarness(
    ['generate', '--systems', '2', '--days', '1', '--interval', '1h', '--data', data()],
    { cwd: t.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
  const files: Record<string, string> = {
    'rack1.csv': hourlyExport(700),
    'rack2.csv': hourlyExport(800),
    'rack1.json': voltageMapping('rack1'),
    'rack2.json': voltageMapping('rack2'),
    'rack2-labels.csv': `${LABELS}\nrack2,normal,none,,real,1\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(t.dir, name), text);
  const first = await runHarness(['import', 'rack1.csv', '--mapping', 'rack1.json'], {
    cwd: t.dir,
  });
  expect(first.code, first.stderr).toBe(0);
  await writeFile(
    path.join(data(), 'real', 'labels.csv'),
    `${LABELS}\nrack1,normal,none,,real,1\n`,
  );
  if (asRoot) await chownTree(t.dir);
  for (const source of ['real', 'synthetic'])
    await chmod(path.join(data(), source, 'labels.csv'), 0o444);
});
afterAll(() => t.cleanup());

describe('a read-only labels.csv', () => {
  it('the label app refuses the save naming the file, writes nothing, prints no stack trace', async () => {
    const before = await hashTree(data());
    const server = await startLabelServer(data(), nobody());
    try {
      for (const [source, id] of [
        ['synthetic', 'sys-0001'],
        ['real', 'rack1'],
      ] as const) {
        const r = await fetch(`${server.url}api/systems/${source}/${id}/label`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ label: 'normal', notes: 'a change', labeler: 'ann' }),
        });
        expect(r.status).toBe(500);
        const body = (await r.json()) as { error: string };
        expect(body.error).toContain(`${path.join(data(), source, 'labels.csv')} is read-only`);
        expect(body.error).toMatch(/read-only.*Nothing was written/);
      }
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(server.stderr()).not.toMatch(/internal error|\n\s+at /);
    expect(await hashTree(data())).toEqual(before);
  });

  it('harness import --labels exits 2 naming it, before it swaps anything in', async () => {
    const before = await hashTree(data());
    const as = nobody();
    const r = spawnSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'harness.js'),
        'import',
        'rack2.csv',
        '--mapping',
        'rack2.json',
        '--labels',
        'rack2-labels.csv',
      ],
      {
        cwd: t.dir,
        encoding: 'utf8',
        env: harnessEnv(as.env),
        ...('uid' in as ? { uid: as.uid, gid: as.gid } : {}),
      },
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${path.join(data(), 'real', 'labels.csv')} is read-only`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await hashTree(data())).toEqual(before);
  });
});

describe('a labels.csv linked into a folder it may write, in a folder it may not (a bind mount, a root-owned parent)', () => {
  // The lock of a linked file went beside the folder it really is in: every label save and
  // every `harness import` (even without --labels) failed with "cannot open
  // <parent>/.labels.labels.csv.lock: permission denied". It is inside that folder now.
  let u: Awaited<ReturnType<typeof tempDir>>;
  const project = (): string => path.join(u.dir, 'p');
  const kept = (): string => path.join(u.dir, 'ro', 'labels');
  beforeAll(async () => {
    u = await tempDir('bess-labels-linked-');
    const files: Record<string, string> = {
      'rack1.csv': hourlyExport(700),
      'rack2.csv': hourlyExport(800),
      'rack1.json': voltageMapping('rack1'),
      'rack2.json': voltageMapping('rack2'),
    };
    await mkdir(project());
    for (const [name, text] of Object.entries(files))
      await writeFile(path.join(project(), name), text);
    const first = await runHarness(['import', 'rack1.csv', '--mapping', 'rack1.json'], {
      cwd: project(),
    });
    expect(first.code, first.stderr).toBe(0);
    await mkdir(kept(), { recursive: true });
    await writeFile(path.join(kept(), 'labels.csv'), `${LABELS}\nrack1,normal,none,,real,1\n`);
    const labels = path.join(project(), 'data', 'real', 'labels.csv');
    await rm(labels, { force: true });
    await symlink(path.join(kept(), 'labels.csv'), labels);
    if (asRoot) {
      await chownTree(u.dir);
      await chown(path.dirname(kept()), 0, 0); // root's, 0755: nobody may not write in it
    } else await chmod(path.dirname(kept()), 0o555);
  });
  afterAll(async () => {
    await chmod(path.dirname(kept()), 0o755);
    await u.cleanup();
  });
  const as = () =>
    asRoot ? { uid: 65534, gid: 65534, env: { HOME: u.dir, TMPDIR: u.dir } } : { env: {} };

  it('a label save goes through, its history beside the labels it keeps', async () => {
    const server = await startLabelServer(path.join(project(), 'data'), as());
    try {
      const r = await fetch(`${server.url}api/systems/real/rack1/label`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ label: 'normal', notes: 'checked', labeler: 'ann' }),
      });
      expect(r.status, await r.clone().text()).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await readFile(path.join(kept(), 'labels.csv'), 'utf8')).toContain('checked');
    expect((await readdir(kept())).sort()).toEqual(['labels.csv', 'labels.history.csv']);
  });

  it('harness import goes through, and leaves no lock', async () => {
    const a = as();
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'harness.js'), 'import', 'rack2.csv', '--mapping', 'rack2.json'],
      {
        cwd: project(),
        encoding: 'utf8',
        env: harnessEnv(a.env),
        ...('uid' in a ? { uid: a.uid, gid: a.gid } : {}),
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(await readFile(path.join(project(), 'data', 'real', 'metadata.csv'), 'utf8')).toContain(
      'rack2',
    );
    const locks = (await readdir(u.dir, { recursive: true })).filter((f) =>
      String(f).endsWith('.lock'),
    );
    expect(locks).toEqual([]);
  });
});
