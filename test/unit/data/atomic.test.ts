import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/data/atomic.ts';
import { fileSystemProblem } from '../../../src/fs-problem.ts';
import { REPO_ROOT } from '../../helpers/run-harness.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'atomic-'));
  dirs.push(d);
  return d;
}
const modeOf = async (f: string): Promise<number> => (await stat(f)).mode & 0o7777;

describe('writeFileAtomic', () => {
  it('keeps the mode of the file it replaces, through a symlink too', async () => {
    const d = await folder();
    const file = path.join(d, 'run.sh');
    await writeFile(file, 'old');
    await chmod(file, 0o750);
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await modeOf(file)).toBe(0o750);
    await symlink('run.sh', path.join(d, 'link.sh'));
    await chmod(file, 0o604);
    await writeFileAtomic(path.join(d, 'link.sh'), 'newer');
    expect(await readFile(file, 'utf8')).toBe('newer');
    expect(await modeOf(file)).toBe(0o604);
  });

  it('refuses a read-only file the user may not write: EACCES naming it, the file left as it was', async () => {
    const d = await folder();
    const file = path.join(d, 'package.json');
    await writeFile(file, '{ "name": "ro" }\n');
    await chmod(file, 0o444);
    // The folder stays writable: a rename needs only that, which is how the file was replaced.
    await chmod(d, 0o777);
    let outcome: { code?: string; syscall?: string; path?: string; message: string } | undefined;
    if (process.getuid?.() === 0) {
      // root may write any file (access(2) says so): the refusal is checked as nobody.
      await chown(file, 65534, 65534);
      const script = `import('${path.join(REPO_ROOT, 'src/data/atomic.ts')}').then((m) => m.writeFileAtomic(${JSON.stringify(file)}, 'x')).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, syscall: e.syscall, path: e.path, message: e.message })))`;
      const r = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['-e', script], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        // TMPDIR too: tsx keeps a cache per user in it (/tmp/tsx-65534 was left behind).
        env: { PATH: process.env['PATH'], HOME: d, TMPDIR: d },
      });
      outcome = JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
    } else {
      outcome = (await writeFileAtomic(file, 'x').then(
        () => undefined,
        (e: unknown) => e,
      )) as typeof outcome;
    }
    expect(outcome?.code).toBe('EACCES');
    expect(outcome?.message).toContain(`${file} is not writable (read-only): it was left as it was`);
    expect(fileSystemProblem(Object.assign(new Error(outcome?.message), outcome))).toBe(
      `cannot replace ${file}: permission denied (EACCES)`,
    );
    expect(await readFile(file, 'utf8')).toBe('{ "name": "ro" }\n');
    expect(await modeOf(file)).toBe(0o444);
  });

  it("removes a dead process's temp files from the folder it writes, this pid's too when older than this process", async () => {
    const d = await folder();
    // A container restarted after a kill -9 hands out the same pids again: a temp file named
    // with this pid that is older than this process was left by another.
    const earlier = path.join(d, `other.json.tmp-${process.pid}-0123456789ab`);
    const mine = path.join(d, `other.json.tmp-${process.pid}-ba9876543210`);
    for (const f of [earlier, mine]) await writeFile(f, '{"half":');
    const dayAgo = new Date(Date.now() - 86_400_000);
    await utimes(earlier, dayAgo, dayAgo);
    await writeFileAtomic(path.join(d, 'new.json'), '{}');
    expect(existsSync(earlier)).toBe(false);
    expect(existsSync(mine)).toBe(true);
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    "removes a temp file whose writer's pid now names a process that started after it was written",
    async () => {
      // The pid of a killed writer handed to another process: that one did not write it.
      const d = await folder();
      const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
      try {
        const left = path.join(d, `other.json.tmp-${holder.pid}-0123456789ab`);
        const live = path.join(d, `more.json.tmp-${process.ppid}-0123456789ab`);
        for (const f of [left, live]) await writeFile(f, '{"half":');
        const hourAgo = new Date(Date.now() - 3_600_000);
        await utimes(left, hourAgo, hourAgo);
        await writeFileAtomic(path.join(d, 'new.json'), '{}');
        expect(existsSync(left)).toBe(false);
        // A running process that had started when its temp file was written may still be writing it.
        expect(existsSync(live)).toBe(true);
      } finally {
        holder.kill();
      }
    },
  );

  it('names the file it writes when a write fails without a path (EFBIG past a file size limit)', async () => {
    const d = await folder();
    const file = path.join(d, 'big.txt');
    // RLIMIT_FSIZE in a child of its own: 1 KiB. Node ignores the SIGXFSZ, the write says EFBIG.
    const script = `import('${path.join(REPO_ROOT, 'src/data/atomic.ts')}').then((m) => m.writeFileAtomic(${JSON.stringify(file)}, 'x'.repeat(4096))).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, syscall: e.syscall, path: e.path, message: e.message })))`;
    const tsx = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
    const r = spawnSync('bash', ['-c', 'ulimit -f 1; exec "$0" -e "$1"', tsx, script], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: await folder() }, // tsx's cache: not in d
    });
    const outcome = JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
    expect(outcome?.code, r.stderr).toBe('EFBIG');
    expect(fileSystemProblem(Object.assign(new Error(outcome.message), outcome))).toBe(
      `cannot write ${file}: the file is too large for the file system (EFBIG)`,
    );
    expect(readdirSync(d)).toEqual([]);
  });

  it('creates a missing file with the default mode', async () => {
    const d = await folder();
    await writeFileAtomic(path.join(d, 'sub', 'new.txt'), 'x');
    expect(await readFile(path.join(d, 'sub', 'new.txt'), 'utf8')).toBe('x');
  });
});
