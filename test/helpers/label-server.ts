import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { harnessEnv, REPO_ROOT } from './run-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');

/** Who the server runs as (a uid and gid, e.g. nobody's) and what its environment adds. */
export interface LabelServerProcess {
  readonly uid?: number;
  readonly gid?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Arguments to node before the harness's own (`--import` a preload). */
  readonly nodeArgs?: readonly string[];
}

/**
 * Starts `harness label --port 0 --data <dataDir>` and resolves with the process, its URL once it
 * prints it, and what it wrote to stderr so far.
 */
export function startLabelServer(
  dataDir: string,
  as: LabelServerProcess = {},
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(as.nodeArgs ?? []), BIN, 'label', '--port', '0', '--data', dataDir],
      {
        env: harnessEnv(as.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(as.uid !== undefined ? { uid: as.uid } : {}),
        ...(as.gid !== undefined ? { gid: as.gid } : {}),
      },
    );
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ child, url: m[1]!, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`label server exited with ${code}: ${out}${err}`)));
  });
}
