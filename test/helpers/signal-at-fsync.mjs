// Preloaded into a harness by a test (`node --import <this> bin/harness.js …`): the first time
// the process fsyncs a file whose path matches SIGNAL_AT_FSYNC (a regular expression), it sends
// itself SIGNAL_AT_FSYNC_SIGNAL (default SIGINT), as `strace -e inject=fsync:signal=SIGINT`
// does, so a signal lands while that write is in flight at the same point on every run: the
// temp file or staging folder exists, and its rename has not happened. The fsync itself runs.
import { createRequire } from 'node:module';
import { syncBuiltinESMExports } from 'node:module';

const pattern = process.env.SIGNAL_AT_FSYNC;
if (pattern) {
  const require = createRequire(import.meta.url);
  const fsp = require('node:fs/promises');
  const re = new RegExp(pattern);
  const signal = process.env.SIGNAL_AT_FSYNC_SIGNAL ?? 'SIGINT';
  const pathOf = new WeakMap();
  const open = fsp.open;
  fsp.open = async function (file, ...rest) {
    const handle = await open.call(this, file, ...rest);
    pathOf.set(handle, String(file));
    return handle;
  };
  const probe = await open(process.execPath, 'r');
  const FileHandle = Object.getPrototypeOf(probe);
  await probe.close();
  const sync = FileHandle.sync;
  let sent = false;
  FileHandle.sync = function () {
    if (!sent && re.test(pathOf.get(this) ?? '')) {
      sent = true;
      process.kill(process.pid, signal);
    }
    return sync.call(this);
  };
  // `import { open } from 'node:fs/promises'` in the harness sees the open above.
  syncBuiltinESMExports();
}
