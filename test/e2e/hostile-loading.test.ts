/**
 * Plugin code that runs outside fit and score: at import, in a factory, while a metamorphic law
 * or the plugin contract is measured, and under `harness check`. Each runs in a worker thread
 * under the watchdog, so a busy loop or a process.exit ends in exit 2 with a message naming the
 * file or the model, never in a hang or a pass.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const CONFIG = `export default { timeoutMs: 1000 };\n`;
const DATASET = `{ scenario: { name: 'tiny', systems: 12, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'tiny' } }`;

const projects: { cleanup: () => Promise<void> }[] = [];
async function project(files: Record<string, string>): Promise<string> {
  const p = await makeProject({ 'harness.config.ts': CONFIG, ...files });
  projects.push(p);
  return p.dir;
}
afterAll(() => Promise.all(projects.map((p) => p.cleanup())));

describe('plugin code outside fit and score', () => {
  it('a suite file that loops forever at import stops the run: exit 2 naming the file', async () => {
    const dir = await project({ 'suites/loops.suite.ts': `for (;;) {}\nexport default {};\n` });
    const r = await runHarness(['run', '--reporter', 'plain'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /suites\/loops\.suite\.ts: loading the suite and its models was stopped: importing .*loops\.suite\.ts ran past its 10000 ms timeout without yielding/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a suite file that calls process.exit(0) at import cannot end the run green', async () => {
    const dir = await project({
      'suites/exits.suite.ts': `process.exit(0);\nexport default {};\n`,
    });
    const r = await runHarness(['run', '--reporter', 'plain'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /the suite \S*exits\.suite\.ts could not be loaded: .*process\.exit was called with code 0/,
    );
  }, 60_000);

  it('a timer a suite file leaves running does not keep the harness alive after its verdict', async () => {
    // The suite is imported in the harness's own thread too; its timer once kept the process
    // (and a CI job) waiting after the verdict was printed, until the job's own timeout.
    const dir = await project({
      'suites/timer.suite.ts': `import { defineSuite } from 'bess-harness';
setInterval(() => {}, 1000); // a metrics flush, a connection pool
export default defineSuite({ name: 'timer', dataset: ${DATASET}, models: ['zscore'],
  expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeGreaterThan(0.99)] });
`,
    });
    const r = await runHarness(['run', '--reporter', 'plain'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/expected zscore roc_auc > 0\.99/);
    expect(r.stdout).toMatch(/run recorded: /);
  }, 60_000);

  it('an exit listener a suite file adds cannot turn a failed verdict into exit 0', async () => {
    const dir = await project({
      'suites/listener.suite.ts': `import { defineSuite } from 'bess-harness';
process.on('exit', () => { process.exitCode = 0; }); // a library's "clean shutdown" hook
export default defineSuite({ name: 'listener', dataset: ${DATASET}, models: ['zscore'],
  expect: ({ metric }) => [metric('zscore', 'roc_auc').toBeGreaterThan(0.99)] });
`,
    });
    const r = await runHarness(['run', '--reporter', 'plain', '--no-history'], { cwd: dir });
    expect(r.stdout).toMatch(/expected zscore roc_auc > 0\.99/);
    expect(r.code, r.stdout + r.stderr).toBe(1);
  }, 60_000);

  it('a plugin whose factory loops forever stops the run: exit 2 naming the model', async () => {
    const dir = await project({
      'plugins/loopy/index.ts': `export default () => { for (;;) {} };\n`,
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';\nexport default defineSuite({ name: 's', dataset: ${DATASET}, models: ['loopy', 'zscore'] });\n`,
    });
    const r = await runHarness(['run', '--reporter', 'plain'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /making the model "loopy" of .*s\.suite\.ts ran past its 10000 ms timeout without yielding/,
    );
  }, 60_000);

  it('a busy loop while a law is measured errors that case only: exit 2, the other model scored, the run recorded', async () => {
    // Scores finite data at once; loops on a series with an emptied reading, which only the
    // dropout law hands it.
    const plugin = `import { defineModel } from 'bess-harness';
export default defineModel({ name: 'nan-loop', version: '1', score(series) {
  if (Object.values(series.sensors).some((a) => a && a.some((x) => Number.isNaN(x)))) for (;;) {}
  return series.timestamps.length;
} });
`;
    const dir = await project({
      'plugins/nan-loop/index.ts': plugin,
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 'laws', dataset: { scenario: { name: 'tiny', systems: 12, days: 1, interval: '1h', anomalyRate: 0.3, seed: 'tiny', dataQuality: { sensorDropout: 0, stuckSensor: 0, spike: 0, timestampGap: 0 } } }, models: ['nan-loop', 'zscore'],
  expect: ({ model }) => [model('nan-loop').toTolerateDropouts({ rate: 0.5 }), model('zscore').toBeChanceOnShuffledLabels()] });
`,
    });
    const r = await runHarness(['run', '--reporter', 'plain', '--workers', '1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(
      /nan-loop.*score ran past its 1000 ms timeout without yielding \(a synchronous loop\?\): its worker thread was stopped/,
    );
    expect(r.stdout).toMatch(/zscore\s+roc_auc \d/);
    expect(r.stdout).toMatch(/✓ zscore's scores follow the series, not the id/);
    expect(r.stdout).toMatch(/run recorded: /);
  }, 90_000);

  it('a busy loop under a contract assertion, and under `harness check`, ends in exit 2 with the reason', async () => {
    const plugin = `import { defineModel } from 'bess-harness';
export default defineModel({ name: 'short-loop', version: '1', timeoutMs: 500, score(series) {
  if (series.timestamps.length < 3) for (;;) {}
  return 1;
} });
`;
    const dir = await project({
      'plugins/short-loop/index.ts': plugin,
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';\nexport default defineSuite({ name: 'contract', dataset: ${DATASET}, models: ['short-loop'], contract: { runs: 20 } });\n`,
    });
    const run = await runHarness(['run', '--reporter', 'plain'], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/short-loop.*ran past its 500 ms timeout without yielding/);
    expect(run.stdout).toMatch(/run recorded: /);

    const check = await runHarness(['check', 'short-loop', '--runs', '20'], { cwd: dir });
    expect(check.code, check.stdout + check.stderr).toBe(2);
    expect(check.stderr).toMatch(
      /harness check short-loop: .*ran past its 500 ms timeout without yielding/,
    );
    expect(check.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);
});
