import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags for a headless Chromium that never reaches out on its own (updates, sync, QUIC probes). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium binary: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. Throws when it is
 * missing, so a browser test fails (never skips) on a machine without it; `npm test`'s pretest
 * (.ci/setup-tests) installs it with apt-get when it can.
 */
export function chromiumPath(): string {
  const file = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${file}: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary. ` +
        'Browser tests do not download one (no `npx playwright install`).',
    );
  }
  return file;
}

/** A headless Chromium driven by playwright-core; close it when done. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}
