import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/run-harness.ts';

const MODULE = path.join(REPO_ROOT, 'src', 'exit-signals.ts');
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/**
 * Runs `body` (an async function's body) in a process of its own that installed the CLI's
 * signal handlers, in a fresh folder (its cwd); `heard()` resolves once a SIGINT has arrived and
 * the harness's own handler has acted on it. Returns the exit code and the folder.
 */
async function inProcess(body: string): Promise<{ code: number | null; dir: string }> {
  const t = await tempDir('exit-signals-');
  cleanups.push(t.cleanup);
  const script = `
import { writeFileSync } from 'node:fs';
import { deferSignals, exitOnSignals, holdSignalWhileStarting, removeOnExit, stopOnSignal } from ${JSON.stringify(MODULE)};
exitOnSignals(() => {}, (code) => process.exit(code));
let signals = 0;
let onSignal = () => {};
process.on('SIGINT', () => { signals += 1; onSignal(); });
// Once the handlers of that signal have run, and the exit they scheduled (setImmediate) too.
const heard = (n = 1) => new Promise((r) => {
  const check = () => { if (signals >= n) setImmediate(() => setImmediate(r)); };
  onSignal = check;
  check();
});
// Node's signal handles do not keep a process alive: a timer does, until the body is done.
const alive = setInterval(() => {}, 60_000);
const forever = () => new Promise(() => {});
await (async () => { ${body} })();
writeFileSync('after', '');
clearInterval(alive);
`;
  const r = spawnSync(TSX, ['--input-type=module', '-e', script], {
    cwd: t.dir,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: t.dir },
  });
  expect(r.stderr).toBe('');
  return { code: r.status, dir: t.dir };
}

describe('exitOnSignals', () => {
  it('exits 130 on SIGINT, removing the files of writes in flight', async () => {
    const { code, dir } = await inProcess(`
      writeFileSync('kept', '');
      removeOnExit(${JSON.stringify('in-flight')});
      writeFileSync('in-flight', 'half');
      process.kill(process.pid, 'SIGINT');
      await forever();
    `);
    expect(code).toBe(130);
    expect(existsSync(path.join(dir, 'in-flight'))).toBe(false);
    expect(existsSync(path.join(dir, 'kept'))).toBe(true);
  });

  it('holds the exit back until a critical section (deferSignals) is done, then exits', async () => {
    const { code, dir } = await inProcess(`
      await deferSignals(async () => {
        process.kill(process.pid, 'SIGINT');
        await heard();
        writeFileSync('first', '');
        await new Promise((r) => setImmediate(r));
        writeFileSync('second', '');
      });
    `);
    expect(code).toBe(130);
    expect(existsSync(path.join(dir, 'first'))).toBe(true);
    expect(existsSync(path.join(dir, 'second'))).toBe(true);
    expect(existsSync(path.join(dir, 'after')), 'the code after the section ran').toBe(false);
  });

  it('calls a graceful stop (stopOnSignal) on the first signal instead of exiting; a second one exits', async () => {
    const once = await inProcess(`
      setImmediate(() => process.kill(process.pid, 'SIGINT'));
      await new Promise((resolve) =>
        stopOnSignal(() => { writeFileSync('stopping', ''); resolve(); }),
      );
    `);
    expect(once.code).toBe(0);
    expect(existsSync(path.join(once.dir, 'stopping'))).toBe(true);
    expect(existsSync(path.join(once.dir, 'after'))).toBe(true);

    const twice = await inProcess(`
      stopOnSignal(() => writeFileSync('stopping', ''));
      process.kill(process.pid, 'SIGINT');
      await heard(1);
      process.kill(process.pid, 'SIGINT');
      await forever();
    `);
    expect(twice.code).toBe(130);
    expect(existsSync(path.join(twice.dir, 'stopping'))).toBe(true);
  });

  it('holds a signal while a command starts: it goes to the stop the command registers by then, else exits', async () => {
    const stopped = await inProcess(`
      const begun = holdSignalWhileStarting();
      process.kill(process.pid, 'SIGINT');
      await heard();
      writeFileSync('starting', '');
      await new Promise((resolve) => {
        stopOnSignal((code) => { writeFileSync('stopped-' + code, ''); resolve(); });
        begun();
      });
    `);
    expect(stopped.code).toBe(0);
    for (const f of ['starting', 'stopped-130', 'after'])
      expect(existsSync(path.join(stopped.dir, f)), f).toBe(true);

    const exited = await inProcess(`
      const begun = holdSignalWhileStarting();
      process.kill(process.pid, 'SIGINT');
      await heard();
      writeFileSync('starting', '');
      begun();
      await forever();
    `);
    expect(exited.code).toBe(130);
    expect(existsSync(path.join(exited.dir, 'starting'))).toBe(true);
  });
});
