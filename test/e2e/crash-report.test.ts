import { readFile, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

describe('an internal error (a bug, not a user mistake)', () => {
  it('prints one line naming the file the full trace was written to, and exits 2', async () => {
    // A reporter module whose hook throws a TypeError: not a HarnessError, so the CLI treats it as a bug.
    const project = await makeProject({
      'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({ name: 's', dataset: { scenario: { name: 't', systems: 8, days: 1, interval: '1h', anomalyRate: 0.3, seed: 't' } }, models: ['random'] });
`,
      'broken-reporter.ts':
        'export default { onInit() { (undefined as unknown as { x: number }).x; } };\n',
    });
    try {
      const r = await runHarness(['run', '--no-history', '--reporter', './broken-reporter.ts'], {
        cwd: project.dir,
      });
      expect(r.code).toBe(2);
      const line =
        /harness: internal error: (.+) \(full trace in (\S+\.log); please report it\)\n$/.exec(
          r.stderr,
        );
      expect(line, r.stderr).not.toBeNull();
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const trace = await readFile(line![2]!, 'utf8');
      expect(trace).toContain('harness run --no-history --reporter ./broken-reporter.ts');
      expect(trace).toMatch(/TypeError: .*\n\s+at /);
      await rm(line![2]!);
    } finally {
      await project.cleanup();
    }
  });
});
