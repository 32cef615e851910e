import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, runHarnessInTty } from '../helpers/run-harness.ts';

// The default reporter on a terminal is the live Ink one: run the real bin under a
// pseudo-terminal (util-linux `script`) and read what the person at it would see.

const CONFIG = `import { defineConfig } from 'bess-harness';\nexport default defineConfig({ seed: 'e2e' });\n`;
const DELTA_V = `import { defineModel } from 'bess-harness';
export default () => defineModel({
  name: 'delta-v', version: '1', derive: ['cell_delta_v_mv'],
  score(series) {
    const dv = series.sensors.cell_delta_v_mv;
    let max = 0;
    for (let i = 0; i < (dv?.length ?? 0); i++) if (dv[i] > max) max = dv[i];
    return max;
  },
});
`;
const SUITE = `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 'tty',
  dataset: { scenario: { name: 'e2e-fleet', systems: 40, days: 3, interval: '30m', anomalyRate: 0.4 } },
  models: ['random', 'delta-v'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1), metric('delta-v', 'roc_auc').toBeGreaterThan(0.999)],
});
`;

/** Colour and cursor sequences out: what is left is the text Ink wrote, frame after frame. */
const strip = (s: string) => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').replaceAll('\r', '');

// util-linux `script` (essential on Debian) gives the bin a pseudo-terminal; without it this fails.
describe('harness run on a terminal', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it('uses the ink reporter: suites printed once, the summary as the last frame', async () => {
    project = await makeProject({
      'harness.config.ts': CONFIG,
      'plugins/delta-v/index.ts': DELTA_V,
      'suites/tty.suite.ts': SUITE,
    });
    const r = await runHarnessInTty(['run'], { cwd: project.dir });
    expect(r.code).toBe(1);
    const out = strip(r.stdout);
    // Live progress went by (ink, not plain) …
    expect(out).toMatch(/delta-v +█+ 32\/32/);
    // … the finished suite was written once, with its assertions and table …
    expect(out.match(/✓ random roc_auc \d\.\d{3} is in \[0, 1\]/g)).toHaveLength(1);
    expect(out.match(/✗ expected delta-v roc_auc > 0\.999, got \d\.\d{3}/g)).toHaveLength(1);
    expect(out).toMatch(/model +roc_auc +CI +ap +recall +@ threshold/);
    // … and the last frame, after the final erase, is the summary; once Ink has exited, the
    // run command adds where it recorded the run (the local history).
    const lastFrame = strip(r.stdout.split('\u001B[G').at(-1) ?? '');
    const [summary, recorded, ...rest] = lastFrame.trim().split('\n');
    expect(summary).toMatch(
      /^FAIL {2}Assertions 1 passed, 1 failed · Cases 2 scored · Suites 1 · \d+\.\d s$/,
    );
    expect(recorded).toMatch(/^run recorded: \.harness\/runs\/\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(rest).toEqual([]);
  });
});

describe('harness run on a short terminal', () => {
  let project: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => project?.cleanup());

  it("an errored model's long message keeps the live area below the terminal's height: no clearing, the finished suite printed once", async () => {
    // 24 rows: a 21-line error and the progress bars made the live area as tall as the
    // terminal, and Ink then cleared the screen and its scrollback (ESC[2J ESC[3J) and printed
    // every finished suite again.
    const message = Array.from({ length: 21 }, (_, i) => `line ${i + 1} of the error`).join('\\n');
    project = await makeProject({
      'harness.config.ts': `export default { workers: 1, reporters: ['ink', './hold.ts'] };\n`,
      // Holds the run once the errored case is in (ink, before it, shows it live) until the
      // test has seen it on the terminal: the live frame is otherwise gone within milliseconds.
      'hold.ts': `import { existsSync } from 'node:fs';
export default {
  async onCaseResult({ result }) {
    if (result.state === 'errored')
      while (!existsSync('go')) await new Promise((r) => setTimeout(r, 20));
  },
};
`,
      'plugins/boom.ts': `import { defineModel } from 'bess-harness';
export default defineModel({ name: 'boom', version: '1', score() { throw new Error('${message}'); } });
`,
      'suites/a.suite.ts': `import { defineSuite } from 'bess-harness';
import boom from '../plugins/boom.ts';
export default defineSuite({
  name: 'first',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: [boom, 'random'],
  expect: ({ metric }) => [metric('random', 'roc_auc').toBeWithin(0, 1)],
});
`,
    });
    const go = path.join(project.dir, 'go');
    const r = await runHarnessInTty(['run', '--no-cache', '--no-history'], {
      cwd: project.dir,
      columns: 80,
      rows: 24,
      onOutput: (soFar) => {
        if (/boom +errored:/.test(strip(soFar)) && !existsSync(go)) writeFileSync(go, '');
      },
    });
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).not.toContain('\u001B[2J');
    expect(r.stdout).not.toContain('\u001B[3J');
    const out = strip(r.stdout);
    // The live line showed the message's first line; the finished suite, once, all of it.
    expect(out).toMatch(/✗ boom +errored: score\(sys-\d+\): line 1 of the error …\n/);
    expect(out.match(/line 21 of the error/g)).toHaveLength(1);
    expect(out.match(/first {2}suites\/a\.suite\.ts/g)).toHaveLength(1);
  });
});
