/**
 * A real MLflow tracking server for the tracking tests: `mlflow server` on 127.0.0.1 and a free
 * port, with a temporary SQLite backend and artifact folder, one uvicorn worker (the machine has
 * two cores). It can be stopped and started again on the same port and store, as a server that
 * dies mid-upload and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT, tempDir } from './run-harness.ts';

/** The MLflow version .ci/setup-tests (npm's pretest) installs and these tests are written against. */
export const MLFLOW_VERSION = '3.17.2';

/**
 * The `mlflow` executable: `$MLFLOW_BIN`, else the repository's `.venv-mlflow/bin/mlflow`. A
 * missing one fails the test (never skips it) and says how to install it.
 */
export function mlflowBin(): string {
  const file = process.env['MLFLOW_BIN'] || path.join(REPO_ROOT, '.venv-mlflow', 'bin', 'mlflow');
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(
      `mlflow not found at ${file}: run .ci/setup-tests (it makes a venv with mlflow==${MLFLOW_VERSION} in .venv-mlflow/), ` +
        'or set MLFLOW_BIN to an mlflow executable. The tracking tests need a real MLflow server.',
    );
  }
  return file;
}

export interface MlflowServer {
  /** `http://127.0.0.1:<port>`: what MLFLOW_TRACKING_URI is set to. */
  readonly url: string;
  readonly port: number;
  /** The folder holding mlflow.db, mlartifacts/ and the server log. */
  readonly dir: string;
  /** Kills the server (its whole process group, as a crash would) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store (no-op while it runs); resolves once /health answers. */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

/** Startup runs every database migration on a fresh SQLite file: slow on a busy 2-core machine. */
const READY_TIMEOUT_MS = 90_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * An empty MLflow database with every migration applied, made once by .ci/setup-tests with
 * MLflow's own SqlAlchemyStore and the artifact root `mlflow server --artifacts-destination`
 * uses: what a fresh server's startup would write, without running the migrations again for every server.
 */
export function emptyDatabaseTemplate(): string {
  return path.join(REPO_ROOT, '.venv-mlflow', `empty-${MLFLOW_VERSION}.db`);
}

/** Starts a fresh server; stop it with close() in afterAll. */
export async function startMlflowServer(): Promise<MlflowServer> {
  const bin = mlflowBin();
  const tmp = await tempDir('bess-mlflow-');
  // Without the template (a custom MLFLOW_BIN, say) the server migrates a new file itself.
  const template = emptyDatabaseTemplate();
  if (!process.env['MLFLOW_BIN'] && existsSync(template))
    await copyFile(template, path.join(tmp.dir, 'mlflow.db'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = path.join(tmp.dir, 'server.log');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    if (running()) return;
    const out = openSync(log, 'a');
    const args = [
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--backend-store-uri',
      `sqlite:///${path.join(tmp.dir, 'mlflow.db')}`,
      '--artifacts-destination',
      path.join(tmp.dir, 'mlartifacts'),
      '--workers',
      '1',
    ];
    // detached: its own process group, so stop() also ends the uvicorn worker it forks.
    // No job runner: it forks a pool of huey consumers the tests never use (prompt optimization, …).
    const env = {
      ...process.env,
      MLFLOW_TRACKING_URI: '',
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      // MLflow leaves a lock file (db_init_lock-<hash>) in the temp folder: this one is removed.
      TMPDIR: tmp.dir,
    };
    const proc = spawn(bin, args, {
      cwd: tmp.dir,
      detached: true,
      stdio: ['ignore', out, out],
      env,
    });
    closeSync(out);
    child = proc;
    let gone = false;
    exited = new Promise((resolve) => proc.once('exit', () => ((gone = true), resolve())));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (gone)
        throw new Error(`mlflow server exited during startup; its log:\n${await tail(log)}`);
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `mlflow server did not answer ${url}/health within ${READY_TIMEOUT_MS / 1000} s; its log:\n${await tail(log)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    const proc = child;
    if (!proc || !running()) return;
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    child = null;
  };

  try {
    await start();
  } catch (err) {
    await tmp.cleanup();
    throw err;
  }
  return {
    url,
    port,
    dir: tmp.dir,
    stop,
    start,
    close: async () => {
      await stop();
      await tmp.cleanup();
    },
  };
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-30).join('\n');
}

/** The URL of a port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}
