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
