import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { harnessEnv, REPO_ROOT } from './run-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');

/** Starts `harness label --port 0 --data <dataDir>` and resolves with the process and its URL once it prints it. */
export function startLabelServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'label', '--port', '0', '--data', dataDir], {
      env: harnessEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`label server exited with ${code}: ${out}`)));
  });
}
