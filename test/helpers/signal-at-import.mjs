// Preloaded into a harness by a test (`node --import <this> bin/harness.js …`): as the process
// first resolves a module whose URL matches SIGNAL_AT_IMPORT (a regular expression), it sends
// itself SIGNAL_AT_IMPORT_SIGNAL (default SIGTERM), so a signal lands while the harness is still
// loading its own modules, before the command has begun, at the same point on every run. The
// module loads as usual.
import { register } from 'node:module';

const pattern = process.env.SIGNAL_AT_IMPORT;
if (pattern) {
  register('./signal-at-import-hooks.mjs', import.meta.url, {
    data: { pattern, signal: process.env.SIGNAL_AT_IMPORT_SIGNAL ?? 'SIGTERM' },
  });
}
