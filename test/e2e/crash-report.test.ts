import { readFile, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

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
