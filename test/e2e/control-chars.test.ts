/**
 * A plugin's error message with terminal escapes and control characters: the plain terminal
 * output and the HTML page show its text without them (junit and markdown already did). They
 * recoloured the terminal, rang its bell, and a `\r` overwrote the line it was on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

/** Control characters but tab and newline, DEL and C1: none may reach an output. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const MESSAGE = String.raw`bad \x1b[31mred\x1b[0m \x00nul \x07bell \x1b]8;;http://x\x07link\x1b]8;;\x07 back\roverwritten`;

describe('harness run: a plugin error with escapes and control characters', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('plain and the HTML report show its text, without them', async () => {
    project = await makeProject({
      'harness.config.ts': `export default { workers: 1 };\n`,
      'plugins/noisy.ts': `import { defineModel } from 'bess-harness';
export default defineModel({ name: 'noisy\\x1b[1m', version: '1', score() { throw new Error('${MESSAGE}'); } });
`,
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
import noisy from '../plugins/noisy.ts';
export default defineSuite({
  name: 's',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: [noisy, 'random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
});
`,
    });
    const r = await runHarness(
      ['run', '--reporter', 'plain', '--reporter', 'html', '--no-history', '--out-dir', 'D'],
      { cwd: project.dir },
    );
    expect(r.code, r.stderr).toBe(2);
    // NO_COLOR (runHarness): chalk writes no escapes of its own, so any is the plugin's.
    expect(r.stdout).toContain('bad red nul bell link back\noverwritten');
    expect(r.stdout).toMatch(/✗ noisy +errored:/);
    expect(r.stdout).not.toMatch(CONTROL);

    const html = await readFile(path.join(project.dir, 'D', 'report', 'index.html'), 'utf8');
    expect(html).toContain('bad red nul bell link back\noverwritten');
    expect(html).not.toMatch(CONTROL);
  }, 120_000);
});
