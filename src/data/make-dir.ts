import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p`: creates `dir` and the folders above it that are missing. Not Node's own
 * `mkdir(dir, { recursive: true })`, which spins forever where mkdir answers ENOENT for a folder
 * whose parent exists (under /proc or /sys: `--plots /proc/x` hung the CLI, 100 % CPU). Here each
 * missing folder is made once, top down, and the first refusal is thrown as it is (ENOENT,
 * EACCES, EROFS, ENOTDIR), for the caller's message.
 */
export async function makeDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const found = await stat(at).catch(() => null);
    if (found) {
      // A file where the folder is asked for: what Node's mkdir says.
      if (at === path.resolve(dir) && !found.isDirectory())
        throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), {
          code: 'EEXIST',
          syscall: 'mkdir',
          path: dir,
        });
      break;
    }
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing.reverse()) {
    await mkdir(at).catch((err: NodeJS.ErrnoException) => {
      // Made meanwhile by another process (two runs writing one cache): what was asked for.
      if (err.code !== 'EEXIST') throw err;
    });
  }
}
