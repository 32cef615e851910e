import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runHarness, tempDir } from '../helpers/run-harness.ts';

describe('an internal error (a bug, not a user mistake)', () => {
  it('prints one line naming the file the full trace was written to, and exits 2', async () => {
    // Every path a user can reach is a HarnessError (a throwing reporter included: it is named
    // and the run goes on), so the bug is simulated: the CLI throws a TypeError when told to.
    const t = await tempDir();
    try {
      const r = await runHarness(['validate', '--data', 'nowhere'], {
        cwd: t.dir,
        env: { BESS_HARNESS_TEST_INTERNAL_ERROR: '1' },
      });
      expect(r.code).toBe(2);
      const line =
        /^harness: internal error: (.+) \(full trace in (\S+\.log); please report it\)\n$/.exec(
          r.stderr,
        );
      expect(line, r.stderr).not.toBeNull();
      expect(line![1]).toBe('a deliberate internal error (BESS_HARNESS_TEST_INTERNAL_ERROR=1)');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const trace = await readFile(line![2]!, 'utf8');
      expect(trace).toContain('harness validate --data nowhere');
      expect(trace).toMatch(/TypeError: .*\n\s+at /);
      await rm(line![2]!);
    } finally {
      await t.cleanup();
    }
  });
});

describe('a reporter module of the project that cannot be made (a user mistake, not a bug)', () => {
  it('is exit 2 naming the file, without a crash log', async () => {
    const project = await makeProject({
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 's', dataset: { scenario: { name: 'tiny', systems: 6, days: 1, interval: '1h' } }, models: ['random'] });
`,
      'rep/slack.ts': "export default () => { throw new Error('SLACK_WEBHOOK is not set'); };\n",
    });
    try {
      const r = await runHarness(['run', '--reporter', './rep/slack.ts', '--no-history'], {
        cwd: project.dir,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `harness: the reporter ${path.join(project.dir, 'rep', 'slack.ts')}: its factory threw: SLACK_WEBHOOK is not set\n`,
      );
    } finally {
      await project.cleanup();
    }
  });
});
